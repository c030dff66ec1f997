// RFC 4252 client authentication over a captured `send`: the service request, the `none` probe,
// password (§8), publickey query-then-sign (§7), partial success (§5.1), banners (§5.4), and the
// phase rules for message numbers 50–79 (DESIGN.md principle 2).
import { ed25519 } from "@noble/curves/ed25519.js";
import { AuthClient, type AuthClientOptions, AuthError, type AuthMethod } from "@purssh/auth";
import { ed25519PrivateKeyFromSeed, type PrivateKey } from "@purssh/keys";
import {
  ChannelData,
  concatBytes,
  ProtocolError,
  ServiceAccept,
  ServiceRequest,
  type SshError,
  SshReader,
  UserauthBanner,
  UserauthFailure,
  UserauthPasswdChangereq,
  UserauthPkOk,
  UserauthRequest,
  UserauthRequestNone,
  UserauthRequestPassword,
  UserauthRequestPublickey,
  UserauthRequestPublickeyQuery,
  UserauthSuccess,
  utf8Encode,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";

const SESSION_ID = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 ^ i);
const KEY = ed25519PrivateKeyFromSeed(
  Uint8Array.from({ length: 32 }, (_, i) => i + 1),
  "alice@test",
);
const OTHER_KEY = ed25519PrivateKeyFromSeed(new Uint8Array(32).fill(0x42));

interface Harness {
  client: AuthClient;
  sent: Uint8Array[];
  successes: number;
  failures: AuthError[];
  banners: string[];
  take(): Uint8Array[];
}

function harness(methods: readonly AuthMethod[], options: Partial<AuthClientOptions> = {}): Harness {
  const h: Harness = {
    client: undefined as unknown as AuthClient,
    sent: [],
    successes: 0,
    failures: [],
    banners: [],
    take: () => h.sent.splice(0),
  };
  h.client = new AuthClient({
    username: "alice",
    methods,
    sessionId: SESSION_ID,
    send: (p) => h.sent.push(p),
    onSuccess: () => {
      h.successes++;
    },
    onFailure: (e) => {
      h.failures.push(e);
    },
    onBanner: (m) => h.banners.push(m),
    ...options,
  });
  return h;
}

/** start() and SERVICE_ACCEPT: the client has just sent its `none` request. */
function started(methods: readonly AuthMethod[], options: Partial<AuthClientOptions> = {}): Harness {
  const h = harness(methods, options);
  h.client.start();
  h.client.handle(ServiceAccept.encode({ serviceName: "ssh-userauth" }));
  h.take();
  return h;
}

const failure = (authentications: string[], partialSuccess = false) =>
  UserauthFailure.encode({ authentications, partialSuccess });
const success = () => UserauthSuccess.encode({});
const pkOk = (key: PrivateKey, algorithm = "ssh-ed25519") =>
  UserauthPkOk.encode({ publicKeyAlgorithm: algorithm, publicKey: key.publicKey.blob });
const password = (p: string): AuthMethod => ({ kind: "password", password: p });
const publickey = (key: PrivateKey = KEY): AuthMethod => ({ kind: "publickey", key });

