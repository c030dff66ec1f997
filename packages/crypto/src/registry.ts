/**
 * The algorithm registry: which names of RFC 4253 §7.1 KEXINIT name-lists this build implements,
 * what it offers by default, and the implementation behind each name.
 *
 * MACs: every cipher here is an AEAD (OpenSSH PROTOCOL §1.6, §1.7), and with an AEAD the negotiated
 * MAC is ignored; OpenSSH does not even match the MAC lists then. No MAC algorithm is implemented
 * yet, so none is listed: the transport advertises a MAC name only once it exists here, and must not
 * fill the list with names it cannot honour.
 *
 * Nothing insecure is registered. Should a weak algorithm ever be added, its identifier carries
 * `insecure` and it stays out of every DEFAULT_* list.
 * @module
 */
import { aes128GcmOpenSSH, aes256GcmOpenSSH } from "./ciphers/aes-gcm.js";
import { chacha20Poly1305OpenSSH } from "./ciphers/chacha20-poly1305.js";
import { curve25519Sha256, curve25519Sha256Libssh } from "./kex/curve25519.js";
import { sshEd25519 } from "./signatures/ed25519.js";
import type { CipherAlgorithm, KexAlgorithm, SignatureAlgorithm } from "./types.js";

function byName<T extends { readonly name: string }>(entries: readonly T[]): ReadonlyMap<string, T> {
  return new Map(entries.map((e) => [e.name, e]));
}

const CIPHERS = byName<CipherAlgorithm>([chacha20Poly1305OpenSSH, aes256GcmOpenSSH, aes128GcmOpenSSH]);
const KEX_ALGORITHMS = byName<KexAlgorithm>([curve25519Sha256, curve25519Sha256Libssh]);
const SIGNATURE_ALGORITHMS = byName<SignatureAlgorithm>([sshEd25519]);

/** Our KEXINIT kex_algorithms, in order of preference. */
export const DEFAULT_KEX_ALGORITHMS: readonly string[] = Object.freeze([
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
]);
/** Our KEXINIT encryption_algorithms (both directions), in order of preference. */
export const DEFAULT_CIPHERS: readonly string[] = Object.freeze([
  "chacha20-poly1305@openssh.com",
  "aes256-gcm@openssh.com",
  "aes128-gcm@openssh.com",
]);
/** Our KEXINIT server_host_key_algorithms, in order of preference. */
export const DEFAULT_HOST_KEY_ALGORITHMS: readonly string[] = Object.freeze(["ssh-ed25519"]);
/** Our KEXINIT mac_algorithms: empty until a MAC is implemented (all our ciphers are AEADs). */
export const DEFAULT_MACS: readonly string[] = Object.freeze([]);

export function getCipher(name: string): CipherAlgorithm | undefined {
  return CIPHERS.get(name);
}

export function getKex(name: string): KexAlgorithm | undefined {
  return KEX_ALGORITHMS.get(name);
}

export function getSignatureAlgorithm(name: string): SignatureAlgorithm | undefined {
  return SIGNATURE_ALGORITHMS.get(name);
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

/** No MAC is implemented yet; see the module comment. */
export function supportedMacs(): string[] {
  return [];
}
