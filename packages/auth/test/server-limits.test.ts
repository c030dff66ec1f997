// AuthServer's limits and phases: sshd MaxAuthTries and failure pacing, strict ordering of
// requests while async policies decide (RFC 4252 §5) with a bounded queue, policy failures,
// message numbers by phase (DESIGN.md principle 2), and DESIGN.md principle 9: malformed or random
// input ends the connection with a typed error, never a throw and never a login.
import { fc } from "@fast-check/vitest";
import { DEFAULT_MAX_AUTH_ATTEMPTS, MAX_QUEUED_SERVER_MESSAGES } from "@purssh/auth";
import { DISCONNECT, ServiceRequest, UserauthSuccess } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { ED25519, NOW_MS, tick } from "./fixtures.js";

import { accepted, failureOf, harness, none, only, password, query, signed } from "./server-harness.js";

describe("sshd MaxAuthTries and failure pacing", () => {
  test(`sshd MaxAuthTries: the ${DEFAULT_MAX_AUTH_ATTEMPTS}th failure is DISCONNECT NO_MORE_AUTH_METHODS_AVAILABLE, not FAILURE`, () => {
    const h = accepted({ password: () => false });
    for (let i = 1; i < DEFAULT_MAX_AUTH_ATTEMPTS; i++) {
      h.feed(password(`guess${i}`));
      failureOf(only(h.take()));
    }
    h.feed(password("last"));
    expect(h.sent).toEqual([]);
    expect(h.disconnects).toHaveLength(1);
    expect(h.disconnects[0]).toMatchObject({
      code: "ERR_AUTH_TOO_MANY_FAILURES",
      reason: DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE,
    });
    h.feed(password("after"));
    expect(h.sent).toEqual([]);
    expect(h.disconnects).toHaveLength(1);
  });

  test("sshd MaxAuthTries: maxAttempts is configurable; PK_OK and partial success do not count", () => {
    const h = accepted({ publicKey: () => true, password: () => false }, { maxAttempts: 2 });
    h.feed(query(ED25519));
    h.feed(query(ED25519));
    h.feed(password("x"));
    expect(h.server.failedAttempts).toBe(1);
    h.feed(password("y"));
    expect(h.disconnects[0]!.reason).toBe(DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE);
  });

  test("sshd pads failures: FAILURE is sent no earlier than failureDelayMs after the request", async () => {
    const slept: number[] = [];
    let clock = NOW_MS;
    const h = accepted(
      {
        password: () => {
          clock += 3;
          return false;
        },
      },
      {
        failureDelayMs: 10,
        now: () => clock,
        sleep: async (ms) => {
          slept.push(ms);
          clock += ms;
        },
      },
    );
    h.feed(password("x"));
    expect(h.sent).toEqual([]); // waiting for the delay
    await tick();
    failureOf(only(h.take()));
    expect(slept).toEqual([7]);
    expect(() => harness({}, { failureDelayMs: 5 })).toThrow(/sleep/);
  });
});

