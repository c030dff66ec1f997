/**
 * authorized_keys (sshd(8) AUTHORIZED_KEYS FILE FORMAT; OpenSSH auth-options.c, auth2-pubkeyfile.c,
 * channels.c): the man page's own example file, option edge cases, line-numbered errors, and the
 * decisions the embedded server takes from them (findAuthorizedKey, permitsListen, permitsOpen).
 */
import {
  type AuthorizedKeyEntry,
  DEFAULT_USER_EXTENSIONS,
  findAuthorizedKey,
  KEY_ERROR,
  parseAbsoluteTime,
  parseAuthorizedKeyOptions,
  parseAuthorizedKeys,
  parseCertificate,
  parsePrivateKey,
  parsePublicKey,
  permitsListen,
  permitsOpen,
  signCertificate,
} from "@purssh/keys";
import { describe, expect, test } from "vitest";
import { fixture, keyErrorOf } from "./helpers.js";

const ak = (name: string): string => fixture(`authorized_keys/${name}`);
const blob = (name: string): Uint8Array => parsePublicKey(ak(`${name}.pub`)).blob;
const ED = blob("user-ed25519");
const RSA = blob("user-rsa");
const EC = blob("user-ecdsa");
const CA = blob("ca-ed25519");
const CA_LINE = ak("ca-ed25519.pub").trim();
const CERT = parseCertificate(ak("user-ecdsa-cert.pub"));
const NOW = new Date(Date.UTC(2030, 0, 1));

const fixtureFile = parseAuthorizedKeys(ak("authorized_keys"));
const man = parseAuthorizedKeys(ak("sshd-man-example"));

function at(entries: readonly AuthorizedKeyEntry[], line: number): AuthorizedKeyEntry {
  const e = entries.find((x) => x.line === line);
  if (e === undefined) throw new Error(`no entry at line ${line}`);
  return e;
}