function only(sent: Uint8Array[]): Uint8Array {
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

function thrown(fn: () => unknown): SshError {
  try {
    fn();
  } catch (e) {
    return e as SshError;
  }
  throw new Error("expected a throw");
}

// RFC 4251 §5 encodings written out by hand, independent of the SshWriter the client uses.
const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const str = (b: Uint8Array | string) => {
  const bytes = typeof b === "string" ? utf8Encode(b) : b;
  return concatBytes(u32(bytes.length), bytes);
};

describe("service request and the none probe (RFC 4253 §10, RFC 4252 §5.2)", () => {
  test("RFC 4253 §10: start() asks for the ssh-userauth service and nothing else", () => {
    const h = harness([password("pw")]);
    h.client.start();
    expect(ServiceRequest.decode(only(h.sent))).toEqual({ serviceName: "ssh-userauth" });
  });

  test("RFC 4252 §5.2: SERVICE_ACCEPT is followed by a `none` request for the user and ssh-connection", () => {
    const h = harness([password("pw")]);
    h.client.start();
    h.take();
    expect(h.client.handle(ServiceAccept.encode({ serviceName: "ssh-userauth" }))).toBe(true);
    expect(UserauthRequestNone.decode(only(h.sent))).toEqual({
      userName: "alice",
      serviceName: "ssh-connection",
      methodName: "none",
    });
  });

  test("RFC 4253 §10: SERVICE_ACCEPT naming another service is a protocol error", () => {
    const h = harness([password("pw")]);
    h.client.start();
    const e = thrown(() => h.client.handle(ServiceAccept.encode({ serviceName: "ssh-connection" })));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.code).toBe("ERR_AUTH_PROTOCOL");
  });

  test("RFC 4252 §5.2: USERAUTH_SUCCESS right after `none` completes authentication", () => {
    // CVE-2021-36367 (PuTTY -no-trivial-auth): an option to refuse this will come later.
    const h = started([password("pw")]);
    expect(h.client.handle(success())).toBe(true);
    expect(h.successes).toBe(1);
    expect(h.failures).toEqual([]);
    expect(h.sent).toEqual([]);
    expect(h.client.finished).toBe(true);
  });

  test("CVE-2023-46445 class: USERAUTH_SUCCESS before any request was sent is a protocol error", () => {
    const h = harness([password("pw")]);
    h.client.start();
    const e = thrown(() => h.client.handle(success()));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(h.successes).toBe(0);
  });
});

describe("password (RFC 4252 §8)", () => {
  test("RFC 4252 §8: after a FAILURE that lists password, the password request is sent; SUCCESS completes", () => {
    const h = started([password("s3cret")]);
    h.client.handle(failure(["publickey", "password"]));
    expect(UserauthRequestPassword.decode(only(h.take()))).toEqual({
      userName: "alice",
      serviceName: "ssh-connection",
      methodName: "password",
      changePassword: false,
      password: "s3cret",
    });
    h.client.handle(success());
    expect(h.successes).toBe(1);
    expect(h.failures).toEqual([]);
  });

  test("RFC 4252 §5.1: FAILURE with nothing left fails with ERR_AUTH_FAILED naming user, tries and the server's list", () => {
    const h = started([password("wrong")]);
    h.client.handle(failure(["publickey", "password"]));
    h.take();
    h.client.handle(failure(["publickey", "keyboard-interactive"]));
    expect(h.sent).toEqual([]);
    expect(h.successes).toBe(0);
    expect(h.failures).toHaveLength(1);
    const e = h.failures[0]!;
    expect(e).toBeInstanceOf(AuthError);
    expect(e.code).toBe("ERR_AUTH_FAILED");
    expect(e.message).toContain("alice");
    expect(e.message).toContain("password");
    expect(e.message).toContain("publickey");
    expect(e.message).toContain("keyboard-interactive");
    expect(e.allowedMethods).toEqual(["publickey", "keyboard-interactive"]);
    expect(h.client.finished).toBe(true);
  });

  test("RFC 4252 §8: PASSWD_CHANGEREQ (60 while password is active) fails with a clear message", () => {
    const h = started([password("expired")]);
    h.client.handle(failure(["password"]));
    h.take();
    h.client.handle(UserauthPasswdChangereq.encode({ prompt: "Password expired, change it now", languageTag: "" }));
    expect(h.sent).toEqual([]);
    expect(h.successes).toBe(0);
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0]).toBeInstanceOf(AuthError);
    expect(h.failures[0]!.code).toBe("ERR_AUTH_FAILED");
    expect(h.failures[0]!.message).toMatch(/password change/i);
    expect(h.failures[0]!.message).toContain("Password expired, change it now");
  });
});

