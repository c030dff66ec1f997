/**
 * Loads the known-answer files of test-vectors/crypto (each documents its provenance) and the
 * small helpers the suites share.
 * @module
 */
import { readFileSync } from "node:fs";
import { fromHex } from "@purssh/wire";

export function loadVectors<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../../../test-vectors/crypto/${file}`, import.meta.url), "utf8")) as T;
}

export const hex = fromHex;

/** A packet buffer as the transport allocates it: the plaintext followed by a zeroed tag area. */
export function withTagArea(plaintext: Uint8Array, tagLength: number): Uint8Array {
  const packet = new Uint8Array(plaintext.length + tagLength);
  packet.set(plaintext);
  return packet;
}