describe("sshd(8) AUTHORIZED_KEYS FILE FORMAT: the man page's example file", () => {
  test("every example line parses; comments are skipped", () => {
    expect(man.errors).toEqual([]);
    expect(man.entries.map((e) => e.line)).toEqual([3, 5, 7, 9, 11, 13, 15, 17, 19]);
  });

  test("plain key, no restrictions: every forwarding and pty allowed", () => {
    const o = at(man.entries, 3).options;
    expect([o.portForwarding, o.agentForwarding, o.x11Forwarding, o.pty, o.userRc]).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(permitsListen(at(man.entries, 3), "", 0)).toBe(true);
  });

  test('restrict,command="dump /home": forced command, no pty, no forwarding', () => {
    const e = at(man.entries, 5);
    expect(e.options.command).toBe("dump /home");
    expect(e.options.restrict).toBe(true);
    expect([e.options.portForwarding, e.options.agentForwarding, e.options.x11Forwarding, e.options.pty]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(permitsListen(e, "localhost", 8080)).toBe(false);
    expect(permitsOpen(e, "192.0.2.1", 80)).toBe(false);
  });

  test("permitopen: only the listed literal host:port pairs (no patterns)", () => {
    const e = at(man.entries, 7);
    expect(e.options.permitOpen.map((p) => [p.host, p.port])).toEqual([
      ["192.0.2.1", 80],
      ["192.0.2.2", 25],
    ]);
    expect(permitsOpen(e, "192.0.2.1", 80)).toBe(true);
    expect(permitsOpen(e, "192.0.2.2", 25)).toBe(true);
    expect(permitsOpen(e, "192.0.2.1", 25)).toBe(false);
    expect(permitsOpen(e, "192.0.2.10", 80)).toBe(false);
    expect(permitsListen(e, "localhost", 8080)).toBe(true); // permitopen does not limit -R
  });

  test("permitlisten: only the listed listeners; localhost is not 127.0.0.1; [::1] is IPv6", () => {
    const e = at(man.entries, 9);
    expect(e.options.permitListen.map((p) => [p.host, p.port])).toEqual([
      ["localhost", 8080],
      ["::1", 22000],
    ]);
    expect(permitsListen(e, "localhost", 8080)).toBe(true);
    expect(permitsListen(e, "LocalHost", 8080)).toBe(true);
    expect(permitsListen(e, "127.0.0.1", 8080)).toBe(false);
    expect(permitsListen(e, "::1", 22000)).toBe(true);
    expect(permitsListen(e, "::1", 8080)).toBe(false);
    expect(permitsListen(e, "", 8080)).toBe(false);
    expect(permitsListen(e, "localhost", 0)).toBe(false);
    expect(permitsOpen(e, "anywhere", 1)).toBe(true); // permitlisten does not limit -L
  });

  test('tunnel="0" and command; restrict,pty re-enables only the pty', () => {
    expect(at(man.entries, 11).options).toMatchObject({ tunnel: 0, command: "sh /etc/netstart tun0" });
    expect(at(man.entries, 13).options).toMatchObject({ restrict: true, pty: true, portForwarding: false });
  });

  test("no-touch-required and verify-required on FIDO keys; cert-authority with principals", () => {
    expect(at(man.entries, 15).options.touchRequired).toBe(false);
    expect(at(man.entries, 17).options).toMatchObject({ touchRequired: true, verifyRequired: true });
    expect(at(man.entries, 19).options).toMatchObject({
      certAuthority: true,
      touchRequired: false,
      principals: ["user_a"],
    });
  });

  test("a certificate signed by the cert-authority key, listing user_a, is authorised with its permissions", () => {
    const match = findAuthorizedKey(man.entries, CERT.blob, { now: NOW });
    expect(match?.entry.line).toBe(19);
    expect(match?.certificate?.certificate.keyId).toBe("user_a cert");
    expect(match && permitsListen(match, "localhost", 8080)).toBe(true);
    expect(findAuthorizedKey(man.entries, CA, { now: NOW })).toBeUndefined();
  });
});

describe("authorized_keys edge cases and line-numbered errors", () => {
  test("bad lines are reported with their numbers and reasons, like sshd's 'bad key options'", () => {
    expect(fixtureFile.entries.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 13]);
    expect(fixtureFile.errors.map((e) => [e.line, e.message])).toEqual([
      [9, 'bad key options: unknown key option "frobnicate"'],
      [10, "invalid key option string: unterminated quote"],
      [11, "bad key options: unexpected end-of-options"],
      [12, 'bad key options: invalid permission port in permitlisten="host:0"'],
      [14, expect.stringMatching(/single field/)],
    ]);
  });

  test("quoted commas and escaped quotes stay inside the command", () => {
    const e = at(fixtureFile.entries, 3);
    expect(e.options.command).toBe('echo "hello, world"; logger a,b');
    expect(e.options.pty).toBe(false);
    expect(e.key.comment).toBe("quoted commas and escaped quotes");
    expect(e.optionsText).toBe('command="echo \\"hello, world\\"; logger a,b",no-pty');
  });

  test("environment: first value per name wins; expiry-time in local time or Z", () => {
    const five = at(fixtureFile.entries, 5).options;
    expect(five.environment).toEqual([
      { name: "LANG", value: "C" },
      { name: "PATH", value: "/x" },
    ]);
    expect(five.expiryTime).toBe(BigInt(new Date(2025, 0, 1).getTime() / 1000));
    expect(at(fixtureFile.entries, 6).options.expiryTime).toBe(BigInt(Date.UTC(2099, 11, 31, 23, 59, 59) / 1000));
  });

  test("keywords are case-insensitive; restrict then port-forwarding; bare permitlisten port means *:port", () => {
    const e = at(fixtureFile.entries, 7);
    expect(e.options).toMatchObject({ restrict: true, portForwarding: true, pty: false, agentForwarding: false });
    expect(e.options.permitListen.map((p) => [p.host, p.port, p.text])).toEqual([
      ["*", 8080, "*:8080"],
      ["*", 9000, "*:9000"],
      ["127.0.0.1", "*", "127.0.0.1:*"],
    ]);
    for (const [host, port, ok] of [
      ["localhost", 8080, true],
      ["", 9000, true],
      ["0.0.0.0", 9000, true],
      ["127.0.0.1", 5555, true],
      ["127.0.0.1", 0, true],
      ["localhost", 5555, false],
      ["localhost", 0, false],
    ] as const) {
      expect(permitsListen(e, host, port), `${host}:${port}`).toBe(ok);
    }
  });

  test("a line that is only a key, and one with leading whitespace, have default options", () => {
    const text = `   ${ak("user-ed25519.pub")}`;
    const parsed = parseAuthorizedKeys(text);
    expect(parsed.entries[0]?.options.portForwarding).toBe(true);
    expect(parsed.entries[0]?.optionsText).toBe("");
  });

  test("certificates and unsupported key types on a line are reported, not used", () => {
    const parsed = parseAuthorizedKeys(
      `${ak("user-ecdsa-cert.pub").trim()}\nrestrict ssh-dss AAAAB3NzaC1kc3MAAAABAw==\n`,
    );
    expect(parsed.errors.map((e) => [e.line, e.code])).toEqual([
      [1, KEY_ERROR.UNSUPPORTED_TYPE],
      [2, KEY_ERROR.UNSUPPORTED_TYPE],
    ]);
  });

  test("CRLF files read the same", () => {
    const crlf = parseAuthorizedKeys(ak("authorized_keys").replace(/\n/g, "\r\n"));
    expect(crlf.entries.map((e) => [e.line, e.options])).toEqual(fixtureFile.entries.map((e) => [e.line, e.options]));
  });
});

