/**
 * The seed's Certificate type as used by SSHCert and SSHAcceptServerHostKey: a key pair (for
 * client authentication) or a public key alone (to pin a server): OpenSSH, PEM (PKCS#1, SEC1,
 * PKCS#8, encrypted or not) and PuTTY PPK private keys; OpenSSH one-line, RFC 4716 and PEM SPKI
 * public keys — from a file or from a string, with the store password for encrypted files.
 * @module
 */
import { readFile } from "node:fs/promises";
import {
  fingerprintHex,
  fingerprintSha256,
  type PrivateKey,
  type PublicKey,
  parsePrivateKey,
  parsePublicKeyBlob,
  parsePublicKeyFile,
} from "@purssh/keys";

export class Certificate {
  private constructor(
    readonly publicKey: PublicKey,
    readonly privateKey: PrivateKey | undefined,
    /** Where it came from (a path, or "string"). */
    readonly store: string,
  ) {}

  /**
   * From key text or bytes: a private key in any supported format (decrypted with `storePassword`
   * when encrypted), else a public key (OpenSSH line, RFC 4716 or PEM SPKI).
   */
  static fromString(text: string | Uint8Array, storePassword?: string, store = "string"): Certificate {
    const str = typeof text === "string" ? text : new TextDecoder().decode(text);
    if (/PRIVATE KEY-----|PuTTY-User-Key-File-/.test(str)) {
      const key = parsePrivateKey(text, storePassword);
      return new Certificate(key.publicKey, key, store);
    }
    return new Certificate(parsePublicKeyFile(str), undefined, store);
  }

  /** From a file holding either form. */
  static async fromFile(path: string, storePassword?: string): Promise<Certificate> {
    return Certificate.fromString(await readFile(path), storePassword, path);
  }

  /** From a key already parsed or generated with @purssh/keys. */
  static fromKey(key: PrivateKey, store = "key"): Certificate {
    return new Certificate(key.publicKey, key, store);
  }

  /** From a raw SSH public-key blob (e.g. the hostKeyB of SSHServerAuthentication). */
  static fromPublicKeyBlob(blob: Uint8Array): Certificate {
    return new Certificate(parsePublicKeyBlob(blob), undefined, "blob");
  }

  get hasPrivateKey(): boolean {
    return this.privateKey !== undefined;
  }

  /** The key blob (`string type ‖ …`). */
  get encoded(): Uint8Array {
    return this.publicKey.blob;
  }

  get keyType(): string {
    return this.publicKey.type;
  }

  /** The key comment, shown as the subject. */
  get subject(): string {
    return this.publicKey.comment;
  }

  /** `SHA256:…` as ssh-keygen prints it. */
  get fingerprint(): string {
    return fingerprintSha256(this.publicKey.blob);
  }

  /** Colon-separated hex digest (the seed's fingerprint form). */
  fingerprintHex(hash: "SHA256" | "SHA1" | "MD5" = "SHA256"): string {
    return fingerprintHex(this.publicKey.blob, hash);
  }
}
