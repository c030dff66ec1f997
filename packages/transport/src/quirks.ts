/**
 * Interop quirks keyed by the peer's identification string (RFC 4253 §4.2 softwareversion;
 * DESIGN.md principle 10): one table, each entry with a name, a matcher, a comment naming its
 * source, and the typed flags it sets. `quirksFor(version)` folds the matching entries into one
 * QuirkSet that the transport, auth and connection layers consult; an unknown or modern peer gets
 * NO_QUIRKS. Only behaviour documented by a source is listed: OpenSSH compat.c (compat_banner, the
 * SSH_BUG_* flags) and packet/kex/channels code by release tag, PuTTY ssh/verstring.c
 * (ssh_detect_bugs, BUG_*), the ssh2 npm package (lib/protocol/constants.js COMPAT_CHECKS),
 * Dropbear, libssh and Paramiko history. Go's x/crypto/ssh announces a bare "SSH-2.0-Go", so its
 * behaviour cannot be keyed by version and is not listed.
 *
 * Matchers accept the whole identification line ("SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7") or just
 * its softwareversion-and-comments part ("OpenSSH_7.4p1 Debian-10+deb9u7"). OpenSSH versions are
 * compared numerically; "OpenSSH_for_Windows_X.Y" (Win32-OpenSSH, built from upstream X.Y) counts
 * as OpenSSH X.Y — our extension: OpenSSH's and PuTTY's own patterns do not match those strings.
 * @module
 */

/** What the layers above should do differently for one peer. All flags default to false / undefined. */
export interface QuirkSet {
  /** Names of the matching quirks, in table order (for logs). */
  readonly matched: readonly string[];
  /** Close the connection: the peer has a protocol bug we do not implement a workaround for. */
  readonly refuseReason: string | undefined;
  // --- key exchange and transport
  /** Leave curve25519-sha256 and curve25519-sha256@libssh.org out of our KEXINIT (shared-secret padding bug). */
  readonly noCurve25519Kex: boolean;
  /** Leave diffie-hellman-group-exchange-* out of our KEXINIT (peer only knows the pre-RFC 4419 request). */
  readonly noDhGroupExchange: boolean;
  /** Cap the preferred size `n` of an RFC 4419 group request at this many bits. */
  readonly dhGexMaxPreferredBits: number | undefined;
  /** Never start a key re-exchange (the peer breaks on one); warn that long sessions may fail. */
  readonly noRekey: boolean;
  /** Never send SSH_MSG_DEBUG. */
  readonly noDebugMessages: boolean;
  /** Server role: do not send the hostkeys-00@openssh.com global request after authentication. */
  readonly noHostkeysUpdate: boolean;
  // --- user authentication (RFC 8332 / RFC 8308)
  /** RSA keys sign with "ssh-rsa" only (peer predates rsa-sha2-256/512, with or without server-sig-algs). */
  readonly rsaSha2Unsupported: boolean;
  /** The peer's server-sig-algs omits rsa-sha2-256/512 although it accepts them: treat both as listed. */
  readonly serverSigAlgsOmitsRsaSha2: boolean;
  /** The peer's server-sig-algs lists only rsa-sha2-256/512: never use it to exclude other key types. */
  readonly serverSigAlgsOnlyListsRsaSha2: boolean;
  /**
   * RSA certificates authenticate under the key-type name "ssh-rsa-cert-v01@openssh.com", not
   * "rsa-sha2-256/512-cert-v01@openssh.com" (client: send that name; server: accept it whatever the
   * signature hash, as these versions do).
   */
  readonly rsaCertLegacyAlgorithmName: boolean;
  /** Server verifies every RSA signature as rsa-sha2-512: sign RSA user auth with rsa-sha2-512. */
  readonly rsaAuthRequiresSha512: boolean;
  // --- connection protocol (RFC 4254)
  /** tcpip-forward with port 0 is not supported: refused, or accepted with no port in REQUEST_SUCCESS. */
  readonly tcpipForwardPortZeroUnsupported: boolean;
  /**
   * forwarded-tcpip opens for a port-0 forwarding carry port 0, not the allocated port (client: match
   * them to the port-0 forwarding; server: send port 0 to this client).
   */
  readonly forwardedTcpipReportsPortZero: boolean;
  /** Server role: this client's tcpip-forward address "0.0.0.0" means every address family (like ""). */
  readonly tcpipForwardZeroAddressIsWildcard: boolean;
  /** Peer sends REQUEST_SUCCESS/FAILURE even for want_reply=false global requests: send none of those. */
  readonly globalRequestRepliesIgnoreWantReply: boolean;
  /** REQUEST_SUCCESS for tcpip-forward may carry a uint32 port even for a nonzero requested port: ignore it. */
  readonly tcpipForwardReplyAlwaysHasPort: boolean;
  /**
   * Peer may never answer a want_reply global request: bound the wait for tcpip-forward replies, and do
   * not take unanswered keepalive@openssh.com requests alone as proof that the peer is gone.
   */
  readonly globalRequestsMayGoUnanswered: boolean;
  /** Peer answers unknown global requests with SSH_MSG_UNIMPLEMENTED: count that as REQUEST_FAILURE. */
  readonly unknownGlobalRequestGetsUnimplemented: boolean;
  /** Peer may answer a channel request after it sent CHANNEL_CLOSE: ignore replies on closed channels. */
  readonly repliesToRequestsOnClosedChannels: boolean;
  /** Answer the peer's keepalive@openssh.com channel requests with CHANNEL_FAILURE (SUCCESS is not counted). */
  readonly keepaliveChannelRequestNeedsFailure: boolean;
  /** Accept CHANNEL_EXTENDED_DATA after the peer's CHANNEL_EOF. */
  readonly extendedDataAfterEof: boolean;
  /** Peer ignores our maximum packet size: accept CHANNEL_DATA up to the transport's packet limit. */
  readonly ignoresMaxPacketSize: boolean;
}

