// RFC 4254 §5.2 as a property between two Connections: whatever the windows, packet sizes, write
// chunking, stderr interleaving, consumption pattern and transport stalls, each direction delivers
// exactly the bytes written, in order, and no receiver ever sees its window overrun.
import { fc, test as fcTest } from "@fast-check/vitest";
import type { Channel } from "@purssh/connection";
import { describe, expect } from "vitest";
import { concat, directTcpip, expectSameBytes, pair, pattern, type Sink } from "./pair.js";

type Dir = "up" | "down";
type Step =
  | { kind: "write"; dir: Dir; size: number }
  | { kind: "stderr"; dir: Dir; size: number }
  | { kind: "consume"; dir: Dir; bytes: number }
  | { kind: "deliver" }
  | { kind: "stall"; dir: Dir }
  | { kind: "unstall"; dir: Dir };

const dir = fc.constantFrom<Dir>("up", "down");
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("write" as const), dir, size: fc.integer({ min: 0, max: 5000 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("stderr" as const), dir, size: fc.integer({ min: 0, max: 2000 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("consume" as const), dir, bytes: fc.integer({ min: 0, max: 6000 }) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("deliver" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("stall" as const), dir }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("unstall" as const), dir }) },
);

describe("flow control between two Connections (fast-check)", () => {
  fcTest.prop(
    [
      fc.integer({ min: 1, max: 4096 }), // client window
      fc.integer({ min: 1, max: 4096 }), // server window
      fc.integer({ min: 1, max: 2048 }), // client maximum packet
      fc.integer({ min: 1, max: 2048 }), // server maximum packet
      fc.array(step, { maxLength: 40 }),
    ],
    { numRuns: 150 },
  )(
    "RFC 4254 §5.2: random chunking against random windows delivers every byte, exactly once, in order",
    async (clientWindow, serverWindow, clientPacket, serverPacket, steps) => {
      const p = pair({
        client: { windowSize: clientWindow, maxPacketSize: clientPacket },
        server: { windowSize: serverWindow, maxPacketSize: serverPacket },
      });
      const { client, server, clientSink, serverSink } = await directTcpip(p, {
        consumeClient: false,
        consumeServer: false,
      });
      // "up" = client → server. What each receiver holds unconsumed, and what was written.
      const ends: Record<Dir, { from: Channel; to: Channel; sink: Sink; p: "client" | "server" }> = {
        up: { from: client, to: server, sink: serverSink, p: "client" },
        down: { from: server, to: client, sink: clientSink, p: "server" },
      };
      const written: Record<Dir, { data: Uint8Array[]; stderr: Uint8Array[] }> = {
        up: { data: [], stderr: [] },
        down: { data: [], stderr: [] },
      };
      const consumed: Record<Dir, number> = { up: 0, down: 0 };
      const received = (d: Dir) => ends[d].sink.bytes().length + ends[d].sink.stderrBytes().length;
      let offset = 0;
      for (const s of steps) {
        switch (s.kind) {
          case "write":
          case "stderr": {
            const bytes = pattern(s.size, offset++);
            if (s.kind === "write") {
              written[s.dir].data.push(bytes);
              ends[s.dir].from.write(bytes);
            } else {
              written[s.dir].stderr.push(bytes);
              ends[s.dir].from.writeExtended(bytes);
            }
            break;
          }
          case "consume": {
            const n = Math.min(s.bytes, received(s.dir) - consumed[s.dir]);
            ends[s.dir].to.consume(n);
            consumed[s.dir] += n;
            break;
          }
          case "deliver":
            p.pump();
            break;
          case "stall":
          case "unstall":
            p[ends[s.dir].p].writable = s.kind === "unstall";
            if (s.kind === "unstall") p[ends[s.dir].p].conn.resume();
            break;
          default: {
            const unhandled: never = s;
            throw new Error(`unknown step ${JSON.stringify(unhandled)}`);
          }
        }
        expect(p.failure).toBeUndefined();
        // Never more in flight or held than the receiver's window.
        for (const d of ["up", "down"] as const) {
          expect(received(d) - consumed[d]).toBeLessThanOrEqual(ends[d].to.receiveWindow.size);
        }
      }
      // Drain: unstall, consume what is held, and from now on consume on arrival.
      for (const side of [p.client, p.server]) {
        side.writable = true;
        side.conn.resume();
      }
      for (const d of ["up", "down"] as const) {
        const { to, sink } = ends[d];
        to.consume(received(d) - consumed[d]);
        to.events.data = (bytes) => {
          sink.events.data?.(bytes);
          to.consume(bytes.length);
        };
        to.events.extendedData = (bytes, code) => {
          sink.events.extendedData?.(bytes, code);
          to.consume(bytes.length);
        };
      }
      p.pump();
      expect(p.failure).toBeUndefined();
      for (const d of ["up", "down"] as const) {
        expectSameBytes(ends[d].sink.bytes(), concat(written[d].data));
        expectSameBytes(ends[d].sink.stderrBytes(), concat(written[d].stderr));
      }
    },
  );
});
