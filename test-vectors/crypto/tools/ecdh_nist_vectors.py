#!/usr/bin/env python3
"""Known answers for ecdh-sha2-nistp256/384/521 (RFC 5656 §4), computed with Python `cryptography`
(OpenSSL) and `hashlib`, independently of purssh.

purssh draws an ephemeral private key from `seedLength` random bytes as
d = (OS2IP(seed) mod (n - 1)) + 1 (FIPS 186-5 A.2.1, noble's mapHashToField), so each case lists
the seed bytes a test feeds in as "randomness" and everything that must follow from them:
Q = d*G as an uncompressed SEC1 point, the shared x-coordinate, and K = mpint(x) with its uint32
length prefix (RFC 5656 §4). Seeds are SHAKE256("purssh <method> <role> <counter>"), and the
counter is searched until the shared x has the wanted first bytes, so that every mpint edge case
occurs: a sign byte added, a leading zero stripped, a leading zero kept because the next byte has
its top bit set.

exchangeHash: one RFC 5656 §4 exchange hash for ecdh-sha2-nistp256,
H = SHA-256(string V_C || string V_S || string I_C || string I_S || string K_S || string Q_C ||
string Q_S || mpint K), with fixed stand-ins for the version strings, KEXINIT payloads and host key
(they are hashed as opaque strings) and the "first byte >= 0x80" key pair, so K has a sign byte.

Usage: python3 ecdh_nist_vectors.py > ../ecdh-nist-kex.json
"""
import hashlib
import json
import sys

import cryptography
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CURVES = {
    "ecdh-sha2-nistp256": (ec.SECP256R1(), 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551, 32, hashlib.sha256),
    "ecdh-sha2-nistp384": (ec.SECP384R1(), int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16), 48, hashlib.sha384),
    "ecdh-sha2-nistp521": (ec.SECP521R1(), int("01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409", 16), 66, hashlib.sha512),
}


def seed_length(field_len: int) -> int:
    return field_len + (field_len + 1) // 2  # noble getMinHashLength: L + ceil(L / 2)


def string(b: bytes) -> bytes:
    return len(b).to_bytes(4, "big") + b


def mpint_unsigned(b: bytes) -> bytes:
    b = b.lstrip(b"\x00")
    if b and b[0] & 0x80:
        b = b"\x00" + b
    return string(b)


def key_from_seed(curve, n: int, seed: bytes):
    d = int.from_bytes(seed, "big") % (n - 1) + 1
    return ec.derive_private_key(d, curve)


def point(key) -> bytes:
    return key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def seed(method: str, role: str, i: int, length: int) -> bytes:
    return hashlib.shake_256(f"purssh {method} {role} {i}".encode()).digest(length)


def edge_cases(method: str) -> list:
    curve, n, field_len, _ = CURVES[method]
    slen = seed_length(field_len)
    server_seed = seed(method, "server", 0, slen)
    server = key_from_seed(curve, n, server_seed)
    if field_len == 66:  # the first byte of a 521-bit x is 0 or 1
        wanted = {
            "first byte 0x01": lambda x: x[0] == 1,
            "leading zero byte then a byte >= 0x80": lambda x: x[0] == 0 and x[1] >= 0x80,
            "leading zero byte then a byte < 0x80": lambda x: x[0] == 0 and 0 < x[1] < 0x80,
        }
    else:
        wanted = {
            "first byte >= 0x80": lambda x: x[0] >= 0x80,
            "first byte 0x01..0x7f": lambda x: 0 < x[0] < 0x80,
            "one leading zero byte": lambda x: x[0] == 0 and 0 < x[1] < 0x80,
            "leading zero byte then a byte >= 0x80": lambda x: x[0] == 0 and x[1] >= 0x80,
        }
    found = {}
    i = 0
    while len(found) < len(wanted):
        client_seed = seed(method, "client", i, slen)
        client = key_from_seed(curve, n, client_seed)
        x = client.exchange(ec.ECDH(), server.public_key())
        assert x == server.exchange(ec.ECDH(), client.public_key())
        for name, test in wanted.items():
            if name not in found and test(x):
                found[name] = {
                    "name": name,
                    "clientSeed": client_seed.hex(),
                    "serverSeed": server_seed.hex(),
                    "clientPublic": point(client).hex(),
                    "serverPublic": point(server).hex(),
                    "sharedX": x.hex(),
                    "encodedK": mpint_unsigned(x).hex(),
                }
        i += 1
    return [found[name] for name in wanted]


def exchange_hash(case: dict) -> dict:
    v_c, v_s = b"SSH-2.0-purssh_test_client", b"SSH-2.0-purssh_test_server"
    i_c = bytes([20]) + hashlib.sha256(b"purssh client KEXINIT stand-in").digest()
    i_s = bytes([20]) + hashlib.sha256(b"purssh server KEXINIT stand-in").digest()
    k_s = string(b"ssh-ed25519") + string(hashlib.sha256(b"purssh host key stand-in").digest())
    q_c, q_s = bytes.fromhex(case["clientPublic"]), bytes.fromhex(case["serverPublic"])
    encoded_k = bytes.fromhex(case["encodedK"])
    h = hashlib.sha256(string(v_c) + string(v_s) + string(i_c) + string(i_s) + string(k_s) + string(q_c) + string(q_s) + encoded_k).digest()
    return {
        "method": "ecdh-sha2-nistp256",
        "V_C": v_c.decode(),
        "V_S": v_s.decode(),
        "I_C": i_c.hex(),
        "I_S": i_s.hex(),
        "K_S": k_s.hex(),
        "clientSeed": case["clientSeed"],
        "serverSeed": case["serverSeed"],
        "Q_C": case["clientPublic"],
        "Q_S": case["serverPublic"],
        "encodedK": case["encodedK"],
        "H": h.hex(),
    }


def main() -> None:
    methods = {}
    for method, (_, _, field_len, _) in CURVES.items():
        methods[method] = {"seedLength": seed_length(field_len), "fieldLength": field_len, "mpintEdgeCases": edge_cases(method)}
    doc = {
        "description": "ecdh-sha2-nistp256/384/521 (RFC 5656 §4): K = mpint(shared x) edge cases per curve, and one exchange hash",
        "provenance": {
            "generatedBy": "test-vectors/crypto/tools/ecdh_nist_vectors.py",
            "implementation": f"Python cryptography {cryptography.__version__} (OpenSSL) for the curve arithmetic, hashlib for SHAKE256 and SHA-256; the encodings are built by the script",
            "licence": "generated by this project (MIT)",
        },
        "notes": [
            "clientSeed / serverSeed: the bytes the injected random source returns; d = (OS2IP(seed) mod (n-1)) + 1",
            "clientPublic / serverPublic, Q_C / Q_S: uncompressed SEC1 points 04 || X || Y",
            "encodedK: mpint(sharedX) WITH its uint32 length prefix (RFC 5656 §4)",
            "exchangeHash.I_C / I_S / K_S: opaque stand-ins hashed as SSH strings; H is the RFC 5656 §4 exchange hash",
        ],
        "methods": methods,
        "exchangeHash": exchange_hash(methods["ecdh-sha2-nistp256"]["mpintEdgeCases"][0]),
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
