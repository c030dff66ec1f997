#!/bin/sh
# Regenerates the key-format fixtures under openssh/, pem/, ppk/, rfc4716/ and spki/ with the real
# tools: ssh-keygen (OpenSSH 9.2), openssl (3.0) and puttygen (PuTTY 0.78, Debian package
# putty-tools, needed only to regenerate; the tests read the committed files). Test keys only:
# see README.md. Passphrase of every encrypted fixture: purssh-test-passphrase.
set -eu
cd "$(dirname "$0")"
PASS=purssh-test-passphrase
rm -rf openssh pem ppk rfc4716 spki
mkdir openssh pem ppk rfc4716 spki
passfile=$(mktemp)
trap 'rm -f "$passfile"' EXIT
printf '%s' "$PASS" > "$passfile"

# Base keys, unencrypted OpenSSH format, and their public keys as ssh-keygen -y prints them.
gen() { # name, ssh-keygen type arguments
  name=$1
  shift
  ssh-keygen -q "$@" -N "" -C "$name@purssh.test" -f "openssh/$name"
  ssh-keygen -y -f "openssh/$name" > "openssh/$name.pub"
}
gen ed25519 -t ed25519
gen ecdsa-p256 -t ecdsa -b 256
gen ecdsa-p384 -t ecdsa -b 384
gen ecdsa-p521 -t ecdsa -b 521
gen rsa-2048 -t rsa -b 2048
BASE="ed25519 ecdsa-p256 ecdsa-p384 ecdsa-p521 rsa-2048"

# OpenSSH format, encrypted: ssh-keygen's default (aes256-ctr, bcrypt, 16 rounds) for every type,
# every cipher for ed25519, and the AEAD ciphers for the bigger keys.
reencrypt() { # source, destination, extra ssh-keygen -p arguments
  src=$1 dst=$2
  shift 2
  cp "$src" "$dst"
  ssh-keygen -q -p -N "$PASS" "$@" -f "$dst" > /dev/null
}
for k in $BASE; do reencrypt "openssh/$k" "openssh/$k.enc"; done
for c in aes128-ctr aes192-ctr aes256-ctr aes128-cbc aes192-cbc aes256-cbc \
  aes128-gcm@openssh.com aes256-gcm@openssh.com chacha20-poly1305@openssh.com; do
  reencrypt openssh/ed25519 "openssh/ed25519.enc-${c%@openssh.com}" -Z "$c"
done
reencrypt openssh/rsa-2048 openssh/rsa-2048.enc-aes256-gcm -Z aes256-gcm@openssh.com
reencrypt openssh/ecdsa-p521 openssh/ecdsa-p521.enc-chacha20-poly1305 -Z chacha20-poly1305@openssh.com
reencrypt openssh/ed25519 openssh/ed25519.enc-rounds-4 -a 4
# ssh-keygen -l of every base key: "<bits> <SHA256 fingerprint> <comment> (<TYPE>)", then the MD5 form.
for k in $BASE; do
  ssh-keygen -l -f "openssh/$k.pub"
  ssh-keygen -l -E md5 -f "openssh/$k.pub"
done > openssh/fingerprints.txt

# PEM written by ssh-keygen: PKCS#1 RSA / SEC1 EC (-m PEM; encrypted: legacy Proc-Type/DEK-Info
# AES-128-CBC) and PKCS#8 (-m PKCS8; encrypted: PBES2, PBKDF2-HMAC-SHA256, AES-128-CBC).
for k in ecdsa-p256 ecdsa-p384 ecdsa-p521 rsa-2048; do
  cp "openssh/$k" "pem/$k.pem" && ssh-keygen -q -p -m PEM -N "" -f "pem/$k.pem" > /dev/null
  reencrypt "openssh/$k" "pem/$k.enc.pem" -m PEM
  cp "openssh/$k" "pem/$k.pkcs8" && ssh-keygen -q -p -m PKCS8 -N "" -f "pem/$k.pkcs8" > /dev/null
  reencrypt "openssh/$k" "pem/$k.enc.pkcs8" -m PKCS8
done
# PEM written by openssl: PBES2 variants, legacy DEK-Info ciphers, Ed25519 PKCS#8.
openssl pkcs8 -topk8 -in pem/rsa-2048.pem -passout "pass:$PASS" -v2 aes-256-cbc -v2prf hmacWithSHA1 \
  -iter 1000 -out pem/rsa-2048.pbes2-aes256-sha1.pkcs8
openssl pkcs8 -topk8 -in pem/ecdsa-p256.pem -passout "pass:$PASS" -v2 aes-128-cbc -v2prf hmacWithSHA1 \
  -out pem/ecdsa-p256.pbes2-aes128-sha1.pkcs8
openssl pkcs8 -topk8 -in pem/ecdsa-p384.pem -passout "pass:$PASS" -v2 aes-192-cbc -v2prf hmacWithSHA512 \
  -out pem/ecdsa-p384.pbes2-aes192-sha512.pkcs8
