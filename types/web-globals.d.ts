// The only platform globals the protocol core (wire … connection) may use: the WHATWG encoding
// API and crypto.getRandomValues, which Node ≥ 20, Bun, Deno, browsers and workers all provide.
// Declared here instead of pulling in lib.dom, so that nothing else slips into the core.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
declare var crypto: { getRandomValues<T extends Uint8Array>(array: T): T };