describe("parseAuthorizedKeyOptions: sshauthopt_parse rules", () => {
  test.each([
    ["frobnicate", /unknown key option "frobnicate"/],
    ["no-restrict", /unknown key option "no-restrict"/],
    ["no-cert-authority", /unknown key option/],
    ["pty=yes", /unknown key option "pty"/],
    ["no-pty,,pty", /unknown key option ""/],
    ["command=ls", /missing start quote/],
    ['command="ls', /missing end quote/],
    ['command="a"x', /unexpected text after option "command"/],
    ['command="a",command="b"', /multiple "command" clauses/],
    ['from="a",from="b"', /multiple "from" clauses/],
    ['principals="a",principals="b"', /multiple "principals" clauses/],
    ['environment="NOEQUALS"', /invalid environment string/],
    ['environment="BAD-NAME=x"', /invalid environment string/],
    ['expiry-time="2025"', /invalid expiry-time/],
    ['expiry-time="20251301"', /invalid expiry-time/],
    ['expiry-time="20250230"', /invalid expiry-time/],
    ['expiry-time="202501011260"', /invalid expiry-time/],
    ['permitopen="host"', /invalid permission port/],
    ['permitopen="host:65536"', /invalid permission port/],
    ['permitlisten="[::1]"', /invalid permission port/],
    ['permitlisten="[::1"', /invalid permission hostname/],
    ['permitlisten="host/22"', /invalid permission port/],
    ['tunnel="x"', /invalid tun device/],
  ])("%s → %s", (text, message) => {
    const err = keyErrorOf(() => parseAuthorizedKeyOptions(text));
    expect(err.code).toBe(KEY_ERROR.PARSE);
    expect(err.message).toMatch(message);
  });

  test('valid forms: backslashes other than \\" are literal, permitopen with / and [v6], tunnel any, earliest expiry', () => {
    const o = parseAuthorizedKeyOptions(
      'COMMAND="C:\\\\dir \\"x\\"",permitopen="host/22",permitopen="[2001:db8::1]:443",permitopen="*:*",tunnel="ANY",' +
        'expiry-time="20300101Z",expiry-time="20290101Z",NO-X11-FORWARDING,no-agent-forwarding,no-user-rc,touch-required',
    );
    expect(o.command).toBe('C:\\\\dir "x"');
    expect(o.permitOpen.map((p) => [p.host, p.port])).toEqual([
      ["host", 22],
      ["2001:db8::1", 443],
      ["*", "*"],
    ]);
    expect(o.tunnel).toBe("any");
    expect(o.expiryTime).toBe(BigInt(Date.UTC(2029, 0, 1) / 1000));
    expect([o.x11Forwarding, o.agentForwarding, o.userRc, o.touchRequired, o.portForwarding]).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(permitsOpen({ line: 1, options: o, optionsText: "", key: parsePublicKey(CA_LINE), text: "" }, "x", 1)).toBe(
      true,
    );
  });

  test('principals="…" stops at the first empty name, as sshd reads it', () => {
    expect(parseAuthorizedKeyOptions('cert-authority,principals="a,b,,c"').principals).toEqual(["a", "b"]);
  });

  test("parseAbsoluteTime: YYYYMMDD[HHMM[SS]] with Z / UTC", () => {
    expect(parseAbsoluteTime("20250101Z")).toBe(BigInt(Date.UTC(2025, 0, 1) / 1000));
    expect(parseAbsoluteTime("202501011230utc")).toBe(BigInt(Date.UTC(2025, 0, 1, 12, 30) / 1000));
    expect(parseAbsoluteTime("20250101123045Z")).toBe(BigInt(Date.UTC(2025, 0, 1, 12, 30, 45) / 1000));
    expect(parseAbsoluteTime("20240229")).toBe(BigInt(new Date(2024, 1, 29).getTime() / 1000));
  });
});

