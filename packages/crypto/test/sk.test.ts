import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  getSignatureAlgorithm,
  parseSkPublicKeyBlob,
  parseSkSignatureBlob,
  SK_ECDSA_SHA2_NISTP256,
  SK_FLAG_USER_PRESENCE,
  SK_FLAG_USER_VERIFICATION,
  SK_SSH_ED25519,
  type SkAlgorithmName,
  skEcdsaPublicKeyBlob,
  skEcdsaSha2Nistp256OpenSSH,
  skEd25519PublicKeyBlob,
  skSignatureAlgorithm,
  skSignatureBlob,
  skSignedData,
  skSshEd25519OpenSSH,
  sshEd25519,
  verifySkSignature,
} from "@purssh/crypto";
import { concatBytes, encodeWith, SshError, toHex, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { parseArmoredSshSig, publicKeyLineBlob, vectorBytes, vectorText } from "./sshsig.js";
import { hex, loadVectors } from "./vectors.js";

interface SkVector {
  algorithm: SkAlgorithmName;
  application: string;
  flags: number;
  counter: number;
  signedData: string;
  sshPublicKeyBlob: string;
  sshSignatureBlob: string;
}
const sk = loadVectors<{ message: string; vectors: SkVector[] }>("sk-u2f.json");
const ALG = { [SK_SSH_ED25519]: skSshEd25519OpenSSH, [SK_ECDSA_SHA2_NISTP256]: skEcdsaSha2Nistp256OpenSSH };

describe("OpenSSH PROTOCOL.u2f: signatures made by OpenSSH's own regress suite (sk-dummy authenticator)", () => {
  const message = vectorBytes("openssh-sshsig/signed-data");
  test.each([
    ["ed25519_sk", SK_SSH_ED25519],
    ["ecdsa_sk", SK_ECDSA_SHA2_NISTP256],
  ] as const)("sshsig/testdata/%s.sig verifies through %s", (file, name) => {
    const sig = parseArmoredSshSig(vectorText(`openssh-sshsig/${file}.sig`));
    const key = publicKeyLineBlob(vectorText(`openssh-sshsig/${file}.pub`));
    expect(toHex(sig.publicKeyBlob)).toBe(toHex(key));
    const alg = getSignatureAlgorithm(name);
    expect(alg?.keyType).toBe(name);
    expect(alg?.verify(key, sig.signatureBlob, sig.signedData(message))).toBe(true);
    expect(alg?.verify(key, sig.signatureBlob, sig.signedData(concatBytes(message, Uint8Array.of(0))))).toBe(false);
    expect(parseSkSignatureBlob(sig.signatureBlob)).toMatchObject({
      algorithm: name,
      flags: 0x01,
      counter: 0x12345678,
    });
    expect(parseSkPublicKeyBlob(key)).toMatchObject({ algorithm: name, application: utf8Encode("ssh:") });
  });

  test("webauthn-sk-ecdsa-sha2-nistp256@openssh.com (sshsig/testdata/ecdsa_sk_webauthn.sig) is not accepted: not implemented", () => {
    const sig = parseArmoredSshSig(vectorText("openssh-sshsig/ecdsa_sk_webauthn.sig"));
    expect(skEcdsaSha2Nistp256OpenSSH.verify(sig.publicKeyBlob, sig.signatureBlob, sig.signedData(message))).toBe(
      false,
    );
    expect(parseSkSignatureBlob(sig.signatureBlob)).toBeUndefined();
  });
});

describe("PROTOCOL.u2f signed data and flags (vectors from a software authenticator, Python cryptography)", () => {
  test("the vectors cover both algorithms, flags 0x00/0x01/0x04/0x05 and counters 0 and 2^32 − 1", () => {
    expect(new Set(sk.vectors.map((v) => v.algorithm))).toEqual(new Set([SK_SSH_ED25519, SK_ECDSA_SHA2_NISTP256]));
    expect(new Set(sk.vectors.map((v) => v.flags))).toEqual(new Set([0, 1, 4, 5]));
    expect(sk.vectors.map((v) => v.counter)).toEqual(expect.arrayContaining([0, 0xffffffff]));
  });

  test.each(
    sk.vectors.map((v) => [`${v.algorithm} flags=${v.flags} counter=${v.counter} app=${v.application}`, v] as const),
  )("%s", (_n, v) => {
    const app = utf8Encode(v.application);
    const msg = hex(sk.message);
    const key = hex(v.sshPublicKeyBlob);
    const sig = hex(v.sshSignatureBlob);
    // SHA256(application) ‖ flags ‖ uint32 counter ‖ SHA256(message)
    expect(toHex(skSignedData(app, v.flags, v.counter, msg))).toBe(v.signedData);
    expect(parseSkSignatureBlob(sig)).toMatchObject({ algorithm: v.algorithm, flags: v.flags, counter: v.counter });
    const parsed = parseSkPublicKeyBlob(key);
    expect(parsed?.application).toEqual(app);
    const rebuilt =
      v.algorithm === SK_SSH_ED25519
        ? skEd25519PublicKeyBlob(parsed?.publicKey ?? new Uint8Array(), app)
        : skEcdsaPublicKeyBlob(parsed?.publicKey ?? new Uint8Array(), app);
    expect(toHex(rebuilt)).toBe(v.sshPublicKeyBlob);

    const up = (v.flags & SK_FLAG_USER_PRESENCE) !== 0;
    const uv = (v.flags & SK_FLAG_USER_VERIFICATION) !== 0;
    // sshd's default: user presence required
    expect(ALG[v.algorithm].verify(key, sig, msg)).toBe(up);
    // `no-touch-required`
    expect(verifySkSignature(key, sig, msg, { requireUserPresence: false })).toBe(true);
    // `verify-required` on top of the default
    expect(verifySkSignature(key, sig, msg, { requireUserVerification: true })).toBe(up && uv);
    // another message never verifies, whatever the policy
    expect(verifySkSignature(key, sig, concatBytes(msg, Uint8Array.of(1)), { requireUserPresence: false })).toBe(false);
  });

  test("flags and counter are signed: changing either in the blob breaks the signature", () => {
    const v = sk.vectors.find((x) => x.flags === 5 && x.algorithm === SK_ECDSA_SHA2_NISTP256) as SkVector;
    const sig = hex(v.sshSignatureBlob);
    const key = hex(v.sshPublicKeyBlob);
    const msg = hex(sk.message);
    const flagAt = sig.length - 5;
    const lessFlags = sig.slice();
    lessFlags[flagAt] = 0x01;
    const otherCounter = sig.slice();
    otherCounter[sig.length - 1] = (otherCounter[sig.length - 1] as number) ^ 1;
    expect(verifySkSignature(key, sig, msg)).toBe(true);
    expect(verifySkSignature(key, lessFlags, msg)).toBe(false);
    expect(verifySkSignature(key, otherCounter, msg)).toBe(false);
  });
});

describe("PROTOCOL.u2f with a noble-made authenticator: the application is bound", () => {
  const seed = sha256(utf8Encode("purssh sk test ed25519"));
  const scalar = sha256(utf8Encode("purssh sk test p256"));
  const msg = utf8Encode("session identifier ‖ userauth request");
  const app = utf8Encode("ssh:");

  function signEd(application: Uint8Array, flags: number, counter: number): Uint8Array {
    return skSignatureBlob(
      SK_SSH_ED25519,
      ed25519.sign(skSignedData(application, flags, counter, msg), seed),
      flags,
      counter,
    );
  }
  function signEc(application: Uint8Array, flags: number, counter: number): Uint8Array {
    const compact = p256.sign(sha256(skSignedData(application, flags, counter, msg)), scalar, {
      prehash: false,
      lowS: false,
    });
    const { r, s } = p256.Signature.fromBytes(compact, "compact");
    return skSignatureBlob(SK_ECDSA_SHA2_NISTP256, { r, s }, flags, counter);
  }
  const edKey = skEd25519PublicKeyBlob(ed25519.getPublicKey(seed), app);
  const ecKey = skEcdsaPublicKeyBlob(p256.getPublicKey(scalar, false), app);

  test("user presence set: verifies; unset: refused by default", () => {
    expect(skSshEd25519OpenSSH.verify(edKey, signEd(app, 0x01, 9), msg)).toBe(true);
    expect(skEcdsaSha2Nistp256OpenSSH.verify(ecKey, signEc(app, 0x01, 9), msg)).toBe(true);
    expect(skSshEd25519OpenSSH.verify(edKey, signEd(app, 0x00, 9), msg)).toBe(false);
    expect(skEcdsaSha2Nistp256OpenSSH.verify(ecKey, signEc(app, 0x00, 9), msg)).toBe(false);
  });

  test("a `no-touch-required` algorithm object accepts the untouched signature", () => {
    const noTouch = skSignatureAlgorithm(SK_SSH_ED25519, { requireUserPresence: false });
    expect(noTouch.name).toBe(SK_SSH_ED25519);
    expect(noTouch.verify(edKey, signEd(app, 0x00, 9), msg)).toBe(true);
    expect(noTouch.verify(ecKey, signEc(app, 0x00, 9), msg)).toBe(false); // wrong key type for this object
  });

  test("a signature made for another application does not verify under this key", () => {
    const other = utf8Encode("ssh:other");
    expect(skSshEd25519OpenSSH.verify(edKey, signEd(other, 0x01, 1), msg)).toBe(false);
    expect(skEcdsaSha2Nistp256OpenSSH.verify(ecKey, signEc(other, 0x01, 1), msg)).toBe(false);
    expect(
      skSshEd25519OpenSSH.verify(skEd25519PublicKeyBlob(ed25519.getPublicKey(seed), other), signEd(other, 1, 1), msg),
    ).toBe(true);
  });

  test("sk and plain algorithms are not interchangeable", () => {
    const plainSig = encodeWith((w) => w.utf8("ssh-ed25519").string(ed25519.sign(msg, seed)));
    const plainKey = encodeWith((w) => w.utf8("ssh-ed25519").string(ed25519.getPublicKey(seed)));
    expect(sshEd25519.verify(plainKey, plainSig, msg)).toBe(true); // control
    expect(skSshEd25519OpenSSH.verify(edKey, plainSig, msg)).toBe(false);
    expect(sshEd25519.verify(plainKey, signEd(app, 1, 1), msg)).toBe(false);
    expect(skSshEd25519OpenSSH.verify(ecKey, signEc(app, 1, 1), msg)).toBe(false);
    expect(skEcdsaSha2Nistp256OpenSSH.verify(edKey, signEd(app, 1, 1), msg)).toBe(false);
  });

  test("malformed blobs never verify and never throw", () => {
    const good = signEd(app, 1, 1);
    expect(skSshEd25519OpenSSH.verify(edKey, good, msg)).toBe(true);
    const nulApp = encodeWith((w) =>
      w.utf8(SK_SSH_ED25519).string(ed25519.getPublicKey(seed)).string(utf8Encode("ssh:\0x")),
    );
    const badKeys = [
      nulApp,
      concatBytes(edKey, Uint8Array.of(0)),
      edKey.subarray(0, edKey.length - 1),
      encodeWith((w) => w.utf8(SK_SSH_ED25519).string(ed25519.getPublicKey(seed))), // no application
      encodeWith((w) =>
        w.utf8(SK_ECDSA_SHA2_NISTP256).utf8("nistp384").string(p256.getPublicKey(scalar, false)).string(app),
      ),
      encodeWith((w) =>
        w.utf8(SK_ECDSA_SHA2_NISTP256).utf8("nistp256").string(p256.getPublicKey(scalar, true)).string(app),
      ),
    ];
    for (const key of badKeys) {
      expect(verifySkSignature(key, good, msg, { requireUserPresence: false })).toBe(false);
      expect(parseSkPublicKeyBlob(key)).toBeUndefined();
    }
    const sig64 = ed25519.sign(skSignedData(app, 1, 1, msg), seed);
    const badSigs = [
      concatBytes(good, Uint8Array.of(0)),
      good.subarray(0, good.length - 1), // counter cut short
      encodeWith((w) => w.utf8(SK_SSH_ED25519).string(sig64).byte(1)), // no counter
      encodeWith((w) => w.utf8(SK_SSH_ED25519).string(sig64.subarray(1)).byte(1).uint32(1)),
      encodeWith((w) =>
        w
          .utf8(SK_SSH_ED25519)
          .string(concatBytes(sig64, Uint8Array.of(0)))
          .byte(1)
          .uint32(1),
      ),
      encodeWith((w) => w.utf8(SK_ECDSA_SHA2_NISTP256).string(new Uint8Array(0)).byte(1).uint32(1)),
      new Uint8Array(0),
    ];
    for (const sig of badSigs) expect(skSshEd25519OpenSSH.verify(edKey, sig, msg)).toBe(false);
    const ecGood = signEc(app, 1, 1);
    const parsed = parseSkSignatureBlob(ecGood);
    const innerTrailing = encodeWith((w) =>
      w
        .utf8(SK_ECDSA_SHA2_NISTP256)
        .string(concatBytes(parsed?.signature ?? new Uint8Array(), Uint8Array.of(0)))
        .byte(1)
        .uint32(1),
    );
    expect(skEcdsaSha2Nistp256OpenSSH.verify(ecKey, ecGood, msg)).toBe(true);
    expect(skEcdsaSha2Nistp256OpenSSH.verify(ecKey, innerTrailing, msg)).toBe(false);
  });

  test("builders refuse bad input", () => {
    expect(() => skEd25519PublicKeyBlob(new Uint8Array(31), app)).toThrow(SshError);
    expect(() => skEd25519PublicKeyBlob(new Uint8Array(32), utf8Encode("a\0b"))).toThrow(SshError);
    expect(() => skEcdsaPublicKeyBlob(p256.getPublicKey(scalar, true), app)).toThrow(SshError);
    expect(() => skSignatureBlob(SK_SSH_ED25519, new Uint8Array(63), 1, 1)).toThrow(SshError);
    expect(() => skSignatureBlob(SK_ECDSA_SHA2_NISTP256, new Uint8Array(64), 1, 1)).toThrow(SshError);
    expect(() => skSignatureAlgorithm("ssh-ed25519" as SkAlgorithmName)).toThrow(SshError);
  });
});
