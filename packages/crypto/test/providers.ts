/**
 * DESIGN.md Testing, layer 2: the known-answer suites run once per CryptoProvider, so that noble and
 * node:crypto are checked against the same vectors. `forEachProvider` declares its suites in a
 * `describe` per provider that installs the provider for the tests inside and restores noble-only
 * after them.
 *
 * The provider is installed when the tests run, not while they are collected, so a suite must look
 * its algorithms up (getCipher, getMac, getKex, getSignatureAlgorithm) inside its tests; an
 * algorithm object captured while describing would always be noble's. `lateKex` and
 * `lateSignature` are stand-ins a table may hold: they look the algorithm up at every use.
 * @module
 */
import {
  activeCryptoProvider,
  type CryptoProvider,
  getKex,
  getSignatureAlgorithm,
  type KexAlgorithm,
  type SignatureAlgorithm,
  useCryptoProvider,
} from "@purssh/crypto";
import { nodeCryptoProvider } from "@purssh/crypto-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

export interface ProviderCase {
  /** "noble" or "node:crypto", as test names show it. */
  readonly label: string;
  /** undefined: noble only. */
  readonly provider: CryptoProvider | undefined;
}

export const PROVIDERS: readonly ProviderCase[] = [
  { label: "noble", provider: undefined },
  { label: nodeCryptoProvider.name, provider: nodeCryptoProvider },
];

/** Declares the suites of `fn` once per provider, each run with that provider installed. */
export function forEachProvider(fn: (provider: ProviderCase) => void): void {
  for (const p of PROVIDERS) {
    describe(`[${p.label}]`, () => {
      beforeAll(() => useCryptoProvider(p.provider));
      afterAll(() => useCryptoProvider(undefined));
      test(`the registry consults ${p.provider ? `the ${p.label} provider` : "noble only"}`, () => {
        expect(activeCryptoProvider()).toBe(p.provider);
      });
      fn(p);
    });
  }
}

function lookup<T>(kind: string, name: string, get: (name: string) => T | undefined): T {
  const algorithm = get(name);
  if (algorithm === undefined) throw new Error(`no ${kind} ${name} is registered`);
  return algorithm;
}

/** The key exchange `name` as the registry gives it when used (the active provider's, else noble's). */
export function lateKex(name: string): KexAlgorithm {
  const kex = () => lookup("key exchange", name, getKex);
  return {
    name,
    get publicKeyEncoding() {
      return kex().publicKeyEncoding;
    },
    get groupExchange() {
      return kex().groupExchange;
    },
    hash: (data) => kex().hash(data),
    createClient: (random, group) => kex().createClient(random, group),
    createServer: (random, group) => kex().createServer(random, group),
  };
}

/** The signature algorithm `name` as the registry gives it when used. */
export function lateSignature(name: string): SignatureAlgorithm {
  const alg = () => lookup("signature algorithm", name, getSignatureAlgorithm);
  return {
    name,
    get keyType() {
      return alg().keyType;
    },
    verify: (publicKeyBlob, signatureBlob, data) => alg().verify(publicKeyBlob, signatureBlob, data),
  };
}
