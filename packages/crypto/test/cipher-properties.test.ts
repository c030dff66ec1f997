import { type CipherAlgorithm, getCipher, isAeadCipher, supportedCiphers } from "@purssh/crypto";
import { DISCONNECT, ProtocolError } from "@purssh/wire";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { forEachProvider } from "./providers.js";
import { withTagArea } from "./vectors.js";

const NUM_RUNS = 150;

/** uint32 packet_length ‖ body, as the transport builds it before sealing. */
function packetOf(body: Uint8Array): Uint8Array {
  const p = new Uint8Array(4 + body.length);
  new DataView(p.buffer).setUint32(0, body.length);
  p.set(body, 4);
  return p;
}

// AEADs only: the CTR/CBC ciphers need a MAC, and composed-ciphers.test.ts checks every cipher × MAC.
const AEADS = supportedCiphers().filter(isAeadCipher);

function registered(name: string): CipherAlgorithm {
  const alg = getCipher(name);
  if (!alg) throw new Error(`${name} is not registered`);
  return alg;
}

forEachProvider(() => {
  describe.each(AEADS.map((name) => [name] as const))("%s properties (fast-check)", (name) => {
    /** Key and IV lengths: the same whichever provider implements the cipher. */
    const lengths = registered(name);
    const keys = fc.record({
      key: fc.uint8Array({ minLength: lengths.keyLength, maxLength: lengths.keyLength }),
      iv: fc.uint8Array({ minLength: lengths.ivLength, maxLength: lengths.ivLength }),
    });

    test("RFC 4253 §6: seal then open returns the packet for any payload size and sequence number", () => {
      fc.assert(
        fc.property(
          keys,
          fc.uint8Array({ minLength: 0, maxLength: 2048 }),
          fc.integer({ min: 0, max: 0xffffffff }),
          ({ key, iv }, body, seq) => {
            const alg = registered(name);
            const sealer = alg.create(key, iv, "seal");
            const opener = alg.create(key, iv, "open");
            // a second packet checks that both sides move their state in step
            for (const s of [seq, (seq + 1) >>> 0]) {
              const sealed = sealer.seal(s, withTagArea(packetOf(body), sealer.tagLength));
              expect(opener.lengthFromFirstBlock(s, sealed.subarray(0, opener.firstBlockLength))).toBe(body.length);
              expect(opener.open(s, sealed)).toEqual(body);
            }
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });

    test("RFC 4253 §6.4: any single-bit flip anywhere in the sealed packet is rejected with MAC_ERROR", () => {
      fc.assert(
        fc.property(
          keys,
          fc.uint8Array({ minLength: 0, maxLength: 512 }),
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.nat(),
          ({ key, iv }, body, seq, where) => {
            const alg = registered(name);
            const sealer = alg.create(key, iv, "seal");
            const sealed = sealer.seal(seq, withTagArea(packetOf(body), sealer.tagLength));
            const bit = where % (sealed.length * 8);
            sealed[bit >> 3] = (sealed[bit >> 3] as number) ^ (1 << (bit & 7));
            let error: unknown;
            try {
              alg.create(key, iv, "open").open(seq, sealed);
            } catch (e) {
              error = e;
            }
            expect(error).toBeInstanceOf(ProtocolError);
            expect((error as ProtocolError).reason).toBe(DISCONNECT.MAC_ERROR);
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
