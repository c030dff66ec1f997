/**
 * Assigned numbers (RFC 4250 §4): message numbers, DISCONNECT reason codes, channel-open failure
 * reason codes and extended-data type codes.
 * @module
 */

/** RFC 4250 §4.1.2 message numbers, plus RFC 8308 EXT_INFO and the kex/auth phase-specific ones. */
export const MSG = {
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  SERVICE_REQUEST: 5,
  SERVICE_ACCEPT: 6,
  EXT_INFO: 7,
  NEWCOMPRESS: 8,
  KEXINIT: 20,
  NEWKEYS: 21,
  /** 30–49 belong to the negotiated key exchange method (RFC 4251 §7). */
  KEX_ECDH_INIT: 30,
  KEX_ECDH_REPLY: 31,
  KEXDH_INIT: 30,
  KEXDH_REPLY: 31,
  KEX_DH_GEX_GROUP: 31,
  KEX_DH_GEX_INIT: 32,
  KEX_DH_GEX_REPLY: 33,
  KEX_DH_GEX_REQUEST: 34,
  USERAUTH_REQUEST: 50,
  USERAUTH_FAILURE: 51,
  USERAUTH_SUCCESS: 52,
  USERAUTH_BANNER: 53,
  /** 60–79 belong to the current authentication method (RFC 4252 §6). */
  USERAUTH_PK_OK: 60,
  USERAUTH_PASSWD_CHANGEREQ: 60,
  GLOBAL_REQUEST: 80,
  REQUEST_SUCCESS: 81,
  REQUEST_FAILURE: 82,
  CHANNEL_OPEN: 90,
  CHANNEL_OPEN_CONFIRMATION: 91,
  CHANNEL_OPEN_FAILURE: 92,
  CHANNEL_WINDOW_ADJUST: 93,
  CHANNEL_DATA: 94,
  CHANNEL_EXTENDED_DATA: 95,
  CHANNEL_EOF: 96,
  CHANNEL_CLOSE: 97,
  CHANNEL_REQUEST: 98,
  CHANNEL_SUCCESS: 99,
  CHANNEL_FAILURE: 100,
  /** OpenSSH PROTOCOL §1.10 (ping@openssh.com): transport-level echo. */
  PING: 192,
  PONG: 193,
} as const;

/** RFC 4250 §4.2.2 / RFC 4253 §11.1 disconnect reason codes. */
export const DISCONNECT = {
  HOST_NOT_ALLOWED_TO_CONNECT: 1,
  PROTOCOL_ERROR: 2,
  KEY_EXCHANGE_FAILED: 3,
  RESERVED: 4,
  MAC_ERROR: 5,
  COMPRESSION_ERROR: 6,
  SERVICE_NOT_AVAILABLE: 7,
  PROTOCOL_VERSION_NOT_SUPPORTED: 8,
  HOST_KEY_NOT_VERIFIABLE: 9,
  CONNECTION_LOST: 10,
  BY_APPLICATION: 11,
  TOO_MANY_CONNECTIONS: 12,
  AUTH_CANCELLED_BY_USER: 13,
  NO_MORE_AUTH_METHODS_AVAILABLE: 14,
  ILLEGAL_USER_NAME: 15,
} as const;
export type DisconnectReason = (typeof DISCONNECT)[keyof typeof DISCONNECT];

/** RFC 4254 §5.1 / RFC 4250 §4.3 channel-open failure reason codes. */
export const OPEN_FAILURE = {
  ADMINISTRATIVELY_PROHIBITED: 1,
  CONNECT_FAILED: 2,
  UNKNOWN_CHANNEL_TYPE: 3,
  RESOURCE_SHORTAGE: 4,
} as const;
export type OpenFailureReason = (typeof OPEN_FAILURE)[keyof typeof OPEN_FAILURE];

/** RFC 4254 §5.2 extended data type codes. */
export const EXTENDED_DATA = { STDERR: 1 } as const;

/** Name of a DISCONNECT reason code, for messages and logs. */
export function disconnectReasonName(code: number): string {
  for (const [name, value] of Object.entries(DISCONNECT)) if (value === code) return name;
  return `UNKNOWN(${code})`;
}