describe("publickey (RFC 4252 §7)", () => {
  test("RFC 4252 §7: the key is first offered without a signature", () => {
    const h = started([publickey()]);
    h.client.handle(failure(["publickey"]));
    expect(UserauthRequestPublickeyQuery.decode(only(h.sent))).toEqual({
      userName: "alice",
      serviceName: "ssh-connection",
      methodName: "publickey",
      hasSignature: false,
      publicKeyAlgorithm: "ssh-ed25519",
      publicKey: KEY.publicKey.blob,
    });
  });

  test("RFC 4252 §7: after PK_OK the signature covers exactly session id ‖ 50 ‖ user ‖ service ‖ publickey ‖ TRUE ‖ alg ‖ blob", () => {
    const h = started([publickey()]);
    h.client.handle(failure(["publickey"]));
    h.take();
    h.client.handle(pkOk(KEY));
    const req = UserauthRequestPublickey.decode(only(h.take()));
    expect(req).toMatchObject({
      userName: "alice",
      serviceName: "ssh-connection",
      methodName: "publickey",
      hasSignature: true,
      publicKeyAlgorithm: "ssh-ed25519",
      publicKey: KEY.publicKey.blob,
    });

    const signedData = concatBytes(
      str(SESSION_ID),
      Uint8Array.of(50),
      str("alice"),
      str("ssh-connection"),
      str("publickey"),
      Uint8Array.of(1),
      str("ssh-ed25519"),
      str(KEY.publicKey.blob),
    );
    // RFC 8709 §6: string "ssh-ed25519" ‖ string signature(64)
    const sigReader = new SshReader(req.signature);
    expect(sigReader.utf8()).toBe("ssh-ed25519");
    const rawSignature = sigReader.string();
    sigReader.expectEnd();
    const keyReader = new SshReader(KEY.publicKey.blob);
    expect(keyReader.utf8()).toBe("ssh-ed25519");
    const rawPublicKey = keyReader.string();
    expect(ed25519.verify(rawSignature, signedData, rawPublicKey, { zip215: false })).toBe(true);

    h.client.handle(success());
    expect(h.successes).toBe(1);
  });

  test("RFC 4252 §7: the signature is bound to the session identifier", () => {
    const otherSession = new Uint8Array(32).fill(7);
    const signatures = [SESSION_ID, otherSession].map((sessionId) => {
      const h = started([publickey()], { sessionId });
      h.client.handle(failure(["publickey"]));
      h.client.handle(pkOk(KEY));
      return UserauthRequestPublickey.decode(h.take().at(-1)!).signature;
    });
    expect(signatures[0]).not.toEqual(signatures[1]);
  });

  test("RFC 4252 §7: PK_OK naming a key we did not offer is a protocol error and nothing is signed", () => {
    const h = started([publickey()]);
    h.client.handle(failure(["publickey"]));
    h.take();
    const e = thrown(() => h.client.handle(pkOk(OTHER_KEY)));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.code).toBe("ERR_AUTH_PROTOCOL");
    expect(h.sent).toEqual([]);
  });

  test("RFC 4252 §7: PK_OK naming another algorithm for our key is a protocol error", () => {
    const h = started([publickey()]);
    h.client.handle(failure(["publickey"]));
    h.take();
    const e = thrown(() => h.client.handle(pkOk(KEY, "rsa-sha2-256")));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(h.sent).toEqual([]);
  });

  test("RFC 4252 §7: FAILURE to the query moves on to the next method (password)", () => {
    const h = started([publickey(), password("pw")]);
    h.client.handle(failure(["publickey", "password"]));
    UserauthRequestPublickeyQuery.decode(only(h.take()));
    h.client.handle(failure(["publickey", "password"]));
    expect(UserauthRequestPassword.decode(only(h.take())).password).toBe("pw");
    h.client.handle(success());
    expect(h.successes).toBe(1);
  });

  test("RFC 4252 §7: a signed request that is refused moves on to the next key", () => {
    const h = started([publickey(KEY), publickey(OTHER_KEY)]);
    h.client.handle(failure(["publickey"]));
    h.take();
    h.client.handle(pkOk(KEY));
    h.take();
    h.client.handle(failure(["publickey"]));
    expect(UserauthRequestPublickeyQuery.decode(only(h.take())).publicKey).toEqual(OTHER_KEY.publicKey.blob);
  });
});

