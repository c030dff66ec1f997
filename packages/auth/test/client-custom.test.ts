// The application-driven method (`kind: "custom"`, the seed's SSHAuthMode amCustom) message by
// message: it answers the none probe's FAILURE, every later user-authentication message reaches
// it, SUCCESS completes, and giving up, a non-userauth packet or too many rounds fall through.
import { AuthClient, type AuthError, type AuthMethod, MAX_CUSTOM_ROUNDS } from "@purssh/auth";
import { ServiceAccept, UserauthFailure, UserauthRequestPassword, UserauthSuccess } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { SESSION_ID } from "./fixtures.js";

function started(methods: readonly AuthMethod[]) {
  const h = { sent: [] as Uint8Array[], successes: 0, failures: [] as AuthError[] };
  const client = new AuthClient({
    username: "alice",
    methods,
    sessionId: SESSION_ID,
    send: (p) => h.sent.push(p),
    onSuccess: () => h.successes++,
    onFailure: (e) => h.failures.push(e),
  });
  client.start();
  client.handle(ServiceAccept.encode({ serviceName: "ssh-userauth" }));
  h.sent.splice(0);
  return { client, h };
}

const failure = (authentications: string[]) => UserauthFailure.encode({ authentications, partialSuccess: false });
const password = (pw: string) =>
  UserauthRequestPassword.encode({
    userName: "alice",
    serviceName: "ssh-connection",
    methodName: "password",
    changePassword: false,
    password: pw,
  });

describe("custom method (application-built USERAUTH packets)", () => {
  test("RFC 4252 §5.1: the first step sees the none probe's FAILURE; each later message reaches it; SUCCESS ends it", async () => {
    const seen: number[] = [];
    const { client, h } = started([
      {
        kind: "custom",
        step: (p) => {
          seen.push(p[0]!);
          return password(seen.length === 1 ? "wrong" : "right");
        },
      },
    ]);
    client.handle(failure(["password"]));
    expect(UserauthRequestPassword.decode(h.sent[0]!).password).toBe("wrong");
    client.handle(failure(["password"]));
    expect(UserauthRequestPassword.decode(h.sent[1]!).password).toBe("right");
    client.handle(UserauthSuccess.encode({}));
    expect([seen, h.successes]).toEqual([[51, 51], 1]);
  });

  test("an asynchronous step holds later messages until it answers", async () => {
    const { client, h } = started([{ kind: "custom", step: async () => password("pw") }]);
    client.handle(failure(["password"]));
    client.handle(UserauthSuccess.encode({}));
    expect(h.successes).toBe(0);
    await new Promise((r) => setTimeout(r, 10));
    expect(h.sent).toHaveLength(1);
    expect(h.successes).toBe(1);
  });

  test("giving up, or a packet that is not user authentication (50–79), moves on to the next method", () => {
    const { client, h } = started([
      { kind: "custom", step: () => undefined },
      { kind: "custom", step: () => Uint8Array.of(94, 0, 0, 0, 0) },
      { kind: "password", password: "pw" },
    ]);
    client.handle(failure(["password"]));
    expect(h.sent.map((p) => p[0])).toEqual([50]);
    expect(UserauthRequestPassword.decode(h.sent[0]!).password).toBe("pw");
    client.handle(failure([]));
    expect(h.failures[0]!.message).toMatch(
      /custom \(given up by the application\), custom \(the application's packet is message 94/,
    );
  });

  test(`a step that never stops is abandoned after ${MAX_CUSTOM_ROUNDS} packets`, () => {
    const { client, h } = started([{ kind: "custom", step: () => password("again") }]);
    for (let i = 0; i <= MAX_CUSTOM_ROUNDS; i++) client.handle(failure(["password"]));
    expect(h.sent).toHaveLength(MAX_CUSTOM_ROUNDS);
    expect(h.failures[0]!.message).toMatch(/more than 32 packets/);
  });
});
