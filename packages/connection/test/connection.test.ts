// RFC 4254 §4 (global requests) and §7.1 (tcpip-forward / cancel-tcpip-forward) as the client of a
// reverse tunnel sees them: what goes out, how replies are matched, what the server may not do.
import { RequestDeniedError } from "@purssh/connection";
import {
  ChannelOpenFailure,
  GlobalRequest,
  GlobalRequestCancelTcpipForward,
  GlobalRequestHostkeys,
  GlobalRequestKeepalive,
  GlobalRequestTcpipForward,
  MSG,
  OPEN_FAILURE,
  ProtocolError,
  RequestFailure,
  RequestSuccess,
  RequestSuccessTcpipForward,
  SshError,
  utf8Encode,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { forward, forwardedTcpipOpen, harness, openFailure, settle, track } from "./harness.js";

const success = () => RequestSuccess.encode({ responseData: new Uint8Array(0) });
const failure = () => RequestFailure.encode({});

describe("requestForwarding (RFC 4254 §7.1)", () => {
  test("RFC 4254 §7.1: tcpip-forward is a GLOBAL_REQUEST with want-reply, the address and the port", () => {
    const h = harness();
    void h.conn.requestForwarding("127.0.0.1", 8022);
    expect(h.sent).toHaveLength(1);
    expect(GlobalRequestTcpipForward.decode(h.sent[0]!)).toEqual({
      requestName: "tcpip-forward",
      wantReply: true,
      addressToBind: "127.0.0.1",
      portToBind: 8022,
    });
  });

  test("RFC 4254 §7.1: port 0 asks the server to choose, and the reply carries the bound port", async () => {
    const h = harness();
    const p = h.conn.requestForwarding("", 0);
    h.conn.handle(RequestSuccessTcpipForward.encode({ boundPort: 41237 }));
    const f = await p;
    expect(f).toEqual({ address: "", requestedPort: 0, port: 41237 });
    expect(h.conn.activeForwards).toEqual([f]);
  });

  test("RFC 4254 §7.1: an explicit port is confirmed by a REQUEST_SUCCESS without data", async () => {
    const h = harness();
    const p = h.conn.requestForwarding("localhost", 2222);
    h.conn.handle(success());
    const f = await p;
    expect(f).toEqual({ address: "localhost", requestedPort: 2222, port: 2222 });
    expect(h.conn.activeForwards).toEqual([f]);
  });

  test("RFC 4254 §7.1: a port-0 request that the server 'binds' to port 0 is a protocol error", async () => {
    const h = harness();
    const p = h.conn.requestForwarding("", 0);
    h.conn.handle(RequestSuccessTcpipForward.encode({ boundPort: 0 }));
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).code).toBe("ERR_FORWARD_NO_PORT");
    expect(h.conn.activeForwards).toEqual([]);
  });

  test("RFC 4254 §4: REQUEST_FAILURE rejects with RequestDeniedError (ERR_REQUEST_DENIED) and holds nothing", async () => {
    const h = harness();
    const p = h.conn.requestForwarding("0.0.0.0", 80);
    h.conn.handle(failure());
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(RequestDeniedError);
    expect(e).toBeInstanceOf(SshError);
    expect((e as RequestDeniedError).code).toBe("ERR_REQUEST_DENIED");
    expect((e as RequestDeniedError).requestName).toBe("tcpip-forward");
    expect((e as Error).message).toContain("0.0.0.0:80");
    expect(h.conn.activeForwards).toEqual([]);
  });

  test("RFC 4254 §4: replies are matched FIFO — several requests in flight each get their own answer", async () => {
    const h = harness();
    const all = Promise.allSettled([
      h.conn.requestForwarding("", 0),
      h.conn.requestForwarding("", 2222),
      h.conn.requestForwarding("", 0),
      h.conn.requestForwarding("127.0.0.1", 3333),
    ]);
    expect(h.sent.map((p) => GlobalRequestTcpipForward.decode(p).portToBind)).toEqual([0, 2222, 0, 3333]);
    h.conn.handle(RequestSuccessTcpipForward.encode({ boundPort: 40001 }));
    h.conn.handle(failure());
    h.conn.handle(RequestSuccessTcpipForward.encode({ boundPort: 40002 }));
    h.conn.handle(success());
    const [a, b, c, d] = await all;
    expect(a).toEqual({ status: "fulfilled", value: { address: "", requestedPort: 0, port: 40001 } });
    expect(b?.status).toBe("rejected");
    expect((b as PromiseRejectedResult).reason).toBeInstanceOf(RequestDeniedError);
    expect((b as PromiseRejectedResult).reason.message).toContain("2222");
    expect(c).toEqual({ status: "fulfilled", value: { address: "", requestedPort: 0, port: 40002 } });
    expect(d).toEqual({ status: "fulfilled", value: { address: "127.0.0.1", requestedPort: 3333, port: 3333 } });
    expect(h.conn.activeForwards.map((f) => f.port)).toEqual([40001, 40002, 3333]);
  });

  test("DESIGN principle 7: an unsolicited REQUEST_SUCCESS / REQUEST_FAILURE is dropped, not banked for later", async () => {
    const h = harness();
    expect(h.conn.handle(RequestSuccessTcpipForward.encode({ boundPort: 1234 }))).toBe(true);
    expect(h.conn.handle(failure())).toBe(true);
    expect(h.sent).toEqual([]);
    // The next request gets the next reply, not one of the stale ones.
    const p = track(h.conn.requestForwarding("", 0));
    await settle();
    expect(p.state).toBe("pending");
    h.conn.handle(RequestSuccessTcpipForward.encode({ boundPort: 5555 }));
    await settle();
    expect(p.state).toBe("resolved");
    expect(p.value?.port).toBe(5555);
  });

  test("RFC 4254 §7.2 race: a forwarded-tcpip open in the same read as the REQUEST_SUCCESS reaches the application", async () => {
    // The transport dispatches every packet of one read synchronously, so a connection to the
    // new port can be handled before the requestForwarding promise continuation runs.
    const h = harness();
    const p = h.conn.requestForwarding("", 0);
    h.conn.handle(RequestSuccessTcpipForward.encode({ boundPort: 41000 }));
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 3, connectedAddress: "", connectedPort: 41000 }));
    await p;
    const refusals = h.sent.filter((m) => m[0] === MSG.CHANNEL_OPEN_FAILURE);
    expect(refusals.map((m) => ChannelOpenFailure.decode(m).description)).toEqual([]);
    expect(h.opens).toHaveLength(1);
    expect(h.opens[0]!.connectedPort).toBe(41000);
  });
});

