// RFC 4254 §5.2 as a property: whatever the interleaving of writes, window adjusts and transport
// stalls, the bytes on the wire are exactly the bytes written, in order, in packets no larger than
// the peer's maximum, and never more than the peer granted.
import { fc, test as fcTest } from "@fast-check/vitest";
import { concatBytes } from "@purssh/wire";
import { describe, expect } from "vitest";
import { acceptedChannel, dataPackets, pattern, peerWindowAdjust } from "./harness.js";

type Step =
  | { kind: "write"; size: number }
  | { kind: "adjust"; bytes: number }
  | { kind: "stall" }
  | { kind: "resume" };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("write" as const), size: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ kind: fc.constant("adjust" as const), bytes: fc.integer({ min: 0, max: 4000 }) }),
  fc.record({ kind: fc.constant("stall" as const) }),
  fc.record({ kind: fc.constant("resume" as const) }),
);

describe("channel send path (fast-check)", () => {
  fcTest.prop(
    [
      // The peer's maximum packet size: tiny ones stress splitting; large ones may exceed ours.
      fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 70_000 })),
      fc.integer({ min: 0, max: 10_000 }), // the peer's initial window
      fc.array(step, { maxLength: 40 }),
    ],
    { numRuns: 200 },
  )(
    "RFC 4254 §5.2: sent DATA equals the bytes written, packets fit the peer's maximum, the total fits the window",
    async (maximumPacketSize, initialWindowSize, steps) => {
      const { h, ch, remoteId } = await acceptedChannel({ maximumPacketSize, initialWindowSize });
      const written: Uint8Array[] = [];
      let writtenBytes = 0;
      let granted = initialWindowSize;
      const wire: Uint8Array[] = [];
      let sentBytes = 0;
      let seen = 0;
      const check = () => {
        // Only the payloads sent since the last check are decoded (one packet per byte is possible).
        const fresh = dataPackets(h.sent.slice(seen));
        seen = h.sent.length;
        for (const p of fresh) {
          if (p.recipientChannel !== remoteId || p.data.length === 0 || p.data.length > maximumPacketSize) {
            expect.fail(`bad CHANNEL_DATA: channel ${p.recipientChannel}, ${p.data.length} bytes`);
          }
          wire.push(p.data);
          sentBytes += p.data.length;
        }
        expect(sentBytes).toBeLessThanOrEqual(granted);
        expect(sentBytes + ch.queued).toBe(writtenBytes);
        // With the transport writable, only the window may hold data back.
        if (h.writable) expect(sentBytes).toBe(Math.min(writtenBytes, granted));
      };
      for (const s of steps) {
        switch (s.kind) {
          case "write": {
            const data = pattern(s.size, writtenBytes);
            written.push(data);
            writtenBytes += s.size;
            ch.write(data);
            break;
          }
          case "adjust":
            granted += s.bytes;
            h.conn.handle(peerWindowAdjust(ch.localId, s.bytes));
            break;
          case "stall":
            h.writable = false;
            break;
          case "resume":
            h.writable = true;
            h.conn.resume();
            break;
        }
        check();
      }
      // Finally let everything through: the stream arrives whole.
      h.writable = true;
      h.conn.resume();
      const missing = writtenBytes - Math.min(writtenBytes, granted);
      if (missing > 0) {
        granted += missing;
        h.conn.handle(peerWindowAdjust(ch.localId, missing));
      }
      check();
      expect(sentBytes).toBe(writtenBytes);
      expect(concatBytes(...wire)).toEqual(concatBytes(...written));
    },
  );
});
