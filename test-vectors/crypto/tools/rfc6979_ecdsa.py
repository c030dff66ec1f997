#!/usr/bin/env python3
"""RFC 6979 Appendix A.2.5-A.2.7 deterministic ECDSA signatures, with their RFC 5656 SSH encodings.

Only the (curve, hash) pairs SSH uses are kept (RFC 5656 §6.2.1: P-256/SHA-256, P-384/SHA-384,
P-521/SHA-512), for both messages of the appendix ("sample" and "test"): 6 signatures. The values
(private key x, public key Ux/Uy, nonce k, r, s) are typed from RFC 6979 and re-checked here with the
`cryptography` package (OpenSSL):
  * U = x·G (the public key follows from the private key),
  * r = (k·G).x mod q and s = k^-1 (H(m) + x·r) mod q (the signature follows from the printed k),
  * OpenSSL verifies (r, s) over the message.
The SSH encodings are built here from RFC 5656 §3.1 / §3.1.2 and RFC 4251 §5 (mpint):
  key blob        string "ecdsa-sha2-<id>" || string "<id>" || string (04 || X || Y)
  signature blob  string "ecdsa-sha2-<id>" || string (mpint r || mpint s)

Usage: python3 rfc6979_ecdsa.py > ../ecdsa-rfc6979.json
"""
import hashlib
import json

import cryptography
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

CURVES = {
    "nistp256": (ec.SECP256R1(), 32, hashlib.sha256, hashes.SHA256(), "A.2.5",
                 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551),
    "nistp384": (ec.SECP384R1(), 48, hashlib.sha384, hashes.SHA384(), "A.2.6",
                 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973),
    "nistp521": (ec.SECP521R1(), 66, hashlib.sha512, hashes.SHA512(), "A.2.7",
                 0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409),
}

KEYS = {
    "nistp256": (
        "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
        "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
        "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299",
    ),
    "nistp384": (
        "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5",
        "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13",
        "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720",
    ),
    "nistp521": (
        "0FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75C"
        "AA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB89EC0C08B0E996B83538",
        "1894550D0785932E00EAA23B694F213F8C3121F86DC97A04E5A7167DB4E5BCD3"
        "71123D46E45DB6B5D5370A7F20FB633155D38FFA16D2BD761DCAC474B9A2F5023A4",
        "0493101C962CD4D2FDDF782285E64584139C2F91B47F87FF82354D6630F746A2"
        "8A0DB25741B5B34A828008B22ACC23F924FAAFBD4D33F81EA66956DFEAA2BFDFCF5",
    ),
}

# (curve, message, k, r, s) for the SSH hash of each curve, typed from RFC 6979 Appendix A.2.
SIGNATURES = [
    ("nistp256", "sample",
     "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60",
     "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
     "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"),
    ("nistp256", "test",
     "D16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0",
     "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
     "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"),
    ("nistp384", "sample",
     "94ED910D1A099DAD3254E9242AE85ABDE4BA15168EAF0CA87A555FD56D10FBCA2907E3E83BA95368623B8C4686915CF9",
     "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46",
     "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8"),
    ("nistp384", "test",
     "015EE46A5BF88773ED9123A5AB0807962D193719503C527B031B4C2D225092ADA71F4A459BC0DA98ADB95837DB8312EA",
     "8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB",
     "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5"),
    ("nistp521", "sample",
     "1DAE2EA071F8110DC26882D4D5EAE0621A3256FC8847FB9022E2B7D28E6F10198B1574FDD03A9053C08A1854A168AA5A5"
     "7470EC97DD5CE090124EF52A2F7ECBFFD3",
     "0C328FAFCBD79DD77850370C46325D987CB525569FB63C5D3BC53950E6D4C5F174E25A1EE9017B5D450606ADD152B5349"
     "31D7D4E8455CC91F9B15BF05EC36E377FA",
     "0617CCE7CF5064806C467F678D3B4080D6F1CC50AF26CA209417308281B68AF282623EAA63E5B5C0723D8B8C37FF0777B"
     "1A20F8CCB1DCCC43997F1EE0E44DA4A67A"),
    ("nistp521", "test",
     "16200813020EC986863BEDFC1B121F605C1215645018AEA1A7B215A564DE9EB1B38A67AA1128B80CE391C4FB71187654A"
     "AA3431027BFC7F395766CA988C964DC56D",
     "13E99020ABF5CEE7525D16B69B229652AB6BDF2AFFCAEF38773B4B7D08725F10CDB93482FDCC54EDCEE91ECA4166B2A7C"
     "6265EF0CE2BD7051B7CEF945BABD47EE6D",
     "1FBD0013C674AA79CB39849527916CE301C66EA7CE8B80682786AD60F98F7E78A19CA69EFF5C57400E3B3A0AD66CE0978"
     "214D13BAF4E9AC60752F7B155E2DE4DCE3"),
]