/** The flags one quirk sets. */
export type QuirkEffect = Partial<Omit<QuirkSet, "matched">>;

export interface Quirk {
  readonly name: string;
  /** True when the identification line (or its softwareversion part) belongs to an affected peer. */
  matches(version: string): boolean;
  /** What the peer does wrong, and the source that documents it. */
  readonly comment: string;
  readonly effect: QuirkEffect;
}

export const NO_QUIRKS: QuirkSet = Object.freeze({
  matched: Object.freeze([]) as readonly string[],
  refuseReason: undefined,
  noCurve25519Kex: false,
  noDhGroupExchange: false,
  dhGexMaxPreferredBits: undefined,
  noRekey: false,
  noDebugMessages: false,
  noHostkeysUpdate: false,
  rsaSha2Unsupported: false,
  serverSigAlgsOmitsRsaSha2: false,
  serverSigAlgsOnlyListsRsaSha2: false,
  rsaCertLegacyAlgorithmName: false,
  rsaAuthRequiresSha512: false,
  tcpipForwardPortZeroUnsupported: false,
  forwardedTcpipReportsPortZero: false,
  tcpipForwardZeroAddressIsWildcard: false,
  globalRequestRepliesIgnoreWantReply: false,
  tcpipForwardReplyAlwaysHasPort: false,
  globalRequestsMayGoUnanswered: false,
  unknownGlobalRequestGetsUnimplemented: false,
  repliesToRequestsOnClosedChannels: false,
  keepaliveChannelRequestNeedsFailure: false,
  extendedDataAfterEof: false,
  ignoresMaxPacketSize: false,
});

/** The softwareversion-and-comments part of an identification line ("SSH-2.0-" / "SSH-1.99-" removed). */
export function softwareVersion(version: string): string {
  const line = version.replace(/\r?\n$/, "");
  const m = /^SSH-(?:2\.0|1\.99)-(.*)$/s.exec(line);
  return m ? m[1]! : line;
}

// ---------------------------------------------------------------------------------------------
// Matcher helpers

type Version = readonly number[];

