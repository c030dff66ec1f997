#!/usr/bin/env python3
"""Known-answer vectors for AES-CBC and AES-CTR (the modes of aes*-cbc, RFC 4253 §6.3, and
aes*-ctr, RFC 4344 §4).

- NIST SP 800-38A (2001) Appendix F.2.1-F.2.6 (CBC-AES128/192/256 encrypt and decrypt) and
  F.5.1-F.5.6 (CTR-AES128/192/256 encrypt and decrypt), four blocks each, typed from the
  publication. The decrypt vectors F.2.2/F.2.4/F.2.6 and F.5.2/F.5.4/F.5.6 are the encrypt ones
  with plaintext and ciphertext exchanged.
- CTR counter carries: RFC 4344 §4 makes the whole 128-bit block one big-endian counter
  (incremented modulo 2^128), so the script adds streams whose counter carries out of the low
  32-bit word, out of the low 64 bits, and wraps at 2^128. SP 800-38A only increments the low
  bits, so these are computed, twice: with `cryptography` AES-CTR (OpenSSL increments all 128
  bits) and from AES-ECB of counter blocks built by this script; the two must agree.

Every typed ciphertext is recomputed with the `cryptography` package (OpenSSL) before it is written.

Usage: python3 aes_modes_sp800_38a.py > ../aes-cbc-ctr-sp800-38a.json
"""
import hashlib
import json
import sys

import cryptography
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PLAINTEXT = [
    "6bc1bee22e409f96e93d7e117393172a",
    "ae2d8a571e03ac9c9eb76fac45af8e51",
    "30c81c46a35ce411e5fbc1191a0a52ef",
    "f69f2445df4f9b17ad2b417be66c3710",
]
KEYS = {
    128: "2b7e151628aed2a6abf7158809cf4f3c",
    192: "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
    256: "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
}
CBC_IV = "000102030405060708090a0b0c0d0e0f"
CTR_COUNTER = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"

# (section of the encrypt vector, bits, ciphertext blocks)
CBC = [
    ("F.2.1", 128, ["7649abac8119b246cee98e9b12e9197d", "5086cb9b507219ee95db113a917678b2",
                    "73bed6b8e3c1743b7116e69e22229516", "3ff1caa1681fac09120eca307586e1a7"]),
    ("F.2.3", 192, ["4f021db243bc633d7178183a9fa071e8", "b4d9ada9ad7dedf4e5e738763f69145a",
                    "571b242012fb7ae07fa9baac3df102e0", "08b0e27988598881d920a9e64f5615cd"]),
    ("F.2.5", 256, ["f58c4c04d6e5f1ba779eabfb5f7bfbd6", "9cfc4e967edb808d679f777bc6702c7d",
                    "39f23369a9d9bacfa530e26304231461", "b2eb05e2c39be9fcda6c19078c6a9d1b"]),
]
CTR = [
    ("F.5.1", 128, ["874d6191b620e3261bef6864990db6ce", "9806f66b7970fdff8617187bb9fffdff",
                    "5ae4df3edbd5d35e5b4f09020db03eab", "1e031dda2fbe03d1792170a0f3009cee"]),
    ("F.5.3", 192, ["1abc932417521ca24f2b0459fe7e6e0b", "090339ec0aa6faefd5ccc2c6f4ce8e94",
                    "1e36b26bd1ebc670d1bd1d665620abf7", "4f78a7f6d29809585a97daec58c6b050"]),
    ("F.5.5", 256, ["601ec313775789a5b7a7f504bbf3d228", "f443e3ca4d62b59aca84e990cacaf5c5",
                    "2b0930daa23de94ce87017ba2d84988d", "dfc9c58db67aada613c2dd08457941a6"]),
]


def openssl(mode, key: bytes, data: bytes, encrypt: bool) -> bytes:
    c = Cipher(algorithms.AES(key), mode)
    ctx = c.encryptor() if encrypt else c.decryptor()
    return ctx.update(data) + ctx.finalize()