describe("global requests from the server (RFC 4254 §4)", () => {
  test("OpenSSH PROTOCOL §2.5: hostkeys-00@openssh.com (want-reply false) is not a reply and gets none", async () => {
    const h = harness();
    const p = track(h.conn.requestForwarding("", 0));
    h.take();
    const hostkeys = GlobalRequestHostkeys.encode({
      requestName: "hostkeys-00@openssh.com",
      wantReply: false,
      hostKeys: utf8Encode("\0\0\0\x0bssh-ed25519"),
    });
    expect(h.conn.handle(hostkeys)).toBe(true);
    await settle();
    expect(p.state).toBe("pending");
    expect(h.sent).toEqual([]);
    expect(h.globalRequests).toEqual([{ name: "hostkeys-00@openssh.com", payload: hostkeys }]);
    h.conn.handle(RequestSuccessTcpipForward.encode({ boundPort: 40404 }));
    await settle();
    expect(p.state).toBe("resolved");
    expect(p.value?.port).toBe(40404);
  });

  test("RFC 4254 §4: keepalive@openssh.com with want-reply is answered with REQUEST_FAILURE", async () => {
    const h = harness();
    const p = track(h.conn.requestForwarding("", 0));
    h.take();
    h.conn.handle(GlobalRequestKeepalive.encode({ requestName: "keepalive@openssh.com", wantReply: true }));
    expect(h.sent).toHaveLength(1);
    expect(RequestFailure.decode(h.sent[0]!)).toEqual({});
    expect(h.globalRequests.map((r) => r.name)).toEqual(["keepalive@openssh.com"]);
    // Our own pending request is untouched by the server's request.
    await settle();
    expect(p.state).toBe("pending");
  });

  test("RFC 4254 §7.1: a tcpip-forward request from the server is refused (clients SHOULD) and binds nothing", () => {
    const h = harness();
    h.conn.handle(
      GlobalRequestTcpipForward.encode({
        requestName: "tcpip-forward",
        wantReply: true,
        addressToBind: "0.0.0.0",
        portToBind: 22,
      }),
    );
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]![0]).toBe(MSG.REQUEST_FAILURE);
    RequestFailure.decode(h.sent[0]!);
    expect(h.conn.activeForwards).toEqual([]);
  });

  test("RFC 4254 §4: an unknown request without want-reply gets no reply at all", () => {
    const h = harness();
    h.conn.handle(
      GlobalRequest.encode({
        requestName: "no-more-sessions@openssh.com",
        wantReply: false,
        requestData: new Uint8Array(0),
      }),
    );
    expect(h.sent).toEqual([]);
  });
});

