#!/usr/bin/env bash
# Installs the EdgeTelemetry agent on a Raspberry Pi (run as root, from the published folder's parent
# or with --from). --dry-run prints every step and changes nothing.
# Usage: install.sh [--from DIR] [--config EXAMPLE.yaml] [--boot-config /boot/firmware/config.txt] [--dry-run]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
from="${here}/../../out/agent-linux-arm64"
config_example="${here}/../examples/centrifuge-station.yaml"
boot_config=/boot/firmware/config.txt
[ -f "$boot_config" ] || boot_config=/boot/config.txt
dry=0
while [ $# -gt 0 ]; do
  case "$1" in
    --from) from="$2"; shift 2 ;;
    --config) config_example="$2"; shift 2 ;;
    --boot-config) boot_config="$2"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

run() { echo "+ $*"; if [ "$dry" -eq 0 ]; then "$@"; fi; }

if [ "$dry" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then echo "install.sh: run as root (sudo)" >&2; exit 1; fi
if [ ! -x "$from/EdgeTelemetry.Agent" ]; then
  echo "install.sh: no published agent at $from (dotnet publish src/EdgeTelemetry.Agent -c Release -r linux-arm64 --self-contained -o out/agent-linux-arm64)" >&2
  [ "$dry" -eq 1 ] || exit 1
fi

echo "== user and groups"
for g in gpio i2c dialout; do
  getent group "$g" >/dev/null || run groupadd --system "$g"
done
id edgetelemetry >/dev/null 2>&1 || run useradd --system --home-dir /var/lib/edgetelemetry --shell /usr/sbin/nologin --groups gpio,i2c,dialout edgetelemetry

echo "== program"
run install -d -m 0755 /opt/edgetelemetry/agent
run cp -a "$from/." /opt/edgetelemetry/agent/

echo "== configuration"
run install -d -m 0755 /etc/edgetelemetry
if [ -f /etc/edgetelemetry/agent.yaml ]; then
  echo "keeping existing /etc/edgetelemetry/agent.yaml"
else
  run install -m 0640 -g edgetelemetry "$config_example" /etc/edgetelemetry/agent.yaml
  echo "edit /etc/edgetelemetry/agent.yaml (site, device, broker, sensors), then: /opt/edgetelemetry/agent/EdgeTelemetry.Agent validate-config /etc/edgetelemetry/agent.yaml"
fi

echo "== interfaces ($boot_config)"
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  if [ -f "$boot_config" ] && grep -qxF "$line" "$boot_config"; then
    echo "already in $boot_config: $line"
  else
    echo "+ append to $boot_config: $line"
    [ "$dry" -eq 1 ] || echo "$line" >> "$boot_config"
  fi
done < "$here/config.txt"

echo "== service"
run install -m 0644 "$here/edgetelemetry-agent.service" /etc/systemd/system/edgetelemetry-agent.service
run systemctl daemon-reload
run systemctl enable --now edgetelemetry-agent.service
echo "done: systemctl status edgetelemetry-agent; journalctl -u edgetelemetry-agent -f (reboot once if $boot_config changed)"
