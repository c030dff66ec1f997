/**
 * Helpers shared by the key-exchange suites: deterministic random sources and an assertion for the
 * typed errors a key exchange must end with.
 * @module
 */
import { shake256 } from "@noble/hashes/sha3.js";
import type { RandomBytes } from "@purssh/crypto";
import { DISCONNECT, ProtocolError, SshReader } from "@purssh/wire";
import { expect } from "vitest";

/** A random source that hands out exactly these chunks, in order, and checks each requested size. */
export function fixedRandom(...chunks: Uint8Array[]): RandomBytes & { remaining(): number } {
  const queue = chunks.map((c) => c.slice());
  const source = (n: number): Uint8Array => {
    const next = queue.shift();
    if (next === undefined) throw new Error(`random(${n}) called more often than expected`);
    expect(n, "requested length").toBe(next.length);
    return next;
  };
  return Object.assign(source, { remaining: () => queue.length });
}

/** A deterministic stream (SHAKE256 of a label and a counter), for tests that need many draws. */
export function deterministicRandom(label: string): RandomBytes {
  let counter = 0;
  return (n: number) => shake256(new TextEncoder().encode(`${label} ${counter++}`), { dkLen: n });
}

/** Runs `fn` and checks it throws a ProtocolError with `code` and KEY_EXCHANGE_FAILED. */
export function expectKexFailure(fn: () => unknown, code: string): ProtocolError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, "expected a ProtocolError").toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).code).toBe(code);
  expect((error as ProtocolError).reason).toBe(DISCONNECT.KEY_EXCHANGE_FAILED);
  return error as ProtocolError;
}

/** The integer inside an mpint with its uint32 length, read by the strict RFC 4251 §5 reader. */
export function readMpint(encoded: Uint8Array): bigint {
  const r = new SshReader(encoded);
  const v = r.mpint();
  r.expectEnd();
  return v;
}

/** An integer as exactly `length` big-endian bytes. */
export function i2osp(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = v;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n) throw new Error(`${v} does not fit in ${length} bytes`);
  return out;
}
