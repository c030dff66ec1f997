#!/usr/bin/env python3
"""Compact copies of the Wycheproof signature files the @purssh/crypto tests run through SSH.

Wycheproof (https://github.com/C2SP/wycheproof, Apache-2.0) publishes each key in four or five
encodings (DER, PEM, JWK, ASN.1) and, for the RSA signing files, the private key in three more.
This script keeps what the SSH tests need and drops the redundant encodings; test cases are copied
unchanged (tcId, comment, flags, msg, sig, result), as are the file's header, notes and counts:

  ECDSA P1363 verify   group: publicKey.uncompressed (SEC 1, = RFC 5656 Q), sha
  RSA PKCS#1 verify    group: publicKey.modulus, publicKey.publicExponent, keySize, sha
  RSA PKCS#1 sig gen   group: n, e, d, p, q, dp, dq, qinv (from privateKeyPkcs8, parsed with
                       `cryptography`), keySize, sha; only SHA-1/256/512 groups (the SSH hashes)

Every group's key is re-derived from the DER/PKCS#8 encoding with `cryptography` and must match the
field that is kept. No test case is added, removed (beyond the non-SSH-hash sig-gen groups) or
changed.

Usage: python3 wycheproof_compact.py /path/to/wycheproof-checkout   (writes ../wycheproof/*.json)
"""
import json
import os
import subprocess
import sys

import cryptography
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

FILES = [
    "ecdsa_secp256r1_sha256_p1363_test.json",
    "ecdsa_secp384r1_sha384_p1363_test.json",
    "ecdsa_secp521r1_sha512_p1363_test.json",
    "rsa_signature_2048_sha256_test.json",
    "rsa_signature_2048_sha512_test.json",
    "rsa_signature_3072_sha512_test.json",
    "rsa_pkcs1_2048_sig_gen_test.json",
    "rsa_pkcs1_3072_sig_gen_test.json",
    "rsa_pkcs1_4096_sig_gen_test.json",
]
SSH_HASHES = {"SHA-1", "SHA-256", "SHA-512"}
HEADER_KEYS = ["algorithm", "schema", "numberOfTests", "header", "notes"]
TEST_KEYS = ["tcId", "comment", "flags", "msg", "sig", "result"]


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout.strip()


def hexint(v: int) -> str:
    h = format(v, "x")
    return h if len(h) % 2 == 0 else "0" + h


def ecdsa_group(g: dict) -> dict:
    key = serialization.load_der_public_key(bytes.fromhex(g["publicKeyDer"]))
    assert isinstance(key, ec.EllipticCurvePublicKey)
    point = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert point.hex() == g["publicKey"]["uncompressed"]
    return {"curve": g["publicKey"]["curve"], "uncompressed": g["publicKey"]["uncompressed"], "sha": g["sha"]}


def rsa_verify_group(g: dict) -> dict:
    key = serialization.load_der_public_key(bytes.fromhex(g["publicKeyDer"]))
    assert isinstance(key, rsa.RSAPublicKey)
    nums = key.public_numbers()
    assert nums.n == int(g["publicKey"]["modulus"], 16) and nums.e == int(g["publicKey"]["publicExponent"], 16)
    return {"keySize": g["keySize"], "n": hexint(nums.n), "e": hexint(nums.e), "sha": g["sha"]}


def rsa_private_group(g: dict) -> dict:
    key = serialization.load_der_private_key(bytes.fromhex(g["privateKeyPkcs8"]), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    p = key.private_numbers()
    assert p.public_numbers.n == int(g["privateKey"]["modulus"], 16)
    assert p.d == int(g["privateKey"]["privateExponent"], 16)
    return {
        "keySize": g["keySize"], "sha": g["sha"],
        "n": hexint(p.public_numbers.n), "e": hexint(p.public_numbers.e), "d": hexint(p.d),
        "p": hexint(p.p), "q": hexint(p.q), "dp": hexint(p.dmp1), "dq": hexint(p.dmq1), "qinv": hexint(p.iqmp),
    }


def main() -> None:
    repo = sys.argv[1]
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wycheproof")
    os.makedirs(out_dir, exist_ok=True)
    commit = git(repo, "rev-parse", "HEAD")
    for name in FILES:
        path = f"testvectors_v1/{name}"
        blob = git(repo, "rev-parse", f"HEAD:{path}")
        src = json.loads(git(repo, "show", f"HEAD:{path}"))
        if src["schema"].startswith("ecdsa"):
            convert = ecdsa_group
        elif src["schema"].startswith("rsassa_pkcs1_verify"):
            convert = rsa_verify_group
        else:
            convert = rsa_private_group
        groups = []
        for g in src["testGroups"]:
            if convert is rsa_private_group and g["sha"] not in SSH_HASHES:
                continue
            groups.append({**convert(g), "tests": [{k: t[k] for k in TEST_KEYS} for t in g["tests"]]})
        doc = {
            "provenance": {
                "source": f"C2SP/wycheproof {path}",
                "commit": commit,
                "gitBlob": blob,
                "licence": "Apache-2.0 (Wycheproof); this compact copy drops only redundant key encodings",
                "generatedBy": "test-vectors/crypto/tools/wycheproof_compact.py",
                "checkedWith": f"Python cryptography {cryptography.__version__} (keys re-derived from DER/PKCS#8)",
            },
            **{k: src[k] for k in HEADER_KEYS if k in src},
            "testGroups": groups,
        }
        if convert is rsa_private_group:
            doc["keptGroups"] = "SHA-1, SHA-256 and SHA-512 groups only (the hashes SSH uses)"
        out = os.path.join(out_dir, name.replace("_test.json", ".json"))
        with open(out, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
        print(f"{out}: {sum(len(g['tests']) for g in groups)} tests in {len(groups)} groups", file=sys.stderr)


if __name__ == "__main__":
    main()