describe("method selection and partial success (RFC 4252 §5.1)", () => {
  test("RFC 4252 §5.1: a method the server does not list is never tried", () => {
    const h = started([publickey(), password("pw")]);
    h.client.handle(failure(["password"]));
    const next = only(h.take());
    expect(UserauthRequest.decode(next).methodName).toBe("password");
    UserauthRequestPassword.decode(next);
  });

  test("RFC 4252 §5.1: when the server lists none of our methods, we fail without sending anything", () => {
    const h = started([publickey(), password("pw")]);
    h.client.handle(failure(["keyboard-interactive", "gssapi-with-mic"]));
    expect(h.sent).toEqual([]);
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0]!.message).toContain("keyboard-interactive");
    expect(h.failures[0]!.allowedMethods).toEqual(["keyboard-interactive", "gssapi-with-mic"]);
  });

  test("RFC 4252 §5.1: partial success continues the chain (publickey, then password) and succeeds at the end", () => {
    const h = started([publickey(), password("pw")]);
    h.client.handle(failure(["publickey"]));
    UserauthRequestPublickeyQuery.decode(only(h.take()));
    h.client.handle(pkOk(KEY));
    UserauthRequestPublickey.decode(only(h.take()));
    h.client.handle(failure(["password"], true));
    expect(UserauthRequestPassword.decode(only(h.take())).password).toBe("pw");
    expect(h.failures).toEqual([]);
    h.client.handle(success());
    expect(h.successes).toBe(1);
    expect(h.failures).toEqual([]);
  });

  test("RFC 4252 §5.1: a method the server lists only after partial success is still tried (AuthenticationMethods password,publickey)", () => {
    // Our preference is publickey then password (the client package default), the server's chain
    // is password then publickey: publickey is not allowed until the password step succeeded.
    const h = started([publickey(), password("pw")]);
    h.client.handle(failure(["password"]));
    UserauthRequestPassword.decode(only(h.take()));
    h.client.handle(failure(["publickey"], true));
    expect(h.failures.map((e) => e.message)).toEqual([]);
    expect(UserauthRequestPublickeyQuery.decode(only(h.take())).publicKey).toEqual(KEY.publicKey.blob);
    h.client.handle(pkOk(KEY));
    UserauthRequestPublickey.decode(only(h.take()));
    h.client.handle(success());
    expect(h.successes).toBe(1);
  });
});

describe("banners (RFC 4252 §5.4)", () => {
  test("RFC 4252 §5.4: USERAUTH_BANNER at any point goes to onBanner and changes nothing else", () => {
    const banner = (message: string) => UserauthBanner.encode({ message, languageTag: "" });
    const h = harness([password("pw")]);
    h.client.start();
    h.take();
    expect(h.client.handle(banner("before the service is accepted"))).toBe(true);
    h.client.handle(ServiceAccept.encode({ serviceName: "ssh-userauth" }));
    h.take();
    h.client.handle(banner("during none"));
    h.client.handle(failure(["password"]));
    h.take();
    h.client.handle(banner("Authorized use only\r\n"));
    expect(h.sent).toEqual([]);
    h.client.handle(success());
    expect(h.banners).toEqual(["before the service is accepted", "during none", "Authorized use only\r\n"]);
    expect(h.successes).toBe(1);
  });
});

