#!/usr/bin/env bash
# Proves the Raspberry Pi build without a Pi: publishes the agent for linux-arm64 (Native AOT, Release,
# scripts/publish-agent.sh), prepares a Debian bookworm arm64 root filesystem (debootstrap --foreign, cached), checks
# that every native library the published agent links against resolves inside it, and runs the agent
# under qemu-aarch64-static against an MQTT broker.
#
# Usage: scripts/arm64-smoke.sh --broker-port PORT [options] [-- extra agent arguments]
#   --broker-host HOST   broker address (default 127.0.0.1)
#   --broker-port PORT   broker port; required unless --config names a file with the broker in it
#   --config FILE        agent YAML to run (default: a generated centrifuge station on emulated
#                        hardware: Hall pickup on GPIO 17 + ADS1115 fluidisation pressure)
#   --seconds N          stop the agent (SIGTERM, clean drain) after N seconds (default 60)
#   --work DIR           published agent, generated config and buffer go here
#                        (default ${TMPDIR:-/tmp}/edgetelemetry-arm64)
#   --agent-dir DIR      run an already published linux-arm64 folder instead of publishing
#   --prepare-only       publish, prepare and check the root filesystem, then exit
#   --mirror URL         Debian mirror for debootstrap (default http://deb.debian.org/debian)
# Extra agent arguments override the config, e.g. `-- --Agent:Hardware=emulated` to run
# firmware-config/examples/centrifuge-station.yaml on emulated buses.
# The buffer always goes to WORK/buffer (fresh each run), whatever the config says.
# Exit status: the agent's (0 after a clean stop by --seconds, SIGTERM or Ctrl-C); 3 if a tool is
# missing; 4 if the root filesystem lacks a library the agent needs.
#
# Output lines starting with "arm64:" are this script's; the rest is the agent's own console log.
# The root filesystem is cached in ${XDG_CACHE_HOME:-$HOME/.cache}/edgetelemetry/arm64-rootfs and the
# build's obj/bin in .../arm64-build/<repository hash> (so the repository's own obj/ folders are never
# touched, and a run beside `dotnet test` cannot race it). Preparing the root filesystem needs root (debootstrap).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

host=127.0.0.1 port="" seconds=60 work="${TMPDIR:-/tmp}/edgetelemetry-arm64"
config="" agent_dir="" prepare_only=0 mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
while [ $# -gt 0 ]; do
  case "$1" in
    --broker-host) host="$2"; shift 2 ;;
    --broker-port) port="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --agent-dir) agent_dir="$2"; shift 2 ;;
    --prepare-only) prepare_only=1; shift ;;
    --mirror) mirror="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "arm64-smoke.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$prepare_only" -eq 0 ] && [ -z "$port" ] && [ -z "$config" ]; then
  echo "usage: $0 --broker-port PORT [--broker-host H] [--config FILE] [--seconds N] [--work DIR] (see --help)" >&2
  exit 2
fi

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
for tool in qemu-aarch64-static debootstrap dpkg-deb flock; do
  have "$tool" || { echo "arm64: $tool missing (scripts/install-deps.sh qemu-user-static debootstrap)" >&2; exit 3; }
done
export PATH="$PATH:/usr/sbin:/sbin"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Seconds since a now_ms value, one decimal.
since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%d' $(( ms / 1000 )) $(( ms % 1000 / 100 )); }

cache="${XDG_CACHE_HOME:-$HOME/.cache}/edgetelemetry"
rootfs="$cache/arm64-rootfs"
mkdir -p "$work" "$cache"
work=$(cd "$work" && pwd)

# ---- 1. publish (linux-arm64, Native AOT, Release: scripts/publish-agent.sh) ---------------------
if [ -z "$agent_dir" ]; then
  agent_dir="$work/agent"
  start=$(now_ms)
  publish_log="$work/publish.log"
  # obj/ and bin/ per repository copy (so two checkouts do not rebuild over each other), and one
  # publish at a time in each.
  build="$cache/arm64-build/$(echo "$repo" | md5sum | cut -c1-12)"
  mkdir -p "$build"
  if ! flock "$build.lock" \
      bash scripts/publish-agent.sh --rid linux-arm64 --artifacts "$build" -o "$agent_dir" -v quiet >"$publish_log" 2>&1; then
    tail -n 30 "$publish_log" >&2
    echo "arm64: dotnet publish failed (log: $publish_log)" >&2
    exit 1
  fi
  echo "arm64: published in $(since "$start") s to $agent_dir"
