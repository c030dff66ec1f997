#!/usr/bin/env python3
"""Known-answer vectors for AES-GCM: test cases 1-18 of the GCM specification.

Source: D. McGrew and J. Viega, "The Galois/Counter Mode of Operation (GCM)", revised 2005,
Appendix B (the same cases NIST publishes with SP 800-38D): AES-128 (1-6), AES-192 (7-12) and
AES-256 (13-18); 96-bit IVs except cases 5, 11, 17 (64-bit) and 6, 12, 18 (480-bit); 20 bytes of
additional data in cases 4-6, 10-12, 16-18. Key, IV, A, P and the published H, Y0 (J0), GHASH(H, A,
C), C and T are copied here from a public transcription of that appendix.

The script re-derives every published value before writing it: C and T with the `cryptography`
package (OpenSSL AES-GCM), H with AES-ECB, and J0 and GHASH with a bitwise GF(2^128) multiplication
written here from SP 800-38D §6.3 Algorithm 1; a typo stops the script.

Usage: python3 gcm_spec.py > ../aes-gcm-spec.json
"""
import json
import sys

import cryptography
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

K1 = "feffe9928665731c6d6a8f9467308308"
P = ("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255")
P60 = P[:120]
A = "feedfacedeadbeeffeedfacedeadbeefabaddad2"
IV96 = "cafebabefacedbaddecaf888"
IV64 = "cafebabefacedbad"
IV480 = ("9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728"
         "c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b")
Z12 = "00" * 12

