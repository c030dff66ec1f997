/**
 * RFC 8308 extension negotiation: which extensions we announce in EXT_INFO, and when. A peer
 * signals that it accepts EXT_INFO with the `ext-info-c` / `ext-info-s` pseudo-algorithm in its
 * first KEXINIT; we then send ours as the first packet after our first NEWKEYS (§2.4).
 * @module
 */
import { ExtInfo, utf8Encode } from "@purssh/wire";

/**
 * OpenSSH PROTOCOL §1.10: we answer SSH2_MSG_PING. `global-requests-ok` (draft-ssh-global-requests-
 * ok) tells the peer unknown global requests get a reply rather than a disconnect, which is true of
 * both our roles.
 */
export const DEFAULT_EXTENSIONS: Readonly<Record<string, string>> = {
  "ping@openssh.com": "0",
  "global-requests-ok": "",
};

/** Our EXT_INFO payload: the defaults, a server's `server-sig-algs`, then the caller's overrides. */
export function extInfoMessage(
  overrides: Readonly<Record<string, string | undefined>> | undefined,
  serverSigAlgs: readonly string[] | undefined,
): Uint8Array | undefined {
  const merged: Record<string, string | undefined> = { ...DEFAULT_EXTENSIONS };
  // RFC 8308 §3.1: the signature algorithms a server accepts in publickey authentication.
  if (serverSigAlgs) merged["server-sig-algs"] = serverSigAlgs.join(",");
  Object.assign(merged, overrides);
  const extensions = Object.entries(merged)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([name, value]) => ({ name, value: utf8Encode(value) }));
  return extensions.length > 0 ? ExtInfo.encode({ extensions }) : undefined;
}
