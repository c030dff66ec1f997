#!/usr/bin/env python3
"""Known-answer vectors for DES (FIPS 46-3) and three-key TDEA (NIST SP 800-67), the block cipher
of 3des-cbc (RFC 4253 §6.3).

- NIST SP 800-20 (1999), "Modes of Operation Validation System for the Triple Data Encryption
  Algorithm", Appendix A: Table A.1 variable plaintext (64), Table A.2 inverse permutation (the
  same pairs decrypted), Table A.3 variable key (56), Table A.4 permutation operation (32) and
  Table A.5 substitution table (19) known-answer tests, with K1 = K2 = K3 so TDEA is single DES.
  They are the same values as NIST CAVP's TECBvartext / TECBinvperm / TECBvarkey / TECBpermop /
  TECBsubtab files. Typed from the publication's tables; the transcription was compared with the
  copies in public test suites (phpseclib tests/Unit/Crypt/TripleDESTest.php for Table A.1, a
  Java DES test suite for Tables A.3-A.5) and, above all, every value is re-checked with OpenSSL.
- The textbook example of FIPS 46 worked by hand (key 133457799bbcdff1, plaintext
  0123456789abcdef → 85e813540f0ab405; J. O. Grabbe, "The DES Algorithm Illustrated").
- Two three-key TDEA CBC vectors (distinct K1, K2, K3) from NIST CAVP TCBCMMT3.rsp, as copied in
  phpseclib's TripleDESTest.php (engineIVVectors).
- Cross-checks computed here: three-key TDEA ECB and CBC under keys, IVs and data that are
  SHAKE-256 outputs of a label.

Every ciphertext is recomputed with the `cryptography` package (OpenSSL des-ede3, reached through
cryptography.hazmat.decrepit) before it is written; a typo stops the script.

Usage: python3 des_nist.py > ../des-tdea-nist.json
"""
import hashlib
import json
import sys

import cryptography
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

ONES = "0101010101010101"

# Table A.1: key 0101...01, plaintext = one bit set (bit 1 first), ciphertext below.
TABLE_A1 = """
95f8a5e5dd31d900 dd7f121ca5015619 2e8653104f3834ea 4bd388ff6cd81d4f
20b9e767b2fb1456 55579380d77138ef 6cc5defaaf04512f 0d9f279ba5d87260
d9031b0271bd5a0a 424250b37c3dd951 b8061b7ecd9a21e5 f15d0f286b65bd28
add0cc8d6e5deba1 e6d5f82752ad63d1 ecbfe3bd3f591a5e f356834379d165cd
2b9f982f20037fa9 889de068a16f0be6 e19e275d846a1298 329a8ed523d71aec
e7fce22557d23c97 12a9f5817ff2d65d a484c3ad38dc9c19 fbe00a8a1ef8ad72
750d079407521363 64feed9c724c2faf f02b263b328e2b60 9d64555a9a10b852
d106ff0bed5255d7 e1652c6b138c64a5 e428581186ec8f46 aeb5f5ede22d1a36
e943d7568aec0c5c df98c8276f54b04b b160e4680f6c696f fa0752b07d9c4ab8
ca3a2b036dbc8502 5e0905517bb59bcf 814eeb3b91d90726 4d49db1532919c9f
25eb5fc3f8cf0621 ab6a20c0620d1c6f 79e90dbc98f92cca 866ecedd8072bb0e
8b54536f2f3e64a8 ea51d3975595b86b caffc6ac4542de31 8dd45a2ddf90796c
1029d55e880ec2d0 5d86cb23639dbea9 1d1ca853ae7c0c5f ce332329248f3228
8405d1abe24fb942 e643d78090ca4207 48221b9937748a23 dd7c0bbd61fafd54
2fbc291a570db5c4 e07c30d7e4e26e12 0953e2258e8e90a1 5b711bc4ceebf2ee
cc083f1e6d9e85f6 d2fd8867d50d2dfe 06e7ea22ce92708f 166b40b44aba4bd6
""".split()

