// Recorded exchange-hash vectors (DESIGN.md Testing, layer 3): a client Transport and the in-memory
// FakeServer, both driven by a deterministic generator, must reproduce H exactly. OpenSSH 9.2 in
// the test machines has no ML-KEM, so this (with the KEX-level vectors in packages/crypto) is how
// mlkem768x25519-sha256 is pinned until the embedded server can run it end to end.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { toHex } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { handshake } from "./harness.js";

/** SHA-256 in counter mode over a seed: the same bytes on every run and every machine. */
function deterministic(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const block = createHash("sha256").update(`${seed}:${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, n - o)), o);
    }
    return out;
  };
}

const vectors = JSON.parse(
  readFileSync(new URL("../../../test-vectors/transport/exchange-hash.json", import.meta.url), "utf8"),
) as { vectors: Array<{ kex: string; cipher: string; exchangeHash: string }> };

describe("recorded exchange hashes (test-vectors/transport/exchange-hash.json)", () => {
  for (const v of vectors.vectors) {
    test(`${v.kex}: client and server agree and H matches the recorded value`, async () => {
      const { link, outcome, client, server } = handshake(
        { kex: v.kex, cipher: v.cipher, random: deterministic("server") },
        // The vectors were recorded with a client offering compression "none" only (KEXINIT I_C
        // enters H); the default offer now also lists zlib@openssh.com.
        { algorithms: { kex: [v.kex], cipher: [v.cipher], compression: ["none"] }, random: deterministic("client") },
      );
      await link.settle();
      expect(outcome.error).toBeUndefined();
      expect(outcome.ready).toBe(true);
      expect(client.negotiated?.kex).toBe(v.kex);
      expect(toHex(client.sessionId)).toBe(toHex(server.lastExchangeHash!));
      expect(toHex(client.sessionId)).toBe(v.exchangeHash);
    });
  }
});
