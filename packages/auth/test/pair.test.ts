// AuthClient ↔ AuthServer over an in-memory link with asynchronous delivery (DESIGN.md Testing,
// layer 3): every method end to end — none, password (incl. the RFC 4252 §8 change), publickey
// with Ed25519, ECDSA and RSA (RFC 8332 algorithm choice from RFC 8308 server-sig-algs), an async
// ssh-agent-like signer, OpenSSH user certificates, RFC 4256 keyboard-interactive, multi-factor
// chains with partial success, and sshd MaxAuthTries.
import {
  AuthError,
  type AuthMethod,
  type AuthPolicy,
  type KeyboardInteractiveChallenge,
  type PublicKeyCandidate,
} from "@purssh/auth";
import { certifiedPrivateKey, ed25519PrivateKeyFromSeed, type PrivateKey, type Signer } from "@purssh/keys";
import {
  DISCONNECT,
  equalBytes,
  MSG,
  UserauthRequest,
  UserauthRequestPublickey,
  UserauthRequestPublickeyQuery,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";
import {
  asyncSigner,
  CA,
  ECDSA,
  ED25519,
  ED25519_OTHER,
  NOW_S,
  OTHER_CA,
  RSA,
  runPair,
  userCertificate,
} from "./fixtures.js";

const keyPolicy =
  (...keys: Signer[]) =>
  (_ctx: unknown, c: PublicKeyCandidate) =>
    keys.some((k) => equalBytes(k.publicKey.blob, c.key.blob));
const pk = (key: Signer, algorithms?: string[]): AuthMethod =>
  algorithms ? { kind: "publickey", key, algorithms } : { kind: "publickey", key };
const pw = (
  password: string,
  newPassword?: (prompt: string) => string | undefined | Promise<string | undefined>,
): AuthMethod => (newPassword ? { kind: "password", password, newPassword } : { kind: "password", password });

describe("none and password", () => {
  test("RFC 4252 §5.2: a policy that allows none logs in on the probe alone", async () => {
    const r = await runPair([pw("unused")], { none: () => true, password: () => false });
    expect(r.client).toBe("success");
    expect(r.server?.methods).toEqual(["none"]);
    expect(r.clientSent).toEqual([MSG.SERVICE_REQUEST, MSG.USERAUTH_REQUEST]);
  });

  test("RFC 4252 §8: the right password logs in; the server banner reaches the client first", async () => {
    const r = await runPair([pw("s3cret")], { password: (_c, p) => p === "s3cret" }, { server: { banner: "hi\r\n" } });
    expect(r.client).toBe("success");
    expect(r.server).toEqual({ username: "alice", service: "ssh-connection", methods: ["password"] });
    expect(r.banners).toEqual(["hi\r\n"]);
  });

  test("RFC 4252 §8: a wrong password fails with AuthError listing what the server allows", async () => {
    const r = await runPair([pw("nope")], { password: (_c, p) => p === "s3cret" });
    expect(r.client).toBeInstanceOf(AuthError);
    expect((r.client as AuthError).allowedMethods).toEqual(["password"]);
    expect(r.server).toBeUndefined();
    expect(r.authServer.failedAttempts).toBe(1);
  });

  test("RFC 4252 §8: an expired password is changed through newPassword (refused once, then accepted)", async () => {
    const prompts: string[] = [];
    let stored = "old";
    const policy: AuthPolicy = {
      password: (_c, p) => (p === stored ? { changeRequired: "Password expired; choose a new one" } : false),
      changePassword: (_c, oldPw, newPw) => {
        if (oldPw !== stored) return false;
        if (newPw.length < 8) return { changeRequired: "At least 8 characters" };
        stored = newPw;
        return true;
      },
    };
    const answers = ["short", "much-longer"];
    const r = await runPair(
      [
        pw("old", async (prompt) => {
          prompts.push(prompt);
          return answers.shift();
        }),
      ],
      policy,
    );
    expect(r.client).toBe("success");
    expect(prompts).toEqual(["Password expired; choose a new one", "At least 8 characters"]);
    expect(stored).toBe("much-longer");
  });

  test("RFC 4252 §8: without newPassword a change request fails that method and the next one is tried", async () => {
    const r = await runPair([pw("old"), pk(ED25519)], {
      password: () => ({ changeRequired: "expired" }),
      publicKey: keyPolicy(ED25519),
    });
    expect(r.client).toBe("success");
    expect(r.server?.methods).toEqual(["publickey"]);
  });
});

describe("publickey (RFC 4252 §7)", () => {
  test.each([
    ["ssh-ed25519", ED25519],
    ["ecdsa-sha2-nistp256", ECDSA],
  ])("RFC 4252 §7: %s query, PK_OK, signature, SUCCESS", async (algorithm, key) => {
    const seen: string[] = [];
    const r = await runPair([pk(key)], {
      publicKey: (c, cand) => {
        seen.push(`${cand.algorithm}:${cand.signed}`);
        return keyPolicy(key)(c, cand);
      },
    });
    expect(r.client).toBe("success");
    expect(seen).toEqual([`${algorithm}:false`, `${algorithm}:true`]);
    expect(r.server?.publicKey?.blob).toEqual(key.publicKey.blob);
    expect(r.serverSent).toEqual([MSG.SERVICE_ACCEPT, MSG.USERAUTH_FAILURE, MSG.USERAUTH_PK_OK, MSG.USERAUTH_SUCCESS]);
  });

  test.each([
    [["rsa-sha2-256"], "rsa-sha2-256"],
    [["rsa-sha2-512", "rsa-sha2-256"], "rsa-sha2-512"],
    [undefined, "rsa-sha2-512"],
  ])("RFC 8332 §3.1: server-sig-algs %j → the RSA key signs with %s", async (sigAlgs, expected) => {
    const seen: string[] = [];
    const r = await runPair(
      [pk(RSA)],
      {
        publicKey: (c, cand) => {
          seen.push(cand.algorithm);
          return keyPolicy(RSA)(c, cand);
        },
      },
      sigAlgs ? { serverSigAlgs: sigAlgs } : { serverSigAlgs: null },
    );
    expect(r.client).toBe("success");
    expect(new Set(seen)).toEqual(new Set([expected]));
  });

  test("RFC 8332 §3.3: ssh-rsa (SHA-1) is refused by default and accepted when the server allows it", async () => {
    const legacy = pk(RSA, ["ssh-rsa"]);
    const refused = await runPair([legacy], { publicKey: () => true }, { serverSigAlgs: null });
    expect(refused.client).toBeInstanceOf(AuthError);
    const allowed = await runPair([legacy], { publicKey: () => true, publicKeyAlgorithms: ["ssh-rsa"] });
    expect(allowed.client).toBe("success");
  });

  test("RFC 4252 §7: an async Signer (ssh-agent) is asked once, after PK_OK, and the login succeeds", async () => {
    const agent = asyncSigner(ED25519, 10);
    const r = await runPair([pk(agent)], { publicKey: keyPolicy(ED25519) });
    expect(r.client).toBe("success");
    expect(agent.calls).toBe(1);
  });

  test("RFC 4252 §7: a refused key is followed by the next one", async () => {
    const r = await runPair([pk(ED25519_OTHER), pk(ECDSA)], { publicKey: keyPolicy(ECDSA) });
    expect(r.client).toBe("success");
    expect(r.server?.publicKey?.blob).toEqual(ECDSA.publicKey.blob);
    expect(r.authServer.failedAttempts).toBe(1);
  });
});

describe("OpenSSH user certificates (PROTOCOL.certkeys, sshd TrustedUserCAKeys)", () => {
  const trusted: AuthPolicy = { trustedUserCAKeys: [CA.publicKey] };
  const withCert = (key: PrivateKey, cert = userCertificate(key)) => pk(certifiedPrivateKey(key, cert));

  test.each([
    ["ssh-ed25519", ED25519],
    ["ecdsa-sha2-nistp256", ECDSA],
    ["ssh-rsa", RSA],
  ])("PROTOCOL.certkeys: a %s user certificate from a trusted CA logs in", async (_type, key) => {
    const r = await runPair([withCert(key)], trusted);
    expect(r.client).toBe("success");
    expect(r.server?.certificate?.certificate.keyId).toBe("alice-cert");
    expect(r.server?.certificate?.permissions.permitPortForwarding).toBe(false);
  });

  test("RFC 8332 + PROTOCOL.certkeys: an RSA certificate signs with rsa-sha2-256-cert when server-sig-algs lists rsa-sha2-256", async () => {
    const seen: string[] = [];
    const r = await runPair(
      [withCert(RSA)],
      {
        trustedUserCAKeys: [CA.publicKey],
        publicKey: (_c, cand) => {
          seen.push(cand.algorithm);
          return false;
        },
      },
      { serverSigAlgs: ["ssh-ed25519", "rsa-sha2-256"] },
    );
    expect(r.client).toBe("success");
    expect(r.server?.certificate).toBeDefined();
    expect(seen).toEqual([]); // trusted CA: the policy is not asked
    const offered = r.clientPayloads
      .filter((p) => p[0] === MSG.USERAUTH_REQUEST && UserauthRequest.decode(p).methodName === "publickey")
      .map((p) => {
        const signed = UserauthRequest.decode(p).methodData[0] === 1;
        return (signed ? UserauthRequestPublickey : UserauthRequestPublickeyQuery).decode(p).publicKeyAlgorithm;
      });
    expect(offered).toEqual(["rsa-sha2-256-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com"]);
  });

  test.each([
    ["expired", { validBefore: NOW_S - 1n }],
    ["not yet valid", { validAfter: NOW_S + 3600n }],
    ["for another principal", { principals: ["bob"] }],
    ["without principals (CVE-2024-7594)", { principals: [] }],
    ["a host certificate", { type: "host" as const }],
    ["with an unknown critical option", { criticalOptions: { "no-such-option": "x" } }],
  ])("PROTOCOL.certkeys: a certificate %s is refused", async (_what, overrides) => {
    const r = await runPair([withCert(ED25519, userCertificate(ED25519, overrides))], trusted);
    expect(r.client).toBeInstanceOf(AuthError);
    expect(r.server).toBeUndefined();
  });

  test("sshd TrustedUserCAKeys: a certificate from an untrusted CA is refused", async () => {
    const r = await runPair([withCert(ED25519, userCertificate(ED25519, {}, OTHER_CA))], trusted);
    expect(r.client).toBeInstanceOf(AuthError);
  });

  test("PROTOCOL.certkeys source-address: honoured against clientAddress, refused when it is unknown", async () => {
    const cert = userCertificate(ED25519, { criticalOptions: { "source-address": "10.0.0.0/8" } });
    const inside = await runPair([withCert(ED25519, cert)], trusted, { server: { clientAddress: "10.1.2.3" } });
    expect(inside.client).toBe("success");
    const outside = await runPair([withCert(ED25519, cert)], trusted, { server: { clientAddress: "192.0.2.1" } });
    expect(outside.client).toBeInstanceOf(AuthError);
    const unknown = await runPair([withCert(ED25519, cert)], trusted);
    expect(unknown.client).toBeInstanceOf(AuthError);
  });

  test("sshd AuthorizedPrincipalsFile: authorizedPrincipals replaces the user name as the required principal", async () => {
    const cert = userCertificate(ED25519, { principals: ["deploy-team"] });
    const r = await runPair([withCert(ED25519, cert)], {
      trustedUserCAKeys: [CA.publicKey],
      authorizedPrincipals: async () => ["deploy-team"],
    });
    expect(r.client).toBe("success");
  });
});

describe("keyboard-interactive (RFC 4256)", () => {
  test("RFC 4256 §3.2: zero, one and several prompts over multiple rounds; zero prompts get zero responses", async () => {
    const challenges: KeyboardInteractiveChallenge[] = [];
    const received: (readonly string[])[] = [];
    const policy: AuthPolicy = {
      keyboardInteractive: () => ({
        instruction: "Welcome",
        prompts: [],
        verify: (r0) => {
          received.push(r0);
          return {
            name: "step 2",
            prompts: [{ prompt: "Password: ", echo: false }],
            verify: (r1) => {
              received.push(r1);
              return {
                prompts: [
                  { prompt: "Token: ", echo: false },
                  { prompt: "Favourite colour: ", echo: true },
                ],
                verify: (r2) => {
                  received.push(r2);
                  return r1[0] === "pw" && r2[0] === "123" && r2[1] === "blue";
                },
              };
            },
          };
        },
      }),
    };
    const answers: Record<string, string> = { "Password: ": "pw", "Token: ": "123", "Favourite colour: ": "blue" };
    const r = await runPair(
      [
        {
          kind: "keyboard-interactive",
          respond: async (c) => {
            challenges.push(c);
            return c.prompts.length === 0 ? ["ignored"] : c.prompts.map((p) => answers[p.prompt]!);
          },
        },
      ],
      policy,
    );
    expect(r.client).toBe("success");
    expect(challenges.map((c) => c.prompts.length)).toEqual([0, 1, 2]);
    expect(challenges[0]!.instruction).toBe("Welcome");
    expect(challenges[2]!.prompts[1]).toEqual({ prompt: "Favourite colour: ", echo: true });
    expect(received).toEqual([[], ["pw"], ["123", "blue"]]);
    expect(r.server?.methods).toEqual(["keyboard-interactive"]);
  });

  test("RFC 4256 §3.4: wrong answers fail the method and the client moves on", async () => {
    const r = await runPair([{ kind: "keyboard-interactive", respond: () => ["wrong"] }, pw("pw")], {
      keyboardInteractive: () => ({ prompts: [{ prompt: "PIN: ", echo: false }], verify: (x) => x[0] === "0000" }),
      password: (_c, p) => p === "pw",
    });
    expect(r.client).toBe("success");
    expect(r.server?.methods).toEqual(["password"]);
    expect(r.authServer.failedAttempts).toBe(1);
  });
});

describe("multi-factor (RFC 4252 §5.1, OpenSSH AuthenticationMethods)", () => {
  test("RFC 4252 §5.1: publickey then password, with the client preferring password first", async () => {
    const r = await runPair([pw("pw"), pk(ED25519)], {
      requiredMethods: [["publickey", "password"]],
      publicKey: keyPolicy(ED25519),
      password: (_c, p) => p === "pw",
    });
    expect(r.client).toBe("success");
    expect(r.server?.methods).toEqual(["publickey", "password"]);
    expect(r.authServer.failedAttempts).toBe(0);
  });

  test("RFC 4252 §5.1: publickey then keyboard-interactive with an async signer", async () => {
    const r = await runPair(
      [pk(asyncSigner(ECDSA)), { kind: "keyboard-interactive", respond: async () => ["otp-1"] }],
      {
        requiredMethods: [["publickey", "keyboard-interactive"]],
        publicKey: async (c, cand) => keyPolicy(ECDSA)(c, cand),
        keyboardInteractive: async () => ({
          prompts: [{ prompt: "OTP", echo: false }],
          verify: async (x) => x[0] === "otp-1",
        }),
      },
    );
    expect(r.client).toBe("success");
    expect(r.server?.methods).toEqual(["publickey", "keyboard-interactive"]);
  });
});

describe("sshd MaxAuthTries", () => {
  test("sshd MaxAuthTries: a client offering seven unknown keys is disconnected with NO_MORE_AUTH_METHODS_AVAILABLE", async () => {
    const keys = Array.from({ length: 7 }, (_, i) =>
      pk(ed25519PrivateKeyFromSeed(Uint8Array.from({ length: 32 }, () => 10 + i))),
    );
    const r = await runPair(keys, { publicKey: () => false });
    expect(r.disconnect?.reason).toBe(DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE);
    expect(r.authServer.failedAttempts).toBe(6);
    expect(r.server).toBeUndefined();
    expect(r.client).not.toBe("success");
  });
});
