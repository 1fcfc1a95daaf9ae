#!/usr/bin/env bash
# Starts Debian's PyKMIP 0.10 server (python3-pykmip) in the foreground as a reference server for the
# conformance runner and the interop client.  Usage: conformance/pykmip-dev-server.sh DIR [PORT]
#   DIR   scratch directory: certificates (made with dev-certs.sh if absent), server.conf,
#         server.log, an empty policies/ directory and the sqlite database pykmip.db
#   PORT  default 5696
# What it needs under OpenSSL 3 / Python 3.11 (see docs/CONFORMANCE-RUNNER.md):
#   auth_suite=TLS1.2 (the default "Basic" asks for TLS 1.0, which OpenSSL 3 refuses),
#   enable_tls_client_auth=True (client certificates must carry the clientAuth EKU),
#   a database_path it can write (the default is /tmp/pykmip.database, shared between runs),
#   a writable log path (-l; the default /var/log/pykmip/server.log needs root).
set -euo pipefail
dir="${1:?usage: $0 DIR [PORT]}"
port="${2:-5696}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$dir/policies"
dir="$(cd "$dir" && pwd)"
[ -f "$dir/certs/client.crt" ] || bash "$here/dev-certs.sh" "$dir/certs" >/dev/null

cat > "$dir/server.conf" <<EOF
[server]
hostname=127.0.0.1
port=$port
certificate_path=$dir/certs/server.crt
key_path=$dir/certs/server.key
ca_path=$dir/certs/ca.crt
auth_suite=TLS1.2
policy_path=$dir/policies
enable_tls_client_auth=True
logging_level=INFO
database_path=$dir/pykmip.db
EOF

exec /usr/bin/python3 /usr/bin/pykmip-server -f "$dir/server.conf" -l "$dir/server.log"