# Table A.3: plaintext 0, key = 0101...01 with one of the 56 key bits set (parity bits skipped).
TABLE_A3 = """
95a8d72813daa94d 0eec1487dd8c26d5 7ad16ffb79c45926 d3746294ca6a6cf3
809f5f873c1fd761 c02faffec989d1fc 4615aa1d33e72f10 2055123350c00858
df3b99d6577397c8 31fe17369b5288c9 dfdd3cc64dae1642 178c83ce2b399d94
50f636324a9b7f80 a8468ee3bc18f06d a2dc9e92fd3cde92 cac09f797d031287
90ba680b22aeb525 ce7a24f350e280b6 882bff0aa01a0b87 25610288924511c2
c71516c29c75d170 5199c29a52c9f059 c22f0a294a71f29f ee371483714c02ea
a81fbd448f9e522f 4f644c92e192dfed 1afa9a66a6df92ae b3c1cc715cb879d8
19d032e64ab0bd8b 3cfaa7a7dc8720dc b7265f7f447ac6f3 9db73b3c0d163f54
8181b65babf4a975 93c9b64042eaa240 5570530829705592 8638809e878787a0
41b9a79af79ac208 7a9be42f2009a892 29038d56ba6d2745 5495c6abf1e5df51
ae13dbd561488933 024d1ffa8904e389 d1399712f99bf02e 14c1d7c1cffec79e
1de5279dae3bed6f e941a33f85501303 da99dbbc9a03f379 b7fc92f91d8e92e9
ae8e5caa3ca04e85 9cc62df43b6eed74 d863dbb5c59a91a0 a1ab2190545b91d7
0875041e64c570f7 5a594528bebef1cc fcdb3291de21f0c0 869efd7f9f265a09
""".split()

# Table A.4: plaintext 0; (key, ciphertext).
TABLE_A4 = [
    ("1046913489980131", "88d55e54f54c97b4"), ("1007103489988020", "0c0cc00c83ea48fd"),
    ("10071034c8980120", "83bc8ef3a6570183"), ("1046103489988020", "df725dcad94ea2e9"),
    ("1086911519190101", "e652b53b550be8b0"), ("1086911519580101", "af527120c485cbb0"),
    ("5107b01519580101", "0f04ce393db926d5"), ("1007b01519190101", "c9f00ffc74079067"),
    ("3107915498080101", "7cfd82a593252b4e"), ("3107919498080101", "cb49a2f9e91363e3"),
    ("10079115b9080140", "00b588be70d23f56"), ("3107911598080140", "406a9a6ab43399ae"),
    ("1007d01589980101", "6cb773611dca9ada"), ("9107911589980101", "67fd21c17dbb5d70"),
    ("9107d01589190101", "9592cb4110430787"), ("1007d01598980120", "a6b7ff68a318ddd3"),
    ("1007940498190101", "4d102196c914ca16"), ("0107910491190401", "2dfa9f4573594965"),
    ("0107910491190101", "b46604816c0e0774"), ("0107940491190401", "6e7e6221a4f34e87"),
    ("19079210981a0101", "aa85e74643233199"), ("1007911998190801", "2e5a19db4d1962d6"),
    ("10079119981a0801", "23a866a809d30894"), ("1007921098190101", "d812d961f017d320"),
    ("100791159819010b", "055605816e58608f"), ("1004801598190101", "abd88e8b1b7716f1"),
    ("1004801598190102", "537ac95be69da1e1"), ("1004801598190108", "aed0f6ae3c25cdd8"),
    ("1002911598100104", "b3e35a5ee53e7b8d"), ("1002911598190104", "61c79c71921a2ef8"),
    ("1002911598100201", "e2f5728f0995013c"), ("1002911698100101", "1aeac39a61f0a464"),
]

