#!/usr/bin/env bash
# Installs what the tests need, then runs every test project in the solution.
# Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
# qemu-user-static + debootstrap: the arm64 (Raspberry Pi) build is run under emulation.
# chromium: the built-in web page is tested in headless Chromium (tests/EdgeTelemetry.WebPage.Tests).
# victoria-metrics: the InfluxDB v2 write path is tested against it (Debian's influxd 1.6 serves only v1).
# clang-14 … libgcc-12-dev-arm64-cross: the agent is published ahead of time for arm64 (scripts/publish-agent.sh).
bash scripts/install-deps.sh qemu-user-static debootstrap chromium victoria-metrics \
  clang-14 lld-14 llvm-14 libc6-dev-arm64-cross libgcc-12-dev-arm64-cross
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
start=$(date +%s)
log=$(mktemp)
# The agent as shipped (Native AOT, scripts/publish-agent.sh): the tests that run the agent as its own
# process (kill -9, chaos) run this build. It is published beside the build and the first test
# assemblies (~2 min of compiling); those tests wait for it (Plant.PublishedAgent).
aot=$(mktemp -d)
( bash scripts/publish-agent.sh --rid linux-x64 -o "$aot/publishing" --artifacts "$aot/build" --no-install -v quiet >"$aot/publish.log" 2>&1 &&
    mv "$aot/publishing" "$aot/agent" && echo "agent published ahead of time for the process tests in $(( $(date +%s) - start )) s" ||
    { tail -n 30 "$aot/publish.log" >&2; echo "test.sh: publishing the agent ahead of time failed" >&2; touch "$aot/failed"; } ) &
export EDGETELEMETRY_AGENT_EXE="$aot/agent/EdgeTelemetry.Agent"
set +e
dotnet test EdgeTelemetry.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One summary line over all test assemblies ("N passed, N failed").
awk '/(Passed|Failed)! +- +Failed: /{
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
echo "suite time: $(( $(date +%s) - start )) s"
wait
rm -rf "$log" "$aot"
exit "$status"
