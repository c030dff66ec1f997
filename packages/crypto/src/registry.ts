/**
 * The algorithm registry: which names of RFC 4253 §7.1 KEXINIT name-lists this build implements,
 * what it offers by default, and the implementation behind each name.
 *
 * MACs: with an AEAD cipher (OpenSSH PROTOCOL §1.6, §1.7) the negotiated MAC is ignored; the CTR and
 * CBC ciphers are composed with the negotiated MAC (RFC 4253 §6.4, OpenSSH PROTOCOL §1.5 for -etm).
 * The transport advertises only MAC names that exist here.
 *
 * The get* lookups ask the active CryptoProvider (./provider.ts) first and fall back to the noble
 * implementations here; the supported and DEFAULT_* lists do not depend on it.
 *
 * Weak algorithms carry `insecure` in their identifiers and stay out of every DEFAULT_* list: the
 * SHA-1 signature algorithm ssh-rsa is registered (as `insecureSshRsaSha1`) for explicit opt-in only.
 * @module
 */

import { insecureAes128Cbc, insecureAes192Cbc, insecureAes256Cbc } from "./ciphers/aes-cbc.js";
import { aes128Ctr, aes192Ctr, aes256Ctr } from "./ciphers/aes-ctr.js";
import { aes128GcmOpenSSH, aes256GcmOpenSSH } from "./ciphers/aes-gcm.js";
import { chacha20Poly1305OpenSSH } from "./ciphers/chacha20-poly1305.js";
import { insecureTripleDesCbc } from "./ciphers/triple-des-cbc.js";
import { curve25519Sha256, curve25519Sha256Libssh } from "./kex/curve25519.js";
import {
  diffieHellmanGroup14Sha256,
  diffieHellmanGroup16Sha512,
  diffieHellmanGroup18Sha512,
  insecureDiffieHellmanGroup1Sha1,
  insecureDiffieHellmanGroup14Sha1,
} from "./kex/dh.js";
import { diffieHellmanGroupExchangeSha256, insecureDiffieHellmanGroupExchangeSha1 } from "./kex/dh-gex.js";
import { ecdhSha2Nistp256, ecdhSha2Nistp384, ecdhSha2Nistp521 } from "./kex/ecdh-nist.js";
import { mlkem768x25519Sha256 } from "./kex/mlkem768x25519.js";
import {
  hmacSha1,
  hmacSha1Etm,
  hmacSha256,
  hmacSha256Etm,
  hmacSha512,
  hmacSha512Etm,
  insecureHmacMd5,
  insecureHmacMd5Etm,
  insecureHmacSha1_96,
} from "./macs/hmac.js";
import { preferProvided } from "./provider-lookup.js";
import { CERTIFICATE_ALGORITHMS, certificateSignatureAlgorithm } from "./signatures/certificate.js";
import { ecdsaSha2Nistp256, ecdsaSha2Nistp384, ecdsaSha2Nistp521 } from "./signatures/ecdsa.js";
import { sshEd25519 } from "./signatures/ed25519.js";
import { insecureSshRsaSha1, rsaSha2256, rsaSha2512 } from "./signatures/rsa.js";
import { skEcdsaSha2Nistp256OpenSSH, skSshEd25519OpenSSH } from "./signatures/sk.js";
import type { CipherAlgorithm, KexAlgorithm, MacAlgorithm, SignatureAlgorithm } from "./types.js";

function byName<T extends { readonly name: string }>(entries: readonly T[]): ReadonlyMap<string, T> {
  return new Map(entries.map((e) => [e.name, e]));
}

// CBC and 3DES are registered for explicit opt-in only.
const CIPHERS = byName<CipherAlgorithm>([
  chacha20Poly1305OpenSSH,
  aes128GcmOpenSSH,
  aes256GcmOpenSSH,
  aes128Ctr,
  aes192Ctr,
  aes256Ctr,
  insecureAes128Cbc,
  insecureAes192Cbc,
  insecureAes256Cbc,
  insecureTripleDesCbc,
]);
// hmac-md5, hmac-md5-etm@openssh.com and hmac-sha1-96 are registered for explicit opt-in only.
const MACS = byName<MacAlgorithm>([
  hmacSha256Etm,
  hmacSha512Etm,
  hmacSha1Etm,
  hmacSha256,
  hmacSha512,
  hmacSha1,
  insecureHmacSha1_96,
  insecureHmacMd5,
  insecureHmacMd5Etm,
]);
// The SHA-1 methods (group1, group14, group exchange) are registered for explicit opt-in only.
const KEX_ALGORITHMS = byName<KexAlgorithm>([
  mlkem768x25519Sha256,
  curve25519Sha256,
  curve25519Sha256Libssh,
  ecdhSha2Nistp256,
  ecdhSha2Nistp384,
  ecdhSha2Nistp521,
  diffieHellmanGroupExchangeSha256,
  diffieHellmanGroup16Sha512,
  diffieHellmanGroup18Sha512,
  diffieHellmanGroup14Sha256,
  insecureDiffieHellmanGroup14Sha1,
  insecureDiffieHellmanGroupExchangeSha1,
  insecureDiffieHellmanGroup1Sha1,
]);
// ssh-rsa (SHA-1) is registered for explicit opt-in only and is in no DEFAULT_* list.
const PLAIN_SIGNATURE_ALGORITHMS = [
  sshEd25519,
  ecdsaSha2Nistp256,
  ecdsaSha2Nistp384,
  ecdsaSha2Nistp521,
  skSshEd25519OpenSSH,
  skEcdsaSha2Nistp256OpenSSH,
  rsaSha2512,
  rsaSha2256,
  insecureSshRsaSha1,
];
/** Plain algorithms, then OpenSSH certificate host-key algorithms over them (opt-in for now). */
const SIGNATURE_ALGORITHMS = byName<SignatureAlgorithm>([
  ...PLAIN_SIGNATURE_ALGORITHMS,
  ...CERTIFICATE_ALGORITHMS.map((c) =>
    certificateSignatureAlgorithm(c.name, c.certType, PLAIN_SIGNATURE_ALGORITHMS.find((p) => p.name === c.base)!),
  ),
]);

