// The client's newer methods message by message: RFC 4256 keyboard-interactive (§3.2–3.4, with
// OpenSSH's zero-prompt rule and bounds), the RFC 4252 §8 password change, any Signer on the
// publickey path (an ssh-agent's async signatures, with messages arriving meanwhile kept in order),
// and RFC 8332 algorithm choice for certificates.
import {
  AuthClient,
  type AuthClientOptions,
  type AuthError,
  type AuthMethod,
  MAX_KEYBOARD_INTERACTIVE_PROMPTS,
  MAX_KEYBOARD_INTERACTIVE_ROUNDS,
  MAX_QUEUED_CLIENT_MESSAGES,
  publickeySignedData,
} from "@purssh/auth";
import { certifiedPrivateKey, type Signer } from "@purssh/keys";
import {
  decodeUserauthInfoResponse,
  encodeUserauthInfoRequest,
  ProtocolError,
  ServiceAccept,
  type SshError,
  UserauthBanner,
  UserauthFailure,
  UserauthPasswdChangereq,
  UserauthPkOk,
  UserauthRequest,
  UserauthRequestKeyboardInteractive,
  UserauthRequestPassword,
  UserauthRequestPasswordChange,
  UserauthRequestPublickey,
  UserauthRequestPublickeyQuery,
  UserauthSuccess,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { asyncSigner, ED25519, RSA, SESSION_ID, tick, userCertificate } from "./fixtures.js";

interface Harness {
  client: AuthClient;
  sent: Uint8Array[];
  successes: number;
  failures: AuthError[];
  errors: SshError[];
  banners: string[];
  take(): Uint8Array[];
}

/** Started, SERVICE_ACCEPT and the `none` probe done; `allowed` is the server's first FAILURE list. */
function started(
  methods: readonly AuthMethod[],
  allowed: string[] | undefined,
  options: Partial<AuthClientOptions> = {},
): Harness {
  const h: Harness = {
    client: undefined as unknown as AuthClient,
    sent: [],
    successes: 0,
    failures: [],
    errors: [],
    banners: [],
    take: () => h.sent.splice(0),
  };
  h.client = new AuthClient({
    username: "alice",
    methods,
    sessionId: SESSION_ID,
    send: (p) => h.sent.push(p),
    onSuccess: () => h.successes++,
    onFailure: (e) => h.failures.push(e),
    onError: (e) => h.errors.push(e),
    onBanner: (m) => h.banners.push(m),
    ...options,
  });
  h.client.start();
  h.client.handle(ServiceAccept.encode({ serviceName: "ssh-userauth" }));
  h.take();
  if (allowed) h.client.handle(failure(allowed));
  return h;
}

const failure = (authentications: string[], partialSuccess = false) =>
  UserauthFailure.encode({ authentications, partialSuccess });
const only = (sent: Uint8Array[]) => {
  expect(sent).toHaveLength(1);
  return sent[0]!;
};
const infoRequest = (...prompts: Array<[string, boolean]>) =>
  encodeUserauthInfoRequest({
    name: "",
    instruction: "",
    languageTag: "",
    prompts: prompts.map(([prompt, echo]) => ({ prompt, echo })),
  });
const kbd = (respond: (c: { prompts: readonly { prompt: string }[] }) => unknown, submethods?: string): AuthMethod => ({
  kind: "keyboard-interactive",
  respond: respond as never,
  ...(submethods === undefined ? {} : { submethods }),
});

describe("keyboard-interactive (RFC 4256)", () => {
  test("RFC 4256 §3.1: the request carries an empty language tag and the submethods", () => {
    const h = started([kbd(() => [], "pam")], ["keyboard-interactive"]);
    expect(UserauthRequestKeyboardInteractive.decode(only(h.take()))).toEqual({
      userName: "alice",
      serviceName: "ssh-connection",
      methodName: "keyboard-interactive",
      languageTag: "",
      submethods: "pam",
    });
  });

  test("RFC 4256 §3.4: one response per prompt, in order; SUCCESS completes", () => {
    const h = started([kbd((c) => c.prompts.map((p) => `answer to ${p.prompt}`))], ["keyboard-interactive"]);
    h.take();
    h.client.handle(infoRequest(["Password:", false], ["OTP:", false]));
    expect(decodeUserauthInfoResponse(only(h.take()))).toEqual(["answer to Password:", "answer to OTP:"]);
    h.client.handle(UserauthSuccess.encode({}));
    expect(h.successes).toBe(1);
  });

  test("OpenSSH sshconnect2.c: a zero-prompt INFO_REQUEST is answered with zero responses, whatever respond() returns", () => {
    const h = started([kbd(() => ["stray"])], ["keyboard-interactive"]);
    h.take();
    h.client.handle(infoRequest());
    expect(decodeUserauthInfoResponse(only(h.take()))).toEqual([]);
  });

  test("RFC 4256 §3.4: respond() giving the wrong number of answers abandons the method for the next one", () => {
    const h = started(
      [kbd(() => ["only one"]), { kind: "password", password: "pw" }],
      ["keyboard-interactive", "password"],
    );
    h.take();
    h.client.handle(infoRequest(["a", true], ["b", true]));
    expect(UserauthRequestPassword.decode(only(h.take())).password).toBe("pw");
  });

  test("RFC 4256 §3.2: an async respond() that rejects (user cancelled) moves on; the failure names why", async () => {
    const h = started([kbd(() => Promise.reject(new Error("cancelled")))], ["keyboard-interactive"]);
    h.take();
    h.client.handle(infoRequest(["PIN", false]));
    await tick();
    expect(h.sent).toEqual([]);
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0]!.message).toContain("respond() failed");
  });

  test(`OpenSSH bound: more than ${MAX_KEYBOARD_INTERACTIVE_PROMPTS} prompts in one INFO_REQUEST is a protocol error`, () => {
    const h = started([kbd(() => [])], ["keyboard-interactive"]);
    h.take();
    const prompts = Array.from({ length: MAX_KEYBOARD_INTERACTIVE_PROMPTS + 1 }, (_, i): [string, boolean] => [
      `${i}`,
      true,
    ]);
    expect(() => h.client.handle(infoRequest(...prompts))).toThrow(ProtocolError);
  });

  test(`a server looping through more than ${MAX_KEYBOARD_INTERACTIVE_ROUNDS} rounds is abandoned`, () => {
    let calls = 0;
    const h = started(
      [
        kbd(() => {
          calls++;
          return [];
        }),
      ],
      ["keyboard-interactive"],
    );
    h.take();
    for (let i = 0; i < MAX_KEYBOARD_INTERACTIVE_ROUNDS; i++) {
      h.client.handle(infoRequest());
      h.take();
    }
    h.client.handle(infoRequest());
    expect(h.sent).toEqual([]);
    expect(calls).toBe(MAX_KEYBOARD_INTERACTIVE_ROUNDS);
    expect(h.failures).toHaveLength(1);
  });

  test("RFC 4252 §6: message 61 (a client-to-server number) from the server is a protocol error", () => {
    const h = started([kbd(() => [])], ["keyboard-interactive"]);
    expect(() => h.client.handle(Uint8Array.of(61, 0, 0, 0, 0))).toThrow(ProtocolError);
  });
});

