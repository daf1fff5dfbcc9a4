#!/usr/bin/env bash
# Installs or upgrades the EdgeTelemetry agent on a Raspberry Pi (64-bit Raspberry Pi OS bookworm).
# Run as root on the Pi, with the folder published (ahead of time, on a development machine) by
#   scripts/publish-agent.sh --rid linux-arm64 -o out/agent-linux-arm64
# Every step is printed ("+ command"); --dry-run prints them and changes nothing (no root needed).
#
# Creates the device's signing key (keygen) when there is none and prints its public key for enrolment.
#
# Usage: install.sh [--from DIR] [--config EXAMPLE.yaml] [--dry-run] [--no-start]
#                   [--keep-serial-console] [--boot-config FILE] [--cmdline FILE] [--boot-only]
#   --from DIR             the published linux-arm64 folder (default: out/agent-linux-arm64 in this
#                          repository, else agent-linux-arm64 beside the copied firmware-config/)
#   --config FILE          example installed as /etc/edgetelemetry/agent.yaml when that is absent
#                          (default: firmware-config/examples/centrifuge-station.yaml); an existing one is kept
#   --no-start             enable the service but do not (re)start it now
#   --keep-serial-console  leave console=serial0 in cmdline.txt (the UART then is not free for an analyser)
#   --boot-config FILE     config.txt to edit (default /boot/firmware/config.txt, else /boot/config.txt)
#   --cmdline FILE         cmdline.txt to edit (default: cmdline.txt beside config.txt)
#   --boot-only            only the config.txt / cmdline.txt step (re-run it, or test it on copies)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)      # the repository, or the folder firmware-config/ was copied into
from="$top/out/agent-linux-arm64"
[ -d "$from" ] || from="$top/agent-linux-arm64"
config_example="$top/firmware-config/examples/centrifuge-station.yaml"
args="$*"
boot_config="" cmdline="" dry=0 start=1 keep_console=0 boot_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --from) from="$2"; shift 2 ;;
    --config) config_example="$2"; shift 2 ;;
    --boot-config) boot_config="$2"; shift 2 ;;
    --cmdline) cmdline="$2"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    --no-start) start=0; shift ;;
    --keep-serial-console) keep_console=1; shift ;;
    --boot-only) boot_only=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$boot_config" ]; then
  boot_config=/boot/firmware/config.txt          # bookworm; /boot/config.txt there is only a pointer
  [ -f "$boot_config" ] || [ ! -f /boot/config.txt ] || boot_config=/boot/config.txt
fi
[ -n "$cmdline" ] || cmdline="$(dirname "$boot_config")/cmdline.txt"

opt=/opt/edgetelemetry
app=$opt/agent
etc=/etc/edgetelemetry
state=/var/lib/edgetelemetry
unit=edgetelemetry-agent.service

# Prints the command as it could be pasted into a shell, then runs it unless this is a dry run.
run() {
  local a out="+"
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./,:=+@%-]+$ ]]; then out+=" $a"; else out+=" $(printf '%q' "$a")"; fi
  done
  echo "$out"
  if [ "$dry" -eq 0 ]; then "$@"; fi
}
note() { echo "  $*"; }
# The file as it was before the first edit, once (not cp -n: its exit status differs between coreutils versions).
keep_original() { if [ -f "$1" ] && [ ! -e "$1.before-edgetelemetry" ]; then cp -p "$1" "$1.before-edgetelemetry"; fi; }
fail() { echo "install.sh: $*" >&2; [ "$dry" -eq 1 ] || exit 1; echo "  (dry run: carrying on)"; }

[ "$dry" -eq 1 ] && echo "DRY RUN: printing the steps, changing nothing"

