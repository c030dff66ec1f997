import {
  ed25519PublicKey,
  ed25519PublicKeyBlob,
  ed25519SignatureBlob,
  getSignatureAlgorithm,
  parseEd25519PublicKeyBlob,
  parseEd25519SignatureBlob,
  SSH_ED25519,
  signEd25519,
  sshEd25519,
} from "@purssh/crypto";
import { concatBytes, encodeWith, SshError, toHex, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { hex, loadVectors } from "./vectors.js";

interface Ed25519Vector {
  name: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
  sshPublicKeyBlob: string;
  sshSignatureBlob: string;
}
const { vectors } = loadVectors<{ vectors: Ed25519Vector[] }>("ed25519-rfc8032.json");

/** Ed25519 group order L (RFC 8032 §5.1). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const blob = (name: string, field: Uint8Array) => encodeWith((w) => w.utf8(name).string(field));

describe("RFC 8032 §7.1 Ed25519 vectors through ssh-ed25519 (RFC 8709)", () => {
  test("the five RFC 8032 §7.1 vectors are present, TEST 1024 with its 1023-byte message", () => {
    expect(vectors.map((x) => x.name)).toEqual(["TEST 1", "TEST 2", "TEST 3", "TEST 1024", "TEST SHA(abc)"]);
    expect(hex(vectors[3]?.message ?? "")).toHaveLength(1023);
  });

  test.each(vectors.map((x) => [x.name, x] as const))("RFC 8032 §7.1 %s: signing gives the RFC signature", (_n, x) => {
    const seed = hex(x.secretKey);
    const message = hex(x.message);
    expect(toHex(ed25519PublicKey(seed))).toBe(x.publicKey);
    const sigBlob = signEd25519(seed, message);
    expect(toHex(sigBlob)).toBe(x.sshSignatureBlob);
    expect(toHex(parseEd25519SignatureBlob(sigBlob) ?? new Uint8Array())).toBe(x.signature);
  });

  test.each(vectors.map((x) => [x.name, x] as const))(
    "RFC 8709 §4, §6 %s: key and signature blobs, and verification through the registry",
    (_n, x) => {
      const keyBlob = ed25519PublicKeyBlob(hex(x.publicKey));
      expect(toHex(keyBlob)).toBe(x.sshPublicKeyBlob);
      expect(toHex(ed25519SignatureBlob(hex(x.signature)))).toBe(x.sshSignatureBlob);
      expect(toHex(parseEd25519PublicKeyBlob(keyBlob) ?? new Uint8Array())).toBe(x.publicKey);
      const alg = getSignatureAlgorithm("ssh-ed25519");
      expect(alg).toBe(sshEd25519);
      expect(alg?.verify(keyBlob, hex(x.sshSignatureBlob), hex(x.message))).toBe(true);
    },
  );

  test.each(vectors.map((x) => [x.name, x] as const))(
    "RFC 8032 §5.1.7 %s: another message, another key or a flipped bit does not verify",
    (_n, x) => {
      const keyBlob = hex(x.sshPublicKeyBlob);
      const sigBlob = hex(x.sshSignatureBlob);
      const message = hex(x.message);
      expect(sshEd25519.verify(keyBlob, sigBlob, concatBytes(message, new Uint8Array([0])))).toBe(false);
      const other = vectors.find((o) => o.name !== x.name);
      expect(sshEd25519.verify(hex(other?.sshPublicKeyBlob ?? ""), sigBlob, message)).toBe(false);
      for (const bit of [0, 255, 256, 511]) {
        const sig = hex(x.signature);
        sig[bit >> 3] = (sig[bit >> 3] as number) ^ (1 << (bit & 7));
        expect(sshEd25519.verify(keyBlob, ed25519SignatureBlob(sig), message), `bit ${bit}`).toBe(false);
      }
    },
  );
});

describe("RFC 8709: malformed blobs never verify and never throw", () => {
  const x = vectors[1] as Ed25519Vector;
  const pk = hex(x.publicKey);
  const sig = hex(x.signature);
  const msg = hex(x.message);
  const goodKey = hex(x.sshPublicKeyBlob);
  const goodSig = hex(x.sshSignatureBlob);

  test("the unmodified pair verifies (control)", () => {
    expect(sshEd25519.verify(goodKey, goodSig, msg)).toBe(true);
  });

  const badKeys: [string, Uint8Array][] = [
    ["empty", new Uint8Array()],
    ["another key type name", blob("ssh-rsa", pk)],
    ["a near-miss name", blob("ssh-ed25518", pk)],
    ["a 31-byte key", blob(SSH_ED25519, pk.subarray(0, 31))],
    ["a 33-byte key", blob(SSH_ED25519, concatBytes(pk, new Uint8Array([0])))],
    ["a trailing byte", concatBytes(goodKey, new Uint8Array([0]))],
    ["a truncated blob", goodKey.subarray(0, goodKey.length - 1)],
    ["a string length beyond the blob", concatBytes(goodKey.subarray(0, 15), new Uint8Array([0xff, 0xff, 0xff, 0xff]))],
    ["a point that is not on the curve", blob(SSH_ED25519, hex(`02${"00".repeat(31)}`))],
    ["a non-canonical y ≥ p", blob(SSH_ED25519, hex(`ee${"ff".repeat(30)}7f`))],
  ];
  test.each(badKeys)("RFC 8709 §4: a key blob with %s does not verify", (_what, keyBlob) => {
    expect(sshEd25519.verify(keyBlob, goodSig, msg)).toBe(false);
  });

  const sPlusL = (() => {
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i] as number);
    s += L;
    const out = sig.slice();
    for (let i = 32; i < 64; i++) {
      out[i] = Number(s & 0xffn);
      s >>= 8n;
    }
    return out;
  })();
  const badSigs: [string, Uint8Array][] = [
    ["empty", new Uint8Array()],
    ["another algorithm name", blob("rsa-sha2-256", sig)],
    ["a 63-byte signature", blob(SSH_ED25519, sig.subarray(0, 63))],
    ["a 65-byte signature", blob(SSH_ED25519, concatBytes(sig, new Uint8Array([0])))],
    ["a trailing byte", concatBytes(goodSig, new Uint8Array([0]))],
    ["only the name", encodeWith((w) => w.utf8(SSH_ED25519))],
    ["S + L in place of S (malleability, RFC 8032 §5.1.7 requires S < L)", blob(SSH_ED25519, sPlusL)],
    ["the raw signature without framing", sig],
  ];
  test.each(badSigs)("RFC 8709 §6: a signature blob with %s does not verify", (_what, sigBlob) => {
    expect(sshEd25519.verify(goodKey, sigBlob, msg)).toBe(false);
  });

  test("the parsers return undefined for a blob of the wrong kind", () => {
    expect(parseEd25519PublicKeyBlob(goodSig)).toBeUndefined();
    expect(parseEd25519SignatureBlob(goodKey)).toBeUndefined();
    expect(parseEd25519PublicKeyBlob(utf8Encode("ssh-ed25519"))).toBeUndefined();
  });

  test("the helpers refuse keys, seeds and signatures of the wrong length", () => {
    expect(() => ed25519PublicKeyBlob(pk.subarray(1))).toThrow(SshError);
    expect(() => ed25519SignatureBlob(sig.subarray(1))).toThrow(SshError);
    expect(() => signEd25519(new Uint8Array(64), msg)).toThrow(SshError);
    expect(() => ed25519PublicKey(new Uint8Array(31))).toThrow(SshError);
  });

  test("ssh-ed25519 names both the signature algorithm and the key type", () => {
    expect(sshEd25519.name).toBe("ssh-ed25519");
    expect(sshEd25519.keyType).toBe("ssh-ed25519");
  });
});
