/**
 * A captured-`send` harness for AuthServer unit tests and USERAUTH_REQUEST builders for each
 * method (RFC 4252 §§5.2, 7, 8), shared by server.test.ts and server-limits.test.ts.
 * @module
 */
import {
  type AuthPolicy,
  type AuthResult,
  AuthServer,
  type AuthServerOptions,
  publickeySignedData,
} from "@purssh/auth";
import type { PrivateKey } from "@purssh/keys";
import {
  type ProtocolError,
  ServiceRequest,
  UserauthFailure,
  UserauthRequestNone,
  UserauthRequestPassword,
  UserauthRequestPublickey,
  UserauthRequestPublickeyQuery,
  utf8Encode,
} from "@purssh/wire";
import { expect } from "vitest";
import { NOW_MS, SESSION_ID } from "./fixtures.js";

export interface Harness {
  server: AuthServer;
  sent: Uint8Array[];
  results: AuthResult[];
  disconnects: ProtocolError[];
  take(): Uint8Array[];
  /** handle() must never throw on peer input. */
  feed(p: Uint8Array): boolean;
}

export function harness(policy: AuthPolicy, options: Partial<AuthServerOptions> = {}): Harness {
  const h: Harness = {
    server: undefined as unknown as AuthServer,
    sent: [],
    results: [],
    disconnects: [],
    take: () => h.sent.splice(0),
    feed: (p) => h.server.handle(p),
  };
  h.server = new AuthServer({
    sessionId: SESSION_ID,
    policy,
    now: () => NOW_MS,
    send: (p) => h.sent.push(p),
    onSuccess: (r) => h.results.push(r),
    onDisconnect: (e) => h.disconnects.push(e),
    ...options,
  });
  return h;
}

/** SERVICE_REQUEST done: the server waits for USERAUTH_REQUEST. */
export function accepted(policy: AuthPolicy, options: Partial<AuthServerOptions> = {}): Harness {
  const h = harness(policy, options);
  h.feed(ServiceRequest.encode({ serviceName: "ssh-userauth" }));
  h.take();
  return h;
}

export const base = (userName = "alice") => ({ userName, serviceName: "ssh-connection" });
export const none = (user = "alice") => UserauthRequestNone.encode({ ...base(user), methodName: "none" });
export const password = (pw: string, user = "alice") =>
  UserauthRequestPassword.encode({ ...base(user), methodName: "password", changePassword: false, password: pw });
export const query = (key: PrivateKey, algorithm = key.signatureAlgorithms[0]!) =>
  UserauthRequestPublickeyQuery.encode({
    ...base(),
    methodName: "publickey",
    hasSignature: false,
    publicKeyAlgorithm: algorithm,
    publicKey: key.publicKey.blob,
  });
export function signed(key: PrivateKey, algorithm = key.signatureAlgorithms[0]!, sessionId = SESSION_ID): Uint8Array {
  const data = publickeySignedData(sessionId, "alice", "ssh-connection", algorithm, key.publicKey.blob);
  return UserauthRequestPublickey.encode({
    ...base(),
    methodName: "publickey",
    hasSignature: true,
    publicKeyAlgorithm: algorithm,
    publicKey: key.publicKey.blob,
    signature: key.sign(data, algorithm),
  });
}
export const failureOf = (p: Uint8Array) => UserauthFailure.decode(p);
export const only = (sent: Uint8Array[]) => {
  expect(sent).toHaveLength(1);
  return sent[0]!;
};
export const keyIs = (key: PrivateKey) => (_: unknown, c: { key: { blob: Uint8Array } }) =>
  c.key.blob.length === key.publicKey.blob.length && c.key.blob.every((b, i) => b === key.publicKey.blob[i]);

/** RFC 4251 §5 `string`, written out by hand. */
export function str(s: string): Uint8Array {
  const b = utf8Encode(s);
  return Uint8Array.from([b.length >>> 24, (b.length >>> 16) & 255, (b.length >>> 8) & 255, b.length & 255, ...b]);
}