fi
agent_dir=$(cd "$agent_dir" && pwd)
[ -x "$agent_dir/EdgeTelemetry.Agent" ] || { echo "arm64: no EdgeTelemetry.Agent in $agent_dir" >&2; exit 1; }
if have file; then echo "arm64: EdgeTelemetry.Agent is $(file -b "$agent_dir/EdgeTelemetry.Agent" | cut -d, -f1-2)"; fi

# ---- 2. root filesystem (cached) ----------------------------------------------------------------
# The foreign first stage only downloads and unpacks the packages (no maintainer scripts, which would
# need the second stage run inside the arm64 system). Unpacked is all the agent needs: the dynamic
# loader, libc and libm (step 3 checks them; the ahead-of-time build links zlib-ng and the runtime in,
# and a JIT build given with --agent-dir also needs libstdc++ and libgcc_s, which minbase has too).
# ICU is not needed (InvariantGlobalization).
# libssl3 is added because the runtime loads libssl.so.3 by dlopen for TLS (broker.useTls), as it
# does on Raspberry Pi OS, where libssl3 is always installed.
(
  flock 9
  if [ -f "$rootfs/.edgetelemetry-ready" ]; then
    echo "arm64: root filesystem cached at $rootfs ($(cat "$rootfs/.edgetelemetry-ready"))"
    exit 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "arm64: preparing the root filesystem needs root (debootstrap); run once as root or sudo" >&2
    exit 3
  fi
  start=$(now_ms)
  tmp="$rootfs.partial"
  rm -rf "$tmp"
  echo "arm64: preparing bookworm arm64 root filesystem (debootstrap --foreign from $mirror) ..."
  if ! debootstrap --foreign --arch=arm64 --variant=minbase --include=libssl3 \
        bookworm "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1; then
    tail -n 20 "$cache/debootstrap.log" >&2
    echo "arm64: debootstrap failed (log: $cache/debootstrap.log)" >&2
    exit 1
  fi
  grep -q "Valid Release signature" "$cache/debootstrap.log" ||
    echo "arm64: WARNING: debootstrap did not verify the Release signature (install debian-archive-keyring)" >&2
  # --include only downloads in the first stage; unpack libssl3 by hand (it depends on libc6 only).
  for deb in "$tmp"/var/cache/apt/archives/libssl3_*_arm64.deb; do dpkg-deb -x "$deb" "$tmp"; done
  rm -rf "$rootfs"
  mv "$tmp" "$rootfs"
  echo "debootstrap --foreign --variant=minbase bookworm arm64, $(date -u +%Y-%m-%dT%H:%MZ)" >"$rootfs/.edgetelemetry-ready"
  echo "arm64: root filesystem prepared in $(since "$start") s at $rootfs ($(du -sh "$rootfs" | cut -f1))"
) 9>"$cache/arm64-rootfs.lock"

