#!/bin/sh
# Regenerates the known_hosts fixtures in this directory with the system ssh-keygen
# (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT). Test keys only. See README.md.
# openssh-regress-known_hosts is copied from OpenSSH and is not touched here.
set -eu
cd "$(dirname "$0")"
export TZ=UTC
rm -f host-* alt-* ca-* revoked-* known_hosts known_hosts.hashed keyscan keyscan.hashed ./*.old

ssh-keygen -q -t ed25519 -N "" -C "host-ed25519" -f host-ed25519
ssh-keygen -q -t ecdsa -b 256 -N "" -C "host-ecdsa" -f host-ecdsa
ssh-keygen -q -t rsa -b 2048 -N "" -C "host-rsa" -f host-rsa
ssh-keygen -q -t ed25519 -N "" -C "alt-ed25519" -f alt-ed25519
ssh-keygen -q -t ed25519 -N "" -C "ca-ed25519" -f ca-ed25519
ssh-keygen -q -t ed25519 -N "" -C "revoked-ed25519" -f revoked-ed25519
# A host certificate for host-ed25519 (a wildcard principal, as OpenSSH >= 10.3 allows).
ssh-keygen -q -s ca-ed25519 -h -I "server host key" -n server.example.com,*.farm.example.com \
  -V 20250101:20350101 host-ed25519.pub

key() { cut -d' ' -f1,2 "$1.pub"; }
ED=$(key host-ed25519)
EC=$(key host-ecdsa)
RSA=$(key host-rsa)
ALT=$(key alt-ed25519)
CA=$(key ca-ed25519)
REV=$(key revoked-ed25519)

# Everything the format allows, then two malformed lines (kept out of the hashed copy:
# ssh-keygen -H refuses files with invalid lines).
cat > known_hosts.valid <<LINES
# purssh known_hosts fixture (generate.sh)
server.example.com,192.0.2.10 $ED
server.example.com,192.0.2.10 $EC comment with spaces
[server.example.com]:2222 $ALT
changed.example.com $ALT
*.farm.example.com,!bad.farm.example.com $RSA
web?.example.org $ED
[*.example.net]:999 $ED
2001:db8::10 $ED
[2001:db8::10]:2200 $EC
UPPER.Example.COM $ED

   	# an indented comment after a blank line
@cert-authority *.example.com,*.farm.example.com $CA
@revoked * $REV
stolen.example.com $REV
LINES
cp known_hosts.valid known_hosts
cat >> known_hosts <<LINES
@bogus server.example.com $ED
server.example.com ssh-ed25519
LINES
cp known_hosts.valid known_hosts.hashed
# ssh-keygen -H hashes each name of a line into a line of its own and leaves wildcard and
# marker lines alone (it warns about those on stderr).
ssh-keygen -H -f known_hosts.hashed >/dev/null 2>&1
rm -f known_hosts.valid known_hosts.hashed.old

# The ssh-keyscan output format: "# host:port SSH-2.0-..." comments, then "host keytype key",
# "[host]:port" off port 22; and its -H form, made with ssh-keygen -H.
cat > keyscan <<LINES
# 192.0.2.20:22 SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10
192.0.2.20 $ED
# 192.0.2.20:22 SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10
192.0.2.20 $EC
# 192.0.2.20:22 SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10
192.0.2.20 $RSA
# keyscan.example.com:2222 SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10
[keyscan.example.com]:2222 $ED
LINES
cp keyscan keyscan.hashed
ssh-keygen -H -f keyscan.hashed >/dev/null 2>&1
rm -f keyscan.hashed.old
