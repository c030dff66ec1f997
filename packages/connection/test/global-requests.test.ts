// RFC 4254 §4 and §7.1 with a server-role Connection answering: tcpip-forward (port 0 gets the
// bound port), streamlocal forwards (OpenSSH PROTOCOL §2.4), keepalive@openssh.com both ways
// (PROTOCOL §2.1), replies in arrival order whatever order the application decides in, and the
// bound on what a peer may leave unanswered.
import {
  type GlobalRequestAnswer,
  type IncomingGlobalRequest,
  MAX_PENDING_GLOBAL_REQUESTS,
  RequestDeniedError,
} from "@purssh/connection";
import {
  GlobalRequest,
  GlobalRequestCancelStreamlocalForward,
  GlobalRequestKeepalive,
  GlobalRequestStreamlocalForward,
  MSG,
  ProtocolError,
  RequestSuccess,
  SshError,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { numbers, pair, track } from "./pair.js";

/** An answerGlobalRequest that records each request in `seen`, then answers with `decide`. */
function recording(
  seen: IncomingGlobalRequest[],
  decide: (r: IncomingGlobalRequest) => GlobalRequestAnswer,
): (r: IncomingGlobalRequest) => GlobalRequestAnswer {
  return (r) => {
    seen.push(r);
    return decide(r);
  };
}

/** A deferred answer the test resolves by hand. */
interface Held {
  request: IncomingGlobalRequest;
  answer(a: GlobalRequestAnswer): void;
  fail(e: Error): void;
}

/** A server whose answerGlobalRequest parks every request for the test to answer. */
function heldServer() {
  const held: Held[] = [];
  const p = pair({
    server: {
      answerGlobalRequest: (request) =>
        new Promise<GlobalRequestAnswer>((resolve, reject) => held.push({ request, answer: resolve, fail: reject })),
    },
  });
  return { p, held };
}

const replies = (sent: readonly Uint8Array[]) =>
  sent.filter((m) => m[0] === MSG.REQUEST_SUCCESS || m[0] === MSG.REQUEST_FAILURE);

describe("the server answering global requests (RFC 4254 §4, §7.1)", () => {
  test("RFC 4254 §7.1: tcpip-forward reaches the handler typed; a port-0 request gets the bound port in the reply", async () => {
    const seen: IncomingGlobalRequest[] = [];
    const p = pair({
      server: {
        answerGlobalRequest: (r) => {
          seen.push(r);
          return r.kind === "tcpip-forward" && r.port === 0 ? 43210 : true;
        },
      },
    });
    const chosen = p.client.conn.requestForwarding("127.0.0.1", 0);
    const fixed = p.client.conn.requestForwarding("", 8080);
    await p.settle();
    expect(await chosen).toEqual({ address: "127.0.0.1", requestedPort: 0, port: 43210 });
    expect(await fixed).toEqual({ address: "", requestedPort: 8080, port: 8080 });
    expect(seen.map(({ payload: _p, ...r }) => r)).toEqual([
      { kind: "tcpip-forward", name: "tcpip-forward", wantReply: true, address: "127.0.0.1", port: 0 },
      { kind: "tcpip-forward", name: "tcpip-forward", wantReply: true, address: "", port: 8080 },
    ]);
    // §7.1: the reply to an explicit port carries no port.
    expect(replies(p.server.sent).map((m) => m.length)).toEqual([5, 1]);
  });

  test("RFC 4254 §7.1: cancel-tcpip-forward arrives typed; the client drops its forwarding on success", async () => {
    const seen: IncomingGlobalRequest[] = [];
    const p = pair({
      server: { answerGlobalRequest: recording(seen, (r) => (r.kind === "tcpip-forward" ? 40000 : true)) },
    });
    const f = p.client.conn.requestForwarding("", 0);
    await p.settle();
    await f;
    const c = p.client.conn.cancelForwarding("", 40000);
    await p.settle();
    await c;
    expect(seen[1]).toMatchObject({ kind: "cancel-tcpip-forward", address: "", port: 40000 });
    expect(p.client.conn.activeForwards).toEqual([]);
  });

  test("RFC 4254 §4: replies go out in arrival order when the handler resolves out of order", async () => {
    const { p, held } = heldServer();
    const results = [
      track(p.client.conn.requestForwarding("", 0)),
      track(p.client.conn.requestForwarding("", 2222)),
      track(p.client.conn.requestStreamlocalForward("/tmp/s")),
    ];
    await p.settle();
    expect(held.map((h) => h.request.kind)).toEqual([
      "tcpip-forward",
      "tcpip-forward",
      "streamlocal-forward@openssh.com",
    ]);
    held[2]!.answer(true);
    held[1]!.answer(false);
    await p.settle();
    expect(replies(p.server.sent)).toEqual([]); // nothing may overtake the first reply
    expect(results.map((r) => r.state)).toEqual(["pending", "pending", "pending"]);
    held[0]!.answer(45000);
    await p.settle();
    expect(numbers(replies(p.server.sent))).toEqual([MSG.REQUEST_SUCCESS, MSG.REQUEST_FAILURE, MSG.REQUEST_SUCCESS]);
    expect(results[0]!.value).toMatchObject({ port: 45000 });
    expect(results[1]!.error).toBeInstanceOf(RequestDeniedError);
    expect(results[2]!.value).toEqual({ socketPath: "/tmp/s" });
  });

  test("RFC 4254 §4: a synchronous answer after a pending one waits its turn too", async () => {
    let first: ((a: GlobalRequestAnswer) => void) | undefined;
    const p = pair({
      server: {
        answerGlobalRequest: (r) =>
          r.kind === "keepalive@openssh.com" ? false : new Promise<GlobalRequestAnswer>((res) => (first = res)),
      },
    });
    const fwd = track(p.client.conn.requestForwarding("", 1));
    const alive = track(p.client.conn.keepalive());
    await p.settle();
    expect(alive.state).toBe("pending");
    first!(true);
    await p.settle();
    expect([fwd.state, alive.state]).toEqual(["resolved", "resolved"]);
  });

  test("RFC 4254 §7.1: a port-0 tcpip-forward answered true or with an impossible port is refused, not answered without a port", async () => {
    const answers: GlobalRequestAnswer[] = [true, 0, 70000, 1.5];
    const p = pair({ server: { answerGlobalRequest: () => answers.shift()! } });
    const all = Promise.allSettled(answers.map(() => p.client.conn.requestForwarding("", 0)));
    await p.settle();
    const results = await all;
    expect(results.every((r) => r.status === "rejected" && r.reason instanceof RequestDeniedError)).toBe(true);
  });

  test("RFC 4254 §4: a handler that throws or rejects answers REQUEST_FAILURE and the connection goes on", async () => {
    let n = 0;
    const p = pair({
      server: {
        answerGlobalRequest: () => {
          n++;
          if (n === 1) throw new Error("boom");
          return Promise.reject(new Error("async boom"));
        },
      },
    });
    const a = track(p.client.conn.requestForwarding("", 1));
    const b = track(p.client.conn.requestForwarding("", 2));
    await p.settle();
    expect(a.error).toBeInstanceOf(RequestDeniedError);
    expect(b.error).toBeInstanceOf(RequestDeniedError);
    expect(p.failure).toBeUndefined();
  });

  test("RFC 4254 §4: a Uint8Array answer is sent as REQUEST_SUCCESS response data, byte-exact", async () => {
    const p = pair({ server: { answerGlobalRequest: () => Uint8Array.of(0, 0, 0, 3, 97, 98, 99) } });
    const reply = p.client.conn.globalRequest(
      "x-echo@example.com",
      GlobalRequest.encode({ requestName: "x-echo@example.com", wantReply: true, requestData: Uint8Array.of(1) }),
    );
    await p.settle();
    expect(RequestSuccess.decode(await reply).responseData).toEqual(Uint8Array.of(0, 0, 0, 3, 97, 98, 99));
  });

  test("OpenSSH PROTOCOL §2.4: streamlocal-forward and its cancel arrive typed with the socket path", async () => {
    const seen: IncomingGlobalRequest[] = [];
    const p = pair({ server: { answerGlobalRequest: recording(seen, () => true) } });
    const f = p.client.conn.requestStreamlocalForward("/run/user/1000/gnupg/S.gpg-agent");
    expect(GlobalRequestStreamlocalForward.decode(p.client.sent.at(-1)!)).toEqual({
      requestName: "streamlocal-forward@openssh.com",
      wantReply: true,
      socketPath: "/run/user/1000/gnupg/S.gpg-agent",
    });
    await p.settle();
    await f;
    expect(p.client.conn.activeStreamlocalForwards).toEqual([{ socketPath: "/run/user/1000/gnupg/S.gpg-agent" }]);
    const c = p.client.conn.cancelStreamlocalForward("/run/user/1000/gnupg/S.gpg-agent");
    expect(GlobalRequestCancelStreamlocalForward.decode(p.client.sent.at(-1)!).wantReply).toBe(true);
    await p.settle();
    await c;
    expect(seen.map((r) => [r.kind, "socketPath" in r ? r.socketPath : undefined])).toEqual([
      ["streamlocal-forward@openssh.com", "/run/user/1000/gnupg/S.gpg-agent"],
      ["cancel-streamlocal-forward@openssh.com", "/run/user/1000/gnupg/S.gpg-agent"],
    ]);
    expect(p.client.conn.activeStreamlocalForwards).toEqual([]);
  });

  test("RFC 4254 §4: a refused streamlocal forward rejects with RequestDeniedError and records nothing", async () => {
    const p = pair({ server: { answerGlobalRequest: () => false } });
    const f = track(p.client.conn.requestStreamlocalForward("/var/run/docker.sock"));
    await p.settle();
    expect(f.error).toBeInstanceOf(RequestDeniedError);
    expect((f.error as RequestDeniedError).requestName).toBe("streamlocal-forward@openssh.com");
    expect(p.client.conn.activeStreamlocalForwards).toEqual([]);
  });

  test("RFC 4254 §4: unknown requests reach the handler as 'other' with name and data; onGlobalRequest is not called", async () => {
    const seen: IncomingGlobalRequest[] = [];
    const notified: string[] = [];
    const p = pair({
      server: { answerGlobalRequest: recording(seen, () => false), onGlobalRequest: (name) => notified.push(name) },
    });
    void p.client.conn
      .globalRequest(
        "x-thing@example.com",
        GlobalRequest.encode({ requestName: "x-thing@example.com", wantReply: true, requestData: Uint8Array.of(7, 8) }),
      )
      .catch(() => {});
    await p.settle();
    expect(seen[0]).toMatchObject({ kind: "other", name: "x-thing@example.com", data: Uint8Array.of(7, 8) });
    expect(notified).toEqual([]);
  });

  test(`DESIGN principle 7: more than MAX_PENDING_GLOBAL_REQUESTS (${MAX_PENDING_GLOBAL_REQUESTS}) unanswered requests is fatal`, async () => {
    const { p, held } = heldServer();
    const all = Array.from({ length: MAX_PENDING_GLOBAL_REQUESTS + 1 }, (_, i) =>
      p.client.conn.requestForwarding("", 1000 + i).catch((e: unknown) => e),
    );
    await p.settle();
    expect(held).toHaveLength(MAX_PENDING_GLOBAL_REQUESTS);
    expect(p.failure?.role).toBe("server");
    expect(p.failure?.error).toBeInstanceOf(ProtocolError);
    expect(p.failure?.error).toMatchObject({ code: "ERR_TOO_MANY_PENDING_REQUESTS" });
    // Answers decided after the end go nowhere.
    const before = p.server.sent.length;
    held[0]!.answer(true);
    await p.settle();
    expect(p.server.sent.length).toBe(before);
    expect((await Promise.all(all)).every((e) => e === p.failure?.error)).toBe(true);
  });

  test("RFC 4254 §4: want-reply false requests reach the handler and are never answered", async () => {
    const seen: IncomingGlobalRequest[] = [];
    const p = pair({ server: { answerGlobalRequest: recording(seen, () => true) } });
    p.client.conn.sendNoMoreSessions();
    await p.settle();
    expect(seen).toMatchObject([{ kind: "no-more-sessions@openssh.com", wantReply: false }]);
    expect(replies(p.server.sent)).toEqual([]);
  });

  test("RFC 4254 §4: without answerGlobalRequest, today's behaviour: FAILURE for want-reply, then onGlobalRequest", async () => {
    const notified: string[] = [];
    const p = pair({ client: { onGlobalRequest: (name) => notified.push(name) } });
    const f = track(p.server.conn.requestForwarding("0.0.0.0", 22));
    await p.settle();
    expect(f.error).toBeInstanceOf(RequestDeniedError);
    expect(notified).toEqual(["tcpip-forward"]);
  });
});

describe("keepalive@openssh.com (OpenSSH PROTOCOL §2.1; ServerAliveInterval / ClientAliveInterval)", () => {
  test("OpenSSH ServerAlive: keepalive() resolves on the REQUEST_FAILURE of a peer without a handler", async () => {
    const p = pair();
    const alive = track(p.client.conn.keepalive());
    expect(GlobalRequestKeepalive.decode(p.client.sent.at(-1)!)).toEqual({
      requestName: "keepalive@openssh.com",
      wantReply: true,
    });
    await p.settle();
    expect(alive.state).toBe("resolved");
    expect(numbers(replies(p.server.sent))).toEqual([MSG.REQUEST_FAILURE]);
  });

  test("OpenSSH ClientAlive: the server's keepalive() is answered by the client and resolves; SUCCESS works too", async () => {
    const p = pair({ client: { answerGlobalRequest: (r) => r.kind === "keepalive@openssh.com" } });
    const alive = track(p.server.conn.keepalive());
    await p.settle();
    expect(alive.state).toBe("resolved");
    expect(numbers(replies(p.client.sent))).toEqual([MSG.REQUEST_SUCCESS]);
  });

  test("keepalive replies are matched FIFO with the other requests in flight", async () => {
    const { p, held } = heldServer();
    const fwd = track(p.client.conn.requestForwarding("", 0));
    const alive = track(p.client.conn.keepalive());
    await p.settle();
    held[1]!.answer(false);
    await p.settle();
    expect(alive.state).toBe("pending"); // its reply cannot come before the forwarding's
    held[0]!.answer(41111);
    await p.settle();
    expect(fwd.value).toMatchObject({ port: 41111 });
    expect(alive.state).toBe("resolved");
  });

  test("DESIGN principle 8: keepalive() rejects when the connection ends before any reply, and at once afterwards", async () => {
    const { p } = heldServer();
    const alive = track(p.client.conn.keepalive());
    await p.settle();
    const cause = new SshError("ERR_TEST_LOST", "lost");
    p.client.conn.end(cause);
    await p.settle();
    expect(alive.error).toBe(cause);
    await expect(p.client.conn.keepalive()).rejects.toBe(cause);
    expect(() => p.client.conn.sendNoMoreSessions()).toThrow(cause);
  });
});
