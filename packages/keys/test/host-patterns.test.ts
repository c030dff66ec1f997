/**
 * OpenSSH patterns (ssh_config(5) PATTERNS, match.c) and address lists (addrmatch.c, CIDR per
 * RFC 4632 §3.1, IPv6 text per RFC 4291 §2.2), including the cases of OpenSSH's
 * regress/addrmatch.sh (public domain).
 */
import {
  cidrContains,
  KEY_ERROR,
  knownHostsName,
  matchAddressList,
  matchHostAndAddress,
  matchHostname,
  matchPattern,
  matchPatternList,
  parseCidr,
  parseCidrList,
  parseIpAddress,
} from "@purssh/keys";
import { toHex } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { keyErrorOf } from "./helpers.js";

describe("ssh_config(5) PATTERNS: * and ?", () => {
  test.each([
    ["", "*", true],
    ["abc", "*", true],
    ["", "?", false],
    ["a", "?", true],
    ["ab", "?", false],
    ["host.example.com", "*.example.com", true],
    ["example.com", "*.example.com", false],
    ["web1.example.org", "web?.example.org", true],
    ["web12.example.org", "web?.example.org", false],
    ["aXbYc", "a*b*c", true],
    ["aXbYcZ", "a*b*c", false],
    ["[host]:2222", "[host]:2222", true],
    ["[a.example.net]:999", "[*.example.net]:999", true],
    ["[a.example.net]:9999", "[*.example.net]:999", false],
    ["abc", "ABC", false],
  ])("%j matches %j: %s", (text, pattern, expected) => {
    expect(matchPattern(text, pattern)).toBe(expected);
  });

  test("backtracking stays polynomial on hostile patterns", () => {
    const text = "a".repeat(5000);
    const start = Date.now();
    expect(matchPattern(text, `${"a*".repeat(50)}b`)).toBe(false);
    expect(Date.now() - start).toBeLessThan(2000);
  });

  test("pattern-lists: a matching negation wins wherever it is; no positive match is 'none'", () => {
    expect(matchPatternList("bad.farm", "*.farm,!bad.farm")).toBe("negated");
    expect(matchPatternList("bad.farm", "!bad.farm,*.farm")).toBe("negated");
    expect(matchPatternList("good.farm", "*.farm,!bad.farm")).toBe("match");
    expect(matchPatternList("x.other", "*.farm,!bad.farm")).toBe("none");
    expect(matchPatternList("x", "!y")).toBe("none");
  });

  test("host names match case-insensitively (both sides lower-cased, as match_hostname)", () => {
    expect(matchHostname("UPPER.Example.COM", "upper.example.com")).toBe("match");
    expect(matchHostname("upper.example.com", "UPPER.Example.COM")).toBe("match");
    expect(matchPatternList("UPPER", "upper")).toBe("none");
  });

  test("known_hosts names: host for port 22 (and 0), [host]:port otherwise, lower-cased", () => {
    expect(knownHostsName("Example.COM")).toBe("example.com");
    expect(knownHostsName("example.com", 0)).toBe("example.com");
    expect(knownHostsName("example.com", 2222)).toBe("[example.com]:2222");
    expect(knownHostsName("2001:db8::1", 830)).toBe("[2001:db8::1]:830");
  });
});

describe("IP addresses (RFC 4291 §2.2 for IPv6, dotted quad for IPv4)", () => {
  test.each([
    ["0.0.0.0", "00000000"],
    ["192.0.2.255", "c00002ff"],
    ["::", "00".repeat(16)],
    ["::1", `${"00".repeat(15)}01`],
    ["2001:db8::", `20010db8${"00".repeat(12)}`],
    ["2001:DB8:0:0:1:2:3:4", "20010db8000000000001000200030004"],
    ["::ffff:192.0.2.1", `${"00".repeat(10)}ffffc0000201`],
    ["1:2:3:4:5:6:7::", "00010002000300040005000600070000"],
  ])("%s parses to %s", (text, hex) => {
    expect(toHex(parseIpAddress(text)?.bytes ?? new Uint8Array(0))).toBe(hex);
  });

  test.each([
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.-4",
    "1:2:3:4:5:6:7:8:9",
    ":::1",
    "1::2::3",
    "fe80::1%eth0",
    "g::1",
    "12345::1",
    "::1.2.3",
    "1.2.3.4::",
    "localhost",
  ])("%j is not an address", (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });
});