describe("findAuthorizedKey: sshd auth_check_authkey_line", () => {
  test("a plain key is found at its first line; another key is not found", () => {
    expect(findAuthorizedKey(fixtureFile.entries, ED)?.entry.line).toBe(2);
    expect(findAuthorizedKey(fixtureFile.entries, blob("ca-ed25519"))).toBeUndefined();
    const line3 = fixtureFile.entries.filter((e) => e.line === 3);
    expect(findAuthorizedKey(line3, ED)?.forceCommand).toBe('echo "hello, world"; logger a,b');
  });

  test('from="…": host wildcards, negation, CIDR for IPv4 and IPv6; unknown source refused (fail closed)', () => {
    const cases: [string | undefined, string | undefined, boolean][] = [
      ["192.0.2.5", undefined, true],
      ["192.0.2.66", undefined, false],
      ["198.51.100.1", undefined, false],
      ["198.51.100.1", "a.example.com", true],
      ["198.51.100.1", "A.EXAMPLE.COM", true],
      ["192.0.2.5", "bad.example.com", false],
      ["2001:db8::5", undefined, true],
      ["2001:db9::5", undefined, false],
      [undefined, undefined, false],
    ];
    for (const [sourceAddress, sourceHost, ok] of cases) {
      const refused: [number, string][] = [];
      const match = findAuthorizedKey(fixtureFile.entries, RSA, {
        ...(sourceAddress === undefined ? {} : { sourceAddress }),
        ...(sourceHost === undefined ? {} : { sourceHost }),
        onRefused: (line, reason) => refused.push([line, reason]),
      });
      expect(match?.entry.line, `${sourceAddress} ${sourceHost}`).toBe(ok ? 4 : undefined);
      if (!ok) expect(refused[0]?.[0]).toBe(4);
    }
  });

  test("expiry-time: an expired line is skipped and the next line for the key is used", () => {
    const refused: string[] = [];
    const match = findAuthorizedKey(fixtureFile.entries, EC, { now: NOW, onRefused: (_, r) => refused.push(r) });
    expect(match?.entry.line).toBe(6);
    expect(refused).toEqual(["the entry has expired (expiry-time)"]);
    expect(findAuthorizedKey(fixtureFile.entries, EC, { now: new Date(2024, 5, 1) })?.entry.line).toBe(5);
    expect(findAuthorizedKey(fixtureFile.entries, EC, { now: new Date(Date.UTC(2100, 0, 1)) })).toBeUndefined();
  });

  test("principals on a plain key is refused (sshd: 'principals on non-CA key')", () => {
    const parsed = parseAuthorizedKeys(`principals="x" ${ak("user-ed25519.pub")}`);
    const reasons: string[] = [];
    expect(findAuthorizedKey(parsed.entries, ED, { onRefused: (_, r) => reasons.push(r) })).toBeUndefined();
    expect(reasons).toEqual(["principals on a key that is not a CA"]);
  });

  test("cert-authority with principals and from: the certificate needs a listed principal and the source", () => {
    const ok = findAuthorizedKey(fixtureFile.entries, CERT.blob, { now: NOW, sourceAddress: "10.2.3.4" });
    expect(ok?.entry.line).toBe(8);
    expect(findAuthorizedKey(fixtureFile.entries, CERT.blob, { now: NOW, sourceAddress: "192.0.2.1" })).toBeUndefined();
    expect(findAuthorizedKey(fixtureFile.entries, CERT.blob, { now: NOW })).toBeUndefined();
    const other = parseAuthorizedKeys(`cert-authority,principals="nobody" ${CA_LINE}`);
    expect(findAuthorizedKey(other.entries, CERT.blob, { now: NOW })).toBeUndefined();
  });

  test("cert-authority without principals: the user name must be a certificate principal", () => {
    const plain = parseAuthorizedKeys(`cert-authority ${CA_LINE}`).entries;
    expect(findAuthorizedKey(plain, CERT.blob, { now: NOW, user: "deploy" })?.entry.line).toBe(1);
    expect(findAuthorizedKey(plain, CERT.blob, { now: NOW, user: "root" })).toBeUndefined();
    expect(findAuthorizedKey(plain, CERT.blob, { now: NOW })).toBeUndefined();
    expect(
      findAuthorizedKey(plain, CERT.blob, { now: new Date(Date.UTC(2040, 0, 1)), user: "deploy" }),
    ).toBeUndefined();
    expect(findAuthorizedKey(plain, EC, { now: NOW })).toBeUndefined();
  });

  test("forced commands: the line's and the certificate's must be identical when both are present", () => {
    const ca = parsePrivateKey(ak("ca-ed25519"));
    const spec = {
      key: parsePublicKey(ak("user-ed25519.pub")),
      type: "user" as const,
      keyId: "forced",
      principals: ["deploy"],
      validAfter: 0n,
      validBefore: 0xffffffffffffffffn,
      criticalOptions: { "force-command": "backup" },
      extensions: DEFAULT_USER_EXTENSIONS,
    };
    const cert = signCertificate(spec, ca);
    const find = (line: string) => findAuthorizedKey(parseAuthorizedKeys(line).entries, cert.blob, { user: "deploy" });
    expect(find(`cert-authority,command="other" ${CA_LINE}`)).toBeUndefined();
    expect(find(`cert-authority,command="backup" ${CA_LINE}`)?.forceCommand).toBe("backup");
    expect(find(`cert-authority ${CA_LINE}`)?.forceCommand).toBe("backup");
  });

  test("a certificate without permit-port-forwarding denies listening even on an unrestricted line", () => {
    const ca = parsePrivateKey(ak("ca-ed25519"));
    const cert = signCertificate(
      {
        key: parsePublicKey(ak("user-ed25519.pub")),
        type: "user",
        keyId: "no-fwd",
        principals: ["deploy"],
        validAfter: 0n,
        validBefore: 0xffffffffffffffffn,
        extensions: { "permit-pty": true },
      },
      ca,
    );
    const match = findAuthorizedKey(parseAuthorizedKeys(`cert-authority ${CA_LINE}`).entries, cert.blob, {
      user: "deploy",
    });
    expect(match?.certificate?.permissions.permitPortForwarding).toBe(false);
    expect(match && permitsListen(match, "localhost", 8080)).toBe(false);
    expect(match && permitsOpen(match, "localhost", 80)).toBe(false);
  });
});
