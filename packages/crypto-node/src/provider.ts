/**
 * The node:crypto CryptoProvider: which algorithm names it accelerates, each only where this Node
 * build's OpenSSL has the primitives (a FIPS build may lack MD5, 3DES or ChaCha20, say). Everything
 * else, and everything here when the provider is not installed, is noble's (@purssh/crypto's
 * registry falls back by name).
 *
 * Not provided, so always noble: ssh-ed25519 and the sk-* algorithms, mlkem768x25519-sha256, the
 * finite-field Diffie-Hellman methods, and the OpenSSH certificate algorithms (which wrap noble's).
 * @module
 */
import { generateKeyPairSync, getCiphers, getCurves, getHashes, type KeyObject } from "node:crypto";
import type { CipherAlgorithm, CryptoProvider, KexAlgorithm, MacAlgorithm, SignatureAlgorithm } from "@purssh/crypto";
import { nodeAes128GcmOpenSSH, nodeAes256GcmOpenSSH } from "./aes-gcm.js";
import {
  nodeAes128Ctr,
  nodeAes192Ctr,
  nodeAes256Ctr,
  nodeInsecureAes128Cbc,
  nodeInsecureAes192Cbc,
  nodeInsecureAes256Cbc,
  nodeInsecureTripleDesCbc,
} from "./block-modes.js";
import { nodeChacha20Poly1305OpenSSH } from "./chacha20-poly1305.js";
import {
  nodeHmacSha1,
  nodeHmacSha1Etm,
  nodeHmacSha256,
  nodeHmacSha256Etm,
  nodeHmacSha512,
  nodeHmacSha512Etm,
  nodeInsecureHmacMd5,
  nodeInsecureHmacMd5Etm,
  nodeInsecureHmacSha1_96,
} from "./hmac.js";
import {
  nodeCurve25519Sha256,
  nodeCurve25519Sha256Libssh,
  nodeEcdhSha2Nistp256,
  nodeEcdhSha2Nistp384,
  nodeEcdhSha2Nistp521,
} from "./kex.js";
import {
  nodeEcdsaSha2Nistp256,
  nodeEcdsaSha2Nistp384,
  nodeEcdsaSha2Nistp521,
  nodeInsecureSshRsaSha1,
  nodeRsaSha2256,
  nodeRsaSha2512,
} from "./signatures.js";

const CIPHERS = new Set(getCiphers());
const HASHES = new Set(getHashes());
const CURVES = new Set(getCurves());

function hasX25519(): boolean {
  try {
    const pair: { privateKey: KeyObject } = generateKeyPairSync("x25519");
    return pair.privateKey.asymmetricKeyType === "x25519";
  } catch {
    return false;
  }
}

/** The algorithms whose OpenSSL primitives all exist here, by name. */
function available<T extends { readonly name: string }>(entries: readonly [T, boolean][]): ReadonlyMap<string, T> {
  return new Map(entries.filter(([, ok]) => ok).map(([a]) => [a.name, a]));
}

const aes = (...modes: string[]) => modes.every((m) => CIPHERS.has(m));

const NODE_CIPHERS = available<CipherAlgorithm>([
  [nodeChacha20Poly1305OpenSSH, CIPHERS.has("chacha20")],
  [nodeAes128GcmOpenSSH, aes("aes-128-gcm")],
  [nodeAes256GcmOpenSSH, aes("aes-256-gcm")],
  [nodeAes128Ctr, aes("aes-128-ctr", "aes-128-ecb")],
  [nodeAes192Ctr, aes("aes-192-ctr", "aes-192-ecb")],
  [nodeAes256Ctr, aes("aes-256-ctr", "aes-256-ecb")],
  [nodeInsecureAes128Cbc, aes("aes-128-cbc", "aes-128-ecb")],
  [nodeInsecureAes192Cbc, aes("aes-192-cbc", "aes-192-ecb")],
  [nodeInsecureAes256Cbc, aes("aes-256-cbc", "aes-256-ecb")],
  [nodeInsecureTripleDesCbc, aes("des-ede3-cbc", "des-ede3-ecb")],
]);

const NODE_MACS = available<MacAlgorithm>([
  [nodeHmacSha256Etm, HASHES.has("sha256")],
  [nodeHmacSha512Etm, HASHES.has("sha512")],
  [nodeHmacSha1Etm, HASHES.has("sha1")],
  [nodeHmacSha256, HASHES.has("sha256")],
  [nodeHmacSha512, HASHES.has("sha512")],
  [nodeHmacSha1, HASHES.has("sha1")],
  [nodeInsecureHmacSha1_96, HASHES.has("sha1")],
  [nodeInsecureHmacMd5, HASHES.has("md5")],
  [nodeInsecureHmacMd5Etm, HASHES.has("md5")],
]);

const x25519 = hasX25519();
const NODE_KEX = available<KexAlgorithm>([
  [nodeCurve25519Sha256, x25519],
  [nodeCurve25519Sha256Libssh, x25519],
  [nodeEcdhSha2Nistp256, CURVES.has("prime256v1")],
  [nodeEcdhSha2Nistp384, CURVES.has("secp384r1")],
  [nodeEcdhSha2Nistp521, CURVES.has("secp521r1")],
]);

const NODE_SIGNATURES = available<SignatureAlgorithm>([
  [nodeEcdsaSha2Nistp256, CURVES.has("prime256v1")],
  [nodeEcdsaSha2Nistp384, CURVES.has("secp384r1")],
  [nodeEcdsaSha2Nistp521, CURVES.has("secp521r1")],
  [nodeRsaSha2512, HASHES.has("sha512")],
  [nodeRsaSha2256, HASHES.has("sha256")],
  [nodeInsecureSshRsaSha1, HASHES.has("sha1")],
]);

/**
 * node:crypto (OpenSSL) implementations of the ciphers, MACs, ECDH key exchanges and RSA/ECDSA
 * verification, for `useCryptoProvider(nodeCryptoProvider)` from @purssh/crypto.
 */
export const nodeCryptoProvider: CryptoProvider = Object.freeze({
  name: "node:crypto",
  cipher: (name: string) => NODE_CIPHERS.get(name),
  mac: (name: string) => NODE_MACS.get(name),
  kex: (name: string) => NODE_KEX.get(name),
  signature: (name: string) => NODE_SIGNATURES.get(name),
});

/** The names nodeCryptoProvider implements in this process, per kind (for logs and benchmarks). */
export function nodeProvidedAlgorithms(): {
  ciphers: string[];
  macs: string[];
  kex: string[];
  signatures: string[];
} {
  return {
    ciphers: [...NODE_CIPHERS.keys()],
    macs: [...NODE_MACS.keys()],
    kex: [...NODE_KEX.keys()],
    signatures: [...NODE_SIGNATURES.keys()],
  };
}
