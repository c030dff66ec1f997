/**
 * Signatures made by parsed keys of every type and format verify with @purssh/crypto's
 * SignatureAlgorithm and with `ssh-keygen -Y check-novalidate` (PROTOCOL.sshsig), and
 * signatures ssh-keygen makes with the same key files verify against our public keys.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha512 } from "@noble/hashes/sha2.js";
import {
  ecdsaSha2Nistp256,
  ecdsaSha2Nistp384,
  ecdsaSha2Nistp521,
  insecureSshRsaSha1,
  rsaSha2256,
  rsaSha2512,
  type SignatureAlgorithm,
  sshEd25519,
} from "@purssh/crypto";
import { type PrivateKey, parsePrivateKey } from "@purssh/keys";
import { SshReader, SshWriter, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { armor, dearmorForTest } from "./builder.js";
import {
  BASE_KEYS,
  type BaseKeyName,
  fixture,
  fixtureBytes,
  keyErrorOf,
  PASSPHRASE,
  skipInterop,
  sshKeygen,
  withTempDir,
  writePrivateKeyFile,
} from "./helpers.js";

const VERIFIERS: Readonly<Record<string, SignatureAlgorithm>> = {
  "ssh-ed25519": sshEd25519,
  "ecdsa-sha2-nistp256": ecdsaSha2Nistp256,
  "ecdsa-sha2-nistp384": ecdsaSha2Nistp384,
  "ecdsa-sha2-nistp521": ecdsaSha2Nistp521,
  "rsa-sha2-512": rsaSha2512,
  "rsa-sha2-256": rsaSha2256,
  "ssh-rsa": insecureSshRsaSha1,
};

/** Every file of a base key, in every format, with its passphrase. */
function sources(name: BaseKeyName): Array<[string, string | undefined]> {
  const files: Array<[string, string | undefined]> = [
    [`openssh/${name}`, undefined],
    [`openssh/${name}.enc`, PASSPHRASE],
    [`ppk/${name}.v2.ppk`, undefined],
    [`ppk/${name}.v3.enc.ppk`, PASSPHRASE],
  ];
  if (name !== "ed25519") {
    files.push([`pem/${name}.pem`, undefined], [`pem/${name}.enc.pkcs8`, PASSPHRASE]);
  }
  return files;
}

const MESSAGE = utf8Encode("session identifier ‖ SSH_MSG_USERAUTH_REQUEST …");

const signatureAlgorithmOf = (blob: Uint8Array) => new SshReader(blob).utf8();

describe("every signature algorithm of every parsed key verifies with @purssh/crypto", () => {
  test.each(BASE_KEYS.flatMap((k) => sources(k.name).map(([file, pass]) => ({ ...k, file, pass }))))(
    "$file: sign() with each of the key's algorithms",
    ({ file, pass, type }) => {
      const key = parsePrivateKey(fixtureBytes(file), pass);
      expect(key.type).toBe(type);
      for (const alg of key.signatureAlgorithms) {
        const blob = key.sign(MESSAGE, alg);
        expect(signatureAlgorithmOf(blob)).toBe(alg);
        const verifier = VERIFIERS[alg] as SignatureAlgorithm;
        expect(verifier.verify(key.publicKey.blob, blob, MESSAGE), alg).toBe(true);
        expect(verifier.verify(key.publicKey.blob, blob, utf8Encode("other data")), alg).toBe(false);
      }
    },
  );

  test("RFC 8332: an RSA key signs with rsa-sha2-512 by default; each algorithm uses its own hash", () => {
    const key = parsePrivateKey(fixture("openssh/rsa-2048"));
    const def = key.sign(MESSAGE);
    expect(signatureAlgorithmOf(def)).toBe("rsa-sha2-512");
    expect(rsaSha2256.verify(key.publicKey.blob, key.sign(MESSAGE, "rsa-sha2-512"), MESSAGE)).toBe(false);
    expect(rsaSha2512.verify(key.publicKey.blob, key.sign(MESSAGE, "rsa-sha2-256"), MESSAGE)).toBe(false);
  });

  test("an algorithm of another key type is ERR_KEY_UNSUPPORTED_ALGORITHM", () => {
    const ecdsa = parsePrivateKey(fixture("openssh/ecdsa-p256"));
    for (const alg of ["ecdsa-sha2-nistp384", "rsa-sha2-256", "ssh-ed25519"]) {
      expect(keyErrorOf(() => ecdsa.sign(MESSAGE, alg)).code).toBe("ERR_KEY_UNSUPPORTED_ALGORITHM");
    }
    const rsa = parsePrivateKey(fixture("openssh/rsa-2048"));
    expect(keyErrorOf(() => rsa.sign(MESSAGE, "rsa-sha2-384")).code).toBe("ERR_KEY_UNSUPPORTED_ALGORITHM");
  });

  test("secret material stays off the key objects of every type", () => {
    for (const { name } of BASE_KEYS) {
      const key: PrivateKey = parsePrivateKey(fixture(`openssh/${name}`));
      expect(Object.keys(key).sort()).toEqual(["publicKey", "sign", "signatureAlgorithms", "type"]);
      expect(Object.isFrozen(key)).toBe(true);
    }
  });
});