describe("password change (RFC 4252 §8)", () => {
  test("RFC 4252 §8: PASSWD_CHANGEREQ → newPassword(prompt) → the change request with old and new password", () => {
    const prompts: string[] = [];
    const h = started(
      [
        {
          kind: "password",
          password: "old",
          newPassword: (p) => {
            prompts.push(p);
            return "new-pw";
          },
        },
      ],
      ["password"],
    );
    h.take();
    h.client.handle(UserauthPasswdChangereq.encode({ prompt: "Expired", languageTag: "" }));
    expect(UserauthRequestPasswordChange.decode(only(h.take()))).toEqual({
      userName: "alice",
      serviceName: "ssh-connection",
      methodName: "password",
      changePassword: true,
      password: "old",
      newPassword: "new-pw",
    });
    expect(prompts).toEqual(["Expired"]);
    h.client.handle(UserauthSuccess.encode({}));
    expect(h.successes).toBe(1);
  });

  test("RFC 4252 §8: newPassword returning undefined declines; the next method is tried", async () => {
    const h = started(
      [
        { kind: "password", password: "old", newPassword: async () => undefined },
        { kind: "publickey", key: ED25519 },
      ],
      ["password", "publickey"],
    );
    h.take();
    h.client.handle(UserauthPasswdChangereq.encode({ prompt: "Expired", languageTag: "" }));
    await tick();
    UserauthRequestPublickeyQuery.decode(only(h.take()));
  });
});

