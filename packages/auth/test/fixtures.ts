/**
 * Shared fixtures for the @purssh/auth suites: test keys (ssh-keygen files from test-vectors/keys
 * and fixed-seed Ed25519 keys), user certificates minted with signCertificate, an async Signer
 * (what an ssh-agent identity looks like), and an in-memory AuthClient ↔ AuthServer pair whose
 * payloads are delivered asynchronously, as over a real transport.
 * @module
 */
import { readFileSync } from "node:fs";
import {
  AuthClient,
  type AuthClientOptions,
  type AuthMethod,
  type AuthPolicy,
  type AuthResult,
  AuthServer,
  type AuthServerOptions,
  serverSigAlgsFor,
} from "@purssh/auth";
import {
  CERT_VALID_FOREVER,
  type Certificate,
  type CertificateSpec,
  ed25519PrivateKeyFromSeed,
  type PrivateKey,
  parsePrivateKey,
  type Signer,
  signCertificate,
} from "@purssh/keys";
import type { ProtocolError, SshError } from "@purssh/wire";

export const SESSION_ID = Uint8Array.from({ length: 32 }, (_, i) => 0x5a ^ i);
/** 2030-01-01T00:00:00Z: the fixed clock of the server in these tests. */
export const NOW_MS = Date.UTC(2030, 0, 1);
export const NOW_S = BigInt(NOW_MS / 1000);

const seed = (b: number) => Uint8Array.from({ length: 32 }, (_, i) => (b + i) & 255);
export const ED25519 = ed25519PrivateKeyFromSeed(seed(1), "alice@test");
export const ED25519_OTHER = ed25519PrivateKeyFromSeed(seed(99), "mallory@test");
export const CA = ed25519PrivateKeyFromSeed(seed(200), "user-ca");
export const OTHER_CA = ed25519PrivateKeyFromSeed(seed(150), "someone-elses-ca");

const vector = (name: string) => readFileSync(new URL(`../../../test-vectors/keys/${name}`, import.meta.url), "utf8");
export const ECDSA: PrivateKey = parsePrivateKey(vector("ecdsa-p256"));
export const RSA: PrivateKey = parsePrivateKey(vector("rsa-2048"));

/** A user certificate for `key` signed by `ca` (defaults: principal alice, valid 2020 → forever). */
export function userCertificate(
  key: PrivateKey,
  overrides: Partial<CertificateSpec> = {},
  ca: PrivateKey = CA,
): Certificate {
  return signCertificate(
    {
      key: key.publicKey,
      type: "user",
      keyId: "alice-cert",
      principals: ["alice"],
      validAfter: BigInt(Date.UTC(2020, 0, 1) / 1000),
      validBefore: CERT_VALID_FOREVER,
      ...overrides,
    },
    ca,
  );
}

/** An ssh-agent-like signer: the same key, but every signature arrives after a timer. */
export function asyncSigner(key: Signer, delayMs = 5): Signer & { calls: number } {
  const signer = {
    type: key.type,
    publicKey: key.publicKey,
    signatureAlgorithms: key.signatureAlgorithms,
    calls: 0,
    sign(data: Uint8Array, algorithm?: string): Promise<Uint8Array> {
      signer.calls++;
      return new Promise((resolve, reject) =>
        setTimeout(() => {
          try {
            resolve(key.sign(data, algorithm) as Uint8Array);
          } catch (e) {
            reject(e);
          }
        }, delayMs),
      );
    },
  };
  return signer;
}

export const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface PairOutcome {
  /** "success", or why the client gave up (AuthError) or failed (a protocol error it detected). */
  client: "success" | SshError | undefined;
  /** The server's onSuccess result. */
  server?: AuthResult;
  /** The server's onDisconnect error. */
  disconnect?: ProtocolError;
  banners: string[];
  /** Message numbers, in order, in each direction (for transcript assertions). */
  clientSent: number[];
  serverSent: number[];
  /** The client's payloads themselves. */
  clientPayloads: Uint8Array[];
  /** The server itself, to inspect counters after the run. */
  authServer: AuthServer;
}

export interface PairOptions {
  username?: string;
  client?: Partial<AuthClientOptions>;
  server?: Partial<AuthServerOptions>;
  /** server-sig-algs as the client sees it; default derived from the server policy; null: none sent. */
  serverSigAlgs?: readonly string[] | null;
}

/**
 * Runs a whole authentication: AuthClient and AuthServer exchanging payloads through timers (each
 * delivery is a separate macrotask, as on a socket). Resolves when the client succeeded or
 * failed, or the server disconnected.
 */
export function runPair(
  methods: readonly AuthMethod[],
  policy: AuthPolicy,
  options: PairOptions = {},
): Promise<PairOutcome> {
  return new Promise((resolve) => {
    const out: Omit<PairOutcome, "authServer"> = {
      client: undefined,
      banners: [],
      clientSent: [],
      serverSent: [],
      clientPayloads: [],
    };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      // Let in-flight deliveries land so the transcript is complete.
      setTimeout(() => resolve({ ...out, authServer: server }), 2);
    };
    const deliver = (fn: () => void) =>
      setTimeout(() => {
        if (done) return;
        try {
          fn();
        } catch (e) {
          out.client = e as SshError;
          finish();
        }
      }, 0);
    const sigAlgs =
      options.serverSigAlgs === null
        ? undefined
        : (options.serverSigAlgs ?? serverSigAlgsFor(policy.publicKeyAlgorithms));
    const server: AuthServer = new AuthServer({
      sessionId: SESSION_ID,
      policy,
      now: () => NOW_MS,
      send: (p) => {
        out.serverSent.push(p[0]!);
        deliver(() => client.handle(p));
      },
      onSuccess: (r) => {
        out.server = r;
      },
      onDisconnect: (e) => {
        out.disconnect = e;
        finish();
      },
      ...options.server,
    });
    const client: AuthClient = new AuthClient({
      username: options.username ?? "alice",
      methods,
      sessionId: SESSION_ID,
      send: (p) => {
        out.clientSent.push(p[0]!);
        out.clientPayloads.push(p);
        deliver(() => server.handle(p));
      },
      onSuccess: () => {
        out.client = "success";
        finish();
      },
      onFailure: (e) => {
        out.client = e;
        finish();
      },
      onError: (e) => {
        out.client = e;
        finish();
      },
      onBanner: (m) => out.banners.push(m),
      serverSigAlgs: () => sigAlgs,
      ...options.client,
    });
    client.start();
  });
}