install_program() {
echo "== checks"
[ "$dry" -eq 1 ] || [ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo $0 $args)" >&2; exit 1; }
if [ ! -f "$from/EdgeTelemetry.Agent" ]; then
  fail "no published agent at $from (on a development machine: scripts/publish-agent.sh --rid linux-arm64 -o out/agent-linux-arm64; then --from that folder)"
elif [ "$(od -An -tx1 -j18 -N2 "$from/EdgeTelemetry.Agent" | tr -d ' \n')" != "b700" ]; then
  fail "$from/EdgeTelemetry.Agent is not an arm64 (aarch64) executable: publish with -r linux-arm64"
else
  note "agent: $from (arm64)"
fi
machine=$(uname -m)
if [ "$machine" != aarch64 ]; then
  fail "this system is $machine, the agent is built for aarch64: use the 64-bit Raspberry Pi OS (32-bit armv7l would need -r linux-arm)"
fi
[ -f "$config_example" ] || [ -f $etc/agent.yaml ] || fail "no config example at $config_example"

echo "== user and groups"
# gpio, i2c, dialout exist on Raspberry Pi OS and own /dev/gpiochip* /dev/gpiomem, /dev/i2c-*, the serial ports.
for g in gpio i2c dialout; do
  if getent group "$g" >/dev/null; then note "group $g exists"; else run groupadd --system "$g"; fi
done
if id edgetelemetry >/dev/null 2>&1; then
  note "user edgetelemetry exists"
  run usermod --append --groups gpio,i2c,dialout edgetelemetry
else
  run useradd --system --user-group --no-create-home --home-dir $state --shell /usr/sbin/nologin \
    --comment "EdgeTelemetry agent" --groups gpio,i2c,dialout edgetelemetry
fi

echo "== program ($app)"
# Staged copy, then a swap: a running executable cannot be overwritten in place (ETXTBSY), and no
# file of an older version is left behind.
run install -d -m 0755 $opt
run rm -rf $app.new
run cp -a "$from/." $app.new/
run chown -R root:root $app.new
run chmod 0755 $app.new/EdgeTelemetry.Agent
was_active=0
if [ "$dry" -eq 0 ] && systemctl is-active --quiet $unit 2>/dev/null; then was_active=1; fi
if [ "$was_active" -eq 1 ]; then run systemctl stop $unit; fi
if [ -d $app ] || [ "$dry" -eq 1 ]; then run rm -rf $app.old; fi
if [ -d $app ]; then run mv $app $app.old; fi
run mv $app.new $app
run rm -rf $app.old
run install -m 0644 "$here/README.md" $opt/README.md

echo "== configuration ($etc/agent.yaml)"
run install -d -m 0755 $etc
if [ -f $etc/agent.yaml ]; then
  note "keeping the existing $etc/agent.yaml"
  fresh_config=0
else
  # 0640 root:edgetelemetry: the file may hold the broker password.
  run install -m 0640 -o root -g edgetelemetry "$config_example" $etc/agent.yaml
  fresh_config=1
fi
config_ok=1
echo "+ $app/EdgeTelemetry.Agent validate-config $etc/agent.yaml"
if [ "$dry" -eq 0 ]; then $app/EdgeTelemetry.Agent validate-config $etc/agent.yaml || config_ok=0; fi
# ProtectSystem=strict leaves only the state directory writable: the buffer must live there.
buffer_path=$(awk '/^buffer:/{b=1; next} /^[^ #]/{b=0} b && /^[ ]+path:/{sub(/^[ ]+path:[ ]*/, ""); print; exit}' \
  "$( [ -f $etc/agent.yaml ] && echo $etc/agent.yaml || echo "$config_example")" | tr -d '"'"'")
case "$buffer_path" in
  $state/*) note "buffer: $buffer_path" ;;
  *) echo "WARNING: buffer.path is '${buffer_path:-<default, relative>}'; under the unit only $state is writable: set buffer.path: $state/buffer" ;;
esac

echo "== device key (signing.keyFile, default $state/device-key.pem)"
# Created now, as the agent's user (0600, that user's alone), so its public key can be enrolled on the central
# service before the first batch; an existing key is kept (replacing it means rotating it there: keygen --force).
# The state directory is the unit's StateDirectory, made here ahead of systemd, with the same owner and mode.
run install -d -m 0750 -o edgetelemetry -g edgetelemetry $state
as_agent=(runuser -u edgetelemetry -- $app/EdgeTelemetry.Agent)
if [ "$dry" -eq 1 ]; then
  echo "+ ${as_agent[*]} keygen --config $etc/agent.yaml   (only when key show finds no key)"
elif "${as_agent[@]}" key show --config $etc/agent.yaml >/dev/null 2>&1; then
  note "keeping the existing device key:"
  "${as_agent[@]}" key show --config $etc/agent.yaml | sed 's/^/  /'
  note "enrolled? compare with: edgetelemetry-central devices list (on the central host)"
else
  echo "+ ${as_agent[*]} keygen --config $etc/agent.yaml"
  "${as_agent[@]}" keygen --config $etc/agent.yaml | sed 's/^/  /' \
    || note "no device key created (the configuration has problems?): the agent creates it on its first start; then key show"
fi
}

edit_boot_files() {
echo "== interfaces ($boot_config)"
# Each setting of config.txt (beside this script) is appended when that exact line is missing,
# under an [all] filter so a model section at the end of the file ([cm5], [pi4]) cannot swallow it.
appended=0
while IFS= read -r line; do
  case "$line" in ''|'#'*|'['*) continue ;; esac
  if [ -f "$boot_config" ] && grep -qxF "$line" "$boot_config"; then
    note "already in $boot_config: $line"
    continue
  fi
  if [ "$appended" -eq 0 ]; then
    appended=1
    if [ "$dry" -eq 0 ]; then
      keep_original "$boot_config"
      # A file without a final newline would glue the first appended line to its last line.
      if [ -s "$boot_config" ] && [ -n "$(tail -c1 "$boot_config")" ]; then echo >>"$boot_config"; fi
      printf '\n[all]\n# EdgeTelemetry agent (install.sh, %s): I2C, 1-wire, UART\n' "$(date -u +%F)" >>"$boot_config"
    fi
    echo "+ append to $boot_config: [all]"
  fi
  echo "+ append to $boot_config: $line"
  [ "$dry" -eq 1 ] || echo "$line" >>"$boot_config"
done <"$here/config.txt"
if [ "$keep_console" -eq 0 ]; then
  # A login console on the UART (console=serial0,115200) would talk to the mercury analyser.
  if [ -f "$cmdline" ] && grep -qE 'console=(serial0|ttyAMA0|ttyS0),[0-9]+' "$cmdline"; then
    echo "+ remove console=serial0,… from $cmdline (the UART is for the analyser; --keep-serial-console keeps it)"
    if [ "$dry" -eq 0 ]; then
      keep_original "$cmdline"
      sed -i -E 's/[ ]?console=(serial0|ttyAMA0|ttyS0),[0-9]+//g; s/^ +//' "$cmdline"
    fi
    appended=1
  else
    note "no serial console in $cmdline"
  fi
fi
[ "$appended" -eq 0 ] || echo "  a reboot applies the boot configuration (sudo reboot)"
}

install_service() {
echo "== service ($unit)"
if grep -qxF "dtoverlay=disable-bt" "$here/config.txt"; then
  # Bluetooth's modem service would otherwise keep trying to attach to the UART given to the analyser.
  if [ "$dry" -eq 1 ] || systemctl list-unit-files hciuart.service 2>/dev/null | grep -q hciuart; then
    run systemctl disable hciuart.service
  fi
fi
run install -m 0644 "$here/edgetelemetry-agent.service" /etc/systemd/system/$unit
run systemctl daemon-reload
run systemctl enable $unit
if [ "$start" -eq 0 ]; then
  note "not started (--no-start): systemctl start $unit"
elif [ "$fresh_config" -eq 1 ]; then
  note "not started: edit $etc/agent.yaml (site, device, broker, sensors), check it with"
  note "  $app/EdgeTelemetry.Agent validate-config $etc/agent.yaml"
  note "then: systemctl start $unit (or reboot, which applies config.txt too)"
elif [ "$config_ok" -eq 0 ]; then
  note "not started: $etc/agent.yaml has problems (above); fix them, then systemctl start $unit"
else
  run systemctl restart $unit
fi
}

if [ "$boot_only" -eq 1 ]; then
  edit_boot_files
  exit 0
fi
install_program
edit_boot_files
install_service
echo "done. Check: systemctl status $unit; journalctl -u $unit -f"
