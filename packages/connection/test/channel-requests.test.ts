// RFC 4254 §5.4 (channel requests, replies in order) and §6 (session requests: exec, env, pty-req,
// subsystem, shell, signal, window-change, exit-status, exit-signal) between two Connections, plus
// OpenSSH's keepalive@openssh.com channel request.
import {
  type Channel,
  ChannelRequestDeniedError,
  type IncomingChannelRequest,
  MAX_PENDING_CHANNEL_REQUESTS,
} from "@purssh/connection";
import {
  ChannelFailure,
  ChannelRequest,
  ChannelRequestExec,
  ChannelRequestKeepalive,
  ChannelSuccess,
  MSG,
  ProtocolError,
  SshError,
  SshWriter,
  utf8Encode,
  WireError,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { concat, expectSameBytes, numbers, type Pair, pair, pattern, sink, takeOpen, track } from "./pair.js";

/** A session: the client's channel and the server's, with the server's requests collected. */
async function session(
  p: Pair,
  onRequest?: (req: IncomingChannelRequest, server: Channel) => void,
): Promise<{ client: Channel; server: Channel; requests: IncomingChannelRequest[] }> {
  const requests: IncomingChannelRequest[] = [];
  const opening = p.client.conn.openSession();
  await p.settle();
  const server = takeOpen(p.server).accept();
  server.events.request = (req) => {
    requests.push(req);
    onRequest?.(req, server);
  };
  await p.settle();
  return { client: await opening, server, requests };
}

const repliesFrom = (sent: readonly Uint8Array[]) =>
  sent.filter((m) => m[0] === MSG.CHANNEL_SUCCESS || m[0] === MSG.CHANNEL_FAILURE).map((m) => m[0]);

describe("exec and its exit status (RFC 4254 §6.5, §6.10)", () => {
  test("RFC 4254 §6.5/§6.10: exec runs, stdout and stderr arrive byte-exact, exit-status precedes EOF and CLOSE", async () => {
    const p = pair({ client: { windowSize: 4096, maxPacketSize: 1024 } });
    const stdout = pattern(50_000, 1);
    const stderr = utf8Encode("warning: something\n");
    const { client } = await session(p, (req, ch) => {
      if (req.kind !== "exec") return req.reject();
      expect(req.command).toBe("tar c /srv");
      req.accept();
      ch.write(stdout);
      ch.writeExtended(stderr);
      ch.sendExitStatus(0);
      ch.closeWhenDrained();
    });
    const got = sink(() => client);
    const order: string[] = [];
    client.events.data = (d) => {
      got.events.data!(d);
      if (order.at(-1) !== "data") order.push("data");
    };
    client.events.extendedData = (d, code) => {
      got.events.extendedData!(d, code);
      order.push("stderr");
    };
    client.events.request = (req) => {
      order.push(req.kind);
      req.accept();
    };
    client.events.eof = () => order.push("eof");
    client.events.close = () => order.push("close");
    const ran = track(client.exec("tar c /srv"));
    expect(ChannelRequestExec.decode(p.client.sent.at(-1)!)).toMatchObject({ wantReply: true, command: "tar c /srv" });
    await p.settle();
    expect(ran.state).toBe("resolved");
    expectSameBytes(got.bytes(), stdout);
    expect(got.stderrBytes()).toEqual(stderr);
    expect(client.exitStatus).toBe(0);
    expect(order).toEqual(["data", "stderr", "exit-status", "eof", "close"]);
    // exit-status goes without want-reply: the client's accept() sent nothing.
    expect(repliesFrom(p.client.sent)).toEqual([]);
    expect(p.client.conn.openChannels).toEqual([]);
  });

  test("RFC 4254 §6.10: exit-signal is decoded and kept on the channel", async () => {
    const p = pair();
    const { client, server } = await session(p);
    server.sendExitSignal("KILL", true, "killed by the OOM killer", "en");
    await p.settle();
    expect(client.exitSignal).toEqual({
      signalName: "KILL",
      coreDumped: true,
      errorMessage: "killed by the OOM killer",
      languageTag: "en",
    });
    expect(client.exitStatus).toBeUndefined();
  });

  test("RFC 4254 §5.4: a refused exec rejects with ChannelRequestDeniedError (ERR_CHANNEL_REQUEST_DENIED)", async () => {
    const p = pair();
    const { client } = await session(p, (req) => req.reject());
    const ran = client.exec("rm -rf /").then(
      () => undefined,
      (e: unknown) => e,
    );
    await p.settle();
    const e = await ran;
    expect(e).toBeInstanceOf(ChannelRequestDeniedError);
    expect(e).toMatchObject({ code: "ERR_CHANNEL_REQUEST_DENIED", requestType: "exec", channel: client.localId });
  });
});

describe("requests and replies (RFC 4254 §5.4)", () => {
  test("RFC 4254 §5.4: replies answer requests in order even when the application decides out of order", async () => {
    const p = pair();
    const { client, requests } = await session(p);
    const results = [
      track(client.request("x-one@example.com")),
      track(client.request("x-two@example.com")),
      track(client.request("x-three@example.com")),
    ];
    await p.settle();
    expect(requests.map((r) => r.type)).toEqual(["x-one@example.com", "x-two@example.com", "x-three@example.com"]);
    const before = p.server.sent.length;
    requests[2]!.accept();
    requests[1]!.reject();
    expect(repliesFrom(p.server.sent.slice(before))).toEqual([]); // held behind the first
    requests[0]!.accept();
    expect(repliesFrom(p.server.sent.slice(before))).toEqual([
      MSG.CHANNEL_SUCCESS,
      MSG.CHANNEL_FAILURE,
      MSG.CHANNEL_SUCCESS,
    ]);
    await p.settle();
    expect(results.map((r) => r.value)).toEqual([true, false, true]);
  });

  test("RFC 4254 §5.4: without a request handler a want-reply request gets CHANNEL_FAILURE (OpenSSH does the same)", async () => {
    const p = pair();
    const opening = p.client.conn.openSession();
    await p.settle();
    takeOpen(p.server).accept(); // no events.request installed
    await p.settle();
    const client = await opening;
    const asked = track(client.request("keepalive@openssh.com"));
    expect(ChannelRequestKeepalive.decode(p.client.sent.at(-1)!)).toMatchObject({ wantReply: true });
    const shell = track(client.shell());
    await p.settle();
    expect(asked.value).toBe(false);
    expect(shell.error).toBeInstanceOf(ChannelRequestDeniedError);
    // want-reply false gets nothing back.
    const before = p.server.sent.length;
    client.request("x-quiet@example.com", new Uint8Array(0), false);
    await p.settle();
    expect(p.server.sent.length).toBe(before);
  });

  test("RFC 4254 §5.4: CHANNEL_SUCCESS / FAILURE with no request outstanding is a protocol error", async () => {
    const p = pair();
    const { client, requests } = await session(p);
    const one = track(client.request("x@example.com"));
    await p.settle();
    requests[0]!.accept();
    await p.settle();
    expect(one.value).toBe(true);
    for (const reply of [ChannelSuccess, ChannelFailure]) {
      let error: unknown;
      try {
        p.client.conn.handle(reply.encode({ recipientChannel: client.localId }));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ code: "ERR_UNEXPECTED_MESSAGE" });
    }
  });

  test("RFC 4254 §5.4: accept() or reject() twice throws ERR_CHANNEL_REQUEST_DECIDED and sends one reply", async () => {
    const p = pair();
    const { client, requests } = await session(p);
    void client.request("x@example.com");
    await p.settle();
    const before = p.server.sent.length;
    requests[0]!.accept();
    expect(() => requests[0]!.reject()).toThrow(expect.objectContaining({ code: "ERR_CHANNEL_REQUEST_DECIDED" }));
    expect(numbers(p.server.sent.slice(before))).toEqual([MSG.CHANNEL_SUCCESS]);
  });

  test("RFC 4254 §5.4: answering a request without want-reply sends nothing", async () => {
    const p = pair();
    const { client, requests } = await session(p);
    client.setEnv("LANG", "C.UTF-8");
    await p.settle();
    const before = p.server.sent.length;
    expect(requests[0]).toMatchObject({ kind: "env", wantReply: false, name: "LANG", value: "C.UTF-8" });
    requests[0]!.accept();
    expect(p.server.sent.length).toBe(before);
  });

  test("RFC 4254 §6: subsystem, shell, signal, pty-req, window-change, env and unknown types reach the peer decoded", async () => {
    const p = pair();
    const { client, requests } = await session(p, (req) => req.accept());
    const modes = Uint8Array.of(53, 0, 0, 0, 1, 0); // ECHO 1, TTY_OP_END
    const pty = new SshWriter()
      .utf8("xterm-256color")
      .uint32(80)
      .uint32(24)
      .uint32(640)
      .uint32(480)
      .string(modes)
      .finish();
    const size = new SshWriter().uint32(120).uint32(40).uint32(0).uint32(0).finish();
    const replies = [
      track(client.request("pty-req", pty)),
      track(client.subsystem("sftp")),
      track(client.shell()),
      track(client.request("x-custom@example.com", Uint8Array.of(9, 9))),
    ];
    client.request("window-change", size, false);
    client.sendSignal("INT");
    client.setEnv("TZ", "UTC");
    await p.settle();
    expect(requests.map(({ accept: _a, reject: _r, payload: _p, ...fields }) => fields)).toEqual([
      {
        kind: "pty-req",
        type: "pty-req",
        wantReply: true,
        term: "xterm-256color",
        widthChars: 80,
        heightRows: 24,
        widthPixels: 640,
        heightPixels: 480,
        terminalModes: modes,
      },
      { kind: "subsystem", type: "subsystem", wantReply: true, name: "sftp" },
      { kind: "shell", type: "shell", wantReply: true },
      { kind: "other", type: "x-custom@example.com", wantReply: true, data: Uint8Array.of(9, 9) },
      {
        kind: "window-change",
        type: "window-change",
        wantReply: false,
        widthChars: 120,
        heightRows: 40,
        widthPixels: 0,
        heightPixels: 0,
      },
      { kind: "signal", type: "signal", wantReply: false, signalName: "INT" },
      { kind: "env", type: "env", wantReply: false, name: "TZ", value: "UTC" },
    ]);
    expect(replies.map((r) => r.state)).toEqual(["resolved", "resolved", "resolved", "resolved"]);
  });

  test("RFC 4254 §5.4 / OpenSSH: a known request type whose data does not decode is fatal (WireError)", async () => {
    const p = pair();
    const { server } = await session(p);
    const bad = ChannelRequest.encode({
      recipientChannel: server.localId,
      requestType: "exit-status",
      wantReply: false,
      requestData: Uint8Array.of(0, 0), // a uint32 cut short
    });
    expect(() => p.server.conn.handle(bad)).toThrow(WireError);
  });

  test(`DESIGN principle 7: more than MAX_PENDING_CHANNEL_REQUESTS (${MAX_PENDING_CHANNEL_REQUESTS}) unanswered requests is fatal`, async () => {
    const p = pair();
    const { client } = await session(p); // the server's handler never answers
    for (let i = 0; i <= MAX_PENDING_CHANNEL_REQUESTS; i++) void client.request("x@example.com").catch(() => {});
    await p.settle();
    expect(p.failure?.role).toBe("server");
    expect(p.failure?.error).toBeInstanceOf(ProtocolError);
    expect(p.failure?.error).toMatchObject({ code: "ERR_TOO_MANY_PENDING_REQUESTS" });
  });

  test("RFC 4254 §5.3: replies still owed when we send CLOSE are dropped; nothing follows our CLOSE", async () => {
    const p = pair();
    const { client, server, requests } = await session(p);
    const asked = track(client.request("x@example.com"));
    await p.settle();
    server.close();
    requests[0]!.accept(); // too late
    expect(numbers(p.server.sent).at(-1)).toBe(MSG.CHANNEL_CLOSE);
    await p.settle();
    // The client never got an answer: its CLOSE exchange rejects the request.
    expect(asked.state).toBe("rejected");
    expect(asked.error).toMatchObject({ code: "ERR_CHANNEL_CLOSED" });
  });
});

