#!/bin/sh
# Test PKI for the controller <-> bootd mTLS tests, made with the openssl CLI.
# Usage: make_test_pki.sh OUTDIR
#   ca.pem/.key                     test CA
#   controller.pem/.key             server cert, SAN DNS:localhost, IP:127.0.0.1
#   controller-rotated.pem/.key     second server cert (CN rackboot-controller-rotated)
#   bootd-rack-a.pem/.key           client, CN=bootd:rack-a
#   bootd-rack-b.pem/.key           client, CN=bootd:rack-b
#   bootd-lab.pem/.key              client, CN=bootd:lab (the QEMU lab's rack, tests/e2e)
#   bootd-no-identity.pem/.key      client, CN=someone (no bootd:<rack>)
#   bootd-rack-a-expired.pem/.key   client, validity ended yesterday
#   foreign-ca.pem/.key, bootd-rack-a-foreign.pem/.key  signed by another CA
set -eu
out=$1
mkdir -p "$out"
cd "$out"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1.key" 2>/dev/null; }

ca() {  # name cn
  key "$1"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 30 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

leaf() {  # name cn ca days ext
  key "$1"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
  printf '%s\n' "$5" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days "$4" \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

server_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1'
client_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth'

ca ca rackboot-test-ca
ca foreign-ca foreign-test-ca
leaf controller rackboot-controller ca 30 "$server_ext"
leaf controller-rotated rackboot-controller-rotated ca 30 "$server_ext"
leaf bootd-rack-a bootd:rack-a ca 30 "$client_ext"
leaf bootd-rack-b bootd:rack-b ca 30 "$client_ext"
leaf bootd-lab bootd:lab ca 30 "$client_ext"
leaf bootd-no-identity someone ca 30 "$client_ext"
# A negative -days puts notAfter in the past: an expired certificate.
leaf bootd-rack-a-expired bootd:rack-a ca -1 "$client_ext"
leaf bootd-rack-a-foreign bootd:rack-a foreign-ca 30 "$client_ext"