describe("publickey with any Signer (RFC 4252 §7)", () => {
  test("RFC 4252 §7: an async signer's signature is sent when it arrives; a banner that came meanwhile waits its turn", async () => {
    const agent = asyncSigner(ED25519, 5);
    const h = started([{ kind: "publickey", key: agent }], ["publickey"]);
    h.take();
    h.client.handle(UserauthPkOk.encode({ publicKeyAlgorithm: "ssh-ed25519", publicKey: ED25519.publicKey.blob }));
    expect(h.sent).toEqual([]);
    // A (premature) SUCCESS and a banner arrive while signing: queued, handled after the signature.
    expect(h.client.handle(UserauthBanner.encode({ message: "later", languageTag: "" }))).toBe(true);
    expect(h.client.handle(UserauthSuccess.encode({}))).toBe(true);
    expect(h.banners).toEqual([]);
    expect(h.successes).toBe(0);
    await tick(20);
    const req = UserauthRequestPublickey.decode(only(h.take()));
    // Ed25519 is deterministic: the agent's signature is exactly the key's over RFC 4252 §7 data.
    const data = publickeySignedData(SESSION_ID, "alice", "ssh-connection", "ssh-ed25519", ED25519.publicKey.blob);
    expect(req.signature).toEqual(ED25519.sign(data, "ssh-ed25519"));
    expect(h.banners).toEqual(["later"]);
    expect(h.successes).toBe(1);
    expect(agent.calls).toBe(1);
  });

  test("a signer that fails (agent refused) moves on to the next method", async () => {
    const failing: Signer = { ...ED25519, sign: () => Promise.reject(new Error("agent refused operation")) };
    const h = started(
      [
        { kind: "publickey", key: failing },
        { kind: "password", password: "pw" },
      ],
      ["publickey", "password"],
    );
    h.take();
    h.client.handle(UserauthPkOk.encode({ publicKeyAlgorithm: "ssh-ed25519", publicKey: ED25519.publicKey.blob }));
    await tick();
    expect(UserauthRequestPassword.decode(only(h.take())).password).toBe("pw");
  });

  test("close() while the signer is busy: its signature is never sent", async () => {
    const h = started([{ kind: "publickey", key: asyncSigner(ED25519, 5) }], ["publickey"]);
    h.take();
    h.client.handle(UserauthPkOk.encode({ publicKeyAlgorithm: "ssh-ed25519", publicKey: ED25519.publicKey.blob }));
    h.client.close();
    await tick(20);
    expect(h.sent).toEqual([]);
    expect(h.client.finished).toBe(true);
  });

  test("an out-of-phase message that waited for the signer is reported through onError", async () => {
    const h = started([{ kind: "publickey", key: asyncSigner(ED25519, 5) }], ["publickey"]);
    h.take();
    h.client.handle(UserauthPkOk.encode({ publicKeyAlgorithm: "ssh-ed25519", publicKey: ED25519.publicKey.blob }));
    h.client.handle(UserauthPkOk.encode({ publicKeyAlgorithm: "ssh-ed25519", publicKey: ED25519.publicKey.blob }));
    await tick(20);
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toBeInstanceOf(ProtocolError);
  });

  test(`more than ${MAX_QUEUED_CLIENT_MESSAGES} messages while the signer is busy is a protocol error`, () => {
    const h = started([{ kind: "publickey", key: asyncSigner(ED25519, 50) }], ["publickey"]);
    h.client.handle(UserauthPkOk.encode({ publicKeyAlgorithm: "ssh-ed25519", publicKey: ED25519.publicKey.blob }));
    const banner = UserauthBanner.encode({ message: "x", languageTag: "" });
    for (let i = 0; i < MAX_QUEUED_CLIENT_MESSAGES; i++) h.client.handle(banner);
    expect(() => h.client.handle(banner)).toThrow(expect.objectContaining({ code: "ERR_AUTH_QUEUE_FULL" }));
  });

  test("RFC 8332 §3.1 + PROTOCOL.certkeys: a certified RSA key picks the cert algorithm whose base the server lists", () => {
    const key = certifiedPrivateKey(RSA, userCertificate(RSA));
    for (const [sigAlgs, expected] of [
      [["rsa-sha2-256"], "rsa-sha2-256-cert-v01@openssh.com"],
      [["rsa-sha2-512", "rsa-sha2-256"], "rsa-sha2-512-cert-v01@openssh.com"],
    ] as const) {
      const h = started([{ kind: "publickey", key }], ["publickey"], { serverSigAlgs: () => sigAlgs });
      const req = only(h.take());
      expect(UserauthRequest.decode(req).methodName).toBe("publickey");
      expect(UserauthRequestPublickeyQuery.decode(req).publicKeyAlgorithm).toBe(expected);
    }
  });
});
