#!/usr/bin/env python3
"""Reduces Wycheproof test files to what purssh's key exchanges need, keeping every case id.

Input: a checkout of https://github.com/C2SP/wycheproof (Apache-2.0). Output: JSON on stdout.

  ecdh:   testvectors_v1/ecdh_secp{256,384,521}r1_ecpoint_test.json (public key = a raw SEC1 point,
          exactly what SSH's Q_C / Q_S carry, RFC 5656 §4). Kept: every case that is not
          "valid" (invalid points, the compressed points, the empty key) and every valid case
          except the EdgeCaseDoubling ones, of which every 10th (by tcId) is kept. Each case gets
          an `ssh` verdict: "accept" for valid uncompressed points, "reject" otherwise, because SSH
          carries only uncompressed points (OpenSSH sshbuf_get_ec) so Wycheproof's "acceptable"
          compressed point must be refused by us. The script checks each kept valid case with
          `cryptography` (OpenSSL ECDH) before writing it.
  mlkem:  testvectors_v1/mlkem_768_encaps_test.json: all 12 ModulusOverflow keys (CCTV), the first 8
          invalid 1184-byte keys of the FIPS 203 group, the wrong-length keys, and the first 4
          valid encapsulations. Each invalid 1184-byte key is checked here to really fail the
          FIPS 203 §7.2 modulus check (some 12-bit coefficient >= 3329).

Usage: python3 wycheproof_reduce.py ecdh  /path/to/wycheproof > ../ecdh-nist-wycheproof.json
       python3 wycheproof_reduce.py mlkem /path/to/wycheproof > ../mlkem768-encaps-wycheproof.json
"""
import json
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

CURVES = {"256": (ec.SECP256R1(), 32), "384": (ec.SECP384R1(), 48), "521": (ec.SECP521R1(), 66)}


def git_facts(root: Path, rel: str) -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True).stdout.strip()

    return {"path": rel, "blob": git("rev-parse", f"HEAD:{rel}") or "unknown", "lastCommit": git("log", "-1", "--format=%H", "--", rel) or "unknown"}


def read(root: Path, rel: str) -> dict:
    path = root / rel
    if not path.exists():  # a bare mirror: read the file from HEAD
        return json.loads(subprocess.run(["git", "-C", str(root), "show", f"HEAD:{rel}"], capture_output=True, check=True, text=True).stdout)
    return json.loads(path.read_text())


def ecdh(root: Path) -> dict:
    out, sources = {}, []
    for bits, (curve, field_len) in CURVES.items():
        rel = f"testvectors_v1/ecdh_secp{bits}r1_ecpoint_test.json"
        doc = read(root, rel)
        sources.append(git_facts(root, rel))
        cases = []
        for group in doc["testGroups"]:
            for t in group["tests"]:
                doubling = "EdgeCaseDoubling" in t["flags"]
                if t["result"] == "valid" and doubling and t["tcId"] % 10 != 0:
                    continue
                pub = bytes.fromhex(t["public"])
                accept = t["result"] == "valid" and len(pub) == 1 + 2 * field_len and pub[0] == 4
                if t["result"] == "valid" and not accept:
                    raise SystemExit(f"secp{bits}r1 tcId {t['tcId']}: a valid case that SSH cannot carry")
                private = int(t["private"], 16)
                if accept:
                    key = ec.derive_private_key(private, curve)
                    peer = ec.EllipticCurvePublicKey.from_encoded_point(curve, pub)
                    if key.exchange(ec.ECDH(), peer).hex() != t["shared"]:
                        raise SystemExit(f"secp{bits}r1 tcId {t['tcId']}: OpenSSL disagrees")
                cases.append({
                    "tcId": t["tcId"],
                    "comment": t["comment"],
                    "flags": t["flags"],
                    "wycheproof": t["result"],
                    "ssh": "accept" if accept else "reject",
                    "private": format(private, "x"),
                    "public": t["public"],
                    "shared": t["shared"] if accept else "",
                })
        out[f"ecdh-sha2-nistp{bits}"] = cases
    return {
        "description": "Wycheproof ECDH cases (raw SEC1 public points) for ecdh-sha2-nistp256/384/521, reduced",
        "provenance": {
            "source": "C2SP/wycheproof (https://github.com/C2SP/wycheproof), snapshot dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166",
            "files": sources,
            "licence": "Apache-2.0 (Wycheproof); selection and the `ssh` verdicts by this project",
            "generatedBy": "test-vectors/crypto/tools/wycheproof_reduce.py ecdh",
            "checkedWith": "Python cryptography (OpenSSL) ECDH on every kept valid case",
        },
        "notes": [
            "kept: every non-valid case, every valid case except EdgeCaseDoubling, and EdgeCaseDoubling cases whose tcId is a multiple of 10",
            "private: the private scalar, hex without leading zeros; shared: the x-coordinate of the shared point (field-length bytes)",
            "ssh: accept = valid uncompressed point, K must be mpint(shared); reject = must end the key exchange (compressed points too: SSH carries only 0x04 || X || Y)",
        ],
        "cases": out,
    }


