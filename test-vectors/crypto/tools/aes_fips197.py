#!/usr/bin/env python3
"""Known-answer vectors for the AES block cipher (encryption only, as GCM needs).

- FIPS 197 Appendix B (the cipher example) and Appendix C.1-C.3 (example vectors for 128-, 192-
  and 256-bit keys), typed from FIPS 197 (2001).
- NIST SP 800-38A Appendix F.1.1, F.1.3 and F.1.5 (ECB-AES128/192/256.Encrypt, four blocks each),
  typed from SP 800-38A (2001); the same values appear in OpenSSL
  test/recipes/30-test_evp_data/evpciph_aes_common.txt.

Every ciphertext is recomputed with the `cryptography` package (OpenSSL AES-ECB) before it is
written; a typo in this file therefore stops the script instead of producing a bad vector.

Usage: python3 aes_fips197.py > ../aes-fips197.json
"""
import json
import sys

import cryptography
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SP800_38A_PLAINTEXT = [
    "6bc1bee22e409f96e93d7e117393172a",
    "ae2d8a571e03ac9c9eb76fac45af8e51",
    "30c81c46a35ce411e5fbc1191a0a52ef",
    "f69f2445df4f9b17ad2b417be66c3710",
]

CASES = [
    ("FIPS 197 Appendix B (cipher example)", "2b7e151628aed2a6abf7158809cf4f3c",
     ["3243f6a8885a308d313198a2e0370734"], ["3925841d02dc09fbdc118597196a0b32"]),
    ("FIPS 197 Appendix C.1 (AES-128)", "000102030405060708090a0b0c0d0e0f",
     ["00112233445566778899aabbccddeeff"], ["69c4e0d86a7b0430d8cdb78070b4c55a"]),
    ("FIPS 197 Appendix C.2 (AES-192)", "000102030405060708090a0b0c0d0e0f1011121314151617",
     ["00112233445566778899aabbccddeeff"], ["dda97ca4864cdfe06eaf70a0ec0d7191"]),
    ("FIPS 197 Appendix C.3 (AES-256)", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     ["00112233445566778899aabbccddeeff"], ["8ea2b7ca516745bfeafc49904b496089"]),
    ("SP 800-38A F.1.1 ECB-AES128.Encrypt", "2b7e151628aed2a6abf7158809cf4f3c", SP800_38A_PLAINTEXT,
     ["3ad77bb40d7a3660a89ecaf32466ef97", "f5d3d58503b9699de785895a96fdbaaf",
      "43b1cd7f598ece23881b00e3ed030688", "7b0c785e27e8ad3f8223207104725dd4"]),
    ("SP 800-38A F.1.3 ECB-AES192.Encrypt", "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
     SP800_38A_PLAINTEXT,
     ["bd334f1d6e45f25ff712a214571fa5cc", "974104846d0ad3ad7734ecb3ecee4eef",
      "ef7afd2270e2e60adce0ba2face6444e", "9a4b41ba738d6c72fb16691603c18e0e"]),
    ("SP 800-38A F.1.5 ECB-AES256.Encrypt", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     SP800_38A_PLAINTEXT,
     ["f3eed1bdb5d2a03c064b5a7e3db181f8", "591ccb10d410ed26dc5ba74a31362870",
      "b6ed21b99ca6f4f9f153e7b1beafed1d", "23304b7a39f9f3ff067d8d8f9e24ecc7"]),
]


def ecb_encrypt(key: bytes, block: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def main() -> None:
    vectors = []
    for name, key, plaintexts, ciphertexts in CASES:
        for i, (pt, ct) in enumerate(zip(plaintexts, ciphertexts, strict=True)):
            got = ecb_encrypt(bytes.fromhex(key), bytes.fromhex(pt)).hex()
            if got != ct:
                raise SystemExit(f"{name} block {i}: typed {ct}, OpenSSL says {got}")
            label = name if len(plaintexts) == 1 else f"{name} block {i + 1}"
            vectors.append({"name": label, "key": key, "plaintext": pt, "ciphertext": ct})
    doc = {
        "description": "AES block encryption (FIPS 197) for 128-, 192- and 256-bit keys",
        "provenance": {
            "fips197": "FIPS 197 (2001) Appendix B and Appendix C.1-C.3, typed from the standard (US-Government work)",
            "sp800_38a": "NIST SP 800-38A (2001) Appendix F.1.1, F.1.3, F.1.5 (ECB encrypt), typed from the "
                         "publication (US-Government work)",
            "generatedBy": "test-vectors/crypto/tools/aes_fips197.py",
            "implementation": f"every ciphertext re-checked with Python `cryptography` {cryptography.__version__} "
                              "AES-ECB (OpenSSL)",
            "licence": "US-Government work (NIST); the file layout is this project's (MIT)",
        },
        "notes": ["one 16-byte block per vector: ciphertext = AES-Encrypt(key, plaintext)"],
        "vectors": vectors,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
