#!/usr/bin/env python3
"""Cross-checks test-vectors/crypto/mlkem768x25519-kex.json (written by purssh's
mlkem768x25519_kex.ts) with Python `cryptography` (OpenSSL ML-KEM-768 and X25519) and hashlib.

Checks, for draft-ietf-sshm-mlkem-hybrid-kex / OpenSSH kexmlkem768x25519.c:
  1. C_INIT = ek || X25519(client scalar, 9), ek derived by OpenSSL from the 64-byte seed d || z;
  2. K_PQ = G(m || H(ek))[0:32] = SHA3-512(m || SHA3-256(ek))[0:32] (FIPS 203 Algorithm 17);
  3. OpenSSL decapsulates S_REPLY's ciphertext to that same K_PQ (so the ciphertext is the valid
     encapsulation of m: the Fujisaki-Okamoto re-encryption inside decapsulation would otherwise
     yield a different key);
  4. S_REPLY's X25519 part is the server scalar's public key, K_CL is the X25519 secret both ways;
  5. encodedK = string(SHA-256(K_PQ || K_CL));
  6. the tampered ciphertext decapsulates (implicit rejection) to tamperedK_PQ and gives
     tamperedEncodedK, which differs from encodedK.
Exits non-zero on the first mismatch.

Usage: python3 mlkem768x25519_check.py ../mlkem768x25519-kex.json
"""
import hashlib
import json
import sys

from cryptography.hazmat.primitives.asymmetric import mlkem
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey


def string(b: bytes) -> bytes:
    return len(b).to_bytes(4, "big") + b


def check(what: str, ok: bool) -> None:
    print(f"{'ok ' if ok else 'FAIL'} {what}")
    if not ok:
        raise SystemExit(1)


def main() -> None:
    v = {k: (bytes.fromhex(x) if isinstance(x, str) and k not in ("description",) else x) for k, x in json.load(open(sys.argv[1])).items()}
    c_init, s_reply = v["C_INIT"], v["S_REPLY"]
    check("C_INIT is 1184 + 32 bytes, S_REPLY 1088 + 32", len(c_init) == 1216 and len(s_reply) == 1120)
    dk = mlkem.MLKEM768PrivateKey.from_seed_bytes(v["clientMlkemSeed"])
    ek = dk.public_key().public_bytes_raw()
    check("C_INIT's encapsulation key is OpenSSL's key for the seed", c_init[:1184] == ek)
    client_x = X25519PrivateKey.from_private_bytes(v["clientX25519Secret"])
    check("C_INIT's X25519 part is the client scalar's public key", c_init[1184:] == client_x.public_key().public_bytes_raw())
    k_pq = hashlib.sha3_512(v["serverMlkemMessage"] + hashlib.sha3_256(ek).digest()).digest()[:32]
    check("K_PQ = G(m || H(ek))[0:32]", k_pq == v["K_PQ"])
    check("OpenSSL decapsulates the ciphertext to K_PQ", dk.decapsulate(s_reply[:1088]) == k_pq)
    server_x = X25519PrivateKey.from_private_bytes(v["serverX25519Secret"])
    check("S_REPLY's X25519 part is the server scalar's public key", s_reply[1088:] == server_x.public_key().public_bytes_raw())
    k_cl = client_x.exchange(X25519PublicKey.from_public_bytes(s_reply[1088:]))
    check("K_CL both ways", k_cl == v["K_CL"] == server_x.exchange(X25519PublicKey.from_public_bytes(c_init[1184:])))
    check("encodedK = string(SHA-256(K_PQ || K_CL))", v["encodedK"] == string(hashlib.sha256(k_pq + k_cl).digest()))
    tampered = v["tamperedReply"]
    check("the tampered reply differs in exactly one bit", bin(int.from_bytes(tampered, "big") ^ int.from_bytes(s_reply, "big")).count("1") == 1)
    k_pq_bad = dk.decapsulate(tampered[:1088])
    check("OpenSSL's implicit rejection gives tamperedK_PQ", k_pq_bad == v["tamperedK_PQ"] and k_pq_bad != k_pq)
    check("tamperedEncodedK = string(SHA-256(K_PQ' || K_CL)) != encodedK",
          v["tamperedEncodedK"] == string(hashlib.sha256(k_pq_bad + k_cl).digest()) and v["tamperedEncodedK"] != v["encodedK"])


if __name__ == "__main__":
    main()
