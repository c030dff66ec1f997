#!/bin/sh
# Regenerates the test keys in this directory and fingerprints.json with the system ssh-keygen.
# Test keys only: never used for anything but the @purssh/keys tests. See README.md.
set -eu
cd "$(dirname "$0")"
rm -f ed25519-* rsa-* ecdsa-* fingerprints.json
ssh-keygen -q -t ed25519 -N "" -C "alice@example.test" -f ed25519-alice
ssh-keygen -q -t ed25519 -N "" -C "bob's key with spaces" -f ed25519-bob
ssh-keygen -q -t ed25519 -N "" -C "" -f ed25519-nocomment
ssh-keygen -q -t ed25519 -N "purssh-test-passphrase" -C "encrypted@example.test" -f ed25519-encrypted
ssh-keygen -q -t rsa -b 2048 -N "" -C "rsa@example.test" -f rsa-2048
ssh-keygen -q -t rsa -b 2048 -m PEM -N "" -C "rsa-pem@example.test" -f rsa-2048-pem
ssh-keygen -q -t ecdsa -b 256 -N "" -C "ecdsa256@example.test" -f ecdsa-p256
ssh-keygen -q -t ecdsa -b 384 -N "" -C "ecdsa384@example.test" -f ecdsa-p384
{
  printf '{\n  "generator": "%s",\n  "keys": [\n' "$(ssh -V 2>&1)"
  first=1
  for pub in *.pub; do
    name=${pub%.pub}
    [ $first -eq 1 ] || printf ',\n'
    first=0
    sha256=$(ssh-keygen -l -f "$pub")
    md5=$(ssh-keygen -l -E md5 -f "$pub")
    sha1=$(ssh-keygen -l -E sha1 -f "$pub")
    printf '    {\n      "file": "%s",\n      "sha256": "%s",\n      "md5": "%s",\n      "sha1": "%s"\n    }' \
      "$name" "$(printf '%s' "$sha256" | sed 's/\\/\\\\/g; s/"/\\"/g')" \
      "$(printf '%s' "$md5" | sed 's/\\/\\\\/g; s/"/\\"/g')" \
      "$(printf '%s' "$sha1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
  done
  printf '\n  ]\n}\n'
} > fingerprints.json
