/**
 * The per-key part of an OpenSSH private list (PROTOCOL.key §3 "privatekey1", i.e. the agent
 * encoding of PROTOCOL.agent / OpenSSH sshkey.c `sshkey_private_serialize`), after the key type:
 *
 *   ssh-ed25519                          string pk(32), string sk(64) = seed ‖ pk
 *   ecdsa-sha2-nistp256/384/521          string curve, string Q, mpint d
 *   ssh-rsa                              mpint n, mpint e, mpint d, mpint iqmp, mpint p, mpint q
 *   sk-ssh-ed25519@openssh.com           string pk(32), string application, byte flags,
 *                                        string key_handle, string reserved   (PROTOCOL.u2f)
 *   sk-ecdsa-sha2-nistp256@openssh.com   string curve, string Q, string application, byte flags,
 *                                        string key_handle, string reserved
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { equalBytes, type SshReader, type SshWriter } from "@purssh/wire";
import { type EcdsaCurveName, isEcdsaKeyType } from "./ecdsa-curves.js";
import { ecdsaPrivateKey } from "./ecdsa-key.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import { ED25519_PUBLIC_KEY_LENGTH, SK_ECDSA_NISTP256, SK_SSH_ED25519, SSH_ED25519, SSH_RSA } from "./key-blobs.js";
import {
  ED25519_SEED_LENGTH,
  ed25519PrivateKeyFromSeed,
  type PrivateKey,
  type PrivateKeyMaterial,
  type SecurityKeyFields,
} from "./private-key.js";
import { rsaPrivateKey } from "./rsa-key.js";
import { securityKeyPrivateKey } from "./sk-key.js";

/** Key types OpenSSH knows but we deliberately do not load, with the reason. */
const REFUSED_TYPES: Readonly<Record<string, string>> = {
  "ssh-dss": "DSA keys (ssh-dss) are not supported: OpenSSH disabled them by default in 7.0 and removed them in 10.0",
};

/** A key section read from the file; the comment follows it in the list. */
export type PendingKey = (comment: string) => PrivateKey;

function readCurveName(r: SshReader, type: string, what: string): EcdsaCurveName {
  const curve = r.utf8();
  const expected = type === SK_ECDSA_NISTP256 ? "nistp256" : type.slice("ecdsa-sha2-".length);
  if (curve !== expected) {
    throw new KeyError(KEY_ERROR.PARSE, `${what}: a ${type} key names curve ${JSON.stringify(curve.slice(0, 40))}`);
  }
  return curve as EcdsaCurveName;
}

function readSecurityKeyFields(r: SshReader): SecurityKeyFields {
  const application = r.utf8();
  const flags = r.byte();
  const keyHandle = r.string().slice();
  const reserved = r.string().slice();
  return { application, flags, keyHandle, reserved };
}

/** OpenSSH ssh-ed25519.c private encoding: string pk(32) ‖ string sk(64), sk = seed ‖ pk. */
function readEd25519(r: SshReader, what: string): Uint8Array {
  const pk = r.string();
  if (pk.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new KeyError(KEY_ERROR.PARSE, `ssh-ed25519 private key holds a ${pk.length}-byte public key, expected 32`);
  }
  const sk = r.string();
  if (sk.length !== ED25519_SEED_LENGTH + ED25519_PUBLIC_KEY_LENGTH) {
    throw new KeyError(KEY_ERROR.PARSE, `ssh-ed25519 private key holds a ${sk.length}-byte secret key, expected 64`);
  }
  const seed = sk.subarray(0, ED25519_SEED_LENGTH);
  if (!equalBytes(sk.subarray(ED25519_SEED_LENGTH), pk)) {
    throw new KeyError(KEY_ERROR.PARSE, `${what} is inconsistent: the second half of sk is not pk`);
  }
  if (!equalBytes(ed25519.getPublicKey(seed), pk)) {
    throw new KeyError(KEY_ERROR.PARSE, `${what} is inconsistent: pk is not derived from the seed`);
  }
  return seed;
}

/**
 * Reads the fields of a `type` key from `r` (positioned after the type string) and returns a
 * function that builds the key once the comment is known.
 */
export function readKeySection(r: SshReader, type: string, what: string): PendingKey {
  if (type === SSH_ED25519) {
    const seed = readEd25519(r, what);
    return (comment) => ed25519PrivateKeyFromSeed(seed, comment);
  }
  if (isEcdsaKeyType(type)) {
    const curve = readCurveName(r, type, what);
    const point = r.string();
    const d = r.mpint();
    return (comment) => ecdsaPrivateKey(curve, d, comment, point, what);
  }
  if (type === SSH_RSA) {
    const n = r.mpint();
    const e = r.mpint();
    const d = r.mpint();
    const iqmp = r.mpint();
    const p = r.mpint();
    const q = r.mpint();
    return (comment) => rsaPrivateKey({ n, e, d, p, q, iqmp }, comment, what);
  }
  if (type === SK_SSH_ED25519) {
    const publicKey = r.string().slice();
    const fields = readSecurityKeyFields(r);
    return (comment) => securityKeyPrivateKey({ kind: "sk-ed25519", publicKey }, fields, comment);
  }
  if (type === SK_ECDSA_NISTP256) {
    readCurveName(r, type, what);
    const point = r.string().slice();
    const fields = readSecurityKeyFields(r);
    return (comment) => securityKeyPrivateKey({ kind: "sk-ecdsa", point }, fields, comment);
  }
  const refused = REFUSED_TYPES[type];
  throw new KeyError(
    KEY_ERROR.UNSUPPORTED_TYPE,
    refused ??
      `${what} of type ${JSON.stringify(type)} is not supported (supported: ${SSH_ED25519}, ecdsa-sha2-nistp256/384/521, ` +
        `${SSH_RSA}, ${SK_SSH_ED25519}, ${SK_ECDSA_NISTP256})`,
  );
}

function writeSecurityKeyFields(w: SshWriter, f: SecurityKeyFields): void {
  w.utf8(f.application).byte(f.flags).string(f.keyHandle).string(f.reserved);
}

/** Writes `string type ‖ fields` of a key, the inverse of `readKeySection`. */
export function writeKeySection(w: SshWriter, type: string, m: PrivateKeyMaterial): void {
  w.utf8(type);
  switch (m.kind) {
    case "ed25519": {
      const sk = new Uint8Array(ED25519_SEED_LENGTH + ED25519_PUBLIC_KEY_LENGTH);
      sk.set(m.seed, 0);
      sk.set(m.publicKey, ED25519_SEED_LENGTH);
      w.string(m.publicKey).string(sk);
      return;
    }
    case "ecdsa":
      w.utf8(m.curve).string(m.point).mpint(m.d);
      return;
    case "rsa":
      w.mpint(m.n).mpint(m.e).mpint(m.d).mpint(m.iqmp).mpint(m.p).mpint(m.q);
      return;
    case "sk-ed25519":
      w.string(m.publicKey);
      writeSecurityKeyFields(w, m);
      return;
    case "sk-ecdsa":
      w.utf8(m.curve).string(m.point);
      writeSecurityKeyFields(w, m);
      return;
    default: {
      const never: never = m;
      throw new KeyError(KEY_ERROR.UNSUPPORTED_TYPE, `cannot write key material ${JSON.stringify(never)}`);
    }
  }
}
