/**
 * The algorithm interfaces the transport programs against (DESIGN.md principle 5). Every
 * implementation lives behind these; the registry maps negotiated names to them.
 * @module
 */

/** Source of cryptographic randomness (injected, so tests can be deterministic). */
export type RandomBytes = (n: number) => Uint8Array;

/** Which way a packet cipher works. */
export type Direction = "seal" | "open";

/**
 * One direction of the binary packet protocol's protection (RFC 4253 §6): encryption plus
 * integrity, whether an AEAD or a cipher composed with a MAC. The wrapper owns all nonce and counter
 * state (GCM invocation counter, CTR counter, chacha20-poly1305 per-sequence keys).
 *
 * A wire packet is `uint32 packet_length ‖ byte padding_length ‖ payload ‖ padding ‖ tag`.
 */
export interface PacketCipher {
  readonly name: string;
  /** Padding aligns to this (RFC 4253 §6: max(8, cipher block size)). */
  readonly blockSize: number;
  /**
   * True when packet_length travels unencrypted (AES-GCM, EtM MACs) or is encrypted under a separate
   * key (chacha20-poly1305): padding then aligns `padding_length ‖ payload ‖ padding` only, without
   * the 4 length bytes.
   */
  readonly lengthExcludedFromPadding: boolean;
  /** Bytes of tag/MAC that follow each packet. */
  readonly tagLength: number;
  /** How many leading bytes `lengthFromFirstBlock` needs (4 for AEADs, the block size for CTR/CBC). */
  readonly firstBlockLength: number;
  /**
   * Reads packet_length from the first `firstBlockLength` bytes of an incoming packet without
   * consuming state (the same block is passed again to `open`). Must not allocate.
   */
  lengthFromFirstBlock(seq: number, firstBlock: Uint8Array): number;
  /**
   * Encrypts in place and writes the tag. `packet` is the whole wire packet, allocated once by the
   * transport: 4 + packet_length + tagLength bytes, the tag area zero. Returns `packet`.
   */
  seal(seq: number, packet: Uint8Array): Uint8Array;
  /**
   * Verifies and decrypts a whole wire packet (4 + packet_length + tagLength bytes); returns the
   * plaintext `padding_length ‖ payload ‖ padding` (may be a view into `packet`). Throws a
   * ProtocolError with DISCONNECT.MAC_ERROR when the tag does not verify; never returns
   * unauthenticated plaintext.
   */
  open(seq: number, packet: Uint8Array): Uint8Array;
}

/** A keyed MAC for one direction (RFC 4253 §6.4). */
export interface Mac {
  /**
   * MAC of `uint32 seq ‖ data` (RFC 4253 §6.4: data is the unencrypted packet for
   * encrypt-and-MAC, the encrypted packet for OpenSSH's -etm variants), truncated to macLength.
   */
  compute(seq: number, data: Uint8Array): Uint8Array;
}

/** What the registry knows about a MAC name (RFC 4253 §6.4, RFC 6668, OpenSSH PROTOCOL §1.5). */
export interface MacAlgorithm {
  readonly name: string;
  readonly keyLength: number;
  /** Bytes of MAC on the wire (12 for hmac-sha1-96). */
  readonly macLength: number;
  /** Encrypt-then-MAC (OpenSSH `-etm@openssh.com`): packet_length in clear, MAC over ciphertext. */
  readonly etm: boolean;
  create(key: Uint8Array): Mac;
}

/** What the registry knows about a cipher name (RFC 4253 §6.3 and OpenSSH PROTOCOL §1.6, §1.7). */
export interface CipherAlgorithm {
  readonly name: string;
  readonly keyLength: number;
  readonly ivLength: number;
  /** Cipher block size (8 for 3DES, 16 for AES; 8 as the padding minimum for stream-like ones). */
  readonly blockSize: number;
  /** AEAD ciphers ignore the negotiated MAC (OpenSSH PROTOCOL §1.6). */
  readonly aead: boolean;
  /**
   * Creates one direction's packet cipher; `key` and `iv` come from the RFC 4253 §7.2 KDF. Non-AEAD
   * ciphers need the negotiated MAC with its key (letters E/F) and combine the two into one
   * PacketCipher (encrypt-and-MAC, or encrypt-then-MAC for -etm MACs); AEADs ignore `mac`.
   */
  create(
    key: Uint8Array,
    iv: Uint8Array,
    direction: Direction,
    mac?: { algorithm: MacAlgorithm; key: Uint8Array },
  ): PacketCipher;
}

/**
 * The client half of one key exchange: ECDH-style (RFC 5656 §4, RFC 8731 §3, the ML-KEM hybrids)
 * or finite-field Diffie-Hellman (RFC 4253 §8, RFC 4419, RFC 8268).
 */
export interface KexClientExchange {
  /**
   * Q_C sent in KEX_ECDH_INIT, or for finite-field DH the value e as an unsigned big-endian
   * magnitude (the transport encodes it as an mpint on the wire and in the exchange hash).
   */
  readonly publicKey: Uint8Array;
  /**
   * From the server's Q_S, computes the shared secret K already encoded as it enters the exchange
   * hash and the KDF (an mpint for curve25519-sha256: RFC 8731 §3.1), rejecting invalid or all-zero
   * results with a ProtocolError (KEY_EXCHANGE_FAILED).
   */
  computeSharedSecret(serverPublicKey: Uint8Array): Uint8Array;
}

/** The server half of one key exchange (publicKey: Q_S, or f as an unsigned magnitude). */
export interface KexServerExchange {
  readonly publicKey: Uint8Array;
  computeSharedSecret(clientPublicKey: Uint8Array): Uint8Array;
}

/** A finite-field group (RFC 3526, RFC 4419): prime modulus p and generator g. */
export interface DhGroup {
  readonly p: bigint;
  readonly g: bigint;
}

export interface KexAlgorithm {
  readonly name: string;
  /**
   * How the public values travel and enter the exchange hash: "string" for ECDH-style methods
   * (Q_C/Q_S, messages 30/31 as KEX_ECDH_INIT/REPLY), "mpint" for finite-field DH (e/f, messages
   * 30/31 as KEXDH_INIT/REPLY, or 32/33 with group exchange).
   */
  readonly publicKeyEncoding: "string" | "mpint";
  /** RFC 4419 group exchange: the group comes from the server (KEX_DH_GEX_REQUEST/GROUP). */
  readonly groupExchange: boolean;
  /** The exchange hash and KDF hash (RFC 4253 §7.2 HASH). */
  hash(data: Uint8Array): Uint8Array;
  /** For group exchange, `group` is the one the server sent (validated by the method). */
  createClient(random: RandomBytes, group?: DhGroup): KexClientExchange;
  createServer(random: RandomBytes, group?: DhGroup): KexServerExchange;
}

/** A public-key signature algorithm as named in KEXINIT host-key lists and userauth. */
export interface SignatureAlgorithm {
  /** The algorithm name (e.g. "ssh-ed25519", "rsa-sha2-256"). */
  readonly name: string;
  /** The key type it signs with (the first string of the key blob, e.g. "ssh-ed25519", "ssh-rsa"). */
  readonly keyType: string;
  /**
   * Verifies an SSH signature blob (`string name ‖ string sig`, RFC 4253 §6.6) over `data` with an
   * SSH public-key blob. Returns false for any malformed input; never throws on peer data.
   */
  verify(publicKeyBlob: Uint8Array, signatureBlob: Uint8Array, data: Uint8Array): boolean;
}
