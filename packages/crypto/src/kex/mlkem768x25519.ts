/**
 * mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex; OpenSSH ≥ 9.9, its default since 10.0):
 * a post-quantum / traditional hybrid of ML-KEM-768 (FIPS 203) and X25519 (RFC 7748), carried in
 * the ECDH messages 30/31 (RFC 5656 §4) as `string`s, with SHA-256 as exchange hash and KDF hash.
 *
 * - C_INIT = ML-KEM-768 encapsulation key (1184 bytes) ‖ X25519 public key (32 bytes).
 * - S_REPLY = ML-KEM-768 ciphertext (1088 bytes) ‖ X25519 public key (32 bytes).
 * - K = SHA-256(K_PQ ‖ K_CL), K_PQ the 32-byte ML-KEM shared secret and K_CL the raw 32-byte
 *   X25519 output; K enters the exchange hash and the KDF as a `string`, not an mpint.
 * - Any other length is refused; the server runs the FIPS 203 §7.2 encapsulation-key checks (type
 *   and modulus check: every 12-bit coefficient below q = 3329) before encapsulating; an all-zero
 *   X25519 output aborts as in RFC 8731 §3. A bad ciphertext is not an error: ML-KEM decapsulation
 *   rejects implicitly (FIPS 203 §6.3), so the client just derives a K the server does not share.
 *
 * Randomness: the client draws a 64-byte ML-KEM seed (d ‖ z, FIPS 203 §6.1) and a 32-byte X25519
 * scalar; the server draws the 32-byte encapsulation message m (FIPS 203 §6.2) and a 32-byte X25519
 * scalar, all from the injected RandomBytes, in that order.
 * @module
 */
import { x25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { DISCONNECT, encodeWith, ProtocolError, SshError } from "@purssh/wire";
import type { KexAlgorithm, KexClientExchange, KexServerExchange, RandomBytes } from "../types.js";

export const MLKEM768X25519_SHA256 = "mlkem768x25519-sha256";

/** FIPS 203 Table 3, ML-KEM-768: encapsulation key, ciphertext, seed, message and secret sizes. */
export const MLKEM768_ENCAPSULATION_KEY_LENGTH = 1184;
export const MLKEM768_CIPHERTEXT_LENGTH = 1088;
const MLKEM_SEED_LENGTH = 64;
const MLKEM_MESSAGE_LENGTH = 32;
/** RFC 7748 §5. */
const X25519_LENGTH = 32;

function draw(random: RandomBytes, n: number): Uint8Array {
  const bytes = random(n);
  if (bytes.length !== n) {
    throw new SshError("ERR_CRYPTO_RANDOM_LENGTH", `random source returned ${bytes.length} bytes, not ${n}`);
  }
  return bytes.slice();
}

function invalidPublicKey(why: string, cause?: unknown): ProtocolError {
  return new ProtocolError(
    "ERR_KEX_INVALID_PUBLIC_KEY",
    `${MLKEM768X25519_SHA256}: ${why}`,
    DISCONNECT.KEY_EXCHANGE_FAILED,
    cause === undefined ? undefined : { cause },
  );
}

/** K_CL: the raw X25519 output, refusing an all-zero result (RFC 8731 §3, RFC 7748 §6.1). */
function x25519Shared(secretKey: Uint8Array, peer: Uint8Array): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secretKey, peer);
  } catch (cause) {
    throw invalidPublicKey("the peer's X25519 key gives an all-zero shared secret (RFC 8731 §3: abort)", cause);
  }
  let any = 0;
  for (let i = 0; i < shared.length; i++) any |= shared[i] as number;
  if (any === 0) throw invalidPublicKey("the peer's X25519 key gives an all-zero shared secret (RFC 8731 §3: abort)");
  return shared;
}

/** K = string(SHA-256(K_PQ ‖ K_CL)), with its uint32 length, as it enters the hash and the KDF. */
function combine(kPq: Uint8Array, kCl: Uint8Array): Uint8Array {
  const both = new Uint8Array(kPq.length + kCl.length);
  both.set(kPq);
  both.set(kCl, kPq.length);
  const digest = sha256(both);
  both.fill(0);
  kPq.fill(0);
  kCl.fill(0);
  const encoded = encodeWith((w) => w.string(digest), 4 + digest.length);
  digest.fill(0);
  return encoded;
}

/** The client: generates both key pairs, sends C_INIT, decapsulates S_REPLY. */
class MlKemHybridClient implements KexClientExchange {
  readonly publicKey: Uint8Array;
  readonly #mlkemSecretKey: Uint8Array;
  readonly #x25519SecretKey: Uint8Array;

