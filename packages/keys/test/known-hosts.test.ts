/**
 * known_hosts (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT; OpenSSH hostfile.c): parsing with line-numbered
 * errors, hashed names (HMAC-SHA1, RFC 2104), OpenSSH's check logic (revoked wins, known, changed,
 * unknown, @cert-authority), and agreement with the real `ssh-keygen -F`.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import {
  CERT_ERROR,
  hashKnownHostName,
  KEY_ERROR,
  type KnownHosts,
  knownHostsName,
  type PublicKey,
  parseCertificate,
  parseKnownHosts,
  parsePublicKey,
} from "@purssh/keys";
import { fromBase64, SshWriter, toBase64 } from "@purssh/wire";
import { describe, expect, inject, test } from "vitest";
import { fixture, keyErrorOf, skipInterop, VECTORS } from "./helpers.js";

const KH = join(VECTORS, "known_hosts");
const kh = (name: string): string => fixture(`known_hosts/${name}`);
const key = (name: string): PublicKey => parsePublicKey(kh(`${name}.pub`));

const ED = key("host-ed25519").blob;
const EC = key("host-ecdsa").blob;
const RSA = key("host-rsa").blob;
const ALT = key("alt-ed25519").blob;
const CA = key("ca-ed25519").blob;
const REVOKED = key("revoked-ed25519").blob;
const CERT = parseCertificate(kh("host-ed25519-cert.pub"));
const NOW = new Date(Date.UTC(2030, 0, 1));

describe("known_hosts hashing (HMAC-SHA1 of host or [host]:port, 20-byte salt)", () => {
  test("Go knownhosts_test.go: `hostname` with its salt gives encodedTestHostnameHash", () => {
    const salt = fromBase64("IHXZvQMvTcZTUU29+2vXFgx8Frs=");
    expect(hashKnownHostName("hostname", salt)).toBe("|1|IHXZvQMvTcZTUU29+2vXFgx8Frs=|UGccIWfRVDwilMBnA3WJoRAC75Y=");
    const db = parseKnownHosts(
      `|1|IHXZvQMvTcZTUU29+2vXFgx8Frs=|UGccIWfRVDwilMBnA3WJoRAC75Y= ${kh("host-ed25519.pub")}`,
    );
    expect(db.check("hostname", 22, ED)).toMatchObject({ status: "known", line: 1 });
    expect(db.check("hostname", 22, ALT)).toMatchObject({ status: "changed", line: 1 });
    expect(db.check("hostname", 2222, ED).status).toBe("unknown");
  });

  test("OpenSSH regress: the hashed lines match sisyphus, prometheus, 192.0.2.1 and 2001:db8::1", () => {
    const db = parseKnownHosts(kh("openssh-regress-known_hosts"));
    const hashedLines = (host: string) =>
      db
        .lookup(host)
        .filter((e) => e.hosts.kind === "hashed")
        .map((e) => e.line);
    expect(hashedLines("sisyphus.example.com")).toEqual([17, 18, 19]);
    expect(hashedLines("prometheus.example.com")).toEqual([21, 24, 27]);
    expect(hashedLines("192.0.2.1")).toEqual([22, 25, 28]);
    expect(hashedLines("2001:db8::1")).toEqual([23, 26, 29]);
  });

  test("a random salt each time; [host]:port is hashed for other ports", () => {
    const a = hashKnownHostName("example.com");
    expect(a).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}=$/);
    expect(a).not.toBe(hashKnownHostName("example.com"));
    const db = parseKnownHosts(`${hashKnownHostName(knownHostsName("Example.COM", 2222))} ${kh("host-ed25519.pub")}`);
    expect(db.check("example.com", 2222, ED).status).toBe("known");
    expect(db.check("example.com", 22, ED).status).toBe("unknown");
    expect(keyErrorOf(() => hashKnownHostName("x", new Uint8Array(19))).code).toBe(KEY_ERROR.INVALID_ARGUMENT);
  });
});

describe("known_hosts parsing: malformed lines are reported with line numbers, never fatal", () => {
  test("OpenSSH regress file: 23 entries and exactly its six invalid lines", () => {
    const db = parseKnownHosts(kh("openssh-regress-known_hosts"));
    expect(db.errors.map((e) => e.line)).toEqual([37, 38, 39, 40, 41, 42]);
    expect(db.errors.map((e) => e.code)).toEqual([
      KEY_ERROR.PARSE, // @what: unknown marker
      KEY_ERROR.PARSE, // host name only
      KEY_ERROR.PARSE, // key type without blob
      KEY_ERROR.TRUNCATED, // AAAATgAAAAdz
      KEY_ERROR.PARSE, // ssh-XXX: the blob's type name field holds binary
      KEY_ERROR.PARSE, // ssh-rsa text, the same blob
    ]);
    expect(db.errors[0]?.message).toMatch(/unknown marker "@what"/);
    expect(db.entries.length).toBe(23);
    expect(db.entries.filter((e) => e.marker === "revoked").map((e) => e.line)).toEqual([33]);
    expect(db.entries.filter((e) => e.marker === "cert-authority").map((e) => e.line)).toEqual([34]);
  });

  test("our fixture: comments, blank and indented comment lines skipped; a bogus marker and a missing blob reported", () => {
    const db = parseKnownHosts(kh("known_hosts"));
    expect(db.errors.map((e) => [e.line, e.code])).toEqual([
      [17, KEY_ERROR.PARSE],
      [18, KEY_ERROR.PARSE],
    ]);
    expect(db.entries.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16]);
    expect(db.entries[1]?.key.comment).toBe("comment with spaces");
  });

  test.each([
    ["@revoked @cert-authority h ssh-ed25519 AAAA", /only one marker/],
    ["@revoked", /marker must be followed/],
    ["host.example.com", /no key/],
    ["host.example.com   # just a comment", /no key/],
    ["|1|abc|def ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK9ks7jkua5YWIwByRnnnc6UPJQWI75O0e/UJdPYU1JI", /20-byte/],
    ["|2|IHXZvQMvTcZTUU29+2vXFgx8Frs=|UGccIWfRVDwilMBnA3WJoRAC75Y= ssh-ed25519 AAAA", /\|1\|salt\|hash/],
    ["h ssh-ed25519 !!!!", /base64/],
    [`h ssh-dss ${toBase64(new SshWriter().utf8("ssh-dss").mpint(3n).finish())}`, /"ssh-dss" is not supported/],
    [`h ssh-ed25519 ${kh("host-ecdsa.pub").split(" ")[1]}`, /does not match/],
  ])("%s → a line error", (line, message) => {
    const db = parseKnownHosts(`# first\n${line}\n`);
    expect(db.entries).toEqual([]);
    expect(db.errors[0]?.line).toBe(2);
    expect(db.errors[0]?.message).toMatch(message);
  });

  test("CRLF line ends read the same as LF", () => {
    const lf = parseKnownHosts(kh("known_hosts"));
    const crlf = parseKnownHosts(kh("known_hosts").replace(/\n/g, "\r\n"));
    expect(crlf.entries.map((e) => [e.line, e.key.blob])).toEqual(lf.entries.map((e) => [e.line, e.key.blob]));
    expect(crlf.errors.map((e) => e.line)).toEqual(lf.errors.map((e) => e.line));
  });
});

describe("known_hosts check: OpenSSH check_key_in_hostkeys semantics", () => {
  const db = parseKnownHosts(kh("known_hosts"));
  const cases: [string, number, Uint8Array, string, number | undefined][] = [
    ["server.example.com", 22, ED, "known", 2],
    ["server.example.com", 22, EC, "known", 3],
    ["192.0.2.10", 22, ED, "known", 2],
    ["SERVER.example.com", 22, EC, "known", 3],
    ["server.example.com", 22, ALT, "changed", 2],
    ["server.example.com", 22, RSA, "changed", 2],
    ["server.example.com", 2222, ALT, "known", 4],
    ["server.example.com", 2222, ED, "changed", 4],
    ["server.example.com", 2200, ED, "unknown", undefined],
    ["changed.example.com", 22, ED, "changed", 5],
    ["x.farm.example.com", 22, RSA, "known", 6],
    ["bad.farm.example.com", 22, RSA, "unknown", undefined],
    ["web1.example.org", 22, ED, "known", 7],
    ["web12.example.org", 22, ED, "unknown", undefined],
    ["a.example.net", 999, ED, "known", 8],
    ["a.example.net", 22, ED, "unknown", undefined],
    ["2001:db8::10", 22, ED, "known", 9],
    ["2001:db8::10", 2200, EC, "known", 10],
    ["upper.example.com", 22, ED, "known", 11],
    ["stolen.example.com", 22, REVOKED, "revoked", 15],
    ["anything.test", 2222, REVOKED, "revoked", 15],
    ["new.example.org", 22, ED, "unknown", undefined],
    ["server.example.com", 22, CA, "changed", 2],
  ];

  test.each(cases)("%s port %d → %s (line %s)", (host, port, blob, status, line) => {
    const r = db.check(host, port, blob);
    expect(r.status).toBe(status);
    expect(r.line).toBe(line);
    if (line !== undefined) expect(r.entry?.line).toBe(line);
  });

  test("a host listed with a key of another type only is 'changed' (OpenSSH and Go treat it so), line of that key", () => {
    const one = parseKnownHosts(`h.example ${kh("host-rsa.pub")}`);
    expect(one.check("h.example", 22, ED)).toMatchObject({ status: "changed", line: 1 });
  });

  test("@cert-authority: a host certificate signed by the CA and naming the host is known", () => {
    const r = db.check("server.example.com", 22, CERT.blob, { now: NOW });
    expect(r).toMatchObject({ status: "known", line: 14 });
    expect(r.certificate?.certificate.keyId).toBe("server host key");
    expect(db.check("node7.farm.example.com", 22, CERT.blob, { now: NOW })).toMatchObject({
      status: "known",
      line: 14,
    });
  });

  test("a certificate that fails (wrong name, expired, no CA line) is judged by its plain key, with the reason", () => {
    const other = db.check("other.example.com", 22, CERT.blob, { now: NOW });
    expect(other.status).toBe("unknown");
    expect(other.certificateError?.code).toBe(CERT_ERROR.PRINCIPAL_NOT_LISTED);
    const expired = db.check("server.example.com", 22, CERT.blob, { now: new Date(Date.UTC(2040, 0, 1)) });
    expect(expired).toMatchObject({ status: "known", line: 2 });
    expect(expired.certificateError?.code).toBe(CERT_ERROR.EXPIRED);
    const noCa = db.check("web1.example.org", 22, CERT.blob, { now: NOW });
    expect(noCa).toMatchObject({ status: "known", line: 7 });
    expect(noCa.certificateError?.code).toBe(CERT_ERROR.CA_NOT_TRUSTED);
    const changed = db.check("changed.example.com", 22, CERT.blob, { now: NOW });
    expect(changed.status).toBe("changed");
  });

  test("a revoked CA or a revoked certified key makes the certificate revoked", () => {
    const revokedCa = parseKnownHosts(`${kh("known_hosts")}@revoked *.example.com ${kh("ca-ed25519.pub")}`);
    const line = revokedCa.entries.at(-1)?.line;
    expect(revokedCa.check("server.example.com", 22, CERT.blob, { now: NOW })).toMatchObject({
      status: "revoked",
      line,
    });
    const revokedKey = parseKnownHosts(`@revoked server.example.com ${kh("host-ed25519.pub")}\n${kh("known_hosts")}`);
    expect(revokedKey.check("server.example.com", 22, CERT.blob, { now: NOW })).toMatchObject({
      status: "revoked",
      line: 1,
    });
    expect(revokedKey.check("server.example.com", 22, ED)).toMatchObject({ status: "revoked", line: 1 });
  });

  test("a malformed key blob throws a KeyError instead of answering 'unknown' (fail closed)", () => {
    expect(keyErrorOf(() => db.check("server.example.com", 22, new Uint8Array([0, 0, 0, 9, 1]))).code).toBe(
      KEY_ERROR.TRUNCATED,
    );
    const cert = CERT.blob.slice(0, 100);
    expect(() => db.check("server.example.com", 22, cert)).toThrow();
  });
});

describe("KnownHosts.add", () => {
  function fresh(): KnownHosts {
    return parseKnownHosts("# empty\n");
  }

  test("plain, [host]:port and lower-cased names; the new entry is checked like any other", () => {
    const db = fresh();
    expect(db.add("New.Example.com", 22, key("host-ed25519"))).toBe(
      `new.example.com ${kh("host-ed25519.pub").split(" ").slice(0, 2).join(" ")}`,
    );
    expect(db.add("new.example.com", 2022, key("host-ecdsa"))).toMatch(
      /^\[new\.example\.com\]:2022 ecdsa-sha2-nistp256 /,
    );
    expect(db.check("new.example.com", 22, ED)).toMatchObject({ status: "known", line: 2 });
    expect(db.check("new.example.com", 2022, EC)).toMatchObject({ status: "known", line: 3 });
  });

  test("hashed with a random 20-byte salt (ssh_config HashKnownHosts); parses back and matches", () => {
    const db = fresh();
    const line = db.add("hashed.example.com", 2222, key("host-rsa"), { hashed: true });
    expect(line).toMatch(/^\|1\|[^|]{28}\|[^|]{28} ssh-rsa AAAA/);
    const again = parseKnownHosts(line);
    expect(again.check("hashed.example.com", 2222, RSA).status).toBe("known");
    expect(db.check("hashed.example.com", 2222, RSA).status).toBe("known");
  });

  test("markers, with a pattern list for CA lines; names OpenSSH would not record are refused", () => {
    const db = fresh();
    expect(db.add("*.corp.example", 22, key("ca-ed25519"), { marker: "cert-authority" })).toMatch(
      /^@cert-authority \*\.corp\.example ssh-ed25519 /,
    );
    for (const bad of ["", "a b", "a,b", "*.x", "[x]", "x|y", 'x"']) {
      expect(keyErrorOf(() => db.add(bad, 22, key("host-ed25519"))).code).toBe(KEY_ERROR.INVALID_ARGUMENT);
    }
    expect(keyErrorOf(() => db.add("x", 22, CERT)).code).toBe(KEY_ERROR.INVALID_ARGUMENT);
    expect(keyErrorOf(() => db.add("x", 65536, key("host-ed25519"))).code).toBe(KEY_ERROR.INVALID_ARGUMENT);
  });
});

/** Line numbers `ssh-keygen -F name -f file` reports. */
function sshKeygenFind(file: string, name: string): number[] {
  const r = spawnSync("ssh-keygen", ["-F", name, "-f", join(KH, file)], { encoding: "utf8" });
  return [...r.stdout.matchAll(/^# Host .* found: line (\d+)/gm)].map((m) => Number(m[1]));
}

describe.skipIf(skipInterop)("interop: our lookup agrees with ssh-keygen -F", () => {
  const queries: [string, number][] = [
    ["server.example.com", 22],
    ["192.0.2.10", 22],
    ["server.example.com", 2222],
    ["changed.example.com", 22],
    ["x.farm.example.com", 22],
    ["bad.farm.example.com", 22],
    ["web1.example.org", 22],
    ["web12.example.org", 22],
    ["a.example.net", 999],
    ["a.example.net", 22],
    ["2001:db8::10", 22],
    ["2001:db8::10", 2200],
    ["upper.example.com", 22],
    ["stolen.example.com", 22],
    ["nowhere.test", 22],
    ["sisyphus.example.com", 22],
    ["prometheus.example.com", 22],
    ["192.0.2.1", 22],
    ["2001:db8::1", 22],
    ["192.0.2.20", 22],
    ["keyscan.example.com", 2222],
  ];
  const files = ["known_hosts", "known_hosts.hashed", "openssh-regress-known_hosts", "keyscan", "keyscan.hashed"];

  test.each(files)("%s: the same lines for every query (ssh-keygen also lists lines we reject)", (file) => {
    const db = parseKnownHosts(kh(file));
    const rejected = new Set(db.errors.map((e) => e.line));
    let found = 0;
    for (const [host, port] of queries) {
      const ours = db.lookup(host, port).map((e) => e.line);
      const theirs = sshKeygenFind(file, knownHostsName(host, port));
      expect(ours, `${host}:${port}`).toEqual(theirs.filter((l) => !rejected.has(l)));
      found += theirs.length;
    }
    expect(found).toBeGreaterThan(3);
  });
});

describe("interop: ssh-keyscan output of a real sshd", () => {
  const sshd = (inject as (key: string) => unknown)("sshd") as { port: number; hostKeyPublic: string } | null;

  test.skipIf(sshd === null || skipInterop)("ssh-keyscan -p PORT (and -H) lines make the sshd's host key known", () => {
    const s = sshd as { port: number; hostKeyPublic: string };
    for (const hashed of [false, true]) {
      const args = [...(hashed ? ["-H"] : []), "-t", "ed25519", "-p", String(s.port), "127.0.0.1"];
      const r = spawnSync("ssh-keyscan", args, { encoding: "utf8", timeout: 20_000 });
      const db = parseKnownHosts(r.stdout);
      expect(db.errors).toEqual([]);
      expect(db.entries.length).toBe(1);
      const host = parsePublicKey(s.hostKeyPublic).blob;
      expect(db.check("127.0.0.1", s.port, host)).toMatchObject({ status: "known", line: 1 });
      expect(db.entries[0]?.hosts.kind).toBe(hashed ? "hashed" : "patterns");
    }
  });
});
