// authorizedKeysPolicy: AuthServer's publickey decision from an authorized_keys file (sshd(8)
// AUTHORIZED_KEYS FILE FORMAT) — plain keys, from=, expiry-time=, restrict, permitlisten=,
// permitopen=, cert-authority with principals= — and the forwarding checks that carry the matched
// line's options into the connection (RFC 4254 §7.1 tcpip-forward, §7.2 direct-tcpip).
import {
  type AuthContext,
  type AuthResult,
  allowsDirectTcpip,
  allowsTcpipForward,
  authorizedKeysPolicy,
  type PublicKeyCandidate,
} from "@purssh/auth";
import { certifiedPrivateKey, formatPublicKey, type PrivateKey, parseAuthorizedKeys } from "@purssh/keys";
import { describe, expect, test } from "vitest";
import { CA, ECDSA, ED25519, ED25519_OTHER, NOW_MS, OTHER_CA, runPair, userCertificate } from "./fixtures.js";

const line = (key: PrivateKey, options = "") => `${options ? `${options} ` : ""}${formatPublicKey(key.publicKey)}`;
const context = (overrides: Partial<AuthContext> = {}): AuthContext => ({
  username: "alice",
  service: "ssh-connection",
  completed: [],
  ...overrides,
});
const candidate = (key: PrivateKey, signed = true): PublicKeyCandidate => ({
  algorithm: key.signatureAlgorithms[0]!,
  key: key.publicKey,
  signed,
});
const now = () => NOW_MS;

describe("authorizedKeysPolicy decisions", () => {
  test("sshd AUTHORIZED_KEYS: a listed key is accepted with its line; another key is not", () => {
    const decide = authorizedKeysPolicy({ authorizedKeys: `# keys\n${line(ED25519)}\n`, now });
    const yes = decide(context(), candidate(ED25519));
    expect(yes).toMatchObject({ authorizedKey: { entry: { line: 2 } } });
    expect(decide(context(), candidate(ED25519_OTHER))).toBe(false);
  });

  test('sshd from="pattern-list": the client address must match; unknown address fails closed', () => {
    const text = line(ED25519, 'from="10.0.0.0/8,!10.6.6.6"');
    const decide = authorizedKeysPolicy({ authorizedKeys: text, now });
    expect(decide(context({ clientAddress: "10.1.2.3" }), candidate(ED25519))).not.toBe(false);
    expect(decide(context({ clientAddress: "10.6.6.6" }), candidate(ED25519))).toBe(false);
    expect(decide(context({ clientAddress: "192.0.2.7" }), candidate(ED25519))).toBe(false);
    expect(decide(context(), candidate(ED25519))).toBe(false);
    const pinned = authorizedKeysPolicy({ authorizedKeys: text, clientAddress: "10.9.9.9", now });
    expect(pinned(context(), candidate(ED25519))).not.toBe(false);
  });

  test('sshd expiry-time="…": a line past its expiry no longer authorises the key', () => {
    const past = authorizedKeysPolicy({ authorizedKeys: line(ED25519, 'expiry-time="20291231Z"'), now });
    expect(past(context(), candidate(ED25519))).toBe(false);
    const future = authorizedKeysPolicy({ authorizedKeys: line(ED25519, 'expiry-time="20300102Z"'), now });
    expect(future(context(), candidate(ED25519))).not.toBe(false);
  });

  test('sshd cert-authority,principals="…": a certificate by that CA listing a principal is accepted', () => {
    const ca = line(CA, 'cert-authority,principals="alice,ops"');
    const decide = authorizedKeysPolicy({ authorizedKeys: ca, now });
    const cert = (principals: string[], by: PrivateKey = CA) => {
      const c = userCertificate(ED25519, { principals }, by);
      return { algorithm: "ssh-ed25519-cert-v01@openssh.com", key: c, certificate: c, signed: true };
    };
    const ok = decide(context(), cert(["ops"]));
    expect(ok).toMatchObject({ certificate: { certificate: { keyId: "alice-cert" } } });
    expect(decide(context(), cert(["bob"]))).toBe(false);
    expect(decide(context(), cert(["alice"], OTHER_CA))).toBe(false);
    // A plain key never matches a cert-authority line.
    expect(
      authorizedKeysPolicy({ authorizedKeys: line(ED25519, "cert-authority"), now })(context(), candidate(ED25519)),
    ).toBe(false);
  });

  test("sshd AuthorizedKeysFile: a per-user async lookup; a user without a file is refused", async () => {
    const files: Record<string, string> = { alice: line(ED25519), bob: line(ECDSA) };
    const decide = authorizedKeysPolicy({ authorizedKeys: async (user) => files[user], now });
    expect(await decide(context(), candidate(ED25519))).not.toBe(false);
    expect(await decide(context({ username: "bob" }), candidate(ED25519))).toBe(false);
    expect(await decide(context({ username: "carol" }), candidate(ED25519))).toBe(false);
  });

  test("sshd: malformed lines are skipped (and logged); the rest of the file still counts", () => {
    const logs: string[] = [];
    const decide = authorizedKeysPolicy({
      authorizedKeys: `bogus-option ${formatPublicKey(ED25519_OTHER.publicKey)}\n${line(ED25519)}`,
      now,
      log: (_l, t) => logs.push(t),
    });
    expect(decide(context(), candidate(ED25519))).not.toBe(false);
    expect(logs.join("\n")).toMatch(/line 1/);
  });
});

