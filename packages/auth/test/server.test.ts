// RFC 4252 server authentication, driven message by message through a captured `send`: the
// service request (RFC 4253 §10), none (§5.2), password and its change (§8), publickey query and
// signature (§7, RFC 8332), FAILURE lists and partial success (§5.1, multi-factor chains) and
// RFC 4256 keyboard-interactive. Limits and phases are in server-limits.test.ts.
import { type KeyboardInteractiveRound, MAX_SERVER_KEYBOARD_INTERACTIVE_ROUNDS } from "@purssh/auth";
import {
  concatBytes,
  DISCONNECT,
  decodeUserauthInfoRequest,
  encodeUserauthInfoResponse,
  ServiceAccept,
  ServiceRequest,
  UserauthBanner,
  UserauthPasswdChangereq,
  UserauthPkOk,
  UserauthRequestKeyboardInteractive,
  UserauthRequestNone,
  UserauthRequestPasswordChange,
  UserauthRequestPublickeyQuery,
  UserauthSuccess,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { ED25519, ED25519_OTHER, RSA, tick } from "./fixtures.js";
import {
  accepted,
  base,
  failureOf,
  harness,
  keyIs,
  none,
  only,
  password,
  query,
  signed,
  str,
} from "./server-harness.js";

describe("the ssh-userauth service (RFC 4253 §10)", () => {
  test("RFC 4253 §10: SERVICE_REQUEST ssh-userauth is answered with SERVICE_ACCEPT", () => {
    const h = harness({ password: () => true });
    expect(h.feed(ServiceRequest.encode({ serviceName: "ssh-userauth" }))).toBe(true);
    expect(ServiceAccept.decode(only(h.take()))).toEqual({ serviceName: "ssh-userauth" });
  });

  test("RFC 4253 §10: another service before authentication is DISCONNECT SERVICE_NOT_AVAILABLE", () => {
    const h = harness({ password: () => true });
    h.feed(ServiceRequest.encode({ serviceName: "ssh-connection" }));
    expect(h.sent).toEqual([]);
    expect(h.disconnects).toHaveLength(1);
    expect(h.disconnects[0]!.reason).toBe(DISCONNECT.SERVICE_NOT_AVAILABLE);
    expect(h.disconnects[0]!.code).toBe("ERR_AUTH_SERVICE_NOT_AVAILABLE");
  });

  test("RFC 4252 §5: a USERAUTH_REQUEST for a service other than ssh-connection is SERVICE_NOT_AVAILABLE", () => {
    const h = accepted({ none: () => true });
    h.feed(UserauthRequestNone.encode({ userName: "alice", serviceName: "ssh-telnet", methodName: "none" }));
    expect(h.disconnects[0]!.reason).toBe(DISCONNECT.SERVICE_NOT_AVAILABLE);
    expect(h.results).toEqual([]);
  });

  test("RFC 4253 §10: USERAUTH_REQUEST before SERVICE_REQUEST is a protocol error, and nothing is accepted", () => {
    const h = harness({ none: () => true });
    h.feed(none());
    expect(h.disconnects[0]!.reason).toBe(DISCONNECT.PROTOCOL_ERROR);
    expect(h.results).toEqual([]);
    expect(h.server.authenticated).toBe(false);
  });

  test("RFC 4253 §10: a second SERVICE_REQUEST during authentication is a protocol error", () => {
    const h = accepted({ password: () => true });
    h.feed(ServiceRequest.encode({ serviceName: "ssh-userauth" }));
    expect(h.disconnects[0]!.code).toBe("ERR_AUTH_PROTOCOL");
  });
});

describe("none and the FAILURE list (RFC 4252 §5.1, §5.2)", () => {
  test("RFC 4252 §5.2: none fails by default; FAILURE lists the methods the policy implements, never none", () => {
    const h = accepted({ password: () => true, publicKey: () => true, keyboardInteractive: () => true });
    h.feed(none());
    expect(failureOf(only(h.take()))).toEqual({
      authentications: ["publickey", "keyboard-interactive", "password"],
      partialSuccess: false,
    });
    expect(h.server.failedAttempts).toBe(0); // sshd: the first none is a free probe
    h.feed(none());
    expect(h.server.failedAttempts).toBe(1);
  });

  test("RFC 4252 §5.2: none succeeds when the policy allows it, with SUCCESS and onSuccess", () => {
    const h = accepted({ none: (ctx) => ctx.username === "guest" });
    h.feed(none("guest"));
    expect(UserauthSuccess.decode(only(h.take()))).toEqual({});
    expect(h.results).toEqual([{ username: "guest", service: "ssh-connection", methods: ["none"] }]);
    expect(h.server.authenticated).toBe(true);
  });

  test("RFC 4252 §5.4: the banner is sent once, before the answer to the first request", () => {
    const h = accepted({ password: () => false }, { banner: "Authorized use only\r\n" });
    h.feed(none());
    const [banner, failure] = h.take();
    expect(UserauthBanner.decode(banner!).message).toBe("Authorized use only\r\n");
    failureOf(failure!);
    h.feed(password("x"));
    failureOf(only(h.take()));
  });

  test("RFC 4252 §5: a change of user name between requests ends the connection (sshd)", () => {
    const h = accepted({ password: () => false });
    h.feed(none("alice"));
    h.take();
    h.feed(none("root"));
    expect(h.disconnects[0]!.code).toBe("ERR_AUTH_USER_CHANGED");
    expect(h.disconnects[0]!.reason).toBe(DISCONNECT.PROTOCOL_ERROR);
  });

  test("RFC 4252 §5.1: an unknown method (hostbased) gets FAILURE and counts as an attempt", () => {
    const h = accepted({ password: () => true });
    h.feed(none());
    h.take();
    h.feed(concatBytes(Uint8Array.of(50), ...["alice", "ssh-connection", "hostbased"].map(str)));
    expect(failureOf(only(h.take())).authentications).toEqual(["password"]);
    expect(h.server.failedAttempts).toBe(1);
  });
});

describe("password (RFC 4252 §8)", () => {
  test("RFC 4252 §8: the right password succeeds, a wrong one gets FAILURE", () => {
    const h = accepted({ password: (ctx, pw) => ctx.username === "alice" && pw === "s3cret" });
    h.feed(password("wrong"));
    expect(failureOf(only(h.take()))).toEqual({ authentications: ["password"], partialSuccess: false });
    h.feed(password("s3cret"));
    UserauthSuccess.decode(only(h.take()));
    expect(h.results[0]!.methods).toEqual(["password"]);
  });

  test("RFC 4252 §8: an expired password is answered with PASSWD_CHANGEREQ, then the change request is judged", () => {
    const changes: string[][] = [];
    const h = accepted({
      password: (_ctx, pw) => (pw === "old" ? { changeRequired: "Password expired" } : false),
      changePassword: (_ctx, oldPw, newPw) => {
        changes.push([oldPw, newPw]);
        return newPw.length >= 8 ? true : { changeRequired: "Too short, try again" };
      },
    });
    h.feed(password("old"));
    expect(UserauthPasswdChangereq.decode(only(h.take()))).toEqual({ prompt: "Password expired", languageTag: "" });
    expect(h.server.failedAttempts).toBe(0);
    const change = (n: string) =>
      UserauthRequestPasswordChange.encode({
        ...base(),
        methodName: "password",
        changePassword: true,
        password: "old",
        newPassword: n,
      });
    h.feed(change("short"));
    expect(UserauthPasswdChangereq.decode(only(h.take())).prompt).toBe("Too short, try again");
    h.feed(change("long-enough"));
    UserauthSuccess.decode(only(h.take()));
    expect(changes).toEqual([
      ["old", "short"],
      ["old", "long-enough"],
    ]);
  });

  test("RFC 4252 §8: without a changePassword policy a change request fails", () => {
    const h = accepted({ password: () => true });
    h.feed(
      UserauthRequestPasswordChange.encode({
        ...base(),
        methodName: "password",
        changePassword: true,
        password: "a",
        newPassword: "b",
      }),
    );
    failureOf(only(h.take()));
    expect(h.results).toEqual([]);
  });
});

describe("publickey (RFC 4252 §7, RFC 8332)", () => {
  test("RFC 4252 §7: the query is answered with PK_OK only for a key the policy accepts", () => {
    const asked: boolean[] = [];
    const h = accepted({
      publicKey: (ctx, c) => {
        asked.push(c.signed);
        return keyIs(ED25519)(ctx, c);
      },
    });
    h.feed(query(ED25519_OTHER));
    failureOf(only(h.take()));
    h.feed(query(ED25519));
    expect(UserauthPkOk.decode(only(h.take()))).toEqual({
      publicKeyAlgorithm: "ssh-ed25519",
      publicKey: ED25519.publicKey.blob,
    });
    expect(asked).toEqual([false, false]);
    expect(h.server.failedAttempts).toBe(1);
  });

  test("RFC 4252 §7: a valid signature over session id ‖ request succeeds and names the key", () => {
    const h = accepted({ publicKey: keyIs(ED25519) });
    h.feed(signed(ED25519));
    UserauthSuccess.decode(only(h.take()));
    expect(h.results[0]!.methods).toEqual(["publickey"]);
    expect(h.results[0]!.publicKey!.blob).toEqual(ED25519.publicKey.blob);
  });

  test("RFC 4252 §7: a signature made for another session id is refused", () => {
    const h = accepted({ publicKey: () => true });
    h.feed(signed(ED25519, "ssh-ed25519", new Uint8Array(32)));
    failureOf(only(h.take()));
    expect(h.results).toEqual([]);
  });

  test("RFC 4252 §7: the policy is asked again for the signed request and can still refuse", () => {
    let calls = 0;
    const h = accepted({
      publicKey: (_ctx, c) => {
        calls++;
        return !c.signed;
      },
    });
    h.feed(query(ED25519));
    UserauthPkOk.decode(only(h.take()));
    h.feed(signed(ED25519));
    failureOf(only(h.take()));
    expect(calls).toBe(2);
  });

  test("RFC 8332 §3: an algorithm that does not fit the key type is refused without asking the policy", () => {
    let asked = 0;
    const h = accepted({
      publicKey: () => {
        asked++;
        return true;
      },
    });
    h.feed(query(ED25519, "rsa-sha2-256"));
    failureOf(only(h.take()));
    h.feed(query(RSA, "ssh-ed25519"));
    failureOf(only(h.take()));
    expect(asked).toBe(0);
  });

  test("RFC 8332 §3: rsa-sha2-256 and rsa-sha2-512 are accepted for ssh-rsa keys; SHA-1 ssh-rsa only when allowed", () => {
    const h = accepted({ publicKey: () => true, requiredMethods: [["publickey", "publickey", "publickey"]] });
    h.feed(signed(RSA, "rsa-sha2-256"));
    expect(failureOf(only(h.take())).partialSuccess).toBe(true);
    h.feed(signed(RSA, "ssh-rsa"));
    expect(failureOf(only(h.take())).partialSuccess).toBe(false);

    const legacy = accepted({ publicKey: () => true, publicKeyAlgorithms: ["ssh-rsa"] });
    legacy.feed(signed(RSA, "ssh-rsa"));
    UserauthSuccess.decode(only(legacy.take()));
    const strict = accepted({ publicKey: () => true, publicKeyAlgorithms: ["ssh-rsa"] });
    strict.feed(signed(RSA, "rsa-sha2-512"));
    failureOf(only(strict.take()));
  });

  test("RFC 4252 §7: a malformed key blob is a FAILURE, not a disconnect", () => {
    const h = accepted({ publicKey: () => true });
    const bad = Uint8Array.from([...ED25519.publicKey.blob.subarray(0, 30)]);
    h.feed(
      UserauthRequestPublickeyQuery.encode({
        ...base(),
        methodName: "publickey",
        hasSignature: false,
        publicKeyAlgorithm: "ssh-ed25519",
        publicKey: bad,
      }),
    );
    failureOf(only(h.take()));
    expect(h.disconnects).toEqual([]);
  });
});

describe("multi-factor chains and partial success (RFC 4252 §5.1)", () => {
  test("RFC 4252 §5.1: publickey then password: only the next method is offered, partial success in between", () => {
    const h = accepted({
      requiredMethods: [["publickey", "password"]],
      publicKey: keyIs(ED25519),
      password: (_c, pw) => pw === "pw",
    });
    h.feed(none());
    expect(failureOf(only(h.take())).authentications).toEqual(["publickey"]);
    h.feed(password("pw"));
    expect(failureOf(only(h.take()))).toEqual({ authentications: ["publickey"], partialSuccess: false });
    h.feed(signed(ED25519));
    expect(failureOf(only(h.take()))).toEqual({ authentications: ["password"], partialSuccess: true });
    h.feed(password("pw"));
    UserauthSuccess.decode(only(h.take()));
    expect(h.results[0]).toMatchObject({ methods: ["publickey", "password"] });
    expect(h.results[0]!.publicKey!.blob).toEqual(ED25519.publicKey.blob);
  });

  test("OpenSSH AuthenticationMethods publickey,publickey: the same key cannot complete two steps", () => {
    const h = accepted({ requiredMethods: [["publickey", "publickey"]], publicKey: () => true });
    h.feed(signed(ED25519));
    expect(failureOf(only(h.take())).partialSuccess).toBe(true);
    h.feed(signed(ED25519));
    expect(failureOf(only(h.take())).partialSuccess).toBe(false);
    h.feed(signed(ED25519_OTHER));
    UserauthSuccess.decode(only(h.take()));
  });

  test("RFC 4252 §5: requiredMethods may be decided per user, asynchronously", async () => {
    const h = accepted({
      requiredMethods: async (ctx) => (ctx.username === "alice" ? [["password", "publickey"]] : [["password"]]),
      password: () => true,
      publicKey: () => true,
    });
    h.feed(password("x"));
    await tick();
    expect(failureOf(only(h.take()))).toEqual({ authentications: ["publickey"], partialSuccess: true });
  });

  test("a requiredMethods chain naming an unknown method is a policy error (BY_APPLICATION)", () => {
    expect(() => harness({ requiredMethods: [["publickey", "otp" as "password"]] })).toThrow(/otp/);
    const h = accepted({ requiredMethods: () => [[]] });
    h.feed(none());
    expect(h.disconnects[0]).toMatchObject({ code: "ERR_AUTH_POLICY", reason: DISCONNECT.BY_APPLICATION });
  });
});

describe("keyboard-interactive (RFC 4256)", () => {
  const kbd = (submethods = "") =>
    UserauthRequestKeyboardInteractive.encode({
      ...base(),
      methodName: "keyboard-interactive",
      languageTag: "",
      submethods,
    });

  test("RFC 4256 §3.2–3.4: INFO_REQUEST carries the policy's prompts; the responses go to verify()", () => {
    const seen: unknown[] = [];
    const h = accepted({
      keyboardInteractive: (_ctx, submethods) => {
        seen.push(submethods);
        return {
          name: "OTP",
          instruction: "Enter your code",
          prompts: [{ prompt: "Code: ", echo: false }],
          verify: (r) => r[0] === "123456",
        };
      },
    });
    h.feed(kbd("pam,otp"));
    expect(decodeUserauthInfoRequest(only(h.take()))).toEqual({
      name: "OTP",
      instruction: "Enter your code",
      languageTag: "",
      prompts: [{ prompt: "Code: ", echo: false }],
    });
    h.feed(encodeUserauthInfoResponse(["123456"]));
    UserauthSuccess.decode(only(h.take()));
    expect(seen).toEqual([["pam", "otp"]]);
  });

  test("sshd auth2-chall.c: a response count that differs from the prompt count ends the connection", () => {
    const h = accepted({
      keyboardInteractive: () => ({ prompts: [{ prompt: "a", echo: true }], verify: () => true }),
    });
    h.feed(kbd());
    h.take();
    h.feed(encodeUserauthInfoResponse(["x", "y"]));
    expect(h.disconnects[0]).toMatchObject({ code: "ERR_AUTH_PROTOCOL", reason: DISCONNECT.PROTOCOL_ERROR });
    expect(h.results).toEqual([]);
  });

  test(`a policy asking round after round is cut off after ${MAX_SERVER_KEYBOARD_INTERACTIVE_ROUNDS} rounds with FAILURE`, () => {
    const round: KeyboardInteractiveRound = { prompts: [], verify: () => round };
    const h = accepted({ keyboardInteractive: () => round });
    h.feed(kbd());
    for (let i = 1; i < MAX_SERVER_KEYBOARD_INTERACTIVE_ROUNDS; i++) {
      decodeUserauthInfoRequest(only(h.take()));
      h.feed(encodeUserauthInfoResponse([]));
    }
    decodeUserauthInfoRequest(only(h.take()));
    h.feed(encodeUserauthInfoResponse([]));
    expect(failureOf(only(h.take())).partialSuccess).toBe(false);
    expect(h.server.failedAttempts).toBe(1);
  });

  test("RFC 4256 §3.4: INFO_RESPONSE outside a keyboard-interactive exchange is a protocol error", () => {
    const h = accepted({ password: () => true });
    h.feed(encodeUserauthInfoResponse([]));
    expect(h.disconnects[0]!.code).toBe("ERR_AUTH_PROTOCOL");
  });

  test("RFC 4256 §3.2: a new USERAUTH_REQUEST abandons the exchange and counts as a failed attempt", () => {
    const h = accepted({
      keyboardInteractive: () => ({ prompts: [{ prompt: "a", echo: true }], verify: () => true }),
      password: () => true,
    });
    h.feed(kbd());
    h.take();
    h.feed(password("x"));
    UserauthSuccess.decode(only(h.take()));
    expect(h.server.failedAttempts).toBe(1);
  });
});