  constructor(random: RandomBytes) {
    const seed = draw(random, MLKEM_SEED_LENGTH);
    const { publicKey, secretKey } = ml_kem768.keygen(seed);
    seed.fill(0);
    this.#mlkemSecretKey = secretKey;
    this.#x25519SecretKey = draw(random, X25519_LENGTH);
    const c = new Uint8Array(MLKEM768_ENCAPSULATION_KEY_LENGTH + X25519_LENGTH);
    c.set(publicKey);
    c.set(x25519.getPublicKey(this.#x25519SecretKey), MLKEM768_ENCAPSULATION_KEY_LENGTH);
    this.publicKey = c;
  }

  computeSharedSecret(serverReply: Uint8Array): Uint8Array {
    if (serverReply.length !== MLKEM768_CIPHERTEXT_LENGTH + X25519_LENGTH) {
      throw invalidPublicKey(
        `S_REPLY is ${serverReply.length} bytes, not ${MLKEM768_CIPHERTEXT_LENGTH} + ${X25519_LENGTH}`,
      );
    }
    const ciphertext = serverReply.subarray(0, MLKEM768_CIPHERTEXT_LENGTH);
    const serverX25519 = serverReply.subarray(MLKEM768_CIPHERTEXT_LENGTH);
    const kCl = x25519Shared(this.#x25519SecretKey, serverX25519);
    // Implicit rejection: a tampered ciphertext yields a pseudorandom K_PQ, never an exception.
    const kPq = ml_kem768.decapsulate(ciphertext, this.#mlkemSecretKey);
    return combine(kPq, kCl);
  }
}

/** The server: encapsulates to the client's key, answers with S_REPLY. */
class MlKemHybridServer implements KexServerExchange {
  readonly #random: RandomBytes;
  #reply: Uint8Array | undefined;

  constructor(random: RandomBytes) {
    this.#random = random;
  }

  /** S_REPLY; exists only after computeSharedSecret, since the ciphertext depends on C_INIT. */
  get publicKey(): Uint8Array {
    if (this.#reply === undefined) {
      throw new SshError(
        "ERR_KEX_NOT_READY",
        `${MLKEM768X25519_SHA256}: S_REPLY exists only after the client's C_INIT has been processed`,
      );
    }
    return this.#reply;
  }

  computeSharedSecret(clientInit: Uint8Array): Uint8Array {
    if (clientInit.length !== MLKEM768_ENCAPSULATION_KEY_LENGTH + X25519_LENGTH) {
      throw invalidPublicKey(
        `C_INIT is ${clientInit.length} bytes, not ${MLKEM768_ENCAPSULATION_KEY_LENGTH} + ${X25519_LENGTH}`,
      );
    }
    const encapsulationKey = clientInit.subarray(0, MLKEM768_ENCAPSULATION_KEY_LENGTH);
    const clientX25519 = clientInit.subarray(MLKEM768_ENCAPSULATION_KEY_LENGTH);
    const message = draw(this.#random, MLKEM_MESSAGE_LENGTH);
    let encapsulated: { cipherText: Uint8Array; sharedSecret: Uint8Array };
    try {
      // FIPS 203 §7.2: noble runs the modulus check ByteEncode12(ByteDecode12(ek)) = ek first.
      encapsulated = ml_kem768.encapsulate(encapsulationKey, message);
    } catch (cause) {
      throw invalidPublicKey("the ML-KEM-768 encapsulation key fails the FIPS 203 §7.2 modulus check", cause);
    } finally {
      message.fill(0);
    }
    const x25519SecretKey = draw(this.#random, X25519_LENGTH);
    const kCl = x25519Shared(x25519SecretKey, clientX25519);
    const reply = new Uint8Array(MLKEM768_CIPHERTEXT_LENGTH + X25519_LENGTH);
    reply.set(encapsulated.cipherText);
    reply.set(x25519.getPublicKey(x25519SecretKey), MLKEM768_CIPHERTEXT_LENGTH);
    x25519SecretKey.fill(0);
    this.#reply = reply;
    return combine(encapsulated.sharedSecret, kCl);
  }
}

/** draft-ietf-sshm-mlkem-hybrid-kex: ML-KEM-768 and X25519, SHA-256. */
export const mlkem768x25519Sha256: KexAlgorithm = Object.freeze({
  name: MLKEM768X25519_SHA256,
  publicKeyEncoding: "string",
  groupExchange: false,
  hash: (data: Uint8Array): Uint8Array => sha256(data),
  createClient: (random: RandomBytes): KexClientExchange => new MlKemHybridClient(random),
  createServer: (random: RandomBytes): KexServerExchange => new MlKemHybridServer(random),
});