def ctr_by_hand(key: bytes, counter: bytes, data: bytes) -> bytes:
    """RFC 4344 §4 from AES-ECB: key stream block i = E(K, (counter + i) mod 2^128)."""
    ecb = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    n = int.from_bytes(counter, "big")
    out = bytearray()
    for i in range(0, len(data), 16):
        ks = ecb.update(((n + i // 16) % 2**128).to_bytes(16, "big"))
        out += bytes(a ^ b for a, b in zip(data[i:i + 16], ks))
    return bytes(out)


def main() -> None:
    vectors = []
    plaintext = bytes.fromhex("".join(PLAINTEXT))
    for mode_name, table, iv in (("cbc", CBC, CBC_IV), ("ctr", CTR, CTR_COUNTER)):
        for section, bits, blocks in table:
            key = bytes.fromhex(KEYS[bits])
            ciphertext = bytes.fromhex("".join(blocks))
            mode = modes.CBC(bytes.fromhex(iv)) if mode_name == "cbc" else modes.CTR(bytes.fromhex(iv))
            if openssl(mode, key, plaintext, True) != ciphertext:
                raise SystemExit(f"SP 800-38A {section}: typed ciphertext differs from OpenSSL")
            if openssl(mode, key, ciphertext, False) != plaintext:
                raise SystemExit(f"SP 800-38A {section}: OpenSSL does not decrypt the typed ciphertext")
            if mode_name == "ctr" and ctr_by_hand(key, bytes.fromhex(iv), plaintext) != ciphertext:
                raise SystemExit(f"SP 800-38A {section}: the by-hand counter disagrees")
            decrypt_section = section[:-1] + str(int(section[-1]) + 1)
            vectors.append({"name": f"SP 800-38A {section} {mode_name.upper()}-AES{bits}.Encrypt / {decrypt_section} "
                                    f"{mode_name.upper()}-AES{bits}.Decrypt",
                            "mode": mode_name, "key": KEYS[bits], "iv": iv,
                            "plaintext": plaintext.hex(), "ciphertext": ciphertext.hex()})

    carries = [
        ("counter carries out of the low 32-bit word", "000102030405060708090a0bfffffffe", 5),
        ("counter carries out of the low 64 bits", "0001020304050607fffffffffffffffd", 6),
        ("counter wraps at 2^128", "fffffffffffffffffffffffffffffffe", 5),
    ]
    for bits in (128, 256):
        key = hashlib.shake_256(f"purssh aes{bits}-ctr carry key".encode()).digest(bits // 8)
        for what, counter, nblocks in carries:
            data = hashlib.shake_256(f"purssh aes-ctr carry {what}".encode()).digest(16 * nblocks)
            ct = openssl(modes.CTR(bytes.fromhex(counter)), key, data, True)
            if ct != ctr_by_hand(key, bytes.fromhex(counter), data):
                raise SystemExit(f"{what}: OpenSSL's counter disagrees with RFC 4344 §4")
            vectors.append({"name": f"AES{bits}-CTR: {what}", "mode": "ctr", "key": key.hex(), "iv": counter,
                            "plaintext": data.hex(), "ciphertext": ct.hex()})

    doc = {
        "description": "AES-CBC and AES-CTR known answers (NIST SP 800-38A F.2 and F.5) plus 128-bit counter carries",
        "provenance": {
            "sp800_38a": "NIST SP 800-38A (2001) Appendix F.2.1-F.2.6 and F.5.1-F.5.6, typed from the publication "
                         "(US-Government work)",
            "carries": "computed by this script with Python `cryptography` AES-CTR and re-derived from AES-ECB "
                       "counter blocks (RFC 4344 §4); keys and data are SHAKE-256 outputs of a label",
            "generatedBy": "test-vectors/crypto/tools/aes_modes_sp800_38a.py",
            "implementation": f"every ciphertext re-checked with Python `cryptography` {cryptography.__version__} "
                              "(OpenSSL)",
            "licence": "US-Government work (NIST); the carry vectors and the layout are this project's (MIT)",
        },
        "notes": [
            "mode cbc: iv is the CBC initialisation vector; mode ctr: iv is the initial 128-bit counter block",
            "each vector is one call over all its blocks; the chaining value / counter carries from block to block",
        ],
        "vectors": vectors,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
