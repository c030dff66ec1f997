/**
 * The server side of publickey authentication (RFC 4252 §7): the query answered with PK_OK only
 * for a key the policy would accept, and the signed request verified over session id ‖ request.
 * The algorithm must be accepted (sshd PubkeyAcceptedAlgorithms) and fit the key type (RFC 8332
 * §3: rsa-sha2-256/512 and ssh-rsa for ssh-rsa keys; PROTOCOL.certkeys for certificates). User
 * certificates signed by a trusted CA are verified here (type, validity, principals, critical
 * options, source-address); other keys and certificates go to the policy's `publicKey`.
 * @module
 */
import { getSignatureAlgorithm } from "@purssh/crypto";
import {
  type Certificate,
  CertificateError,
  isCertificateType,
  KeyError,
  keyTypeOfBlob,
  type PublicKey,
  parseCertificateBlob,
  parsePublicKeyBlob,
  verifyCertificate,
} from "@purssh/keys";
import {
  equalBytes,
  UserauthPkOk,
  UserauthRequest,
  UserauthRequestPublickey,
  UserauthRequestPublickeyQuery,
} from "@purssh/wire";
import { publickeySignedData } from "./publickey.js";
import type { MaybePromise } from "./serial.js";
import type { AuthContext, AuthPolicy, PublicKeyAcceptance, PublicKeyCandidate } from "./server-policy.js";

/** How one request ended. `pending`: the server sent PK_OK, PASSWD_CHANGEREQ or INFO_REQUEST. */
export type Outcome =
  | { kind: "accepted"; publicKey?: PublicKey; acceptance?: PublicKeyAcceptance }
  | { kind: "failure"; reason: string }
  | { kind: "pending" };

/** What the publickey check needs from its AuthServer. */
export interface PublickeyEnvironment {
  readonly sessionId: Uint8Array;
  readonly policy: AuthPolicy;
  readonly trustedCAs: readonly Uint8Array[];
  readonly algorithms: readonly string[];
  /** Keys that already completed a step of this login (OpenSSH auth2_key_already_used). */
  readonly usedKeys: readonly Uint8Array[];
  nowSeconds(): bigint;
  send(payload: Uint8Array): void;
  log(level: 1 | 2 | 3, text: string): void;
  /** Calls a policy callback; its failure becomes ERR_AUTH_POLICY. */
  ask<T>(what: string, call: () => MaybePromise<T>): Generator<unknown, T, unknown>;
}

const failure = (reason: string): Outcome => ({ kind: "failure", reason });

/** Parses the offered key, or says why it cannot be used. */
function parseOffered(blob: Uint8Array, type: string): { key: PublicKey; certificate?: Certificate } | string {
  try {
    if (isCertificateType(type)) {
      const certificate = parseCertificateBlob(blob);
      return { key: certificate, certificate };
    }
    return { key: parsePublicKeyBlob(blob) };
  } catch (e) {
    if (e instanceof KeyError) return `the ${type} key blob is invalid: ${e.message}`;
    throw e;
  }
}

/** Handles a publickey USERAUTH_REQUEST (query or signed). */
export function* checkPublickey(
  env: PublickeyEnvironment,
  context: AuthContext,
  payload: Uint8Array,
): Generator<unknown, Outcome, unknown> {
  // RFC 4252 §7: `boolean FALSE` (query) or `TRUE` (signed) follows the method name; each form
  // is decoded strictly (a boolean other than 0 or 1 fails the signed form's decoder).
  const request =
    UserauthRequest.decode(payload).methodData[0] === 0
      ? { ...UserauthRequestPublickeyQuery.decode(payload), signature: undefined }
      : UserauthRequestPublickey.decode(payload);
  const { publicKeyAlgorithm: algorithm, publicKey: blob } = request;

  if (!env.algorithms.includes(algorithm)) return failure(`${algorithm} is not an accepted publickey algorithm`);
  let type: string;
  try {
    type = keyTypeOfBlob(blob);
  } catch {
    return failure("the public key blob is malformed");
  }
  const signatureAlgorithm = getSignatureAlgorithm(algorithm);
  if (signatureAlgorithm === undefined || signatureAlgorithm.keyType !== type) {
    return failure(`a ${type} key cannot sign with ${algorithm}`);
  }
  const offered = parseOffered(blob, type);
  if (typeof offered === "string") return failure(offered);
  if (env.usedKeys.some((k) => equalBytes(k, blob))) return failure("this key already completed a step of the login");

  const candidate: PublicKeyCandidate = { algorithm, ...offered, signed: request.signature !== undefined };
  const acceptance = yield* authorize(env, context, candidate);
  if (acceptance === undefined) return failure(`the ${type} key is not authorized for ${context.username}`);

  if (request.signature === undefined) {
    env.send(UserauthPkOk.encode({ publicKeyAlgorithm: algorithm, publicKey: blob }));
    return { kind: "pending" };
  }
  const data = publickeySignedData(env.sessionId, context.username, context.service, algorithm, blob);
  if (!signatureAlgorithm.verify(blob, request.signature, data)) {
    return failure(`the ${algorithm} signature does not verify`);
  }
  return { kind: "accepted", publicKey: offered.key, acceptance };
}

/** A trusted-CA certificate, then the policy; undefined when neither accepts the key. */
function* authorize(
  env: PublickeyEnvironment,
  context: AuthContext,
  candidate: PublicKeyCandidate,
): Generator<unknown, PublicKeyAcceptance | undefined, unknown> {
  const cert = candidate.certificate;
  if (cert !== undefined && env.trustedCAs.some((ca) => equalBytes(ca, cert.signatureKey.blob))) {
    const accepted = yield* verifyTrustedCertificate(env, context, cert);
    if (accepted !== undefined) return accepted;
  }
  const { policy } = env;
  if (policy.publicKey === undefined) return undefined;
  const decision = yield* env.ask("publicKey", () => policy.publicKey!(context, candidate));
  if (decision === true) return {};
  if (decision === false || typeof decision !== "object" || decision === null) return undefined;
  return decision;
}

/** sshd TrustedUserCAKeys: user_cert_trusted_ca (auth2-pubkey.c). */
function* verifyTrustedCertificate(
  env: PublickeyEnvironment,
  context: AuthContext,
  cert: Certificate,
): Generator<unknown, PublicKeyAcceptance | undefined, unknown> {
  const { policy } = env;
  const principals = policy.authorizedPrincipals
    ? yield* env.ask("authorizedPrincipals", () => policy.authorizedPrincipals!(context, cert))
    : [context.username];
  try {
    const verified = verifyCertificate(cert, {
      now: env.nowSeconds(),
      type: "user",
      trustedCAs: env.trustedCAs,
      ...(context.clientAddress === undefined ? {} : { sourceAddress: context.clientAddress }),
      ...(policy.caSignatureAlgorithms ? { allowedSignatureAlgorithms: policy.caSignatureAlgorithms } : {}),
    });
    if (!principals.some((p) => cert.principals.includes(p))) {
      env.log(2, `certificate ${JSON.stringify(cert.keyId)} lists none of the principals ${principals.join(",")}`);
      return undefined;
    }
    if (verified.sourceAddress !== undefined && context.clientAddress === undefined) {
      env.log(2, `certificate ${JSON.stringify(cert.keyId)} has source-address but the client address is unknown`);
      return undefined;
    }
    return { certificate: verified };
  } catch (e) {
    if (!(e instanceof CertificateError)) throw e;
    env.log(2, `certificate refused: ${e.message}`);
    return undefined;
  }
}
