/**
 * Defensive limits of the transport layer and of the layers built on it (auth, the embedded
 * server, keepalive) as named constants (DESIGN.md principle 9; vectors-security.md §3.4). Each is
 * the value OpenSSH or the RFC uses unless its comment says otherwise, and names its source.
 * Channel limits (window, max packet, channel count, pending opens and requests) live with the
 * code that enforces them, in @purssh/connection's limits.ts; RSA and certificate bounds live in
 * @purssh/keys (RSA_MIN_BITS, RSA_MAX_BITS, MAX_CERT_PRINCIPALS).
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

// ---------------------------------------------------------------------------------------------
// Binary packet protocol (RFC 4253 §6)

/** RFC 4253 §6: "There MUST be at least four bytes of padding"; OpenSSH rejects `padlen < 4`. */
export const MIN_PADDING_LENGTH = 4;
/** RFC 4253 §6: padding_length is one byte, so at most 255 bytes of padding. */
export const MAX_PADDING_LENGTH = 255;
/** Smallest packet_length accepted: padding_length byte + 4 padding (OpenSSH packet.c `packlen < 1 + 4`). */
export const MIN_PACKET_LENGTH = 1 + MIN_PADDING_LENGTH;
/**
 * Largest payload a compressed packet may inflate to before the connection fails with
 * COMPRESSION_ERROR: the same 256 KiB we accept uncompressed (MAX_PACKET_LENGTH), far above the
 * 32 768 bytes RFC 4253 §6.1 requires. OpenSSH bounds it only by SSHBUF_SIZE_MAX (128 MiB,
 * uncompress_buffer in packet.c), which lets one packet cost 128 MiB; we do not.
 */
export const MAX_DECOMPRESSED_PAYLOAD = 256 * 1024;

// ---------------------------------------------------------------------------------------------
// Version exchange and KEXINIT (RFC 4253 §4.2, §7.1; RFC 4251 §6)

/**
 * Lines a client may send before its version line: none. RFC 4253 §4.2 allows other lines only
 * from the server, and sshd drops a client that sends one (kex.c kex_exchange_identification:
 * "Do not accept lines before the SSH ident from a client").
 */
export const MAX_CLIENT_PRE_VERSION_LINES = 0;
/** RFC 4251 §6: algorithm and method names "MUST NOT be longer than 64 characters" (Dropbear MAX_NAME_LEN). */
export const MAX_ALGORITHM_NAME_LENGTH = 64;
/**
 * Names in one KEXINIT name-list before the peer is refused, bounding negotiation work to
 * n × m comparisons. Dropbear exits with "Too many remote algorithms" past 50 (MAX_PROPOSED_ALGO,
 * common-algo.c), so deployed peers stay under that; we allow 128 for headroom.
 */
export const MAX_NAME_LIST_ENTRIES = 128;
/** Bytes of one KEXINIT name-list: MAX_NAME_LIST_ENTRIES names of at most 64 characters plus commas. */
export const MAX_NAME_LIST_LENGTH = MAX_NAME_LIST_ENTRIES * (MAX_ALGORITHM_NAME_LENGTH + 1);
/**
 * Extensions in one SSH_MSG_EXT_INFO (RFC 8308 §2.3): OpenSSH's kex_input_ext_info fails the
 * connection when nr-extensions ≥ 1024.
 */
export const MAX_EXT_INFO_EXTENSIONS = 1023;

// ---------------------------------------------------------------------------------------------
// Re-keying (RFC 4253 §9, RFC 4344 §3)

/**
 * RFC 4253 §9: re-exchange keys "after each gigabyte of transmitted data or after each hour of
 * connection time, whichever comes sooner". AsyncSSH uses 1 h, Dropbear 8 h (KEX_REKEY_TIMEOUT);
 * OpenSSH's RekeyLimit has no time component by default.
 */
export const DEFAULT_REKEY_INTERVAL_MS = 60 * 60 * 1000;
/**
 * RFC 4344 §3.2: with an L-bit block cipher, rekey before 2^(L/4) blocks; for 128-bit blocks
 * (AES) 2^32 blocks. OpenSSH ssh_set_newkeys: `1 << (block_size * 2)` for block sizes ≥ 16, else
 * 1 GiB / block_size (chacha20-poly1305@openssh.com is listed with 8-byte blocks, so it gets 1 GiB).
 */
export const REKEY_BLOCKS_128_BIT = 2 ** 32;

// ---------------------------------------------------------------------------------------------
// User authentication (RFC 4252, RFC 4256)

/**
 * Failed authentication requests before the server disconnects: OpenSSH MaxAuthTries default
 * (DEFAULT_AUTH_FAIL_MAX, servconf.h) and Go's ServerConfig.MaxAuthTries default; Dropbear uses 10.
 */
export const MAX_AUTH_FAILURES = 6;
/**
 * Authentication requests of any kind (including "none" and public-key queries, which are not
 * failures) before the server disconnects: OpenSSH auth2.c `authctxt->attempt >= 1024`.
 */
export const MAX_AUTH_REQUESTS = 1024;
/** Longest user name accepted in USERAUTH_REQUEST: AsyncSSH's bound (vectors-security.md §3.4). */
export const MAX_USERNAME_LENGTH = 1024;
/**
 * Prompts in one keyboard-interactive INFO_REQUEST, and responses in one INFO_RESPONSE (RFC 4256
 * §3.2–3.4): OpenSSH's server rejects more than 100 responses (auth2-chall.c `nresp > 100`).
 */
export const MAX_KEYBOARD_INTERACTIVE_PROMPTS = 100;
/** Password prompts a client retries after a failure: ssh_config NumberOfPasswordPrompts default. */
export const DEFAULT_PASSWORD_PROMPTS = 3;

// ---------------------------------------------------------------------------------------------
// Server admission (sshd_config)

/**
 * Time from accept to USERAUTH_SUCCESS before the server drops the connection: sshd
 * LoginGraceTime default (SSHD_DEFAULT_LOGIN_GRACE_TIME, 120 s); AsyncSSH login_timeout 120 s.
 */
export const LOGIN_GRACE_TIME_MS = 120_000;
/**
 * sshd MaxStartups default 10:30:100 (servconf.c): with `begin` unauthenticated connections
 * pending, refuse new ones with probability `rate` % (rising linearly), and all of them at `full`.
 */
export const MAX_STARTUPS = { begin: 10, rate: 30, full: 100 } as const;
/**
 * Unauthenticated connections from one source address: Dropbear MAX_UNAUTH_PER_IP (its total is
 * MAX_UNAUTH_CLIENTS 30). sshd's PerSourceMaxStartups is unlimited by default.
 */
export const MAX_UNAUTHENTICATED_PER_SOURCE = 5;

// ---------------------------------------------------------------------------------------------
// Keepalive (keepalive@openssh.com global requests)

/**
 * Keepalive probe interval; 0 = off, the default of ssh ServerAliveInterval, sshd
 * ClientAliveInterval and Dropbear DEFAULT_KEEPALIVE.
 */
export const DEFAULT_KEEPALIVE_INTERVAL_MS = 0;
/**
 * Unanswered keepalive probes before the peer is declared dead: ssh ServerAliveCountMax and sshd
 * ClientAliveCountMax default 3; Dropbear DEFAULT_KEEPALIVE_LIMIT 3.
 */
export const DEFAULT_KEEPALIVE_COUNT_MAX = 3;
