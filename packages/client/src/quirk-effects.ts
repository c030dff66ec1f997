/**
 * What the client changes for peers with known bugs (the quirks table of @purssh/transport, keyed
 * by the server's identification string).
 * @module
 */
import { DEFAULT_HOST_KEY_ALGORITHMS } from "@purssh/crypto";
import type { QuirkSet } from "@purssh/transport";

/**
 * RFC 8308 server-sig-algs corrected for servers known to get it wrong (quirks.ts): OpenSSH 7.4
 * omits the rsa-sha2 names it accepts, 7.2/7.3 list only them, and servers before rsa-sha2
 * (RFC 8332) must be signed for with ssh-rsa.
 */
export function serverSigAlgsWithQuirks(
  listed: readonly string[] | undefined,
  quirks: QuirkSet,
): readonly string[] | undefined {
  if (quirks.rsaSha2Unsupported) {
    return [...(listed ?? DEFAULT_HOST_KEY_ALGORITHMS).filter((a) => !a.startsWith("rsa-sha2-")), "ssh-rsa"];
  }
  if (quirks.rsaAuthRequiresSha512) return [...(listed ?? []).filter((a) => a !== "rsa-sha2-256"), "rsa-sha2-512"];
  if (listed === undefined) return undefined;
  if (quirks.serverSigAlgsOmitsRsaSha2) return [...listed, "rsa-sha2-512", "rsa-sha2-256"];
  if (quirks.serverSigAlgsOnlyListsRsaSha2) return [...listed, ...DEFAULT_HOST_KEY_ALGORITHMS];
  return listed;
}
