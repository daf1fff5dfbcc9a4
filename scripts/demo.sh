#!/usr/bin/env bash
# Runs the whole system on this machine: mosquitto + influxd (installed with apt-get when missing),
# the central service and three simulated agents. Ctrl-C, or --duration SECONDS, stops it cleanly.
# Usage: scripts/demo.sh [--duration SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "demo: building (Release)"
dotnet build EdgeTelemetry.sln -c Release -v quiet -nologo || { echo "demo: build failed" >&2; exit 1; }
exec dotnet src/EdgeTelemetry.Demo/bin/Release/net10.0/EdgeTelemetry.Demo.dll "$@"