# n, key, iv, aad, plaintext, H, Y0, GHASH(H, A, C), C, T
CASES = [
    (1, "00" * 16, Z12, "", "", "66e94bd4ef8a2c3b884cfa59ca342b2e", "00" * 15 + "01", "00" * 16, "",
     "58e2fccefa7e3061367f1d57a4e7455a"),
    (2, "00" * 16, Z12, "", "00" * 16, "66e94bd4ef8a2c3b884cfa59ca342b2e", "00" * 15 + "01",
     "f38cbb1ad69223dcc3457ae5b6b0f885", "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"),
    (3, K1, IV96, "", P, "b83b533708bf535d0aa6e52980d53b78", IV96 + "00000001", "7f1b32b81b820d02614f8895ac1d4eac",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985", "4d5c2af327cd64a62cf35abd2ba6fab4"),
    (4, K1, IV96, A, P60, "b83b533708bf535d0aa6e52980d53b78", IV96 + "00000001", "698e57f70e6ecc7fd9463b7260a9ae5f",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", "5bc94fbc3221a5db94fae95ae7121a47"),
    (5, K1, IV64, A, P60, "b83b533708bf535d0aa6e52980d53b78", "c43a83c4c4badec4354ca984db252f7d",
     "df586bb4c249b92cb6922877e444d37b",
     "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c7423"
     "73806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598", "3612d2e79e3b0785561be14aaca2fccb"),
    (6, K1, IV480, A, P60, "b83b533708bf535d0aa6e52980d53b78", "3bab75780a31c059f83d2a44752f9864",
     "1c5afe9760d3932f3c9a878aac3dc3de",
     "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca7"
     "01e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5", "619cc5aefffe0bfa462af43c1699d050"),
    (7, "00" * 24, Z12, "", "", "aae06992acbf52a3e8f4a96ec9300bd7", "00" * 15 + "01", "00" * 16, "",
     "cd33b28ac773f74ba00ed1f312572435"),
    (8, "00" * 24, Z12, "", "00" * 16, "aae06992acbf52a3e8f4a96ec9300bd7", "00" * 15 + "01",
     "e2c63f0ac44ad0e02efa05ab6743d4ce", "98e7247c07f0fe411c267e4384b0f600", "2ff58d80033927ab8ef4d4587514f0fb"),
    (9, K1 + K1[:16], IV96, "", P, "466923ec9ae682214f2c082badb39249", IV96 + "00000001",
     "51110d40f6c8fff0eb1ae33445a889f0",
     "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
     "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256", "9924a7c8587336bfb118024db8674a14"),
    (10, K1 + K1[:16], IV96, A, P60, "466923ec9ae682214f2c082badb39249", IV96 + "00000001",
     "ed2ce3062e4a8ec06db8b4c490e8a268",
     "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
     "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710", "2519498e80f1478f37ba55bd6d27618c"),
    (11, K1 + K1[:16], IV64, A, P60, "466923ec9ae682214f2c082badb39249", "a14378078d27258a6292737e1802ada5",
     "1e6a133806607858ee80eaf237064089",
     "0f10f599ae14a154ed24b36e25324db8c566632ef2bbb34f8347280fc4507057"
     "fddc29df9a471f75c66541d4d4dad1c9e93a19a58e8b473fa0f062f7", "65dcc57fcf623a24094fcca40d3533f8"),
    (12, K1 + K1[:16], IV480, A, P60, "466923ec9ae682214f2c082badb39249", "4505cdc367a054c5002820e96aebef27",
     "82567fb0b4cc371801eadec005968e94",
     "d27e88681ce3243c4830165a8fdcf9ff1de9a1d8e6b447ef6ef7b79828666e45"
     "81e79012af34ddd9e2f037589b292db3e67c036745fa22e7e9b7373b", "dcf566ff291c25bbb8568fc3d376a6d9"),
    (13, "00" * 32, Z12, "", "", "dc95c078a2408989ad48a21492842087", "00" * 15 + "01", "00" * 16, "",
     "530f8afbc74536b9a963b4f1c4cb738b"),
    (14, "00" * 32, Z12, "", "00" * 16, "dc95c078a2408989ad48a21492842087", "00" * 15 + "01",
     "83de425c5edc5d498f382c441041ca92", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"),
    (15, K1 + K1, IV96, "", P, "acbef20579b4b8ebce889bac8732dad7", IV96 + "00000001",
     "4db870d37cb75fcb46097c36230d1612",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad", "b094dac5d93471bdec1a502270e3cc6c"),
    (16, K1 + K1, IV96, A, P60, "acbef20579b4b8ebce889bac8732dad7", IV96 + "00000001",
     "8bd0c4d8aacd391e67cca447e8c38f65",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662", "76fc6ece0f4e1768cddf8853bb2d551b"),
    (17, K1 + K1, IV64, A, P60, "acbef20579b4b8ebce889bac8732dad7", "0095df49dd90abe3e4d252475748f5d4",
     "75a34288b8c68f811c52b2e9a2f97f63",
     "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0"
     "feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f", "3a337dbf46a792c45e454913fe2ea8f2"),
    (18, K1 + K1, IV480, A, P60, "acbef20579b4b8ebce889bac8732dad7", "0cd953e2140a5976079f8e2406bc8eb4",
     "d5ffcf6fc5ac4d69722187421a7f170b",
     "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf4"
     "0fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f", "a44a8266ee1c8eb0c8b5d4cf5ae9f19a"),
]

R = 0xE1 << 120


def gf_mult(x: int, y: int) -> int:
    """SP 800-38D §6.3 Algorithm 1; blocks as 128-bit integers, bit 0 of the spec = the MSB."""
    z, v = 0, y
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ R if v & 1 else v >> 1
    return z


def ghash(h: bytes, data: bytes) -> bytes:
    """SP 800-38D §6.4 over data whose length is a multiple of 16."""
    assert len(data) % 16 == 0
    hi, y = int.from_bytes(h, "big"), 0
    for i in range(0, len(data), 16):
        y = gf_mult(y ^ int.from_bytes(data[i:i + 16], "big"), hi)
    return y.to_bytes(16, "big")


def pad16(b: bytes) -> bytes:
    return b + bytes(-len(b) % 16)


def lengths(a: int, b: int) -> bytes:
    return (8 * a).to_bytes(8, "big") + (8 * b).to_bytes(8, "big")


def ecb(key: bytes, block: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def check(n: int, what: str, typed: str, derived: bytes) -> None:
    if typed != derived.hex():
        raise SystemExit(f"test case {n} {what}: typed {typed}, derived {derived.hex()}")


def main() -> None:
    vectors = []
    for n, key, iv, aad, pt, h, j0, gh, ct, tag in CASES:
        k, i, a, p = (bytes.fromhex(x) for x in (key, iv, aad, pt))
        hb = ecb(k, bytes(16))
        check(n, "H", h, hb)
        j0b = i + b"\0\0\0\1" if len(i) == 12 else ghash(hb, pad16(i) + lengths(0, len(i)))
        check(n, "Y0", j0, j0b)
        sealed = AESGCM(k).encrypt(i, p, a)
        check(n, "C", ct, sealed[:-16])
        check(n, "T", tag, sealed[-16:])
        c = sealed[:-16]
        s = ghash(hb, pad16(a) + pad16(c) + lengths(len(a), len(c)))
        check(n, "GHASH(H, A, C)", gh, s)
        check(n, "T = E(K, Y0) xor GHASH", tag, bytes(x ^ y for x, y in zip(ecb(k, j0b), s)))
        vectors.append({"name": f"Test Case {n}", "key": key, "iv": iv, "aad": aad, "plaintext": pt, "h": h,
                        "j0": j0, "ghash": gh, "ciphertext": ct, "tag": tag})
    doc = {
        "description": "AES-GCM (NIST SP 800-38D) test cases 1-18 of the GCM specification",
        "provenance": {
            "source": "D. McGrew, J. Viega, The Galois/Counter Mode of Operation (GCM), revised 2005, Appendix B, "
                      "test cases 1-18, from a public transcription of that appendix, every value re-derived by the script",
            "generatedBy": "test-vectors/crypto/tools/gcm_spec.py",
            "implementation": f"C and T re-checked with Python `cryptography` {cryptography.__version__} AESGCM "
                              "(OpenSSL); H with AES-ECB; J0 and GHASH with a bitwise SP 800-38D Algorithm 1 in "
                              "the script",
            "licence": "test data from the GCM specification (submitted to NIST); file layout by this project (MIT)",
        },
        "notes": [
            "h = E(K, 0^128); j0 = the pre-counter block (the specification's Y0); ghash = GHASH(H, A, C)",
            "ciphertext || tag is the GCM output for (key, iv, aad, plaintext); '' is the empty string",
        ],
        "vectors": vectors,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
