// Small helpers shared by the embedded-server tests.
import { formatPublicKey, type PrivateKey } from "@purssh/keys";

export { equalBytes } from "@purssh/wire";

/** An authorized_keys line for a key. */
export function formatPublicKeyLine(key: PrivateKey): string {
  return `${formatPublicKey(key.publicKey)}\n`;
}
