/**
 * Hostile input to the trust formats (DESIGN.md principle 9, "only typed errors may come out"):
 * certificates (PROTOCOL.certkeys), known_hosts and authorized_keys (sshd(8)), option strings and
 * address lists. Parsers throw only KeyError (or WireError); the file parsers never throw for a
 * bad line; checks of hostile key blobs throw only KeyError. Bounded fast-check runs.
 */
import { fc, test as fcTest } from "@fast-check/vitest";
import {
  CertificateError,
  findAuthorizedKey,
  KeyError,
  matchAddressList,
  matchHostAndAddress,
  matchPattern,
  parseAuthorizedKeyOptions,
  parseAuthorizedKeys,
  parseCertificate,
  parseCertificateBlob,
  parseCidrList,
  parseKnownHosts,
  verifyCertificate,
} from "@purssh/keys";
import { WireError } from "@purssh/wire";
import { describe, expect } from "vitest";
import { certFixture } from "./cert-helpers.js";
import { fixture } from "./helpers.js";

function onlyTyped(fn: () => unknown, alsoAllowed: (e: unknown) => boolean = () => false): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof KeyError || e instanceof WireError || alsoAllowed(e)) return;
    throw e;
  }
}

const CERT_BLOBS = ["user-options-cert.pub", "host-rsa-by-ecdsa-p521-cert.pub", "user-sk-ecdsa-by-rsa-cert.pub"].map(
  (f) => parseCertificate(certFixture(f)).blob,
);
const KNOWN_HOSTS = fixture("known_hosts/known_hosts");
const AUTHORIZED_KEYS = fixture("authorized_keys/authorized_keys");
const kh = parseKnownHosts(KNOWN_HOSTS);
const ak = parseAuthorizedKeys(AUTHORIZED_KEYS);

/** A blob with bytes overwritten at some offsets. */
const mutatedCert = fc
  .tuple(
    fc.constantFrom(...CERT_BLOBS),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
  )
  .map(([blob, edits]) => {
    const b = blob.slice();
    for (const [at, v] of edits) b[at % b.length] = v;
    return b;
  });

describe("PROTOCOL.certkeys: hostile certificate blobs", () => {
  fcTest.prop([mutatedCert], { numRuns: 400 })(
    "mutated blobs parse or throw KeyError; verify throws typed errors",
    (b) => {
      let cert: ReturnType<typeof parseCertificateBlob> | undefined;
      onlyTyped(() => {
        cert = parseCertificateBlob(b);
      });
      if (cert !== undefined) {
        const c = cert;
        onlyTyped(
          () => verifyCertificate(c, { now: 1_900_000_000n, type: c.certificateType, principal: "alice" }),
          (e) => e instanceof CertificateError,
        );
      }
    },
  );

  fcTest.prop([fc.uint8Array({ maxLength: 300 })], { numRuns: 400 })(
    "random bytes never escape as untyped errors",
    (b) => {
      onlyTyped(() => parseCertificateBlob(b));
    },
  );

  fcTest.prop([fc.string({ maxLength: 300 })], { numRuns: 300 })("random text lines: KeyError only", (s) => {
    onlyTyped(() => parseCertificate(s));
  });
});

describe("sshd(8) known_hosts and authorized_keys: hostile files", () => {
  /** A fixture with some lines replaced by arbitrary text (or bits of other lines). */
  const damaged = (text: string) =>
    fc
      .tuple(fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 120 })), { maxLength: 6 }), fc.nat())
      .map(([edits, cut]) => {
        const lines = text.split("\n");
        for (const [at, s] of edits)
          lines[at % lines.length] = s + (lines[at % lines.length] ?? "").slice(s.length % 7);
        const joined = lines.join("\n");
        return joined.slice(0, joined.length - (cut % 40));
      });

  fcTest.prop([damaged(KNOWN_HOSTS)], { numRuns: 200 })(
    "parseKnownHosts never throws; bad lines become errors",
    (t) => {
      const db = parseKnownHosts(t);
      for (const e of db.errors) expect(e.line).toBeGreaterThan(0);
      expect(db.entries.length + db.errors.length).toBeLessThanOrEqual(t.split("\n").length);
    },
  );

  fcTest.prop([damaged(AUTHORIZED_KEYS)], { numRuns: 200 })("parseAuthorizedKeys never throws", (t) => {
    const parsed = parseAuthorizedKeys(t);
    for (const e of parsed.errors) expect(e.message.length).toBeGreaterThan(0);
  });

  fcTest.prop([fc.string({ maxLength: 400 })], { numRuns: 300 })("random text files never throw", (t) => {
    parseKnownHosts(t);
    parseAuthorizedKeys(t);
  });

  fcTest.prop([fc.oneof(mutatedCert, fc.uint8Array({ maxLength: 120 })), fc.string({ maxLength: 30 }), fc.nat(70000)], {
    numRuns: 300,
  })("check / findAuthorizedKey with hostile blobs throw only KeyError", (blob, host, port) => {
    onlyTyped(() => kh.check(host, port, blob, { now: 1_900_000_000n }));
    onlyTyped(() =>
      findAuthorizedKey(ak.entries, blob, { user: "alice", sourceAddress: "10.0.0.1", now: 1_900_000_000n }),
    );
  });
});

describe("option strings and pattern lists", () => {
  const optionish = fc.stringMatching(/^[a-zA-Z=",\\*:[\]0-9 !-]{0,80}$/);

  fcTest.prop([fc.oneof(optionish, fc.string({ maxLength: 80 }))], { numRuns: 500 })(
    "parseAuthorizedKeyOptions: KeyError only",
    (s) => {
      onlyTyped(() => parseAuthorizedKeyOptions(s));
    },
  );

  fcTest.prop([fc.stringMatching(/^[0-9a-f.:/,!*]{0,60}$/), fc.string({ maxLength: 40 })], { numRuns: 500 })(
    "CIDR lists and address lists: KeyError only, matchers total",
    (list, ip) => {
      onlyTyped(() => parseCidrList(list).matches(ip));
      expect(["match", "none", "negated", "invalid"]).toContain(matchAddressList(ip, list));
      expect(typeof matchHostAndAddress(ip, ip, list)).toBe("boolean");
    },
  );

  fcTest.prop([fc.string({ maxLength: 60 }), fc.stringMatching(/^[a*?.]{0,30}$/)], { numRuns: 500 })(
    "matchPattern is total",
    (text, pattern) => {
      expect(typeof matchPattern(text, pattern)).toBe("boolean");
    },
  );
});
