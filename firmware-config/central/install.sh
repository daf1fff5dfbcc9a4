#!/usr/bin/env bash
# Installs or upgrades the EdgeTelemetry central host (Debian bookworm / Ubuntu): Mosquitto with TLS, password file,
# the shipped ACL and limits; InfluxDB 1.x with the database, retention policies and continuous queries; the central
# service as its own user with its secrets in /etc/edgetelemetry/central.env (0600). Run as root, with the folder
#   dotnet publish src/EdgeTelemetry.Central -c Release -o out/central
# Every step is printed ("+ command"); --dry-run prints them and changes nothing (no root needed). Safe to run again:
# existing certificates, passwords, keys, registry and central.env are kept.
#
# Usage: install.sh [--from DIR] [--dry-run] [--no-start] [--host NAME]
#                   [--tls-cert FILE --tls-key FILE --tls-ca FILE | --generate-ca]
#                   [--tls-only] [--mosquitto-dir DIR]
#   --from DIR          the published central folder (default: out/central in this repository, else central beside firmware-config/)
#   --host NAME         the broker's name as the Pis reach it (certificate subject, agent.yaml lines; default: hostname -f)
#   --tls-cert/-key/-ca the operator's certificate, its key and the CA that signed it (copied into the mosquitto dir)
#   --generate-ca       make a local CA and a server certificate with openssl (each Pi must then trust the CA)
#   --tls-only          only the certificate step (re-run it, or test it on a copy with --mosquitto-dir)
#   --mosquitto-dir DIR where ca_certificates/ and certs/ go (default /etc/mosquitto)
#   --no-start          enable the services but do not (re)start them now
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
from="$top/out/central"
[ -d "$from" ] || from="$top/central"
args="$*"
dry=0 start=1 tls_only=0 generate_ca=0 tls_cert="" tls_key="" tls_ca="" host="" mosq=/etc/mosquitto
while [ $# -gt 0 ]; do
  case "$1" in
    --from) from="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --tls-cert) tls_cert="$2"; shift 2 ;;
    --tls-key) tls_key="$2"; shift 2 ;;
    --tls-ca) tls_ca="$2"; shift 2 ;;
    --generate-ca) generate_ca=1; shift ;;
    --tls-only) tls_only=1; shift ;;
    --mosquitto-dir) mosq="$2"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    --no-start) start=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$host" ] || host=$(hostname -f 2>/dev/null || hostname)

opt=/opt/edgetelemetry
app=$opt/central
etc=/etc/edgetelemetry
env_file=$etc/central.env
user=edgetelemetry-central
unit=edgetelemetry-central.service

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
fail() { echo "install.sh: $*" >&2; [ "$dry" -eq 1 ] || exit 1; echo "  (dry run: carrying on)"; }
secret() { openssl rand -base64 24 | tr '+/' '-_' | tr -d '=\n'; }
# Writes stdin to a file with a mode and owner, printing the step but never the content (it may be a secret).
write_file() {
  local path=$1 mode=$2 owner=$3
  echo "+ write $path (mode $mode, owner $owner)"
  if [ "$dry" -eq 0 ]; then
    install -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" /dev/null "$path"
    cat >"$path"
  else
    cat >/dev/null
  fi
}

[ "$dry" -eq 1 ] && echo "DRY RUN: printing the steps, changing nothing"

