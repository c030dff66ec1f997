#!/usr/bin/env python3
"""RSA fixtures made by the reference tools: PKCS#1 v1.5 signatures from `openssl dgst -sign` and SSHSIG
signatures (PROTOCOL.sshsig, rsa-sha2-512) from `ssh-keygen -Y sign`, over test keys in ../rsa/.

Keys (test keys only, public, never to be used for anything else) are generated once with
`--generate`, which is the only random step:
  rsa-1023.pem  openssl genrsa -traditional 1023     (below the 1024-bit minimum: must be refused)
  rsa-1024.pem  openssl genrsa -traditional 1024     (the smallest modulus we accept)
  rsa-2048.pem  ssh-keygen -t rsa -b 2048 -m PEM
  rsa-3072.pem  ssh-keygen -t rsa -b 3072 -m PEM
  rsa-4096.pem  openssl genrsa -traditional 4096
Without `--generate` the JSON is rebuilt from the committed keys and is byte-identical on every run
(PKCS#1 v1.5 and SSHSIG are deterministic). Key components are read with `cryptography`;
`ssh-keygen -y` gives the OpenSSH public key line; every openssl signature is re-verified with
`cryptography` before it is written.

Usage: python3 rsa_openssl.py [--generate] > ../rsa-openssl.json
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import cryptography
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

KEY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rsa")
KEYS = [
    ("rsa-1023", ["openssl", "genrsa", "-traditional", "-out", "{path}", "1023"]),
    ("rsa-1024", ["openssl", "genrsa", "-traditional", "-out", "{path}", "1024"]),
    ("rsa-2048", ["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-C", "", "-f", "{path}"]),
    ("rsa-3072", ["ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-m", "PEM", "-N", "", "-C", "", "-f", "{path}"]),
    ("rsa-4096", ["openssl", "genrsa", "-traditional", "-out", "{path}", "4096"]),
]
MESSAGES = ["", "616263", bytes(range(256)).hex() * 4]  # "", "abc", 1024 bytes 00..ff repeated
HASHES = {"sha1": hashes.SHA1(), "sha256": hashes.SHA256(), "sha512": hashes.SHA512()}
NAMESPACE = "purssh-test"
SSHSIG_MESSAGE = b"This is a test, this is only a test"


def run(cmd: list, data: bytes = b"") -> bytes:
    return subprocess.run(cmd, input=data, check=True, capture_output=True).stdout


def hexint(v: int) -> str:
    h = format(v, "x")
    return h if len(h) % 2 == 0 else "0" + h


def sshsig_sign(path: str, public_line: str) -> bytes:
    """ssh-keygen -Y sign wants the public key next to the private one: sign from a scratch copy."""
    with tempfile.TemporaryDirectory() as tmp:
        key = os.path.join(tmp, "key")
        shutil.copyfile(path, key)
        os.chmod(key, 0o600)
        with open(key + ".pub", "w") as f:
            f.write(public_line + "\n")
        return run(["ssh-keygen", "-Y", "sign", "-f", key, "-n", NAMESPACE, "-"], SSHSIG_MESSAGE)


def tool_versions() -> str:
    ssh = subprocess.run(["ssh", "-V"], capture_output=True, text=True).stderr.strip()
    return f"{run(['openssl', 'version']).decode().strip()}; {ssh}"


def main() -> None:
    os.makedirs(KEY_DIR, exist_ok=True)
    if "--generate" in sys.argv:
        for name, cmd in KEYS:
            path = os.path.join(KEY_DIR, f"{name}.pem")
            for f in (path, path + ".pub"):
                if os.path.exists(f):
                    os.remove(f)
            run([a.replace("{path}", path) for a in cmd])
            os.chmod(path, 0o600)
            if os.path.exists(path + ".pub"):
                os.remove(path + ".pub")  # ssh-keygen's; we record `ssh-keygen -y` in the JSON instead
    keys = []
    for name, cmd in KEYS:
        path = os.path.join(KEY_DIR, f"{name}.pem")
        os.chmod(path, 0o600)
        with open(path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
        nums = key.private_numbers()
        bits = nums.public_numbers.n.bit_length()
        entry = {
            "name": name, "file": f"rsa/{name}.pem", "bits": bits,
            "generatedWith": " ".join(cmd).replace("{path}", f"{name}.pem"),
            "n": hexint(nums.public_numbers.n), "e": hexint(nums.public_numbers.e), "d": hexint(nums.d),
            "p": hexint(nums.p), "q": hexint(nums.q), "dp": hexint(nums.dmp1), "dq": hexint(nums.dmq1),
            "qinv": hexint(nums.iqmp),
        }
        if bits >= 1024:
            entry["sshPublicKey"] = run(["ssh-keygen", "-y", "-f", path]).decode().strip()
        sigs = []
        for hname, halg in HASHES.items():
            for msg in MESSAGES:
                sig = run(["openssl", "dgst", f"-{hname}", "-sign", path], bytes.fromhex(msg))
                key.public_key().verify(sig, bytes.fromhex(msg), padding.PKCS1v15(), halg)
                sigs.append({"hash": hname, "message": msg, "signature": sig.hex()})
        entry["opensslSignatures"] = sigs
        if bits >= 1024:
            armored = sshsig_sign(path, entry["sshPublicKey"])
            entry["sshsig"] = {"namespace": NAMESPACE, "message": SSHSIG_MESSAGE.hex(), "armored": armored.decode()}
        keys.append(entry)
    doc = {
        "description": "RSASSA-PKCS1-v1_5 signatures by OpenSSL and SSHSIG signatures by ssh-keygen over test keys",
        "provenance": {
            "generatedBy": "test-vectors/crypto/tools/rsa_openssl.py",
            "tools": tool_versions(),
            "checkedWith": f"Python cryptography {cryptography.__version__}",
            "licence": "generated by this project (MIT); test keys only",
        },
        "notes": [
            "opensslSignatures: `openssl dgst -<hash> -sign rsa-N.pem` over the hex message (PKCS#1 v1.5, deterministic)",
            "sshsig: `ssh-keygen -Y sign -f rsa-N.pem -n purssh-test -` (PROTOCOL.sshsig, signature rsa-sha2-512, "
            "message hash sha512); absent for rsa-1023, which ssh-keygen refuses",
            "sshPublicKey: `ssh-keygen -y -f rsa-N.pem`",
        ],
        "keys": keys,
    }
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
