/**
 * Finite-field Diffie-Hellman key exchange over fixed groups (RFC 4253 §8, RFC 8268):
 * KEXDH_INIT carries e and KEXDH_REPLY carries f, both mpints (messages 30/31), and K = g^xy mod p
 * enters the exchange hash and the KDF as an mpint.
 *
 * - diffie-hellman-group14-sha256 (RFC 8268 §3): 2048-bit MODP group, SHA-256.
 * - diffie-hellman-group16-sha512, diffie-hellman-group18-sha512 (RFC 8268 §3): 4096- and 8192-bit
 *   MODP groups, SHA-512.
 * - Legacy, never offered by default: diffie-hellman-group14-sha1 (RFC 4253 §8.2) and
 *   diffie-hellman-group1-sha1 (RFC 4253 §8.1, a 1024-bit group). RFC 9142 says group1-sha1
 *   SHOULD NOT be implemented and group14-sha1 is a transition aid; both hash with SHA-1.
 * @module
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import type { DhGroup, KexAlgorithm, KexClientExchange, KexServerExchange, RandomBytes } from "../types.js";
import { FiniteFieldDhExchange } from "./dh-exchange.js";
import { DH_GROUP14, DH_GROUP16, DH_GROUP18, INSECURE_DH_GROUP1 } from "./dh-groups.js";

export const DIFFIE_HELLMAN_GROUP14_SHA256 = "diffie-hellman-group14-sha256";
export const DIFFIE_HELLMAN_GROUP16_SHA512 = "diffie-hellman-group16-sha512";
export const DIFFIE_HELLMAN_GROUP18_SHA512 = "diffie-hellman-group18-sha512";
export const INSECURE_DIFFIE_HELLMAN_GROUP14_SHA1 = "diffie-hellman-group14-sha1";
export const INSECURE_DIFFIE_HELLMAN_GROUP1_SHA1 = "diffie-hellman-group1-sha1";

function fixedGroupKex(name: string, group: DhGroup, hash: (data: Uint8Array) => Uint8Array): KexAlgorithm {
  return Object.freeze({
    name,
    publicKeyEncoding: "mpint",
    groupExchange: false,
    hash: (data: Uint8Array): Uint8Array => hash(data),
    // A fixed-group method ignores any group argument: the group is part of the method's name.
    createClient: (random: RandomBytes): KexClientExchange => new FiniteFieldDhExchange(name, group, random),
    createServer: (random: RandomBytes): KexServerExchange => new FiniteFieldDhExchange(name, group, random),
  });
}

/** RFC 8268 §3: the 2048-bit MODP group with SHA-256. */
export const diffieHellmanGroup14Sha256: KexAlgorithm = fixedGroupKex(
  DIFFIE_HELLMAN_GROUP14_SHA256,
  DH_GROUP14,
  sha256,
);
/** RFC 8268 §3: the 4096-bit MODP group with SHA-512. */
export const diffieHellmanGroup16Sha512: KexAlgorithm = fixedGroupKex(
  DIFFIE_HELLMAN_GROUP16_SHA512,
  DH_GROUP16,
  sha512,
);
/** RFC 8268 §3: the 8192-bit MODP group with SHA-512. */
export const diffieHellmanGroup18Sha512: KexAlgorithm = fixedGroupKex(
  DIFFIE_HELLMAN_GROUP18_SHA512,
  DH_GROUP18,
  sha512,
);
/** RFC 4253 §8.2: the 2048-bit MODP group with SHA-1 (RFC 9142: MAY, for transition only). */
export const insecureDiffieHellmanGroup14Sha1: KexAlgorithm = fixedGroupKex(
  INSECURE_DIFFIE_HELLMAN_GROUP14_SHA1,
  DH_GROUP14,
  sha1,
);
/** RFC 4253 §8.1: the 1024-bit Oakley group 2 with SHA-1 (RFC 9142: SHOULD NOT). */
export const insecureDiffieHellmanGroup1Sha1: KexAlgorithm = fixedGroupKex(
  INSECURE_DIFFIE_HELLMAN_GROUP1_SHA1,
  INSECURE_DH_GROUP1,
  sha1,
);