describe("forwarding permissions carried to the connection (RFC 4254 §7)", () => {
  const resultFor = (options: string): AuthResult => {
    const entry = parseAuthorizedKeys(line(ED25519, options)).entries[0]!;
    return { username: "alice", service: "ssh-connection", methods: ["publickey"], authorizedKey: { entry } };
  };

  test("sshd restrict: no remote or local forwarding at all", () => {
    const r = resultFor("restrict");
    expect(allowsTcpipForward(r, "localhost", 8080)).toBe(false);
    expect(allowsDirectTcpip(r, "localhost", 80)).toBe(false);
  });

  test('sshd permitlisten="host:port": only the listed listen addresses; restrict,port-forwarding re-enables', () => {
    const r = resultFor('restrict,port-forwarding,permitlisten="localhost:8080",permitlisten="*:9000"');
    expect(allowsTcpipForward(r, "localhost", 8080)).toBe(true);
    expect(allowsTcpipForward(r, "localhost", 8081)).toBe(false);
    expect(allowsTcpipForward(r, "", 9000)).toBe(true);
    expect(allowsTcpipForward(r, "0.0.0.0", 8080)).toBe(false);
  });

  test('sshd permitopen="host:port": only the listed destinations for direct-tcpip', () => {
    const r = resultFor('permitopen="db.internal:5432"');
    expect(allowsDirectTcpip(r, "db.internal", 5432)).toBe(true);
    expect(allowsDirectTcpip(r, "db.internal", 22)).toBe(false);
    expect(allowsTcpipForward(r, "localhost", 8080)).toBe(true);
  });

  test("sshd no-port-forwarding; a login without authorized_keys options may forward", () => {
    expect(allowsTcpipForward(resultFor("no-port-forwarding"), "localhost", 1)).toBe(false);
    expect(allowsTcpipForward({ username: "a", service: "ssh-connection", methods: ["password"] }, "", 1)).toBe(true);
  });
});

describe("authorizedKeysPolicy inside AuthServer (end to end)", () => {
  test("RFC 4252 §7 + sshd: the matched line's options reach onSuccess; permitlisten is enforceable", async () => {
    const authorizedKeys = `${line(ED25519_OTHER, 'from="192.0.2.0/24"')}\n${line(ED25519, 'restrict,port-forwarding,permitlisten="localhost:3000"')}`;
    const r = await runPair(
      [
        { kind: "publickey", key: ED25519_OTHER },
        { kind: "publickey", key: ED25519 },
      ],
      { publicKey: authorizedKeysPolicy({ authorizedKeys, now }) },
      { server: { clientAddress: "10.0.0.1" } },
    );
    expect(r.client).toBe("success");
    expect(r.server?.authorizedKey?.entry.line).toBe(2);
    expect(allowsTcpipForward(r.server!, "localhost", 3000)).toBe(true);
    expect(allowsTcpipForward(r.server!, "localhost", 3001)).toBe(false);
  });

  test("PROTOCOL.certkeys via authorized_keys cert-authority: a user certificate logs in; an expired one does not", async () => {
    const authorizedKeys = line(CA, "cert-authority");
    const policy = { publicKey: authorizedKeysPolicy({ authorizedKeys, now }) };
    const good = certifiedPrivateKey(ED25519, userCertificate(ED25519));
    const ok = await runPair([{ kind: "publickey", key: good }], policy);
    expect(ok.client).toBe("success");
    expect(ok.server?.certificate?.certificate.principals).toEqual(["alice"]);
    const expired = certifiedPrivateKey(
      ED25519,
      userCertificate(ED25519, { validBefore: BigInt(NOW_MS / 1000) - 60n }),
    );
    const refused = await runPair([{ kind: "publickey", key: expired }], policy);
    expect(refused.client).not.toBe("success");
  });
});
