#!/bin/sh
# Regenerates the OpenSSH certificate fixtures in this directory with the system ssh-keygen
# (PROTOCOL.certkeys). Test keys only: never used for anything but the @purssh/keys tests.
# See README.md for what each file is for. Every `-V` window and the listings are in UTC.
set -eu
cd "$(dirname "$0")"
export TZ=UTC
rm -f ca-* subject-* *-cert.pub *-cert.txt
rm -rf work
mkdir work

# CA keys (private halves kept: signCertificate tests re-sign with them).
ssh-keygen -q -t ed25519 -N "" -C "ca-ed25519" -f ca-ed25519
ssh-keygen -q -t ecdsa -b 256 -N "" -C "ca-ecdsa-p256" -f ca-ecdsa-p256
ssh-keygen -q -t ecdsa -b 384 -N "" -C "ca-ecdsa-p384" -f ca-ecdsa-p384
ssh-keygen -q -t ecdsa -b 521 -N "" -C "ca-ecdsa-p521" -f ca-ecdsa-p521
ssh-keygen -q -t rsa -b 2048 -N "" -C "ca-rsa" -f ca-rsa

# Subject keys: the five plain types, plus the two security-key public keys of OpenSSH's
# regress/unittests/sshkey/testdata (a CA certifies a public key; no token is needed).
ssh-keygen -q -t ed25519 -N "" -C "subject-ed25519" -f subject-ed25519
ssh-keygen -q -t ecdsa -b 256 -N "" -C "subject-ecdsa-p256" -f subject-ecdsa-p256
ssh-keygen -q -t ecdsa -b 384 -N "" -C "subject-ecdsa-p384" -f subject-ecdsa-p384
ssh-keygen -q -t ecdsa -b 521 -N "" -C "subject-ecdsa-p521" -f subject-ecdsa-p521
ssh-keygen -q -t rsa -b 2048 -N "" -C "subject-rsa" -f subject-rsa
cp ../openssh-regress/ed25519_sk1.pub subject-sk-ed25519.pub
cp ../openssh-regress/ecdsa_sk1.pub subject-sk-ecdsa.pub

WINDOW=20250101:20350101

# cert NAME CA SUBJECT ssh-keygen-args...: signs SUBJECT.pub with CA into NAME-cert.pub and
# records `ssh-keygen -L` of it in NAME-cert.txt.
cert() {
  c_name=$1 c_ca=$2 c_subject=$3
  shift 3
  cp "$c_subject.pub" "work/$c_name.pub"
  ssh-keygen -q -s "$c_ca" "$@" "work/$c_name.pub"
  mv "work/$c_name-cert.pub" "$c_name-cert.pub"
  rm "work/$c_name.pub"
  ssh-keygen -L -f "$c_name-cert.pub" > "$c_name-cert.txt"
}

for ca in ed25519 ecdsa-p256 ecdsa-p384 ecdsa-p521 rsa; do
  for subject in ed25519 ecdsa-p256 ecdsa-p384 ecdsa-p521 rsa sk-ed25519 sk-ecdsa; do
    cert "user-$subject-by-$ca" "ca-$ca" "subject-$subject" -I "user $subject by $ca" -n alice,bob -V "$WINDOW" -z 1001
    cert "host-$subject-by-$ca" "ca-$ca" "subject-$subject" -h -I "host $subject by $ca" \
      -n host.example.com,*.wild.example.com -V "$WINDOW" -z 2002
  done
done

# Options, as in the brief: force-command, source-address, no-port-forwarding.
cert user-options ca-ed25519 subject-ed25519 -I "options" -n alice -V "$WINDOW" -z 3003 \
  -O force-command="/usr/bin/backup --now \"quoted\"" -O source-address=192.0.2.0/24,2001:db8::/32,10.1.2.3 \
  -O no-port-forwarding
# -O clear, then only the flags we ask for, plus verify-required and no-touch-required.
cert user-clear ca-ed25519 subject-sk-ed25519 -I "clear" -n alice -V "$WINDOW" \
  -O clear -O permit-pty -O no-touch-required -O verify-required
# Custom (unknown) critical option and extension: the critical one must make verification fail.
cert user-unknown-critical ca-ed25519 subject-ed25519 -I "unknown critical" -n alice -V "$WINDOW" \
  -O critical:custom-restriction@example.com=value
cert user-unknown-extension ca-ed25519 subject-ed25519 -I "unknown extension" -n alice -V "$WINDOW" \
  -O extension:custom-grant@example.com=value -O extension:custom-flag@example.com
# Validity windows: expired, not yet valid, forever, and an hour from now.
cert user-expired ca-ed25519 subject-ed25519 -I "expired" -n alice -V 20200101:20200102
cert user-future ca-ed25519 subject-ed25519 -I "future" -n alice -V 20990101:21000101
cert user-forever ca-ed25519 subject-ed25519 -I "forever" -n alice -V always:forever -z 18446744073709551615
cert user-plus1h ca-ed25519 subject-ed25519 -I "plus1h" -n alice -V +1h -z 42
# No principals (refused by default; OpenSSH 10.3 refuses them too, CVE-2024-7594).
cert user-no-principals ca-ed25519 subject-ed25519 -I "no principals" -V "$WINDOW"
cert host-no-principals ca-ed25519 subject-ed25519 -h -I "host no principals" -V "$WINDOW"
# RSA CA signature algorithms: ssh-rsa (SHA-1, refused by default) and rsa-sha2-256.
cert user-ed25519-by-rsa-sha1 ca-rsa subject-ed25519 -t ssh-rsa -I "sha1" -n alice -V "$WINDOW"
cert user-ed25519-by-rsa-sha256 ca-rsa subject-ed25519 -t rsa-sha2-256 -I "sha256" -n alice -V "$WINDOW"

rm -rf work

# Listings of the certificates copied from OpenSSH's regress/unittests/sshkey/testdata.
for c in openssh-regress/*-cert.pub; do
  ssh-keygen -L -f "$c" > "${c%.pub}.txt"
done