/**
 * Our KEXINIT kex_algorithms, in order of preference: OpenSSH 10's KEX_CLIENT_KEX (myproposal.h)
 * restricted to what we implement (no sntrup761x25519-sha512).
 */
export const DEFAULT_KEX_ALGORITHMS: readonly string[] = Object.freeze([
  "mlkem768x25519-sha256",
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
  "ecdh-sha2-nistp256",
  "ecdh-sha2-nistp384",
  "ecdh-sha2-nistp521",
  "diffie-hellman-group-exchange-sha256",
  "diffie-hellman-group16-sha512",
  "diffie-hellman-group18-sha512",
  "diffie-hellman-group14-sha256",
]);
/**
 * Our KEXINIT encryption_algorithms (both directions), in order of preference: OpenSSH 10's
 * KEX_CLIENT_ENCRYPT (myproposal.h), all of which we implement.
 */
export const DEFAULT_CIPHERS: readonly string[] = Object.freeze([
  "chacha20-poly1305@openssh.com",
  "aes128-gcm@openssh.com",
  "aes256-gcm@openssh.com",
  "aes128-ctr",
  "aes192-ctr",
  "aes256-ctr",
]);
/**
 * Our KEXINIT server_host_key_algorithms, in order of preference: OpenSSH 10's KEX_DEFAULT_PK_ALG
 * (myproposal.h) restricted to what we implement (no certificates yet, no webauthn-sk).
 */
export const DEFAULT_HOST_KEY_ALGORITHMS: readonly string[] = Object.freeze([
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
  "rsa-sha2-512",
  "rsa-sha2-256",
]);
/**
 * Our KEXINIT mac_algorithms (both directions), in order of preference: OpenSSH 10's KEX_CLIENT_MAC
 * (myproposal.h) restricted to what we implement (no umac-64/umac-128, plain or -etm).
 */
export const DEFAULT_MACS: readonly string[] = Object.freeze([
  "hmac-sha2-256-etm@openssh.com",
  "hmac-sha2-512-etm@openssh.com",
  "hmac-sha1-etm@openssh.com",
  "hmac-sha2-256",
  "hmac-sha2-512",
  "hmac-sha1",
]);

/**
 * Names registered for explicit opt-in only, whatever their kind: CBC ciphers and 3DES, hmac-md5*,
 * hmac-sha1-96, SHA-1 key exchanges, ssh-rsa. Their identifiers carry `insecure`.
 */
const INSECURE = new Set<string>(
  [
    insecureAes128Cbc,
    insecureAes192Cbc,
    insecureAes256Cbc,
    insecureTripleDesCbc,
    insecureHmacMd5,
    insecureHmacMd5Etm,
    insecureHmacSha1_96,
    insecureDiffieHellmanGroup1Sha1,
    insecureDiffieHellmanGroup14Sha1,
    insecureDiffieHellmanGroupExchangeSha1,
    insecureSshRsaSha1,
  ]
    .map((a) => a.name)
    // The certificate form of ssh-rsa signs with SHA-1 too.
    .concat("ssh-rsa-cert-v01@openssh.com"),
);

export function getCipher(name: string): CipherAlgorithm | undefined {
  return preferProvided("cipher", CIPHERS.get(name));
}

export function getKex(name: string): KexAlgorithm | undefined {
  return preferProvided("kex", KEX_ALGORITHMS.get(name));
}

export function getSignatureAlgorithm(name: string): SignatureAlgorithm | undefined {
  return preferProvided("signature", SIGNATURE_ALGORITHMS.get(name));
}

export function getMac(name: string): MacAlgorithm | undefined {
  return preferProvided("mac", MACS.get(name));
}

/** True for a registered algorithm that is weak and offered only on explicit request. */
export function isInsecure(name: string): boolean {
  return INSECURE.has(name);
}

/** True for a cipher that authenticates packets itself, so the negotiated MAC is not used. */
export function isAeadCipher(name: string): boolean {
  return CIPHERS.get(name)?.aead === true;
}

export function supportedCiphers(): string[] {
  return [...CIPHERS.keys()];
}

export function supportedKexAlgorithms(): string[] {
  return [...KEX_ALGORITHMS.keys()];
}

export function supportedSignatureAlgorithms(): string[] {
  return [...SIGNATURE_ALGORITHMS.keys()];
}

/** Host-key algorithms are signature algorithms (RFC 4253 §6.6). */
export function supportedHostKeyAlgorithms(): string[] {
  return supportedSignatureAlgorithms();
}

export function supportedMacs(): string[] {
  return [...MACS.keys()];
}
