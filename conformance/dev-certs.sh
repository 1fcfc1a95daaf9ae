#!/usr/bin/env bash
# Test PKI for running the conformance runner (or any KMIP client) against a local server:
#   ca.crt / ca.key          a self-signed ECDSA P-256 CA
#   server.crt / server.key  serverAuth, SAN DNS:localhost, IP:127.0.0.1
#   client.crt / client.key  clientAuth (PyKMIP's server insists on the EKU), CN=conformance-client
# Usage: conformance/dev-certs.sh DIR      (DIR is created; existing files are overwritten)
# Never use these outside tests: the keys are unencrypted.
set -euo pipefail
dir="${1:?usage: $0 DIR}"
mkdir -p "$dir"
cd "$dir"

ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ec ca.key
openssl req -x509 -new -key ca.key -sha256 -days 30 -subj "/CN=kmip-conformance-test-ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.crt 2>/dev/null

leaf() { # name cn eku san
  local name=$1 cn=$2 eku=$3 san=$4
  ec "$name.key"
  openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyAgreement"
    echo "extendedKeyUsage=$eku"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 30 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

leaf server localhost serverAuth "DNS:localhost,IP:127.0.0.1"
leaf client conformance-client clientAuth ""
chmod 600 ./*.key
echo "certificates in $(pwd): ca.crt server.crt server.key client.crt client.key"