openssl pkcs8 -topk8 -in pem/ecdsa-p256.pem -passout "pass:$PASS" -v2 aes-256-cbc -v2prf hmacWithSHA256 \
  -iter 100000 -out pem/ecdsa-p256.pbes2-aes256-sha256-100k.pkcs8
openssl pkcs8 -topk8 -in pem/ecdsa-p256.pem -passout "pass:$PASS" -v2 des3 -out pem/ecdsa-p256.pbes2-des3.pkcs8
openssl pkcs8 -topk8 -in pem/ecdsa-p256.pem -passout "pass:$PASS" -scrypt -out pem/ecdsa-p256.scrypt.pkcs8
openssl rsa -in pem/rsa-2048.pem -traditional -aes256 -passout "pass:$PASS" -out pem/rsa-2048.aes256.pem 2> /dev/null
openssl ec -in pem/ecdsa-p384.pem -aes192 -passout "pass:$PASS" -out pem/ecdsa-p384.aes192.pem 2> /dev/null
openssl rsa -in pem/rsa-2048.pem -traditional -des3 -passout "pass:$PASS" -out pem/rsa-2048.des3.pem 2> /dev/null
openssl genpkey -algorithm ed25519 -out pem/ed25519.pkcs8
openssl pkcs8 -topk8 -in pem/ed25519.pkcs8 -passout "pass:$PASS" -out pem/ed25519.enc.pkcs8
# ssh-keygen 9.2 cannot read PEM Ed25519 keys: write the public key line from the raw key.
{
  printf 'ssh-ed25519 '
  { printf '\000\000\000\013ssh-ed25519\000\000\000\040'
    openssl pkey -in pem/ed25519.pkcs8 -pubout -outform DER | tail -c 32; } | base64 -w0
  printf '\n'
} > pem/ed25519.pkcs8.pub
# Public keys as SubjectPublicKeyInfo (RFC 5280 §4.1) and PKCS#1 RSAPublicKey.
for k in ecdsa-p256 ecdsa-p384 ecdsa-p521 rsa-2048; do
  ssh-keygen -e -m PKCS8 -f "openssh/$k.pub" > "spki/$k.spki.pem"
done
ssh-keygen -e -m PEM -f openssh/rsa-2048.pub > spki/rsa-2048.pkcs1.pem
openssl pkey -in pem/ed25519.pkcs8 -pubout -out spki/ed25519.spki.pem

# RFC 4716 public keys (ssh-keygen -e), plus one with a long continued header written by hand.
for k in $BASE; do ssh-keygen -e -f "openssh/$k.pub" > "rfc4716/$k.pub"; done

# PuTTY PPK v3 and v2 converted from the same keys. v3 encrypted keys use small Argon2 parameters
# (memory 1024 KiB, 2 passes) so the tests stay fast, except *.default.ppk (puttygen's defaults:
# Argon2id, 8192 KiB, passes calibrated to ~100 ms of C).
for k in $BASE; do
  puttygen "openssh/$k" -q -O private -o "ppk/$k.v3.ppk" --ppk-param version=3
  puttygen "openssh/$k" -q -O private -o "ppk/$k.v2.ppk" --ppk-param version=2
  puttygen "openssh/$k" -q -O private -o "ppk/$k.v2.enc.ppk" --new-passphrase "$passfile" --ppk-param version=2
  puttygen "openssh/$k" -q -O private -o "ppk/$k.v3.enc.ppk" --new-passphrase "$passfile" \
    --ppk-param version=3,kdf=argon2id,memory=1024,passes=2
done
puttygen openssh/ed25519 -q -O private -o ppk/ed25519.v3.argon2i.ppk --new-passphrase "$passfile" \
  --ppk-param version=3,kdf=argon2i,memory=1024,passes=2
puttygen openssh/ed25519 -q -O private -o ppk/ed25519.v3.argon2d.ppk --new-passphrase "$passfile" \
  --ppk-param version=3,kdf=argon2d,memory=1024,passes=2,parallelism=2
puttygen openssh/ed25519 -q -O private -o ppk/ed25519.v3.default.ppk --new-passphrase "$passfile"
# RFC 4716 §3.3–3.4 by hand: headers continued with a backslash, a quoted comment, a private
# x- header; ssh-keygen -i must accept it (checked here).
{
  echo "---- BEGIN SSH2 PUBLIC KEY ----"
  echo "Subject: purssh"
  echo 'Comment: "a comment long enough that the writer continued it on the \'
  echo 'next line"'
  echo "x-purssh-note: private headers start with x-"
  cut -d' ' -f2 openssh/ed25519.pub | fold -w 64
  echo "---- END SSH2 PUBLIC KEY ----"
} > rfc4716/ed25519-continued.pub
ssh-keygen -i -f rfc4716/ed25519-continued.pub > /dev/null