function compare(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A numeric version parser for one implementation's softwareversion prefix. */
function versionParser(re: RegExp): (software: string) => Version | undefined {
  return (software) => {
    const m = re.exec(software);
    return m ? m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) : undefined;
  };
}

const openssh = versionParser(/^OpenSSH_(?:for_Windows_)?(\d+)\.(\d+)(?:\.(\d+))?/);
const dropbear = versionParser(/^dropbear_(\d+)\.(\d+)(?:\.(\d+))?/);
const paramiko = versionParser(/^paramiko_(\d+)\.(\d+)(?:\.(\d+))?/);
/** libssh (libssh.org) — "libssh-0.7.3" before 0.8, "libssh_0.8.0" since; not libssh2 ("libssh2_1.11.0"). */
const libssh = versionParser(/^libssh[-_](\d+)\.(\d+)(?:\.(\d+))?/);

/** `from ≤ version < below` for the implementation `parse` recognises (either bound optional). */
function versionIn(parse: (s: string) => Version | undefined, from: Version | undefined, below: Version | undefined) {
  return (version: string): boolean => {
    const v = parse(softwareVersion(version));
    if (!v) return false;
    return (from === undefined || compare(v, from) >= 0) && (below === undefined || compare(v, below) < 0);
  };
}

/**
 * A comma-separated wildcard list as OpenSSH's match_pattern_list and PuTTY's wc_match read it:
 * `*` any run, `?` one character, `[0-2]` / `[235]` one character of a set; case-sensitive, whole string.
 */
function wildcards(list: string): (version: string) => boolean {
  const res = list.split(",").map((p) => {
    let re = "";
    for (let i = 0; i < p.length; i++) {
      const c = p[i]!;
      if (c === "*") re += ".*";
      else if (c === "?") re += ".";
      else if (c === "[") {
        const end = p.indexOf("]", i);
        re += `[${p.slice(i + 1, end)}]`;
        i = end;
      } else re += c.replace(/[.+^${}()|\\/]/g, "\\$&");
    }
    return new RegExp(`^${re}$`, "s");
  });
  return (version) => {
    const software = softwareVersion(version);
    return res.some((re) => re.test(software));
  };
}

const anyOf =
  (...matchers: ((v: string) => boolean)[]) =>
  (version: string) =>
    matchers.some((m) => m(version));
const isVShell = wildcards("* VShell");
const sshComHmacBug = wildcards("2.1.0*,2.0.*,2.2.0*,2.3.0*,2.1 *");
const sshComKeyDerivationBug = wildcards("2.0.0*,2.0.10*");
const twistedUnderscore = wildcards("Twisted_*");
const debugChokers = wildcards("3.0.*,Twisted*");

// ---------------------------------------------------------------------------------------------
// The table