describe("requests and the channel's life (RFC 4254 §5.3, DESIGN principle 8)", () => {
  test("a request on a closed channel rejects (or throws, without want-reply) with ERR_CHANNEL_CLOSED", async () => {
    const p = pair();
    const { client } = await session(p);
    client.close();
    await expect(client.exec("true")).rejects.toMatchObject({ code: "ERR_CHANNEL_CLOSED" });
    await expect(client.request("x@example.com")).rejects.toMatchObject({ code: "ERR_CHANNEL_CLOSED" });
    expect(() => client.sendExitStatus(0)).toThrow(SshError);
  });

  test("RFC 4254 §6.10: requests may follow our EOF (exit-status after the output has ended)", async () => {
    const p = pair();
    const { client, server } = await session(p);
    server.write(pattern(10));
    server.end();
    server.sendExitStatus(42);
    await p.settle();
    expect(client.exitStatus).toBe(42);
    expect(client.eofReceived).toBe(true);
  });

  test("DESIGN principle 8: end(error) rejects the channel requests waiting for a reply", async () => {
    const p = pair();
    const { client } = await session(p);
    const a = client.request("x@example.com");
    const b = client.exec("sleep 100");
    const cause = new SshError("ERR_TEST_LOST", "lost");
    p.client.conn.end(cause);
    expect(await Promise.allSettled([a, b])).toEqual([
      { status: "rejected", reason: cause },
      { status: "rejected", reason: cause },
    ]);
  });

  test("RFC 4254 §5.4: an unknown request's type-specific data reaches the peer byte-exact", async () => {
    const p = pair();
    const { client, requests } = await session(p, (req) => req.accept());
    const blob = concat([pattern(300), utf8Encode("tail")]);
    await Promise.all([client.request("x-blob@example.com", blob), p.settle()]);
    expect(requests[0]).toMatchObject({ kind: "other", data: blob });
  });
});