describe("cancelForwarding (RFC 4254 §7.1)", () => {
  test("RFC 4254 §7.1: cancel-tcpip-forward names the bound address and port and drops the forwarding", async () => {
    const h = harness();
    await forward(h, "", 0, 41237);
    await forward(h, "127.0.0.1", 8022);
    const p = h.conn.cancelForwarding("", 41237);
    expect(h.sent).toHaveLength(1);
    expect(GlobalRequestCancelTcpipForward.decode(h.sent[0]!)).toEqual({
      requestName: "cancel-tcpip-forward",
      wantReply: true,
      addressToBind: "",
      portToBind: 41237,
    });
    h.take();
    h.conn.handle(success());
    await p;
    expect(h.conn.activeForwards.map((f) => f.port)).toEqual([8022]);
    // RFC 4254 §7.2: the cancelled port is no longer one we requested.
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 9, connectedAddress: "", connectedPort: 41237 }));
    expect(h.opens).toEqual([]);
    expect(openFailure(h.sent)).toMatchObject({
      recipientChannel: 9,
      reasonCode: OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED,
    });
  });

  test("RFC 4254 §4: a refused cancel-tcpip-forward rejects with RequestDeniedError and keeps the forwarding", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    const p = h.conn.cancelForwarding("127.0.0.1", 8022);
    h.conn.handle(failure());
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(RequestDeniedError);
    expect((e as RequestDeniedError).requestName).toBe("cancel-tcpip-forward");
    expect(h.conn.activeForwards.map((f) => f.port)).toEqual([8022]);
  });
});

describe("end(error)", () => {
  test("DESIGN principle 8: end(error) rejects every pending global request with that error", async () => {
    const h = harness();
    const a = h.conn.requestForwarding("", 0);
    const b = h.conn.cancelForwarding("", 9);
    const cause = new ProtocolError("ERR_TEST_LOST", "connection lost");
    h.conn.end(cause);
    const results = await Promise.allSettled([a, b]);
    expect(results).toEqual([
      { status: "rejected", reason: cause },
      { status: "rejected", reason: cause },
    ]);
    // A reply arriving afterwards has nothing to settle.
    expect(h.conn.handle(success())).toBe(true);
  });

  test("DESIGN principle 8: a request after end(error) rejects at once and sends nothing", async () => {
    const h = harness();
    const cause = new SshError("ERR_TEST_LOST", "connection lost");
    h.conn.end(cause);
    await expect(h.conn.requestForwarding("", 0)).rejects.toBe(cause);
    expect(h.sent).toEqual([]);
  });

  test("DESIGN principle 8: end(error) clears the forwardings (their listeners died with the connection)", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    h.conn.end(new SshError("ERR_TEST_LOST", "connection lost"));
    expect(h.conn.activeForwards).toEqual([]);
  });

  test("RFC 4254 §4: a malformed REQUEST_FAILURE is fatal, and the request it answered still settles on end()", async () => {
    const h = harness();
    const p = track(h.conn.requestForwarding("", 0));
    const malformed = Uint8Array.of(MSG.REQUEST_FAILURE, 0xde, 0xad);
    expect(() => h.conn.handle(malformed)).toThrow(SshError);
    const cause = new ProtocolError("ERR_TEST_FATAL", "the connection failed");
    h.conn.end(cause);
    await settle();
    expect(p.state).toBe("rejected");
  });
});
