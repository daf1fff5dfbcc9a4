#!/usr/bin/env bash
# Publishes the agent ahead of time (Native AOT): one native executable, no .NET runtime on the device,
# ~35 MB resident instead of ~75 MB with the JIT (docs/benchmarks.md §7).
#
# Usage: scripts/publish-agent.sh [--rid linux-arm64|linux-x64] [-o DIR] [--artifacts DIR] [--no-install] [extra dotnet publish arguments]
#   --rid RID        target (default linux-arm64: Raspberry Pi OS 64-bit)
#   -o DIR           output folder (default out/agent-RID)
#   --artifacts DIR  obj/bin of the build (default: the repository's own)
#   --no-install     do not apt-get the native toolchain when it is missing (fail instead)
#
# Native AOT links with a C toolchain. From an x86_64 Debian machine the arm64 build is cross-linked
# with clang and lld against Debian's arm64 cross libraries (no sysroot to prepare):
#   clang-14 lld-14 llvm-14 libc6-dev-arm64-cross libgcc-12-dev-arm64-cross
# which this script installs with apt-get when missing. On an arm64 machine the build is native.
set -euo pipefail
cd "$(dirname "$0")/.."
rid=linux-arm64 out="" artifacts="" install=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) rid="$2"; shift 2 ;;
    -o|--output) out="$2"; shift 2 ;;
    --artifacts) artifacts="$2"; shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done
out="${out:-out/agent-$rid}"
host=$(uname -m)
toolchain=(clang-14 lld-14 llvm-14)
props=(-p:CppCompilerAndLinker=clang-14 -p:LinkerFlavor=lld -p:ObjCopyName=llvm-objcopy-14)
case "$rid/$host" in
  linux-arm64/x86_64) toolchain+=(libc6-dev-arm64-cross libgcc-12-dev-arm64-cross) ;;
  linux-x64/x86_64|linux-arm64/aarch64) toolchain+=(libc6-dev libgcc-12-dev) ;;
  *) echo "publish-agent.sh: building $rid on $host is not set up here (see the Native AOT cross-compilation docs)" >&2; exit 2 ;;
esac
missing=()
for p in "${toolchain[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$install" -eq 0 ]; then echo "publish-agent.sh: missing ${missing[*]} (apt-get install ${missing[*]})" >&2; exit 3; fi
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "publish-agent.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
args=(publish src/EdgeTelemetry.Agent -c Release -r "$rid" -o "$out" -nologo "${props[@]}")
[ -n "$artifacts" ] && args+=(--artifacts-path "$artifacts")
dotnet "${args[@]}" "${extra[@]}"