# Table A.5: (key, plaintext, ciphertext).
TABLE_A5 = [
    ("7ca110454a1a6e57", "01a1d6d039776742", "690f5b0d9a26939b"),
    ("0131d9619dc1376e", "5cd54ca83def57da", "7a389d10354bd271"),
    ("07a1133e4a0b2686", "0248d43806f67172", "868ebb51cab4599a"),
    ("3849674c2602319e", "51454b582ddf440a", "7178876e01f19b2a"),
    ("04b915ba43feb5b6", "42fd443059577fa2", "af37fb421f8c4095"),
    ("0113b970fd34f2ce", "059b5e0851cf143a", "86a560f10ec6d85b"),
    ("0170f175468fb5e6", "0756d8e0774761d2", "0cd3da020021dc09"),
    ("43297fad38e373fe", "762514b829bf486a", "ea676b2cb7db2b7a"),
    ("07a7137045da2a16", "3bdd119049372802", "dfd64a815caf1a0f"),
    ("04689104c2fd3b2f", "26955f6835af609a", "5c513c9c4886c088"),
    ("37d06bb516cb7546", "164d5e404f275232", "0a2aeeae3ff4ab77"),
    ("1f08260d1ac2465e", "6b056e18759f5cca", "ef1bf03e5dfa575a"),
    ("584023641aba6176", "004bd6ef09176062", "88bf0db6d70dee56"),
    ("025816164629b007", "480d39006ee762f2", "a1f9915541020b56"),
    ("49793ebc79b3258f", "437540c8698f3cfa", "6fbf1cafcffd0556"),
    ("4fb05e1515ab73a7", "072d43a077075292", "2f22e49bab7ca1ac"),
    ("49e95d6d4ca229bf", "02fe55778117f12a", "5a6b612cc26cce4a"),
    ("018310dc409b26d6", "1d9d5c5018f728c2", "5f4c038ed12b2e41"),
    ("1c587f1c13924fef", "305532286d6f295a", "63fac0d034d9f793"),
]

# NIST CAVP TCBCMMT3.rsp (three distinct keys, CBC): (key, iv, plaintext, ciphertext).
TCBC_MMT3 = [
    ("627f460e08104a1043cd265d5840eaf1313edf97df2a8a8c", "8e29f75ea77e5475", "326a494cd33fe756",
     "b22b8d66de970692"),
    ("37ae5ebf46dff2dc0754b94f31cbb3855e7fd36dc870bfae", "3d1de3cc132e3b65",
     "84401f78fe6c10876d8ea23094ea5309", "7b1f7c7e3b1c948ebd04a75ffba7d2f5"),
]


def tdea(key: bytes, mode, data: bytes, encrypt: bool = True) -> bytes:
    c = Cipher(TripleDES(key), mode)
    ctx = c.encryptor() if encrypt else c.decryptor()
    return ctx.update(data) + ctx.finalize()


def single(name: str, key: str, plaintext: str, ciphertext: str) -> dict:
    k = bytes.fromhex(key)
    got = tdea(k * 3, modes.ECB(), bytes.fromhex(plaintext)).hex()
    if got != ciphertext:
        raise SystemExit(f"{name}: typed {ciphertext}, OpenSSL says {got}")
    return {"name": name, "key": key, "plaintext": plaintext, "ciphertext": ciphertext}


def one_bit(i: int) -> str:
    return (1 << (63 - i)).to_bytes(8, "big").hex()