describe("strict ordering with async policies (RFC 4252 §5)", () => {
  test("requests that arrive while a decision is pending are answered after it, in order", async () => {
    const answers: Array<(v: boolean) => void> = [];
    const h = accepted({ password: () => new Promise<boolean>((resolve) => answers.push(resolve)) });
    h.feed(password("first"));
    h.feed(password("second"));
    h.feed(password("third"));
    expect(h.sent).toEqual([]);
    expect(answers).toHaveLength(1); // the second is not even looked at yet
    answers[0]!(false);
    await tick();
    failureOf(only(h.take()));
    expect(answers).toHaveLength(2);
    answers[1]!(true);
    await tick();
    UserauthSuccess.decode(only(h.take()));
    // The third request arrived before SUCCESS: ignored after it (RFC 4252 §5.1).
    expect(answers).toHaveLength(2);
    expect(h.results).toHaveLength(1);
  });

  test(`DESIGN.md principle 9: more than ${MAX_QUEUED_SERVER_MESSAGES} queued messages end the connection`, () => {
    const h = accepted({ password: () => new Promise<boolean>(() => {}) });
    for (let i = 0; i <= MAX_QUEUED_SERVER_MESSAGES + 1; i++) h.feed(password(`p${i}`));
    expect(h.disconnects).toHaveLength(1);
    expect(h.disconnects[0]!.code).toBe("ERR_AUTH_QUEUE_FULL");
  });

  test("a policy that throws or rejects ends the connection with ERR_AUTH_POLICY (BY_APPLICATION), never a crash", async () => {
    const sync = accepted({
      password: () => {
        throw new Error("database down");
      },
    });
    sync.feed(password("x"));
    expect(sync.disconnects[0]).toMatchObject({ code: "ERR_AUTH_POLICY", reason: DISCONNECT.BY_APPLICATION });
    expect(sync.disconnects[0]!.message).toContain("database down");
    const async = accepted({ password: () => Promise.reject(new Error("timeout")) });
    async.feed(password("x"));
    await tick();
    expect(async.disconnects[0]!.code).toBe("ERR_AUTH_POLICY");
  });

  test("close() while a decision is pending: nothing is sent and nothing reported afterwards", async () => {
    let answer: (v: boolean) => void = () => {};
    const h = accepted({ password: () => new Promise<boolean>((r) => (answer = r)) });
    h.feed(password("x"));
    h.server.close();
    answer(true);
    await tick();
    expect(h.sent).toEqual([]);
    expect(h.results).toEqual([]);
    expect(h.disconnects).toEqual([]);
  });
});

describe("message numbers by phase (DESIGN.md principle 2)", () => {
  test("RFC 4252 §5.1: after SUCCESS, further 50–79 messages are ignored; 5 and 80+ are not auth's", () => {
    const h = accepted({ password: () => true });
    h.feed(password("x"));
    h.take();
    expect(h.feed(password("again"))).toBe(true);
    expect(h.feed(Uint8Array.of(61, 0, 0, 0, 0))).toBe(true);
    expect(h.feed(ServiceRequest.encode({ serviceName: "ssh-userauth" }))).toBe(false);
    expect(h.feed(Uint8Array.of(94, 0, 0, 0, 0, 0, 0, 0, 0))).toBe(false);
    expect(h.sent).toEqual([]);
    expect(h.results).toHaveLength(1);
    expect(h.disconnects).toEqual([]);
  });

  test("RFC 4252 §6: server-to-client numbers (51, 52, 53, 60) from the client are protocol errors", () => {
    for (const n of [51, 52, 53, 60, 79]) {
      const h = accepted({ password: () => true });
      h.feed(Uint8Array.of(n));
      expect(h.disconnects[0]!.reason, `message ${n}`).toBe(DISCONNECT.PROTOCOL_ERROR);
    }
  });

  test("principle 2: numbers outside 5 and 50–79 are not handled", () => {
    const h = accepted({ password: () => true });
    expect(h.feed(Uint8Array.of(94))).toBe(false);
    expect(h.feed(new Uint8Array(0))).toBe(false);
    expect(h.disconnects).toEqual([]);
  });

  test("DESIGN.md principle 9: truncated requests end the connection with ERR_AUTH_MALFORMED", () => {
    for (const p of [password("secret"), signed(ED25519), query(ED25519), none()]) {
      const h = accepted({ password: () => true, publicKey: () => true, none: () => false });
      h.feed(none());
      h.take();
      h.feed(p.subarray(0, p.length - 3));
      expect(h.disconnects[0]).toMatchObject({ code: "ERR_AUTH_MALFORMED", reason: DISCONNECT.PROTOCOL_ERROR });
      expect(h.results).toEqual([]);
    }
  });

  test("DESIGN.md principle 9: random messages 5 and 50–79 never throw and never authenticate", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .tuple(fc.constantFrom(5, 50, 50, 50, 61, 60, 51), fc.uint8Array({ maxLength: 80 }))
            .map(([n, tail]) => Uint8Array.from([n, ...tail])),
          { maxLength: 8 },
        ),
        (messages) => {
          const h = harness({ password: () => false, publicKey: () => false });
          for (const m of messages) expect(() => h.feed(m)).not.toThrow();
          expect(h.results).toEqual([]);
          expect(h.disconnects.length).toBeLessThanOrEqual(1);
          for (const d of h.disconnects) expect(d.code).toMatch(/^ERR_AUTH_/);
        },
      ),
      { numRuns: 300 },
    );
  });
});