tls() {
echo "== TLS certificates ($mosq)"
local ca=$mosq/ca_certificates/ca.crt crt=$mosq/certs/server.crt key=$mosq/certs/server.key
run install -d -m 0755 "$mosq/ca_certificates" "$mosq/certs"
if [ -n "$tls_cert$tls_key$tls_ca" ]; then
  [ -f "$tls_cert" ] && [ -f "$tls_key" ] && [ -f "$tls_ca" ] || fail "--tls-cert, --tls-key and --tls-ca must all name files"
  run install -m 0644 "$tls_ca" "$ca"
  run install -m 0644 "$tls_cert" "$crt"
  run install -m 0640 "$tls_key" "$key"
elif [ -f "$crt" ] && [ -f "$key" ] && [ -f "$ca" ]; then
  note "keeping the certificates in $mosq (delete them and run again to replace them)"
elif [ "$generate_ca" -eq 1 ]; then
  echo "WARNING: generating a LOCAL CA ($mosq/ca_certificates/ca.key). Pis trust the broker only after you install"
  echo "WARNING: $ca on each of them; anyone holding ca.key can impersonate the broker: keep it offline or delete it."
  run openssl req -x509 -newkey rsa:3072 -sha256 -days 3650 -nodes -subj "/CN=EdgeTelemetry local CA" \
    -keyout "$mosq/ca_certificates/ca.key" -out "$ca"
  run chmod 0600 "$mosq/ca_certificates/ca.key"
  run openssl req -newkey rsa:3072 -sha256 -nodes -subj "/CN=$host" -keyout "$key" -out "$mosq/certs/server.csr"
  # The Pis check the name they dial against subjectAltName, not CN.
  run openssl x509 -req -sha256 -days 825 -in "$mosq/certs/server.csr" -CA "$ca" -CAkey "$mosq/ca_certificates/ca.key" \
    -CAcreateserial -extfile <(printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$host") -out "$crt"
  run rm -f "$mosq/certs/server.csr"
  run chmod 0640 "$key"
else
  fail "no certificates in $mosq: give --tls-cert/--tls-key/--tls-ca (from your CA), or --generate-ca for a local CA"
fi
# mosquitto drops root before it reads the key.
if getent group mosquitto >/dev/null 2>&1; then run chgrp mosquitto "$key"; fi
}

if [ "$tls_only" -eq 1 ]; then
  tls
  exit 0
fi

echo "== checks"
[ "$dry" -eq 1 ] || [ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo $0 $args)" >&2; exit 1; }
if [ -f "$from/EdgeTelemetry.Central" ]; then note "central service: $from"; else
  fail "no published central service at $from (dotnet publish src/EdgeTelemetry.Central -c Release -o out/central; then --from that folder)"
fi

echo "== packages"
missing=""
for p in mosquitto influxdb openssl; do dpkg -s "$p" >/dev/null 2>&1 || missing+=" $p"; done
if [ -n "$missing" ]; then run apt-get install -y $missing; else note "mosquitto, influxdb, openssl installed"; fi

echo "== user"
if id $user >/dev/null 2>&1; then note "user $user exists"; else
  run useradd --system --user-group --no-create-home --home-dir /var/lib/$user --shell /usr/sbin/nologin --comment "EdgeTelemetry central service" $user
fi

tls

echo "== mosquitto (the shipped limits and ACL, $mosq)"
# The shipped file as it is, plus a loopback listener for the central service on this host (same password file).
echo "+ install $top/firmware-config/broker/mosquitto.conf as $mosq/mosquitto.conf, with a 127.0.0.1:1883 listener"
if [ "$dry" -eq 0 ]; then
  [ -f "$mosq/mosquitto.conf" ] && [ ! -e "$mosq/mosquitto.conf.before-edgetelemetry" ] && cp -p "$mosq/mosquitto.conf" "$mosq/mosquitto.conf.before-edgetelemetry"
  { cat "$top/firmware-config/broker/mosquitto.conf"
    printf '\n# install.sh: the central service on this host connects here (same users and ACL).\nlistener 1883 127.0.0.1\nprotocol mqtt\n'; } >"$mosq/mosquitto.conf.new"
  mv "$mosq/mosquitto.conf.new" "$mosq/mosquitto.conf"
fi
run install -m 0644 "$top/firmware-config/broker/acl" "$mosq/acl"
if [ ! -f "$mosq/passwd" ]; then run install -m 0640 -o root -g mosquitto /dev/null "$mosq/passwd"; else note "keeping $mosq/passwd"; fi

echo "== configuration ($etc)"
run install -d -m 0755 $etc
if [ -f $env_file ]; then
  note "keeping $env_file"
else
  password=$(secret)
  # The central service's own broker login; devices get theirs from `edgetelemetry-central devices enroll`.
  run mosquitto_passwd -b "$mosq/passwd" edgetelemetry-central "<generated>"
  [ "$dry" -eq 1 ] || mosquitto_passwd -b "$mosq/passwd" edgetelemetry-central "$password"
  sed -e "s|^Ingest__Password=.*|Ingest__Password=$password|" -e "s|^Devices__BrokerHost=.*|Devices__BrokerHost=$host|" \
    "$here/central.env.example" | write_file $env_file 0600 $user:$user
fi
if [ -f $etc/devices.json ]; then note "keeping $etc/devices.json"; else echo '{ "Devices": [] }' | write_file $etc/devices.json 0600 $user:$user; fi
if [ -f $etc/api-keys.json ]; then note "keeping $etc/api-keys.json"; else
  printf '{ "Keys": [ { "Name": "admin", "Key": "%s", "Role": "admin" } ] }\n' "$(secret)" | write_file $etc/api-keys.json 0600 $user:$user
  note "an admin API key is in $etc/api-keys.json; add keys per user and role there (docs/api.md)"
fi

echo "== program ($app)"
# Staged copy, then a swap: no file of an older version is left behind.
run install -d -m 0755 $opt
run rm -rf $app.new
run cp -a "$from/." $app.new/
run chown -R root:root $app.new
run install -m 0644 "$here/README.md" $app.new/README.md
was_active=0
if [ "$dry" -eq 0 ] && systemctl is-active --quiet $unit 2>/dev/null; then was_active=1; fi
if [ "$was_active" -eq 1 ]; then run systemctl stop $unit; fi
if [ -d $app ]; then run mv $app $app.old; fi
run mv $app.new $app
run rm -rf $app.old
# The sub-commands (devices, retention, import) with the service's settings; run as root.
printf '#!/bin/sh\nset -a; . %s; set +a\nexec %s/EdgeTelemetry.Central "$@"\n' $env_file $app | write_file /usr/local/bin/edgetelemetry-central 0755 root:root

echo "== influxdb (database, retention policies, continuous queries)"
run systemctl enable --now influxdb
# The same statements the service runs at every start (print them: edgetelemetry-central retention show).
run /usr/local/bin/edgetelemetry-central retention apply

echo "== services"
run install -m 0644 "$here/edgetelemetry-central.service" /etc/systemd/system/$unit
run systemctl daemon-reload
run systemctl enable mosquitto $unit
if [ "$start" -eq 0 ]; then
  note "not started (--no-start): systemctl restart mosquitto; systemctl start $unit"
else
  run systemctl restart mosquitto
  run systemctl restart $unit
fi
echo "done. Enrol a device: sudo edgetelemetry-central devices enroll --site SITE --device DEVICE --reload"
echo "Check: systemctl status $unit; journalctl -u $unit -f; curl -s http://127.0.0.1:8080/healthz"
