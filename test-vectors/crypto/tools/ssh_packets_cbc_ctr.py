#!/usr/bin/env python3
"""Whole SSH binary packets (RFC 4253 §6) for every non-AEAD cipher x MAC pair purssh implements.

Ciphers: aes128-ctr, aes192-ctr, aes256-ctr (RFC 4344 §4: the IV is the initial 128-bit counter,
incremented big-endian modulo 2^128 and continued across packets), aes128-cbc, aes192-cbc,
aes256-cbc and 3des-cbc (RFC 4253 §6.3: chaining continues across packets; 3des-cbc is three-key
EDE with outer CBC).
MACs: hmac-sha2-256, hmac-sha2-512 (RFC 6668), hmac-sha1, hmac-sha1-96, hmac-md5 (RFC 4253 §6.4)
and the OpenSSH encrypt-then-MAC variants hmac-sha2-256-etm@openssh.com,
hmac-sha2-512-etm@openssh.com, hmac-sha1-etm@openssh.com, hmac-md5-etm@openssh.com (OpenSSH
PROTOCOL §1.5).

Encrypt-and-MAC (RFC 4253 §6, §6.4):
    mac  = MAC(key, uint32 seq || packet_length || padding_length || payload || padding)
    wire = encrypt(packet_length || padding_length || payload || padding) || mac
Encrypt-then-MAC (OpenSSH PROTOCOL §1.5):
    wire = packet_length || encrypt(padding_length || payload || padding) || mac
    mac  = MAC(key, uint32 seq || packet_length || encrypted_packet)
Padding (RFC 4253 §6): at least 4 bytes, aligning the encrypted part -- with the length field
for encrypt-and-MAC, without it for -etm -- to max(8, cipher block size); purssh's transport pads
minimally, and so does this script. Padding bytes are SHAKE-256 outputs, not random, so the file
is reproducible.

Each stream is sealed in order by ONE cipher context of the `cryptography` package (OpenSSL
AES-CTR / AES-CBC / TripleDES-CBC), so the counter or chaining value carries from packet to
packet exactly as the SSH cipher state does. MACs come from Python's `hmac` + `hashlib`. Both are
independent of the TypeScript code under test.

Usage: python3 ssh_packets_cbc_ctr.py > ../ssh-packets-cbc-ctr.json
"""
from __future__ import annotations

import hashlib
import hmac
import json
import struct
import sys

import cryptography
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# name: (algorithm, key length, block size, mode)
CIPHERS = {
    "aes128-ctr": (algorithms.AES, 16, 16, "ctr"),
    "aes192-ctr": (algorithms.AES, 24, 16, "ctr"),
    "aes256-ctr": (algorithms.AES, 32, 16, "ctr"),
    "aes128-cbc": (algorithms.AES, 16, 16, "cbc"),
    "aes192-cbc": (algorithms.AES, 24, 16, "cbc"),
    "aes256-cbc": (algorithms.AES, 32, 16, "cbc"),
    "3des-cbc": (TripleDES, 24, 8, "cbc"),
}
# name: (hash, key length = digest length (RFC 4253 §6.4), MAC length on the wire, encrypt-then-MAC)
MACS = {
    "hmac-sha2-256": ("sha256", 32, 32, False),
    "hmac-sha2-512": ("sha512", 64, 64, False),
    "hmac-sha1": ("sha1", 20, 20, False),
    "hmac-sha1-96": ("sha1", 20, 12, False),
    "hmac-md5": ("md5", 16, 16, False),
    "hmac-sha2-256-etm@openssh.com": ("sha256", 32, 32, True),
    "hmac-sha2-512-etm@openssh.com": ("sha512", 64, 64, True),
    "hmac-sha1-etm@openssh.com": ("sha1", 20, 20, True),
    "hmac-md5-etm@openssh.com": ("md5", 16, 16, True),
}
# First sequence numbers of the streams; the last one wraps from 2^32 - 1 to 0 inside the stream.
FIRST_SEQS = [0, 3, 0xFFFFFFFE]
PAYLOAD_SIZES = [[1, 35, 200], [16, 0, 99], [7, 64, 33]]


