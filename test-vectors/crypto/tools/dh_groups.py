#!/usr/bin/env python3
"""Finite-field Diffie-Hellman groups for SSH, recomputed from the closed forms in the RFCs.

RFC 2409 §6.2 (Oakley group 2, SSH's "diffie-hellman-group1-sha1", RFC 4253 §8.1) and RFC 3526
§3–§7 (MODP groups 14–18, RFC 4253 §8.2 and RFC 8268) each define their prime as
    p = 2^b - 2^(b-64) - 1 + 2^64 * ( floor(2^(b-130) * pi) + c ),   g = 2.
This script computes pi with Machin's formula in integer arithmetic, evaluates each formula,
checks that the floor is unambiguous given the error bound, checks that p and (p-1)/2 pass
Miller-Rabin (so p is a safe prime), and writes the SHA-256 of p's unsigned big-endian bytes.
It also writes a known-answer exchange per group: fixed "random" bytes for the client and server
exponents (purssh sets the top bit of a 512-bit draw: x = OS2IP(r) | 2^511), e = g^x mod p,
f = g^y mod p, K = f^x mod p, and K encoded as an RFC 4251 §5 mpint with its uint32 length.

Usage: python3 dh_groups.py > ../dh-groups.json            (add --hex to print the primes)
"""
import hashlib
import json
import random
import sys

GROUPS = [
    # name, source, bits, floor-exponent, additive constant
    ("group1", "RFC 2409 §6.2 (Oakley group 2), SSH diffie-hellman-group1-sha1 (RFC 4253 §8.1)", 1024, 894, 129093),
    ("group14", "RFC 3526 §3 (2048-bit MODP group), RFC 4253 §8.2, RFC 8268", 2048, 1918, 124476),
    ("group15", "RFC 3526 §4 (3072-bit MODP group), RFC 8268", 3072, 2942, 1690314),
    ("group16", "RFC 3526 §5 (4096-bit MODP group), RFC 8268", 4096, 3966, 240904),
    ("group17", "RFC 3526 §6 (6144-bit MODP group), RFC 8268", 6144, 6014, 929484),
    ("group18", "RFC 3526 §7 (8192-bit MODP group), RFC 8268", 8192, 8062, 4743158),
]

GUARD = 64


