#!/usr/bin/env bash
# Installs the Debian packages the demo and the tests run against, when missing:
# mosquitto (MQTT v5 broker) and influxdb (1.x, v1 HTTP API); the tests also take victoria-metrics
# (a second real target for the InfluxDB v2 write API). They run as child processes of the demo or
# test, on free loopback ports; we never rely on the system services apt may start.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v influxd >/dev/null 2>&1 || [ -x /usr/bin/influxd ] || need+=(influxdb)
# Further Debian packages named as arguments, when not installed yet.
for extra in "$@"; do
  dpkg-query -W -f='${Status}' "$extra" 2>/dev/null | grep -q "install ok installed" || need+=("$extra")
done
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
