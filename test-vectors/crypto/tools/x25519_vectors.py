#!/usr/bin/env python3
"""X25519 vectors for curve25519-sha256 (RFC 8731), checked by two implementations.

1. RFC 7748 §5.2 (two single vectors, the iterated function after 1 and 1,000 iterations) and
   §6.1 (the Diffie-Hellman example), typed from the RFC and re-derived here.
2. Shared secrets whose SSH encoding is an edge case (RFC 8731 §3.1: K is the X25519 output read as
   a big-endian unsigned integer and encoded as an mpint): a leading 0x00 byte (stripped), two
   leading 0x00 bytes, 0x00 followed by a byte >= 0x80 (strip, then re-add a 0x00 sign byte) and a
   first byte >= 0x80 (add a 0x00 sign byte). Found by a deterministic search over private keys.
3. Peer public values that make the shared secret all zero (RFC 7748 §6.1, RFC 8731 §3: MUST abort).

Implementations: a direct transcription of the RFC 7748 §5 ladder below, and the `cryptography`
package (OpenSSL). Both must agree on every vector or the script stops.

Usage: python3 x25519_vectors.py > ../x25519.json
"""
import hashlib
import json
import sys

import cryptography
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

P = 2**255 - 19
A24 = 121665


def decode_scalar(k: bytes) -> int:
    b = bytearray(k)
    b[0] &= 248
    b[31] &= 127
    b[31] |= 64
    return int.from_bytes(b, "little")


def decode_u(u: bytes) -> int:
    b = bytearray(u)
    b[31] &= 127
    return int.from_bytes(b, "little") % P


def x25519_rfc7748(k: bytes, u: bytes) -> bytes:
    """RFC 7748 §5, Montgomery ladder, written from the RFC's pseudo-code."""
    k_int, x1 = decode_scalar(k), decode_u(u)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        k_t = (k_int >> t) & 1
        swap ^= k_t
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = k_t
        a, b = (x2 + z2) % P, (x2 - z2) % P
        aa, bb = a * a % P, b * b % P
        e = (aa - bb) % P
        c, d = (x3 + z3) % P, (x3 - z3) % P
        da, cb = d * a % P, c * b % P
        x3 = (da + cb) ** 2 % P
        z3 = x1 * (da - cb) ** 2 % P
        x2 = aa * bb % P
        z2 = e * (aa + A24 * e) % P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


