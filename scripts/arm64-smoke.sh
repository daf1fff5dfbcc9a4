#!/usr/bin/env bash
# Proves the Raspberry Pi build: publishes the agent for linux-arm64 (self-contained), prepares a
# Debian bookworm arm64 root filesystem (debootstrap --foreign, cached), and runs the agent under
# qemu-aarch64-static on emulated hardware against an MQTT broker.
# Usage: scripts/arm64-smoke.sh --broker-port PORT [--broker-host 127.0.0.1] [--seconds 60] [--work DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
host=127.0.0.1 port="" seconds=60 work="${TMPDIR:-/tmp}/edgetelemetry-arm64"
while [ $# -gt 0 ]; do
  case "$1" in
    --broker-host) host="$2"; shift 2 ;;
    --broker-port) port="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$port" ] || { echo "usage: $0 --broker-port PORT [--broker-host H] [--seconds N] [--work DIR]" >&2; exit 2; }
for tool in qemu-aarch64-static debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || { echo "$tool missing: apt-get install qemu-user-static debootstrap" >&2; exit 3; }
done
cache="${XDG_CACHE_HOME:-$HOME/.cache}/edgetelemetry"
rootfs="$cache/arm64-rootfs"
mkdir -p "$work" "$cache"

start=$(date +%s)
dotnet publish src/EdgeTelemetry.Agent -c Release -r linux-arm64 --self-contained -o "$work/agent" -v quiet -nologo >/dev/null
echo "arm64: published in $(( $(date +%s) - start )) s to $work/agent"

if [ ! -e "$rootfs/lib/aarch64-linux-gnu/libstdc++.so.6" ]; then
  start=$(date +%s)
  rm -rf "$rootfs"
  # The first (foreign) stage only unpacks packages: enough for libc, libstdc++, libgcc and zlib,
  # which is all a self-contained .NET app with invariant globalization needs.
  debootstrap --foreign --arch=arm64 --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1
  echo "arm64: root filesystem prepared in $(( $(date +%s) - start )) s"
else
  echo "arm64: root filesystem cached at $rootfs"
fi

cat > "$work/agent.yaml" <<YAML
site: md-arm64
device: pi-01
hardware: emulated
broker:
  host: $host
  port: $port
buffer:
  path: $work/buffer.db
equipment:
  - id: knelson-md30-1
    profile: centrifuge
    bowlDiameterMm: 762
sensors:
  - driver: pulse_rpm
    equipment: knelson-md30-1
    pin: 17
    pulsesPerRevolution: 4
    intervalMs: 500
YAML
rm -f "$work"/buffer.db*
# W^X makes the JIT remap pages in a way qemu-user does not emulate well.
export DOTNET_EnableWriteXorExecute=0
exec timeout "$seconds" qemu-aarch64-static -L "$rootfs" "$work/agent/EdgeTelemetry.Agent" --config "$work/agent.yaml"