def arctan_inv(x: int, one: int) -> tuple[int, int]:
    """one * atan(1/x) by its Taylor series, truncating each term; returns (value, error bound)."""
    total, term, n, sign, terms = 0, one // x, 1, 1, 0
    x2 = x * x
    while term:
        total += sign * (term // n)
        term //= x2
        n += 2
        sign = -sign
        terms += 1
    return total, 2 * terms + 2


def pi_scaled(bits: int) -> tuple[int, int]:
    """(floor-ish of pi * 2^bits, absolute error bound in units of 2^-bits)."""
    one = 1 << bits
    a, ea = arctan_inv(5, one)
    b, eb = arctan_inv(239, one)
    return 16 * a - 4 * b, 16 * ea + 4 * eb


def floor_pi_times_2_pow(k: int) -> int:
    v, err = pi_scaled(k + GUARD)
    lo, hi = (v - err) >> GUARD, (v + err) >> GUARD
    if lo != hi:
        raise SystemExit(f"floor(2^{k} pi) is ambiguous at this precision")
    return lo


def miller_rabin(n: int, rounds: int, rng: random.Random) -> bool:
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def mpint(v: int) -> bytes:
    body = v.to_bytes((v.bit_length() + 8) // 8, "big") if v else b""
    if len(body) > 1 and body[0] == 0 and body[1] < 0x80:
        body = body[1:]
    return len(body).to_bytes(4, "big") + body


def exponent(r: bytes) -> int:
    return int.from_bytes(r, "big") | (1 << 511)


SMALL_PRIMES = [q for q in range(3, 2000, 2) if all(q % d for d in range(3, int(q**0.5) + 1, 2))]


def no_small_factor(n: int) -> bool:
    return all(n % q for q in SMALL_PRIMES)


def random_prime(rng: random.Random, bits: int, mod4: int) -> int:
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        n += (mod4 - n % 4) % 4
        if n.bit_length() == bits and no_small_factor(n) and miller_rabin(n, 16, rng):
            return n


def not_safe_primes(rng: random.Random) -> list:
    """2048-bit moduli that pass every structural check of group-exchange validation (odd, 3 mod 4,
    no factor below 2000 in p or (p-1)/2), so only Miller-Rabin can refuse them."""
    while True:  # a composite: the product of two 1024-bit primes, 1 and 3 mod 4
        n = random_prime(rng, 1024, 1) * random_prime(rng, 1024, 3)
        if n.bit_length() == 2048 and no_small_factor(n) and no_small_factor(n // 2):
            composite = n
            break
    while True:  # a prime p whose (p-1)/2 is composite
        p = random_prime(rng, 2048, 3)
        if no_small_factor(p // 2) and not miller_rabin(p // 2, 16, rng):
            prime_not_safe = p
            break
    return [
        {"name": "composite: the product of two 1024-bit primes", "p": format(composite, "x")},
        {"name": "prime, but (p-1)/2 is composite", "p": format(prime_not_safe, "x")},
    ]


def main() -> None:
    rng = random.Random(3526)  # Miller-Rabin bases and the not-safe-prime search: fixed, reproducible
    out = []
    for name, source, b, k, c in GROUPS:
        p = (1 << b) - (1 << (b - 64)) - 1 + (1 << 64) * (floor_pi_times_2_pow(k) + c)
        assert p.bit_length() == b, name
        assert miller_rabin(p, 8, rng) and miller_rabin((p - 1) // 2, 8, rng), f"{name} is not a safe prime"
        pb = p.to_bytes(b // 8, "big")
        if "--hex" in sys.argv:
            print(name, pb.hex(), file=sys.stderr)
        r_client = hashlib.sha512(f"purssh {name} client exponent".encode()).digest()
        r_server = hashlib.sha512(f"purssh {name} server exponent".encode()).digest()
        x, y = exponent(r_client), exponent(r_server)
        e, f = pow(2, x, p), pow(2, y, p)
        k_shared = pow(f, x, p)
        assert k_shared == pow(e, y, p)
        out.append({
            "name": name,
            "source": source,
            "formula": f"2^{b} - 2^{b - 64} - 1 + 2^64 * ( floor(2^{k} pi) + {c} )",
            "bits": b,
            "generator": 2,
            "primeSha256": hashlib.sha256(pb).hexdigest(),
            "primeFirst16": pb[:16].hex(),
            "primeLast16": pb[-16:].hex(),
            "exchange": {
                "clientRandom": r_client.hex(),
                "serverRandom": r_server.hex(),
                "e": format(e, "x"),
                "f": format(f, "x"),
                "encodedK": mpint(k_shared).hex(),
            },
        })
    doc = {
        "description": "Finite-field Diffie-Hellman groups for SSH (RFC 2409 group 2, RFC 3526 groups 14-18) and one known-answer exchange per group",
        "provenance": {
            "groups": "each prime recomputed from the closed form printed in RFC 2409 §6.2 / RFC 3526 §3-§7 (pi by Machin's formula, floor checked unambiguous), then checked to be a safe prime by Miller-Rabin (8 rounds on p and on (p-1)/2)",
            "exchange": "generated by purssh with Python's built-in pow(); the exponent rule (x = OS2IP(64 random bytes) | 2^511) is purssh's",
            "generatedBy": "test-vectors/crypto/tools/dh_groups.py",
            "notSafePrimes": "2048-bit moduli found by the script with a fixed-seed PRNG (odd, 3 mod 4, no factor below 2000 in p or (p-1)/2, yet not a safe prime): only a primality test can refuse them",
            "licence": "formulas: IETF Trust (RFC 2409, RFC 3526); the rest generated by this project (MIT)",
        },
        "notes": [
            "primeSha256: SHA-256 of p as an unsigned big-endian integer of exactly bits/8 bytes",
            "e, f: lowercase hex of the unsigned integers (no leading zeros); encodedK: mpint(K) with its uint32 length prefix (RFC 4253 §8)",
            "clientRandom / serverRandom: the 64 bytes the injected random source returns for the exponent",
        ],
        "groups": out,
        "notSafePrimes": not_safe_primes(rng),
    }
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