export const QUIRKS: readonly Quirk[] = [
  // --- peers we refuse
  {
    name: "ssh-com-hmac-key-bug",
    matches: (v) => !isVShell(v) && sshComHmacBug(v),
    comment:
      "SSH Communications 2.0–2.3 key their HMACs with too few bytes. PuTTY ssh/verstring.c BUG_SSH2_HMAC " +
      "(same patterns, VShell excluded); we implement only standard HMAC.",
    effect: { refuseReason: "peer has the SSH-2 HMAC key bug (SSH Communications 2.x)" },
  },
  {
    name: "ssh-com-key-derivation-bug",
    matches: (v) => !isVShell(v) && sshComKeyDerivationBug(v),
    comment:
      "SSH Communications 2.0.0–2.0.10 leave the shared secret K out of the RFC 4253 §7.2 key derivation. " +
      "PuTTY BUG_SSH2_DERIVEKEY.",
    effect: { refuseReason: "peer has the SSH-2 key-derivation bug (SSH Communications 2.0.x)" },
  },
  {
    name: "publickey-session-id-bug",
    matches: wildcards("OpenSSH_2.[0-2]*,3.0 SecureCRT*,1.7 SecureFX*"),
    comment:
      "The publickey signature covers session_id without its string length (RFC 4252 §7 requires `string`). " +
      "PuTTY BUG_SSH2_PK_SESSIONID (OpenSSH_2.[0-2]*); OpenSSH compat.c SSH_OLD_SESSIONID (3.0 SecureCRT*, 1.7 SecureFX*).",
    effect: { refuseReason: "peer signs public-key authentication over a bare session id" },
  },
  // --- key exchange and transport
  {
    name: "openssh-6.5-curve25519-padding",
    matches: versionIn(openssh, [6, 5], [6, 6, 1]),
    comment:
      "OpenSSH 6.5 and 6.6 (not 6.6.1) have a curve25519 bug that fails ~0.2% of curve25519-sha256@libssh.org " +
      "exchanges with correct peers (commit 9395b2822). OpenSSH compat.c SSH_BUG_CURVE25519PAD (compat_kex_proposal " +
      "drops curve25519-sha256@libssh.org).",
    effect: { noCurve25519Kex: true },
  },
  {
    name: "old-dh-gex-request",
    matches: wildcards(
      "PuTTY_Local:*,PuTTY-Release-0.5*,PuTTY_Release_0.5*,PuTTY_Release_0.60*,PuTTY_Release_0.61*,PuTTY_Release_0.62*," +
        "PuTTY_Release_0.63*,PuTTY_Release_0.64*,FuTTY*,WinSCP_release_4*,WinSCP_release_5.0*,WinSCP_release_5.1," +
        "WinSCP_release_5.1.*,WinSCP_release_5.5,WinSCP_release_5.5.*,WinSCP_release_5.6,WinSCP_release_5.6.*," +
        "WinSCP_release_5.7,WinSCP_release_5.7.1,WinSCP_release_5.7.2,WinSCP_release_5.7.3,WinSCP_release_5.7.4," +
        "OpenSSH_2.[235]*",
    ),
    comment:
      "These speak only the pre-RFC 4419 group-exchange request (SSH_MSG_KEX_DH_GEX_REQUEST_OLD). OpenSSH compat.c " +
      "SSH_OLD_DHGEX (PuTTY ≤ 0.64, FuTTY, WinSCP ≤ 5.7.4; compat_kex_proposal removes diffie-hellman-group-exchange-*) " +
      "and PuTTY BUG_SSH2_OLDGEX (OpenSSH_2.[235]*, which disconnect on the new request).",
    effect: { noDhGroupExchange: true },
  },
  {
    name: "cisco-1.x",
    matches: wildcards("Cisco-1.*"),
    comment:
      "Cisco IOS SSH fails group exchange for groups above 4096 bits and cannot cope with hostkeys-00@openssh.com. " +
      "OpenSSH compat.c SSH_BUG_DHGEX_LARGE (kexgexc.c caps nbits at 4096) | SSH_BUG_HOSTKEYS; ssh2 COMPAT.BUG_DHGEX_LARGE.",
    effect: { dhGexMaxPreferredBits: 4096, noHostkeysUpdate: true },
  },
  {
    name: "cisco-1.25-dh-gex",
    matches: wildcards("Cisco-1.25"),
    comment: "Cisco-1.25 is offered no group exchange at all: ssh2 npm lib/protocol/constants.js COMPAT.BAD_DHGEX.",
    effect: { noDhGroupExchange: true },
  },
  {
    name: "teraterm-hostkeys",
    matches: wildcards(
      "TeraTerm SSH*,TTSSH/1.5.*,TTSSH/2.1*,TTSSH/2.2*,TTSSH/2.3*,TTSSH/2.4*,TTSSH/2.5*,TTSSH/2.6*,TTSSH/2.70*,TTSSH/2.71*,TTSSH/2.72*",
    ),
    comment:
      "Old Tera Term clients cannot cope with the hostkeys-00@openssh.com request. OpenSSH compat.c SSH_BUG_HOSTKEYS (sshd-session.c).",
    effect: { noHostkeysUpdate: true },
  },
  {
    name: "no-rekey",
    matches: wildcards("Sun_SSH_1.0*,OpenSSH_2.[0-4]*,OpenSSH_2.5.[0-3]*"),
    comment:
      'These break on a second key exchange. OpenSSH compat.c SSH_BUG_NOREKEY (Sun_SSH_1.0*: "this server does not ' +
      'support rekeying"); PuTTY BUG_SSH2_REKEY (OpenSSH_2.[0-4]*, OpenSSH_2.5.[0-3]*, Sun_SSH_1.0, Sun_SSH_1.0.1).',
    effect: { noRekey: true },
  },
  {
    name: "no-debug-messages",
    matches: (v) => !twistedUnderscore(v) && debugChokers(v),
    comment:
      "These choke on SSH_MSG_DEBUG. OpenSSH compat.c SSH_BUG_DEBUG (3.0.*, Twisted* but not Twisted_*; packet.c skips DEBUG).",
    effect: { noDebugMessages: true },
  },
  // --- user authentication
  {
    name: "openssh-before-7.2-no-rsa-sha2",
    matches: versionIn(openssh, undefined, [7, 2]),
    comment:
      "OpenSSH added rsa-sha2-256/512 and EXT_INFO server-sig-algs in 7.2 (kex.c kex_send_ext_info first appears in V_7_2_P1).",
    effect: { rsaSha2Unsupported: true },
  },
  {
    name: "dropbear-before-2020.79-no-rsa-sha2",
    matches: versionIn(dropbear, undefined, [2020, 79]),
    comment:
      'Dropbear added rsa-sha2 signatures and EXT_INFO in 2020.79 (commits 7dc2f36c "use sigtype where appropriate", ' +
      "5acee497/331d4a71 ext-info); older releases accept only ssh-rsa (paramiko#1961).",
    effect: { rsaSha2Unsupported: true },
  },
  {
    name: "paramiko-before-2.9-no-rsa-sha2",
    matches: versionIn(paramiko, undefined, [2, 9, 0]),
    comment: "Paramiko added RFC 8332 rsa-sha2 and RFC 8308 server-sig-algs in 2.9.0 (changelog, feature 1643).",
    effect: { rsaSha2Unsupported: true },
  },
  {
    name: "paramiko-2.9.0-rsa-sha512-only",
    matches: versionIn(paramiko, [2, 9, 0], [2, 9, 1]),
    comment:
      "Paramiko 2.9.0 servers verify every RSA signature as rsa-sha2-512, so rsa-sha2-256 and ssh-rsa fail (changelog " +
      "2.9.1, bug 1955).",
    effect: { rsaAuthRequiresSha512: true },
  },
  {
    name: "openssh-7.2-7.3-server-sig-algs-only-rsa",
    matches: versionIn(openssh, [7, 2], [7, 4]),
    comment:
      'OpenSSH 7.2 and 7.3 send server-sig-algs="rsa-sha2-256,rsa-sha2-512" (kex.c kex_send_ext_info in V_7_2_P1, ' +
      "V_7_3_P1) while accepting every key type; filtering other keys by it would skip usable ones.",
    effect: { serverSigAlgsOnlyListsRsaSha2: true },
  },
  {
    name: "openssh-7.4-server-sig-algs-omits-rsa-sha2",
    matches: versionIn(openssh, [7, 4], [7, 5]),
    comment:
      "OpenSSH 7.4 accepts rsa-sha2 signatures but its server-sig-algs (sshkey_alg_list skipping sig-only names) omits " +
      'them. OpenSSH compat.c SSH_BUG_SIGTYPE74 (sshconnect2.c assumes "rsa-sha2-256,rsa-sha2-512", bz3213); ssh2 ' +
      "COMPAT.IMPLY_RSA_SHA2_SIGALGS.",
    effect: { serverSigAlgsOmitsRsaSha2: true },
  },
  {
    name: "openssh-before-7.8-rsa-cert-algorithm-name",
    matches: versionIn(openssh, undefined, [7, 8]),
    comment:
      "Before 7.8 OpenSSH knows RSA certificates only as ssh-rsa-cert-v01@openssh.com; 7.8 added the rsa-sha2-*-cert " +
      "names (commit 4ba0d547). OpenSSH compat.c SSH_BUG_SIGTYPE (sshconnect2.c, auth2-pubkey.c); PuTTY " +
      "BUG_RSA_SHA2_CERT_USERAUTH (OpenSSH_7.[2-7]*).",
    effect: { rsaCertLegacyAlgorithmName: true },
  },
  // --- connection protocol
  {
    name: "openssh-before-5.2-no-port-zero",
    matches: versionIn(openssh, undefined, [5, 2]),
    comment:
      "RFC 4254 §7.1 port-0 allocation arrived in OpenSSH 5.2 (commit 4bf648f77, bz#1003): older sshd refuses port 0 " +
      "to non-root users and, for root, binds it but sends REQUEST_SUCCESS without the port.",
    effect: { tcpipForwardPortZeroUnsupported: true },
  },
  {
    name: "openssh-5-forwarded-port-zero",
    matches: versionIn(openssh, [5], [6]),
    comment:
      "OpenSSH 5.x puts the requested port (0), not the allocated one, in forwarded-tcpip opens, and expects the same " +
      "from peers. OpenSSH compat.c SSH_BUG_DYNAMIC_RPORT (channels.c; fixed in 6.0 by commit 68afb8c5f); ssh2 " +
      "COMPAT.DYN_RPORT_BUG (client.js keeps such forwardings keyed by port 0).",
    effect: { forwardedTcpipReportsPortZero: true },
  },
  {
    name: "openssh-2-3-forward-address",
    matches: versionIn(openssh, [2], [4]),
    comment:
      'OpenSSH 2.x/3.x clients send "0.0.0.0" in tcpip-forward to mean every address family. OpenSSH compat.c ' +
      "SSH_OLD_FORWARD_ADDR (channels.c channel_fwd_bind_addr).",
    effect: { tcpipForwardZeroAddressIsWildcard: true },
  },
  {
    name: "late-channel-request-replies",
    matches: anyOf(versionIn(openssh, [2], [6, 7]), versionIn(dropbear, [0, 20], [0, 52])),
    comment:
      "These reply to a channel request after sending CHANNEL_CLOSE, so a reply can arrive for a channel already " +
      "gone. PuTTY BUG_SENDS_LATE_REQUEST_REPLY (OpenSSH_[2-5].*, OpenSSH_6.[0-6]*, dropbear_0.[2-4][0-9]*, " +
      "dropbear_0.5[01]*; fixed in OpenSSH 6.7, bz#1818, and dropbear 0.52).",
    effect: { repliesToRequestsOnClosedChannels: true },
  },
  {
    name: "openssh-before-5.1-keepalive-failure",
    matches: versionIn(openssh, [2], [5, 1]),
    comment:
      "sshd before 5.1 counts only CHANNEL_FAILURE as an answer to its keepalive@openssh.com channel requests and " +
      "disconnects after ClientAliveCountMax SUCCESS replies (serverloop.c; 5.1 commit b84886ba3 takes both). " +
      "apache/mina-sshd#709.",
    effect: { keepaliveChannelRequestNeedsFailure: true },
  },
  {
    name: "extended-data-after-eof",
    matches: anyOf(versionIn(openssh, [2], [3, 2]), wildcards("Sun_SSH_1.0*")),
    comment:
      "These send stderr data after CHANNEL_EOF. OpenSSH compat.c SSH_BUG_EXTEOF (OpenSSH_2.*, 3.0*, 3.1*, Sun_SSH_1.0*; channels.c).",
    effect: { extendedDataAfterEof: true },
  },
  {
    name: "dropbear-replies-without-want-reply",
    matches: versionIn(dropbear, undefined, [2026, 90]),
    comment:
      "Dropbear answers global requests sent with want_reply=false, which shifts FIFO reply matching: dbclient (and " +
      "servers built without remote forwarding) answer every one with REQUEST_FAILURE, e.g. hostkeys-00@openssh.com " +
      "(commit 38d7da5f, first in 2022.82; libssh f6a2f619 ignores such replies), and the server answers a successful " +
      "tcpip-forward whatever want_reply says (commit 90cf3ff5, first in 2026.90).",
    effect: { globalRequestRepliesIgnoreWantReply: true },
  },
  {
    name: "dropbear-before-2018.76-no-port-zero",
    matches: versionIn(dropbear, undefined, [2018, 76]),
    comment:
      'Dropbear before 2018.76 refuses tcpip-forward port 0 ("Server chosen tcpfwd ports are unsupported", ' +
      'svr-tcpfwd.c); commit 91772225 "Server chosen tcpfwd ports" added it.',
    effect: { tcpipForwardPortZeroUnsupported: true },
  },
  {
    name: "dropbear-tcpip-forward-reply-always-has-port",
    matches: versionIn(dropbear, [2018, 76], [2026, 90]),
    comment:
      "Dropbear 2018.76 up to 2026.90 appends the bound port to every successful tcpip-forward reply, also when a " +
      "fixed port was requested (RFC 4254 §7.1 includes it only for port 0). Fixed by commit 90cf3ff5 " +
      '("The port should only be included when a port is allocated by the server").',
    effect: { tcpipForwardReplyAlwaysHasPort: true },
  },
  {
    name: "dropbear-before-2024.84-silent-when-forwarding-disabled",
    matches: versionIn(dropbear, undefined, [2024, 84]),
    comment:
      "A dropbear server with remote forwarding disabled (-k, or no-port-forwarding on the key) sends no reply at all " +
      "to global requests, want_reply or not — keepalives and tcpip-forward go unanswered. Fixed by commit 3cf83447 " +
      '("We were seeing keepalive packets being ignored when the -k option was used"), first in 2024.84.',
    effect: { globalRequestsMayGoUnanswered: true },
  },
  {
    name: "libssh-before-0.9-unimplemented-global-requests",
    matches: versionIn(libssh, undefined, [0, 9, 0]),
    comment:
      "libssh before 0.9.0 answers unknown global requests (keepalive@openssh.com too, before 0.8.0) with " +
      "SSH_MSG_UNIMPLEMENTED instead of REQUEST_FAILURE: libssh commits 8fe8d13e (0.9.0) and 0b9804a9 (0.8.0); " +
      "CESNET/netopeer2#563 (libssh_0.7.5).",
    effect: { unknownGlobalRequestGetsUnimplemented: true },
  },
  {
    name: "globalscape-ignores-max-packet",
    matches: wildcards("1.36_sshlib GlobalSCAPE,1.36 sshlib: GlobalScape"),
    comment: "This server ignores the maximum packet size we announce. PuTTY BUG_SSH2_MAXPKT.",
    effect: { ignoresMaxPacketSize: true },
  },
];

/** The flags for one peer: every matching quirk's effect folded together (booleans OR, bit caps minimum). */
export function quirksFor(version: string, table: readonly Quirk[] = QUIRKS): QuirkSet {
  const hits = table.filter((q) => q.matches(version));
  if (hits.length === 0) return NO_QUIRKS;
  const out: { -readonly [K in keyof QuirkSet]: QuirkSet[K] } = {
    ...NO_QUIRKS,
    matched: Object.freeze(hits.map((q) => q.name)),
  };
  for (const { effect } of hits) {
    for (const [key, value] of Object.entries(effect) as [keyof QuirkEffect, QuirkEffect[keyof QuirkEffect]][]) {
      if (value === undefined) continue;
      if (key === "refuseReason") out.refuseReason ??= value as string;
      else if (key === "dhGexMaxPreferredBits") {
        out.dhGexMaxPreferredBits = Math.min(out.dhGexMaxPreferredBits ?? Number.POSITIVE_INFINITY, value as number);
      } else (out as Record<string, unknown>)[key] = (out[key] as boolean) || (value as boolean);
    }
  }
  return Object.freeze(out);
}
