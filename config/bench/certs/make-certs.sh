#!/usr/bin/env bash
# Regenerates the benchmark's test certificates (NOT for production): a test CA and one EC P-256 certificate each for
# a.tandem.test and b.tandem.test, valid 20 years. Usage: bash config/bench/certs/make-certs.sh
set -euo pipefail
cd "$(dirname "$0")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 7300 \
  -subj "/CN=Tandem Bench Test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
for name in a b; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.tandem.test.key" \
    -out "$name.csr" -subj "/CN=$name.tandem.test" -addext "subjectAltName=DNS:$name.tandem.test" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" -days 7300 \
    -copy_extensions copyall -out "$name.leaf.crt" 2>/dev/null
  cat "$name.leaf.crt" ca.crt > "$name.tandem.test.crt"
  rm -f "$name.csr" "$name.leaf.crt"
done
rm -f ca.key   # nothing more is signed with it
echo "wrote $(pwd)/{ca.crt,a.tandem.test.crt,a.tandem.test.key,b.tandem.test.crt,b.tandem.test.key}"