describe("CIDR blocks and lists (PROTOCOL.certkeys source-address; OpenSSH addr_match_cidr_list)", () => {
  test("prefix lengths, /0, host addresses, and family separation", () => {
    const v4 = parseCidr("192.0.2.0/24");
    expect(cidrContains(v4, parseIpAddress("192.0.2.77")!)).toBe(true);
    expect(cidrContains(v4, parseIpAddress("192.0.3.1")!)).toBe(false);
    expect(cidrContains(parseCidr("0.0.0.0/0"), parseIpAddress("203.0.113.5")!)).toBe(true);
    expect(cidrContains(parseCidr("0.0.0.0/0"), parseIpAddress("::1")!)).toBe(false);
    expect(parseCidr("10.1.2.3").prefixLength).toBe(32);
    expect(parseCidr("2001:db8::1").prefixLength).toBe(128);
    expect(cidrContains(parseCidr("2001:db8::/127"), parseIpAddress("2001:db8::1")!)).toBe(true);
    expect(cidrContains(parseCidr("2001:db8::/127"), parseIpAddress("2001:db8::2")!)).toBe(false);
  });

  test.each([
    ["10.0.1.0/8", /inconsistent mask length/],
    ["10.0.0.1/24", /inconsistent mask length/],
    ["2000:aa:bb:01::/56", /inconsistent mask length/],
    ["10.0.0.0/33", /at most 32 bits/],
    ["::/129", /at most 128 bits/],
    ["10.0.0.0/", /not a number/],
    ["10.0.0.0/+8", /not a number/],
    ["host.example.com", /not an IPv4 or IPv6 address/],
  ])("%s is refused (%s)", (text, message) => {
    const err = keyErrorOf(() => parseCidr(text));
    expect(err.code).toBe(KEY_ERROR.PARSE);
    expect(err.message).toMatch(message);
  });

  test("lists: no wildcards, negations or empty entries; matches() is false for non-addresses", () => {
    const list = parseCidrList("192.0.2.0/24,2001:db8::/32,10.1.2.3");
    expect(list.blocks.length).toBe(3);
    expect(list.matches("10.1.2.3")).toBe(true);
    expect(list.matches("10.1.2.4")).toBe(false);
    expect(list.matches("junk")).toBe(false);
    for (const bad of ["10.0.0.0/8,", ",10.0.0.0/8", "10.0.0.*", "!10.0.0.0/8", `${"1".repeat(50)}`]) {
      expect(keyErrorOf(() => parseCidrList(bad)).code).toBe(KEY_ERROR.PARSE);
    }
  });
});

describe("OpenSSH regress/addrmatch.sh: address lists mixing CIDR, addresses and negation", () => {
  const first = "192.168.0.0/16,!192.168.30.0/24,10.0.0.0/8,host.example.com";
  const second = "1.1.1.1,::1,!::3,2000::/16";
  test.each([
    ["192.168.0.1", first, "match"],
    ["192.168.30.1", first, "negated"],
    ["19.0.0.1", first, "none"],
    ["10.255.255.254", first, "match"],
    ["1.1.1.1", second, "match"],
    ["::1", second, "match"],
    ["::2", second, "none"],
    ["::3", second, "negated"],
    ["::4", second, "none"],
    ["2000::1", second, "match"],
    ["2001::1", second, "none"],
    ["not-an-address", second, "none"],
  ])("%s against %s: %s", (ip, list, expected) => {
    expect(matchAddressList(ip, list)).toBe(expected);
  });

  test.each(["10.0.1.0/8", "10.0.0.1/24", "2000:aa:bb:01::/56", "10.0.0.0/8,,1.2.3.4"])(
    "invalid list %s is 'invalid' and never accepts a from= check",
    (list) => {
      expect(matchAddressList("10.0.0.1", list)).toBe("invalid");
      expect(matchHostAndAddress("h", "10.0.0.1", list)).toBe(false);
    },
  );

  test("faked IP in host name: the host name never counts as an address (match_host_and_ip)", () => {
    expect(matchHostAndAddress("192.168.0.1", "192.168.30.1", first)).toBe(false);
    expect(matchHostAndAddress("host.example.com", "19.0.0.1", first)).toBe(true);
    expect(matchHostAndAddress(undefined, "10.1.1.1", first)).toBe(true);
    expect(matchHostAndAddress("HOST.example.com", "192.168.30.1", first)).toBe(false);
  });

  test("wildcard entries match the address text too (192.168.*, 2001:db8:*)", () => {
    expect(matchAddressList("192.168.7.7", "192.168.*")).toBe("match");
    expect(matchAddressList("2001:db8::9", "2001:db8:*")).toBe("match");
    expect(matchAddressList("192.168.7.7", "*,!192.168.7.*")).toBe("negated");
  });
});