# ---- 3. native dependencies resolve inside the root filesystem ----------------------------------
# The arm64 dynamic loader lists what each published ELF file needs (the same answer as ldd on a Pi).
ldso="$rootfs/lib/ld-linux-aarch64.so.1"
missing=()
needed=()
for elf in "$agent_dir/EdgeTelemetry.Agent" "$agent_dir"/*.so; do
  name=$(basename "$elf")
  # Only loaded when LTTng tracing is installed and wanted; the runtime carries on without it.
  [ "$name" = libcoreclrtraceptprovider.so ] && continue
  if ! listing=$(qemu-aarch64-static -L "$rootfs" "$ldso" --list "$elf" 2>&1) || grep -q "not found" <<<"$listing"; then
    missing+=("$name: $(grep -oE '[^ ]+ => not found|lib[^ :]+: cannot open' <<<"$listing" | sort -u | tr '\n' ' ')")
  fi
  while read -r lib _; do needed+=("$lib"); done < <(grep -oE '^\s*lib[^ ]+\.so[^ ]*' <<<"$listing" | grep -v "^\s*lib\(System\|clr\|coreclr\|host\|mscor\|e_sqlite\)")
done
# Loaded by dlopen at run time, so not in the lists above.
for lib in libssl.so.3 libcrypto.so.3; do
  [ -e "$rootfs/usr/lib/aarch64-linux-gnu/$lib" ] || [ -e "$rootfs/lib/aarch64-linux-gnu/$lib" ] ||
    missing+=("$lib (dlopen by libSystem.Security.Cryptography.Native.OpenSsl.so, for TLS)")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "arm64: libraries missing in $rootfs:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  echo "arm64: remove $rootfs to prepare it again" >&2
  exit 4
fi
echo "arm64: native dependencies resolved in the root filesystem: $(printf '%s\n' "${needed[@]}" | sort -u | tr '\n' ' ')+ libssl.so.3 (dlopen)"
[ "$prepare_only" -eq 1 ] && exit 0

# ---- 4. run the agent under qemu -----------------------------------------------------------------
if [ -z "$config" ]; then
  config="$work/agent.yaml"
  cat >"$config" <<'YAML'
# Generated by scripts/arm64-smoke.sh: a centrifuge station on emulated hardware (the same drivers,
# register-level emulators behind the buses). Broker and buffer come from the command line.
site: md-arm64
device: pi-01
hardware: emulated
equipment:
  - id: knelson-md30-1
    profile: centrifuge
    bowlDiameterMm: 762
sensors:
  - driver: pulse_rpm
    equipment: knelson-md30-1
    name: bowl_speed
    pin: 17
    pulsesPerRevolution: 4
    intervalMs: 500
  - driver: ads1115
    equipment: knelson-md30-1
    address: "0x48"
    intervalMs: 500
    channels:
      - input: AIN0
        name: fluidisation_pressure
        unit: kPa
        calibration: { type: current_loop, shuntOhms: 150, at4mA: 0, at20mA: 250 }
YAML
fi
overrides=("--Agent:Buffer:Path=$work/buffer")
[ -n "$port" ] && overrides+=("--Agent:Broker:Host=$host" "--Agent:Broker:Port=$port")
rm -rf "$work"/buffer "$work"/buffer.db "$work"/buffer.db-*

# For a JIT build given with --agent-dir: W^X double-maps the JIT's code pages, which qemu-user does
# not emulate well, so it is turned off (the ahead-of-time build generates no code and ignores it).
export DOTNET_EnableWriteXorExecute=0
echo "arm64: starting agent under $(qemu-aarch64-static --version | head -n1 | sed 's/ version / /'): EdgeTelemetry.Agent --config $config ${overrides[*]} $*"
# timeout --foreground stays in this process group, so Ctrl-C reaches the agent; SIGTERM to this
# script is passed on. Either way the agent stops cleanly (drains up to 5 s), as under systemd.
timeout --foreground --kill-after=30 "$seconds" \
  qemu-aarch64-static -L "$rootfs" "$agent_dir/EdgeTelemetry.Agent" --config "$config" "${overrides[@]}" "$@" &
child=$!
signalled=0
trap 'signalled=1; kill -TERM "$child" 2>/dev/null || true' TERM INT HUP
set +e
wait "$child"; status=$?
# A trapped signal interrupts wait; wait again for the agent's own exit status.
while [ "$signalled" -eq 1 ]; do signalled=0; wait "$child"; status=$?; done
set -e
case "$status" in
  0) echo "arm64: agent stopped cleanly" ;;
  124) echo "arm64: agent ran ${seconds} s and stopped cleanly (--seconds)"; status=0 ;;
  137) echo "arm64: agent did not stop within 30 s of SIGTERM and was killed" >&2 ;;
  *) echo "arm64: agent exited with status $status" >&2 ;;
esac
exit "$status"
