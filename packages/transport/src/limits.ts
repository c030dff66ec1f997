/**
 * Defensive limits of the transport layer as named constants (vectors-security.md §3.4). Each is
 * the value OpenSSH or the RFC uses unless a comment says otherwise.
 * @module
 */

/** RFC 4253 §6.1 requires 35 000; OpenSSH sends and accepts up to 256 KiB (PACKET_MAX_SIZE). */
export const MAX_PACKET_LENGTH = 256 * 1024;
/** RFC 4253 §4.2: the identification line is at most 255 characters including CR LF. */
export const MAX_VERSION_LINE_LENGTH = 255;
/** Lines a server may send before its version line (RFC 4253 §4.2); OpenSSH and Go allow 1 024. */
export const MAX_BANNER_LINES = 1024;
/** Length of one pre-version banner line (OpenSSH SSH_MAX_BANNER_LEN). */
export const MAX_BANNER_LINE_LENGTH = 8192;
/** Bytes of upper-layer payloads queued while a key exchange runs before we report backpressure. */
export const KEX_QUEUE_HIGH_WATER = 2 * 1024 * 1024;
/**
 * Unprocessed input held while processing is paused (during the host-key decision) before the
 * adapter should stop reading the socket: a peer cannot make us buffer more than this.
 */
export const INPUT_HIGH_WATER = 1024 * 1024;
/** Default time for version exchange plus key exchange (the seed's Timeout default, 60 s). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 60_000;
/**
 * Group sizes asked for in RFC 4419 group exchange: OpenSSH's DH_GRP_MIN/MAX (RFC 8270 raises the
 * minimum to 2048) and a 3072-bit preference (128-bit strength; larger groups cost seconds of
 * bigint work per handshake in pure JavaScript). The seed's PreferredDHGroupBits changes `n`.
 */
export const DEFAULT_GEX_REQUEST = { min: 2048, n: 3072, max: 8192 } as const;
/** RFC 4253 §9: re-exchange keys after 1 GiB in either direction. */
export const DEFAULT_REKEY_BYTES = 1024 * 1024 * 1024;
/** RFC 4344 §3.1: re-exchange before a sequence number can wrap. */
export const REKEY_PACKETS = 2 ** 31;