def ssh_string(b: bytes) -> bytes:
    return len(b).to_bytes(4, "big") + b


def mpint(v: int) -> bytes:
    """RFC 4251 §5 mpint of a non-negative integer: minimal, with a 0x00 byte before a set top bit."""
    if v == 0:
        return ssh_string(b"")
    body = v.to_bytes((v.bit_length() + 7) // 8, "big")
    if body[0] & 0x80:
        body = b"\x00" + body
    return ssh_string(body)


def bits2int(h: bytes, qlen: int) -> int:
    v = int.from_bytes(h, "big")
    blen = len(h) * 8
    return v >> (blen - qlen) if blen > qlen else v


def main() -> None:
    keys = {}
    for name, (curve, size, _h, _ch, section, q) in CURVES.items():
        x_hex, ux_hex, uy_hex = KEYS[name]
        x = int(x_hex, 16)
        priv = ec.derive_private_key(x, curve)
        nums = priv.public_key().public_numbers()
        assert nums.x == int(ux_hex, 16) and nums.y == int(uy_hex, 16), name
        point = b"\x04" + nums.x.to_bytes(size, "big") + nums.y.to_bytes(size, "big")
        alg = f"ecdsa-sha2-{name}".encode()
        keys[name] = {
            "section": f"RFC 6979 {section}",
            "curve": name,
            "privateKey": x.to_bytes(size, "big").hex(),
            "publicPoint": point.hex(),
            "sshPublicKeyBlob": (ssh_string(alg) + ssh_string(name.encode()) + ssh_string(point)).hex(),
        }
    vectors = []
    for name, message, k_hex, r_hex, s_hex in SIGNATURES:
        curve, size, hfun, chash, section, q = CURVES[name]
        x = int(KEYS[name][0], 16)
        k, r, s = int(k_hex, 16), int(r_hex, 16), int(s_hex, 16)
        kg = ec.derive_private_key(k, curve).public_key().public_numbers()
        assert kg.x % q == r, (name, message)
        e = bits2int(hfun(message.encode()).digest(), q.bit_length())
        assert (pow(k, -1, q) * (e + x * r)) % q == s, (name, message)
        priv = ec.derive_private_key(x, curve)
        priv.public_key().verify(encode_dss_signature(r, s), message.encode(), ec.ECDSA(chash))
        alg = f"ecdsa-sha2-{name}".encode()
        vectors.append({
            "section": f"RFC 6979 {section}",
            "curve": name,
            "hash": chash.name,
            "message": message,
            "k": k.to_bytes(size, "big").hex(),
            "r": r.to_bytes(size, "big").hex(),
            "s": s.to_bytes(size, "big").hex(),
            "sshSignatureBlob": (ssh_string(alg) + ssh_string(mpint(r) + mpint(s))).hex(),
        })
    doc = {
        "description": "RFC 6979 A.2.5-A.2.7 deterministic ECDSA through ecdsa-sha2-nistp256/384/521 (RFC 5656)",
        "provenance": {
            "rfc6979": "RFC 6979 Appendix A.2.5, A.2.6, A.2.7 (IETF Trust, Simplified BSD code components), "
                       "typed from the RFC: the SSH (curve, hash) pairs, messages \"sample\" and \"test\"",
            "generatedBy": "test-vectors/crypto/tools/rfc6979_ecdsa.py",
            "implementation": f"re-checked with Python `cryptography` {cryptography.__version__} (OpenSSL): "
                              "U = x*G, r = (k*G).x mod q, s = k^-1 (H(m) + x r) mod q, and OpenSSL verification; "
                              "SSH blobs built by the script from RFC 5656 section 3.1",
            "licence": "IETF Trust / Simplified BSD for the RFC values; blobs generated by this project (MIT)",
        },
        "notes": [
            "all integers are fixed-width big-endian hex (32, 48, 66 bytes); the RFC prints P-521 values "
            "without their leading zero bits",
            "k is the RFC 6979 nonce the signer must have used; r and s follow from it",
        ],
        "keys": keys,
        "vectors": vectors,
    }
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
