/**
 * The hand-coded data path (DESIGN.md principle 1, RFC 4254 §5.2): encodeChannelData,
 * decodeChannelData and encodeWindowAdjust must be byte-equal to the schema codecs of
 * SSH_MSG_CHANNEL_DATA and SSH_MSG_CHANNEL_WINDOW_ADJUST, and just as strict.
 * @module
 */
import { fc, test } from "@fast-check/vitest";
import {
  ChannelData,
  ChannelWindowAdjust,
  decodeChannelData,
  encodeChannelData,
  encodeWindowAdjust,
  MSG,
} from "@purssh/wire";
import { describe, expect } from "vitest";
import { bytesOf, expectWireError, hexOf } from "./arbitraries.js";

const RUNS = { numRuns: 300 };
const uint32Arb = fc.integer({ min: 0, max: 0xffffffff });
const dataArb = fc.uint8Array({ maxLength: 512 });

describe("RFC 4254 §5.2 SSH_MSG_CHANNEL_DATA hot path", () => {
  test.prop([uint32Arb, dataArb], RUNS)(
    "RFC 4254 §5.2: encodeChannelData is byte-equal to ChannelData.encode",
    (recipientChannel, data) => {
      const hot = encodeChannelData(recipientChannel, data);
      expect(hexOf(hot)).toBe(hexOf(ChannelData.encode({ recipientChannel, data })));
    },
  );

  test.prop([uint32Arb, dataArb], RUNS)(
    "RFC 4254 §5.2: decodeChannelData agrees with ChannelData.decode",
    (recipientChannel, data) => {
      const payload = ChannelData.encode({ recipientChannel, data });
      const hot = decodeChannelData(payload);
      const schema = ChannelData.decode(payload);
      expect(hot.recipientChannel).toBe(schema.recipientChannel);
      expect(hot.recipientChannel).toBe(recipientChannel);
      expect(hot.data).toEqual(schema.data);
      expect(hot.data).toEqual(data);
    },
  );

  test.prop([uint32Arb, dataArb, fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ maxLength: 16 })], RUNS)(
    "RFC 4254 §5.2: decodeChannelData reads a payload that is a view into a larger buffer",
    (recipientChannel, data, before, after) => {
      const payload = encodeChannelData(recipientChannel, data);
      const backing = Uint8Array.from([...before, ...payload, ...after]);
      const view = backing.subarray(before.length, before.length + payload.length);
      const hot = decodeChannelData(view);
      expect(hot.recipientChannel).toBe(recipientChannel);
      expect(hot.data).toEqual(data);
      // `data` is documented as a view, not a copy
      expect(hot.data.buffer).toBe(backing.buffer);
    },
  );

  test.prop([uint32Arb, fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: 64 })], RUNS)(
    "RFC 4251 §5: a data length longer than the bytes present is a short read in both decoders",
    (recipientChannel, data, missing) => {
      const payload = encodeChannelData(recipientChannel, data);
      const cut = payload.subarray(0, Math.max(9, payload.length - missing)); // always shorter than payload
      expectWireError(() => decodeChannelData(cut), "ERR_WIRE_SHORT_READ");
      expectWireError(() => ChannelData.decode(cut), "ERR_WIRE_SHORT_READ");
    },
  );

  test.prop([uint32Arb, dataArb, fc.uint8Array({ minLength: 1, maxLength: 16 })], RUNS)(
    "RFC 4251 §5: a data length shorter than the bytes present leaves trailing bytes, rejected by both",
    (recipientChannel, data, extra) => {
      const payload = Uint8Array.from([...encodeChannelData(recipientChannel, data), ...extra]);
      expectWireError(() => decodeChannelData(payload), "ERR_WIRE_TRAILING_BYTES");
      expectWireError(() => ChannelData.decode(payload), "ERR_WIRE_TRAILING_BYTES");
    },
  );

  test.each([
    ["empty", ""],
    ["only the message number", "5e"],
    ["a cut recipient channel", "5e000000"],
    ["no data length", "5e00000001"],
    ["a partial data length", "5e00000001000000"],
    ["data length 0xffffffff", "5e00000001ffffffff41"],
    ["data length 0x7fffffff", "5e000000017fffffff"],
  ])("RFC 4254 §5.2: decodeChannelData rejects %s as a short read", (_label, hex) => {
    expectWireError(() => decodeChannelData(bytesOf(hex)), "ERR_WIRE_SHORT_READ");
  });

  test.prop([fc.integer({ min: 0, max: 255 }).filter((n) => n !== MSG.CHANNEL_DATA), uint32Arb, dataArb], RUNS)(
    "RFC 4254 §5.2: decodeChannelData rejects another message number, as ChannelData.decode does",
    (number, recipientChannel, data) => {
      const payload = encodeChannelData(recipientChannel, data);
      payload[0] = number;
      expectWireError(() => decodeChannelData(payload), "ERR_WIRE_WRONG_MESSAGE");
      expectWireError(() => ChannelData.decode(payload), "ERR_WIRE_WRONG_MESSAGE");
    },
  );

  test.each([-1, 0x1_0000_0000, 1.5, Number.NaN])(
    "RFC 4254 §5.2: encodeChannelData refuses recipient channel %s, like the schema encoder",
    (recipientChannel) => {
      const data = Uint8Array.of(1);
      expectWireError(() => encodeChannelData(recipientChannel, data), "ERR_WIRE_RANGE");
      expectWireError(() => ChannelData.encode({ recipientChannel, data }), "ERR_WIRE_RANGE");
    },
  );
});

describe("RFC 4254 §5.2 SSH_MSG_CHANNEL_WINDOW_ADJUST hot path", () => {
  test.prop([uint32Arb, uint32Arb], RUNS)(
    "RFC 4254 §5.2: encodeWindowAdjust is byte-equal to ChannelWindowAdjust.encode and decodes back",
    (recipientChannel, bytesToAdd) => {
      const hot = encodeWindowAdjust(recipientChannel, bytesToAdd);
      expect(hexOf(hot)).toBe(hexOf(ChannelWindowAdjust.encode({ recipientChannel, bytesToAdd })));
      expect(ChannelWindowAdjust.decode(hot)).toEqual({ recipientChannel, bytesToAdd });
    },
  );

  test.each([
    [-1, 1],
    [1, -1],
    [0x1_0000_0000, 1],
    [1, 0x1_0000_0000],
    [1, 0.5],
  ])(
    "RFC 4254 §5.2: encodeWindowAdjust(%s, %s) is refused, like the schema encoder",
    (recipientChannel, bytesToAdd) => {
      expectWireError(() => encodeWindowAdjust(recipientChannel, bytesToAdd), "ERR_WIRE_RANGE");
      expectWireError(() => ChannelWindowAdjust.encode({ recipientChannel, bytesToAdd }), "ERR_WIRE_RANGE");
    },
  );
});