def deterministic(label: str, n: int) -> bytes:
    return hashlib.shake_256(label.encode("ascii")).digest(n)


def pad_length(payload_length: int, block: int, etm: bool) -> int:
    align = max(8, block)
    covered = (1 if etm else 5) + payload_length
    pad = align - covered % align
    return pad + align if pad < 4 else pad


def stream(cipher_name: str, mac_name: str, index: int, iv_override: bytes | None = None,
           sizes: list[int] | None = None) -> dict:
    algorithm, key_length, block, mode = CIPHERS[cipher_name]
    hash_name, mac_key_length, mac_length, etm = MACS[mac_name]
    label = f"purssh ssh packets {cipher_name} {mac_name}"
    key = deterministic(f"{label} key", key_length)
    iv = iv_override if iv_override is not None else deterministic(f"{label} iv", block)
    mac_key = deterministic(f"{label} mac key", mac_key_length)
    encryptor = Cipher(algorithm(key), modes.CTR(iv) if mode == "ctr" else modes.CBC(iv)).encryptor()
    seq = FIRST_SEQS[index % len(FIRST_SEQS)]
    packets = []
    for n, size in enumerate(sizes if sizes is not None else PAYLOAD_SIZES[index % len(PAYLOAD_SIZES)]):
        payload = deterministic(f"{label} payload {n}", size)
        pad = pad_length(size, block, etm)
        packet_length = 1 + size + pad
        plaintext = struct.pack(">IB", packet_length, pad) + payload + deterministic(f"{label} padding {n}", pad)
        seq_bytes = struct.pack(">I", seq)
        if etm:
            encrypted = plaintext[:4] + encryptor.update(plaintext[4:])
            mac = hmac.new(mac_key, seq_bytes + encrypted, getattr(hashlib, hash_name)).digest()[:mac_length]
        else:
            mac = hmac.new(mac_key, seq_bytes + plaintext, getattr(hashlib, hash_name)).digest()[:mac_length]
            encrypted = encryptor.update(plaintext)
        assert len(encrypted) == len(plaintext), "whole blocks only"
        packets.append({"seq": seq, "payload": payload.hex(), "plaintext": plaintext.hex(),
                        "wire": (encrypted + mac).hex()})
        seq = (seq + 1) % 2**32
    return {"cipher": cipher_name, "mac": mac_name, "key": key.hex(), "iv": iv.hex(), "macKey": mac_key.hex(),
            "packets": packets}


def main() -> None:
    streams = []
    for c, cipher_name in enumerate(CIPHERS):
        for m, mac_name in enumerate(MACS):
            streams.append(stream(cipher_name, mac_name, c + m))
    # RFC 4344 §4: the counter is the whole 128-bit block, carried across packets and words.
    for mac_name in ("hmac-sha2-256", "hmac-sha2-256-etm@openssh.com"):
        for counter in ("000102030405060708090a0bfffffffe", "fffffffffffffffffffffffffffffffd"):
            s = stream("aes128-ctr", mac_name, 0, bytes.fromhex(counter), [20, 40, 10])
            s["name"] = f"counter {counter} carries across packets"
            streams.append(s)

    doc = {
        "description": "SSH binary packets (RFC 4253 §6) for every CTR/CBC cipher x HMAC pair, encrypt-and-MAC and "
                       "encrypt-then-MAC",
        "provenance": {
            "generatedBy": "test-vectors/crypto/tools/ssh_packets_cbc_ctr.py",
            "implementation": f"Python `cryptography` {cryptography.__version__} (OpenSSL AES-CTR, AES-CBC, "
                              "TripleDES-CBC) and Python `hmac` + `hashlib`, independent of the TypeScript code "
                              "under test",
            "licence": "generated by this project (MIT)",
        },
        "notes": [
            "each stream is sealed in order by ONE cipher instance created with key, iv and macKey",
            "plaintext: packet_length || padding_length || payload || padding, before encryption",
            "wire: the packet as sent; for -etm MACs packet_length is in clear",
            "key, iv and macKey have the lengths the RFC 4253 §7.2 KDF would derive for the pair",
            "sequence numbers wrap from 4294967295 to 0 in the streams that start at 4294967294",
        ],
        "streams": streams,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