// PROTOCOL.sshsig: the signed data and the signature file, to cross-check with ssh-keygen -Y.
const NAMESPACE = "purssh-test";
const signedData = (message: Uint8Array) =>
  new SshWriter().raw(utf8Encode("SSHSIG")).utf8(NAMESPACE).utf8("").utf8("sha512").string(sha512(message)).finish();

function sshsig(key: PrivateKey, message: Uint8Array, algorithm?: string): string {
  const blob = new SshWriter()
    .raw(utf8Encode("SSHSIG"))
    .uint32(1)
    .string(key.publicKey.blob)
    .utf8(NAMESPACE)
    .utf8("")
    .utf8("sha512")
    .string(key.sign(signedData(message), algorithm))
    .finish();
  return armor(blob, 76, "SSH SIGNATURE");
}

describe.skipIf(skipInterop)("ssh-keygen -Y agrees with our signatures", () => {
  const CASES = BASE_KEYS.flatMap<{ name: BaseKeyName; alg: string }>(({ name, type }) =>
    type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256"].map((alg) => ({ name, alg })) : [{ name, alg: type }],
  );

  test.each(CASES)("ssh-keygen -Y check-novalidate accepts a $alg SSHSIG made by our $name key", ({ name, alg }) => {
    withTempDir((dir) => {
      const key = parsePrivateKey(fixture(`openssh/${name}.enc`), PASSPHRASE);
      const message = utf8Encode(`signed by purssh with ${alg}\n`);
      writeFileSync(join(dir, "msg.sig"), sshsig(key, message, alg));
      const args = ["-Y", "check-novalidate", "-n", NAMESPACE, "-s", join(dir, "msg.sig")];
      const ok = sshKeygen(args, message);
      expect(ok.status, ok.stderr).toBe(0);
      expect(sshKeygen(args, utf8Encode("another message\n")).status).not.toBe(0);
    });
  });

  test.each(BASE_KEYS)(
    "ssh-keygen -Y sign with the $name fixture verifies against our public key",
    ({ name, type }) => {
      withTempDir((dir) => {
        const path = writePrivateKeyFile(dir, "id", fixture(`openssh/${name}`));
        const message = utf8Encode("signed by ssh-keygen\n");
        writeFileSync(join(dir, "msg"), message);
        const out = sshKeygen(["-Y", "sign", "-f", path, "-n", NAMESPACE, join(dir, "msg")]);
        expect(out.status, out.stderr).toBe(0);
        const r = new SshReader(dearmorForTest(readFileSync(join(dir, "msg.sig"), "utf8")), 6);
        r.uint32();
        const signer = r.string();
        r.utf8();
        r.string();
        r.utf8();
        const signature = r.string();
        const key = parsePrivateKey(fixture(`openssh/${name}`));
        expect(signer).toEqual(key.publicKey.blob);
        const alg = signatureAlgorithmOf(signature);
        expect(alg).toBe(type === "ssh-rsa" ? "rsa-sha2-512" : type);
        expect((VERIFIERS[alg] as SignatureAlgorithm).verify(key.publicKey.blob, signature, signedData(message))).toBe(
          true,
        );
        // Ed25519 and RSASSA-PKCS1-v1_5 are deterministic: our signature is the very same blob.
        if (type === "ssh-ed25519" || type === "ssh-rsa") expect(key.sign(signedData(message), alg)).toEqual(signature);
      });
    },
  );
});