def x25519_openssl(k: bytes, u: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(k).exchange(X25519PublicKey.from_public_bytes(u))


def x25519(k: bytes, u: bytes) -> bytes:
    ours = x25519_rfc7748(k, u)
    theirs = x25519_openssl(k, u)
    assert ours == theirs, (k.hex(), u.hex())
    return ours


BASE = (9).to_bytes(32, "little")


def mpint_with_length(magnitude: bytes) -> bytes:
    """RFC 4251 §5 mpint of a non-negative big-endian magnitude, with its uint32 length prefix."""
    body = magnitude.lstrip(b"\x00")
    if body and body[0] & 0x80:
        body = b"\x00" + body
    return len(body).to_bytes(4, "big") + body


def main() -> None:
    rfc_single = [
        {"scalar": "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
         "u": "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
         "output": "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
        {"scalar": "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
         "u": "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
         "output": "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
    ]
    for v in rfc_single:
        assert x25519(bytes.fromhex(v["scalar"]), bytes.fromhex(v["u"])).hex() == v["output"]

    rfc_iterated = {"1": "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079",
                    "1000": "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"}
    k, u = BASE, BASE
    for i in range(1, 1001):
        k, u = x25519_openssl(k, u), k
        if str(i) in rfc_iterated:
            assert k.hex() == rfc_iterated[str(i)], (i, k.hex())

    dh = {"alicePrivate": "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
          "alicePublic": "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
          "bobPrivate": "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
          "bobPublic": "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
          "shared": "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"}
    assert x25519(bytes.fromhex(dh["alicePrivate"]), BASE).hex() == dh["alicePublic"]
    assert x25519(bytes.fromhex(dh["bobPrivate"]), BASE).hex() == dh["bobPublic"]
    assert x25519(bytes.fromhex(dh["alicePrivate"]), bytes.fromhex(dh["bobPublic"])).hex() == dh["shared"]
    assert x25519(bytes.fromhex(dh["bobPrivate"]), bytes.fromhex(dh["alicePublic"])).hex() == dh["shared"]
    dh["encodedK"] = mpint_with_length(bytes.fromhex(dh["shared"])).hex()

    wanted = {
        "one leading zero byte": lambda s: s[0] == 0 and 0 < s[1] < 0x80,
        "leading zero byte then a byte >= 0x80": lambda s: s[0] == 0 and s[1] >= 0x80,
        "two leading zero bytes": lambda s: s[0] == 0 and s[1] == 0 and 0 < s[2] < 0x80,
        "first byte >= 0x80": lambda s: s[0] >= 0x80,
        "first byte 0x01..0x7f": lambda s: 0 < s[0] < 0x80,
    }
    found = {}
    bob_private = hashlib.sha256(b"purssh x25519 mpint search: server").digest()
    bob_public = x25519_openssl(bob_private, BASE)
    i = 0
    while len(found) < len(wanted):
        alice_private = hashlib.sha256(f"purssh x25519 mpint search: client {i}".encode()).digest()
        i += 1
        alice_public = X25519PrivateKey.from_private_bytes(alice_private).public_key().public_bytes_raw()
        shared = x25519_openssl(alice_private, bob_public)
        for name, pred in wanted.items():
            if name not in found and pred(shared):
                assert x25519_rfc7748(alice_private, bob_public) == shared
                assert x25519(bob_private, alice_public) == shared
                assert x25519_rfc7748(alice_private, BASE) == alice_public
                found[name] = {"name": name, "clientPrivate": alice_private.hex(), "clientPublic": alice_public.hex(),
                               "serverPrivate": bob_private.hex(), "serverPublic": bob_public.hex(),
                               "shared": shared.hex(), "encodedK": mpint_with_length(shared).hex()}
    encodings = [found[name] for name in wanted]

    # Low-order u-coordinates for which X25519 yields zero with every (clamped) scalar: 0, 1, the two
    # u-coordinates of order 8, p - 1, and p and p + 1 (non-canonical encodings of 0 and 1). This is
    # the blocklist libsodium uses; each is checked below with both implementations.
    candidates = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ]
    zero = []
    for c in candidates:
        u = bytes.fromhex(c)
        if x25519_rfc7748(bob_private, u) == bytes(32) and x25519_rfc7748(bytes.fromhex(dh["alicePrivate"]), u) == bytes(32):
            try:
                x25519_openssl(bob_private, u)
            except ValueError:
                zero.append(c)
                continue
            raise SystemExit(f"OpenSSL accepted an all-zero shared secret for {c}")

    doc = {
        "description": "X25519 for curve25519-sha256 (RFC 7748, RFC 8731)",
        "provenance": {
            "rfc7748": "RFC 7748 §5.2 and §6.1 test vectors (IETF Trust, Simplified BSD), typed from the RFC",
            "generatedBy": "test-vectors/crypto/tools/x25519_vectors.py",
            "implementation": "an RFC 7748 §5 ladder in the script and Python `cryptography` "
                              f"{cryptography.__version__} (OpenSSL) must agree on every value",
            "licence": "RFC material: IETF Trust / Simplified BSD; the rest generated by this project (MIT)",
        },
        "notes": [
            "all values hex; scalars and u-coordinates in RFC 7748 byte order (little-endian)",
            "shared: the raw 32-byte X25519 output; encodedK: RFC 8731 §3.1, that output read as a big-endian "
            "unsigned integer and encoded as an mpint WITH its uint32 length prefix",
            "zeroSharedSecret: peer public values for which the shared secret is all zero; RFC 8731 §3 says "
            "the exchange MUST be aborted",
        ],
        "rfc7748Single": rfc_single,
        "rfc7748Iterated": rfc_iterated,
        "rfc7748DiffieHellman": dh,
        "mpintEncodings": encodings,
        "zeroSharedSecret": zero,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
