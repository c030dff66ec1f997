/**
 * How the registry's lookups consult the active CryptoProvider (./provider.ts): the provider is
 * asked only about names the registry implements, and what it returns must agree with the built-in
 * algorithm on every field that shapes the wire, or the lookup fails with
 * ERR_CRYPTO_PROVIDER_MISMATCH instead of letting a connection go wrong later. Internal to the
 * registry.
 * @module
 */
import { SshError } from "@purssh/wire";
import { activeCryptoProvider } from "./provider.js";
import type { CipherAlgorithm, KexAlgorithm, MacAlgorithm, SignatureAlgorithm } from "./types.js";

interface AlgorithmOf {
  cipher: CipherAlgorithm;
  mac: MacAlgorithm;
  kex: KexAlgorithm;
  signature: SignatureAlgorithm;
}
type Kind = keyof AlgorithmOf;

/** The fields that decide what goes on the wire; a provided algorithm must match the built-in one in each. */
const WIRE_FIELDS: { readonly [K in Kind]: readonly (keyof AlgorithmOf[K] & string)[] } = {
  cipher: ["name", "keyLength", "ivLength", "blockSize", "aead"],
  mac: ["name", "keyLength", "macLength", "etm"],
  kex: ["name", "publicKeyEncoding", "groupExchange"],
  signature: ["name", "keyType"],
};

/**
 * For the registry's lookups: the active provider's implementation of a built-in algorithm, or the
 * built-in one. Undefined only when there is no built-in one (the provider is not asked then).
 */
export function preferProvided<K extends Kind>(
  kind: K,
  builtIn: AlgorithmOf[K] | undefined,
): AlgorithmOf[K] | undefined {
  const provider = activeCryptoProvider();
  if (builtIn === undefined || provider === undefined) return builtIn;
  const lookup = provider[kind] as ((name: string) => AlgorithmOf[K] | undefined) | undefined;
  const provided = lookup?.call(provider, builtIn.name);
  if (provided === undefined) return builtIn;
  for (const field of WIRE_FIELDS[kind]) {
    if (provided[field] !== builtIn[field]) {
      throw new SshError(
        "ERR_CRYPTO_PROVIDER_MISMATCH",
        `the ${provider.name} provider's ${kind} ${builtIn.name} has ${field} ${String(provided[field])}, ` +
          `the built-in one ${String(builtIn[field])}`,
      );
    }
  }
  return provided;
}