describe("message numbers by phase (DESIGN.md principle 2)", () => {
  test("RFC 4252 §6: message 60 while `none` is active (no method explains it) is a protocol error", () => {
    const h = started([password("pw")]);
    const e = thrown(() => h.client.handle(pkOk(KEY)));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.code).toBe("ERR_AUTH_PROTOCOL");
  });

  test("RFC 4252 §6: message 60 after the signed publickey request is a protocol error", () => {
    const h = started([publickey()]);
    h.client.handle(failure(["publickey"]));
    h.client.handle(pkOk(KEY));
    expect(thrown(() => h.client.handle(pkOk(KEY)))).toBeInstanceOf(ProtocolError);
  });

  test("RFC 4252 §6: message 60 before any request is a protocol error", () => {
    const h = harness([publickey()]);
    h.client.start();
    expect(thrown(() => h.client.handle(pkOk(KEY)))).toBeInstanceOf(ProtocolError);
  });

  test("RFC 4253 §10: an unexpected SERVICE_ACCEPT during authentication is a protocol error", () => {
    const h = started([password("pw")]);
    const e = thrown(() => h.client.handle(ServiceAccept.encode({ serviceName: "ssh-userauth" })));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(h.sent).toEqual([]);
  });

  test("RFC 4253 §10: SERVICE_ACCEPT after authentication finished is a protocol error", () => {
    const h = started([password("pw")]);
    h.client.handle(success());
    expect(thrown(() => h.client.handle(ServiceAccept.encode({ serviceName: "ssh-userauth" })))).toBeInstanceOf(
      ProtocolError,
    );
  });

  test("CVE-2018-10933 class: USERAUTH_REQUEST (a client-only message) from the server is a protocol error", () => {
    const h = started([password("pw")]);
    const fromServer = UserauthRequestNone.encode({
      userName: "root",
      serviceName: "ssh-connection",
      methodName: "none",
    });
    expect(thrown(() => h.client.handle(fromServer))).toBeInstanceOf(ProtocolError);
  });

  test("RFC 4252 §5.1: a second USERAUTH_SUCCESS after authentication finished is a protocol error", () => {
    const h = started([password("pw")]);
    h.client.handle(success());
    expect(thrown(() => h.client.handle(success()))).toBeInstanceOf(ProtocolError);
    expect(h.successes).toBe(1);
  });

  test("principle 2: a non-auth message (CHANNEL_DATA, 94) returns false from handle()", () => {
    const h = started([password("pw")]);
    const data = ChannelData.encode({ recipientChannel: 0, data: Uint8Array.of(1) });
    expect(h.client.handle(data)).toBe(false);
    expect(h.sent).toEqual([]);
    expect(h.successes + h.failures.length).toBe(0);
  });
});

describe("RFC 8332 §3.1: choosing the signature algorithm from server-sig-algs (RFC 8308 §3.1)", () => {
  /** A key that can sign with the three RSA algorithms (the signature itself is not checked here). */
  const RSA_LIKE: PrivateKey = {
    type: "ssh-rsa",
    publicKey: {
      type: "ssh-rsa",
      blob: Uint8Array.of(0, 0, 0, 7, ...new TextEncoder().encode("ssh-rsa")),
      comment: "",
    },
    signatureAlgorithms: ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
    sign: () => new Uint8Array(0),
  };
  const queried = (h: Harness) => UserauthRequestPublickeyQuery.decode(only(h.take())).publicKeyAlgorithm;

  test("the first of the key's algorithms that the server lists is used", () => {
    const h = started([{ kind: "publickey", key: RSA_LIKE }], { serverSigAlgs: () => ["ssh-ed25519", "rsa-sha2-256"] });
    h.client.handle(failure(["publickey"]));
    expect(queried(h)).toBe("rsa-sha2-256");
  });

  test("without server-sig-algs the key's (or the caller's) first algorithm is used", () => {
    const h = started([{ kind: "publickey", key: RSA_LIKE }]);
    h.client.handle(failure(["publickey"]));
    expect(queried(h)).toBe("rsa-sha2-512");
    const h2 = started([{ kind: "publickey", key: RSA_LIKE, algorithms: ["ssh-rsa"] }], {
      serverSigAlgs: () => ["rsa-sha2-512"],
    });
    h2.client.handle(failure(["publickey"]));
    // The caller allowed only ssh-rsa; the server's list cannot widen that.
    expect(queried(h2)).toBe("ssh-rsa");
  });

  test("a key with no algorithm the caller allows is skipped like a method the server refuses", () => {
    const h = started([{ kind: "publickey", key: RSA_LIKE, algorithms: ["ssh-ed25519"] }, password("pw")]);
    h.client.handle(failure(["publickey", "password"]));
    expect(UserauthRequestPassword.decode(only(h.take())).password).toBe("pw");
  });
});
