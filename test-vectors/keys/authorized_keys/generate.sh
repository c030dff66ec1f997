#!/bin/sh
# Regenerates the authorized_keys fixtures in this directory with the system ssh-keygen
# (sshd(8) AUTHORIZED_KEYS FILE FORMAT). Test keys only. See README.md.
set -eu
cd "$(dirname "$0")"
export TZ=UTC
rm -f user-* ca-* authorized_keys sshd-man-example

ssh-keygen -q -t ed25519 -N "" -C "user-ed25519" -f user-ed25519
ssh-keygen -q -t rsa -b 2048 -N "" -C "user-rsa" -f user-rsa
ssh-keygen -q -t ecdsa -b 256 -N "" -C "user-ecdsa" -f user-ecdsa
ssh-keygen -q -t ed25519 -N "" -C "ca-ed25519" -f ca-ed25519
# A user certificate for user-ecdsa (ssh-keygen's default extensions, principals user_a and deploy).
ssh-keygen -q -s ca-ed25519 -I "user_a cert" -n user_a,deploy -V 20250101:20350101 user-ecdsa.pub

key() { cut -d' ' -f1,2 "$1.pub"; }
ED=$(key user-ed25519)
RSA=$(key user-rsa)
EC=$(key user-ecdsa)
CA=$(key ca-ed25519)
SK=$(cut -d' ' -f1,2 ../openssh-regress/ecdsa_sk1.pub)

# The example authorized_keys file of sshd(8), with real keys where the page writes "ssh-rsa ..."
# (the ssh-rsa lines use user-rsa; the FIDO lines the ecdsa_sk1 key of OpenSSH's regress data).
cat > sshd-man-example <<LINES
# Comments are allowed at start of line. Blank lines are allowed.
# Plain key, no restrictions
$RSA
# Forced command, disable PTY and all forwarding
restrict,command="dump /home" $RSA
# Restriction of ssh -L forwarding destinations
permitopen="192.0.2.1:80",permitopen="192.0.2.2:25" $RSA
# Restriction of ssh -R forwarding listeners
permitlisten="localhost:8080",permitlisten="[::1]:22000" $RSA
# Configuration for tunnel forwarding
tunnel="0",command="sh /etc/netstart tun0" $RSA
# Override of restriction to allow PTY allocation
restrict,pty,command="nethack" $RSA
# Allow FIDO key without requiring touch
no-touch-required $SK
# Require user-verification (e.g. PIN or biometric) for FIDO key
verify-required $SK
# Trust CA key, allow touch-less FIDO if requested in certificate
cert-authority,no-touch-required,principals="user_a" $CA
LINES

# Edge cases: quoted commas and spaces, escaped quotes, from= with wildcards, negation and CIDR,
# expiry-time, environment, case-insensitive keywords, and malformed lines.
cat > authorized_keys <<LINES
# purssh authorized_keys fixture (generate.sh)
$ED user-ed25519 plain
command="echo \"hello, world\"; logger a,b",no-pty $ED quoted commas and escaped quotes
from="*.example.com,!bad.example.com,192.0.2.0/24,!192.0.2.66,2001:db8::/32" $RSA from list
expiry-time="20250101",environment="LANG=C",environment="PATH=/x",environment="LANG=fr" $EC expired in 2025
expiry-time="20991231235959Z" $EC valid until 2099
Restrict,Port-Forwarding,PermitListen="8080",permitlisten="*:9000",permitlisten="127.0.0.1:*" $ED case-insensitive keywords
cert-authority,principals="deploy,ops",from="10.0.0.0/8" $CA
frobnicate $ED unknown option
command="unterminated $ED missing end quote
no-pty, $ED trailing comma
permitlisten="host:0" $ED bad port
$ED
LINES
printf 'ssh-ed25519\n' >> authorized_keys