def modulus_ok(ek: bytes) -> bool:
    """FIPS 203 §7.2: ByteEncode12(ByteDecode12(ek[0:1152])) == ek[0:1152]."""
    t = ek[: 384 * 3]
    for i in range(0, len(t), 3):
        a, b, c = t[i], t[i + 1], t[i + 2]
        if (a | ((b & 0x0F) << 8)) >= 3329 or ((b >> 4) | (c << 4)) >= 3329:
            return False
    return True


def mlkem(root: Path) -> dict:
    rel = "testvectors_v1/mlkem_768_encaps_test.json"
    doc = read(root, rel)
    kept, fips_invalid, valid = [], 0, 0
    for group in doc["testGroups"]:
        source = group["source"]["name"]
        for t in group["tests"]:
            ek = bytes.fromhex(t["ek"])
            if t["result"] == "valid":
                if valid >= 4:
                    continue
                valid += 1
            elif len(ek) == 1184 and "ModulusOverflow" not in t["flags"]:
                if fips_invalid >= 8:
                    continue
                fips_invalid += 1
            if t["result"] == "invalid" and len(ek) == 1184 and modulus_ok(ek):
                raise SystemExit(f"tcId {t['tcId']}: an invalid key that passes the modulus check")
            if t["result"] == "valid" and not modulus_ok(ek):
                raise SystemExit(f"tcId {t['tcId']}: a valid key that fails the modulus check")
            kept.append({
                "tcId": t["tcId"],
                "source": source,
                "comment": t.get("comment", ""),
                "flags": t["flags"],
                "result": t["result"],
                "m": t["m"],
                "ek": t["ek"],
                "c": t["c"],
                "K": t["K"],
            })
    return {
        "description": "Wycheproof ML-KEM-768 encapsulation cases for the server side of mlkem768x25519-sha256, reduced",
        "provenance": {
            "source": "C2SP/wycheproof (https://github.com/C2SP/wycheproof), snapshot dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166",
            "files": [git_facts(root, rel)],
            "licence": "Apache-2.0 (Wycheproof); selection by this project",
            "generatedBy": "test-vectors/crypto/tools/wycheproof_reduce.py mlkem",
            "checkedWith": "the FIPS 203 §7.2 modulus check, re-implemented in the script, fails for every invalid 1184-byte key and passes for every valid one",
        },
        "notes": [
            "kept: all ModulusOverflow (CCTV) keys, the first 8 other invalid 1184-byte keys, every wrong-length key, the first 4 valid encapsulations",
            "m: the 32-byte encapsulation randomness; c, K: the expected ciphertext and ML-KEM shared secret (empty when invalid)",
        ],
        "cases": kept,
    }


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ("ecdh", "mlkem"):
        raise SystemExit(__doc__)
    root = Path(sys.argv[2])
    doc = ecdh(root) if sys.argv[1] == "ecdh" else mlkem(root)
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
