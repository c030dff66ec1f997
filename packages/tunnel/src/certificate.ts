/**
 * The seed's Certificate type as used by SSHCert and SSHAcceptServerHostKey: a key pair (for
 * client authentication) or a public key alone (to pin a server). This slice reads OpenSSH
 * private keys and OpenSSH public-key lines, from a file or from a string.
 * @module
 */
import { readFile } from "node:fs/promises";
import {
  fingerprintHex,
  fingerprintSha256,
  type PrivateKey,
  type PublicKey,
  parseOpenSshPrivateKey,
  parsePublicKey,
  parsePublicKeyBlob,
} from "@purssh/keys";

export class Certificate {
  private constructor(
    readonly publicKey: PublicKey,
    readonly privateKey: PrivateKey | undefined,
    /** Where it came from (a path, or "string"). */
    readonly store: string,
  ) {}

  /** From key text: an OpenSSH private key, or an OpenSSH public-key (authorized_keys) line. */
  static fromString(text: string, store = "string"): Certificate {
    if (text.includes("-----BEGIN OPENSSH PRIVATE KEY-----")) {
      const key = parseOpenSshPrivateKey(text);
      return new Certificate(key.publicKey, key, store);
    }
    return new Certificate(parsePublicKey(text), undefined, store);
  }

  /** From a file holding either form. */
  static async fromFile(path: string): Promise<Certificate> {
    return Certificate.fromString(await readFile(path, "utf8"), path);
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