def main() -> None:
    des = [single("FIPS 46 worked example (Grabbe)", "133457799bbcdff1", "0123456789abcdef", "85e813540f0ab405")]
    if len(TABLE_A1) != 64 or len(TABLE_A3) != 56:
        raise SystemExit("Table A.1 needs 64 rows and Table A.3 56")
    for i, ct in enumerate(TABLE_A1):
        des.append(single(f"SP 800-20 Table A.1 round {i}", ONES, one_bit(i), ct))
    key_bits = [i for i in range(64) if i % 8 != 7]  # every eighth bit is parity
    for row, i in enumerate(key_bits):
        key = (int(ONES, 16) | (1 << (63 - i))).to_bytes(8, "big").hex()
        des.append(single(f"SP 800-20 Table A.3 round {row}", key, "0000000000000000", TABLE_A3[row]))
    for row, (key, ct) in enumerate(TABLE_A4):
        des.append(single(f"SP 800-20 Table A.4 round {row}", key, "0000000000000000", ct))
    for row, (key, pt, ct) in enumerate(TABLE_A5):
        des.append(single(f"SP 800-20 Table A.5 round {row}", key, pt, ct))

    tdea_vectors = []
    for n, (key, iv, pt, ct) in enumerate(TCBC_MMT3):
        got = tdea(bytes.fromhex(key), modes.CBC(bytes.fromhex(iv)), bytes.fromhex(pt)).hex()
        if got != ct:
            raise SystemExit(f"TCBCMMT3 #{n}: typed {ct}, OpenSSL says {got}")
        tdea_vectors.append({"name": f"NIST CAVP TCBCMMT3 encrypt #{n}", "mode": "cbc", "key": key, "iv": iv,
                             "plaintext": pt, "ciphertext": ct})
    for n in range(4):
        key = hashlib.shake_256(f"purssh 3des key {n}".encode()).digest(24)
        iv = hashlib.shake_256(f"purssh 3des iv {n}".encode()).digest(8)
        data = hashlib.shake_256(f"purssh 3des data {n}".encode()).digest(8 * (n + 1) * 3)
        for mode_name, mode in (("ecb", modes.ECB()), ("cbc", modes.CBC(iv))):
            ct = tdea(key, mode, data)
            if tdea(key, mode, ct, encrypt=False) != data:
                raise SystemExit("OpenSSL does not invert its own TDEA")
            tdea_vectors.append({"name": f"three-key TDEA {mode_name.upper()} cross-check #{n}", "mode": mode_name,
                                 "key": key.hex(), "iv": iv.hex() if mode_name == "cbc" else "",
                                 "plaintext": data.hex(), "ciphertext": ct.hex()})

    doc = {
        "description": "DES (FIPS 46-3) and three-key TDEA EDE (SP 800-67) known answers",
        "provenance": {
            "sp800_20": "NIST SP 800-20 (1999) Appendix A Tables A.1, A.3, A.4, A.5 (= CAVP TECBvartext, "
                        "TECBvarkey, TECBpermop, TECBsubtab), typed from the tables (US-Government work); Table A.2 "
                        "(inverse permutation) is Table A.1 decrypted",
            "fips46Example": "key 133457799bbcdff1, plaintext 0123456789abcdef: the FIPS 46 example worked in "
                             "J. O. Grabbe, The DES Algorithm Illustrated",
            "tcbcmmt3": "NIST CAVP TCBCMMT3.rsp (three-key TDEA CBC), as copied in phpseclib "
                        "tests/Unit/Crypt/TripleDESTest.php (MIT)",
            "crossChecks": "three-key TDEA ECB/CBC computed by this script; keys, IVs and data are SHAKE-256 outputs "
                           "of a label",
            "generatedBy": "test-vectors/crypto/tools/des_nist.py",
            "implementation": f"every ciphertext re-checked with Python `cryptography` {cryptography.__version__} "
                              "TripleDES (OpenSSL des-ede3)",
            "licence": "US-Government work (NIST); the cross-checks and the layout are this project's (MIT)",
        },
        "notes": [
            "des: single DES, 8-byte key with parity bits; ciphertext = DES-Encrypt(key, plaintext)",
            "tdea: key = K1 || K2 || K3 (24 bytes), EDE: C = E_K3(D_K2(E_K1(P))); cbc chains over the whole "
            "TDEA block (outer CBC, as 3des-cbc in RFC 4253 §6.3); iv is empty for ecb",
        ],
        "des": des,
        "tdea": tdea_vectors,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
