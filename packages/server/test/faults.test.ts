// The embedded server against a misbehaving client over an in-memory pipe (DESIGN.md testing
// layer 3; vectors-security.md §3): messages out of phase, unknown message numbers, strict-kex
// violations, forged packet lengths, version-exchange garbage and a client that never logs in.
// Each test decodes the DISCONNECT the server sends, checks the typed error it closed with, and
// that the connection left nothing behind (close promise, connection count, listeners, timers).
import * as net from "node:net";
import { freePort, minimalKexinit, PlaintextPeerReader, withTimeout } from "@purssh/testkit";
import {
  Debug,
  DISCONNECT,
  Ignore,
  MSG,
  ServiceRequest,
  Unimplemented,
  UserauthSuccess,
  utf8Encode,
} from "@purssh/wire";
import { beforeEach, describe, expect, test } from "vitest";
import {
  expectCleanEnd,
  keepalive,
  openSession,
  passwordRequest,
  refTimers,
  scriptedSession,
  serverFinished,
  serverOnPipe,
  tcpipForward,
} from "./fault-rig.js";

let timersBefore = 0;
beforeEach(() => {
  timersBefore = refTimers();
});

/** Resolves true if something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

describe("messages out of phase (DESIGN.md principle 2)", () => {
  test("CVE-2023-48795 rules: USERAUTH_REQUEST before NEWKEYS is a strict-kex violation (KEY_EXCHANGE_FAILED)", async () => {
    const side = scriptedSession();
    side.client.inject(passwordRequest());
    await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
    expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.KEY_EXCHANGE_FAILED);
    expect(side.conn.closeError?.code).toBe("ERR_STRICT_KEX_VIOLATION");
    expect(side.conn.authenticated).toBe(false);
    await expectCleanEnd(side, timersBefore);
  });

  test("without strict kex, USERAUTH_REQUEST before NEWKEYS is still fatal (PROTOCOL_ERROR)", async () => {
    // OpenSSH answers it with UNIMPLEMENTED outside strict mode (kex_protocol_error); DESIGN.md
    // principle 2 makes out-of-phase messages fatal.
    const side = scriptedSession({}, { strict: false });
    side.client.inject(passwordRequest());
    await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
    expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    expect(side.conn.closeError?.code).toBe("ERR_UNEXPECTED_MESSAGE");
    await expectCleanEnd(side, timersBefore);
  });

  const beforeAuth = {
    "before SERVICE_REQUEST": async () => {},
    "after a failed password attempt": async (side: ReturnType<typeof scriptedSession>) => {
      side.client.send(ServiceRequest.encode({ serviceName: "ssh-userauth" }));
      await side.client.next(MSG.SERVICE_ACCEPT);
      const failure = side.client.next(MSG.USERAUTH_FAILURE);
      side.client.send(passwordRequest("wrong"));
      await failure;
    },
  };

  for (const [when, prepare] of Object.entries(beforeAuth)) {
    test(`CVE-2018-7750 class: tcpip-forward ${when} ends the connection (PROTOCOL_ERROR) and binds nothing`, async () => {
      const port = await freePort();
      const side = scriptedSession();
      await side.client.until(() => side.client.isReady, "key exchange");
      await prepare(side);
      side.client.send(tcpipForward(port));
      await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
      expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
      expect(side.conn.closeError?.code).toBe("ERR_UNEXPECTED_MESSAGE");
      expect(side.client.messages(MSG.REQUEST_SUCCESS)).toHaveLength(0);
      expect(await listening(port)).toBe(false);
      await expectCleanEnd(side, timersBefore);
    });

    test(`CHANNEL_OPEN ${when} ends the connection (PROTOCOL_ERROR) and opens nothing`, async () => {
      const side = scriptedSession();
      await side.client.until(() => side.client.isReady, "key exchange");
      await prepare(side);
      side.client.send(openSession(0));
      await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
      expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
      expect(side.client.messages(MSG.CHANNEL_OPEN_CONFIRMATION)).toHaveLength(0);
      expect(side.conn.connection.openChannels).toHaveLength(0);
      await expectCleanEnd(side, timersBefore);
    });
  }

  test("CVE-2018-10933: USERAUTH_SUCCESS sent by a client is fatal and authenticates nothing", async () => {
    const port = await freePort();
    const side = scriptedSession();
    let authenticated = false;
    side.conn.on("authenticated", () => {
      authenticated = true;
    });
    await side.client.until(() => side.client.isReady, "key exchange");
    side.client.send(ServiceRequest.encode({ serviceName: "ssh-userauth" }));
    await side.client.next(MSG.SERVICE_ACCEPT);
    side.client.send(UserauthSuccess.encode({}));
    side.client.send(tcpipForward(port));
    await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
    expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    expect(authenticated).toBe(false);
    expect(side.conn.login).toBeUndefined();
    expect(side.client.messages(MSG.REQUEST_SUCCESS)).toHaveLength(0);
    expect(await listening(port)).toBe(false);
    await expectCleanEnd(side, timersBefore);
  });

  test("RFC 4253 §7.1: a second KEXINIT in the middle of the initial key exchange is fatal", async () => {
    const side = scriptedSession();
    side.client.inject(minimalKexinit());
    await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
    expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    expect(side.conn.closeError?.code).toBe("ERR_UNEXPECTED_MESSAGE");
    expect(side.conn.closeError?.message).toMatch(/KEXINIT received during key exchange/);
    await expectCleanEnd(side, timersBefore);
  });

  test("RFC 4253 §7.1: a second KEXINIT in the middle of a re-exchange is fatal", async () => {
    const side = scriptedSession();
    await side.client.authenticate("alice", "secret");
    side.client.rekey();
    side.client.inject(minimalKexinit());
    await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
    expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    expect(side.conn.closeError?.code).toBe("ERR_UNEXPECTED_MESSAGE");
    await expectCleanEnd(side, timersBefore);
  });
});

describe("unknown message numbers (RFC 4253 §11.4: UNIMPLEMENTED, in order, and carry on)", () => {
  test("150 and 255 after authentication get UNIMPLEMENTED with their sequence numbers", async () => {
    const side = scriptedSession();
    await side.client.authenticate("alice", "secret");
    const seq150 = side.client.nextSendSeq;
    side.client.send(Uint8Array.of(150));
    const seq255 = side.client.nextSendSeq;
    side.client.send(Uint8Array.of(255, 1, 2, 3));
    const reply = side.client.next(MSG.REQUEST_FAILURE, "keepalive reply");
    side.client.send(keepalive());
    await reply;
    expect(side.client.unimplemented).toEqual([seq150, seq255]);
    expect(side.client.isClosed).toBe(false);
    expect(side.server.connections).toHaveLength(1);
    // Strict kex reset the sequence numbers at NEWKEYS (rule 4): count from our NEWKEYS.
    const newkeys = side.client.sent.findIndex((p) => p.type === MSG.NEWKEYS);
    expect(seq150).toBe(side.client.sent.findIndex((p) => p.type === 150) - newkeys - 1);
    side.conn.close();
    await expectCleanEnd(side, timersBefore);
  });

  const unauthenticated = {
    "right after the key exchange": async () => {},
    "between SERVICE_ACCEPT and USERAUTH_REQUEST": async (side: ReturnType<typeof scriptedSession>) => {
      side.client.send(ServiceRequest.encode({ serviceName: "ssh-userauth" }));
      await side.client.next(MSG.SERVICE_ACCEPT);
    },
  };
  for (const [when, prepare] of Object.entries(unauthenticated)) {
    test(`an unknown message ${when} gets UNIMPLEMENTED and the login proceeds (sshd dispatch_protocol_error)`, async () => {
      const side = scriptedSession();
      await side.client.until(() => side.client.isReady, "key exchange");
      await prepare(side);
      const seq = side.client.nextSendSeq;
      side.client.send(Uint8Array.of(150));
      await side.client.until(
        () => side.client.unimplemented.length > 0 || side.client.isClosed,
        "UNIMPLEMENTED or DISCONNECT",
      );
      expect(side.client.receivedDisconnect).toBeUndefined();
      expect(side.client.unimplemented).toEqual([seq]);
      await side.client.authenticate("alice", "secret");
      expect(side.conn.authenticated).toBe(true);
      side.conn.close();
      await expectCleanEnd(side, timersBefore);
    });
  }
});

describe("strict kex violations (CVE-2023-48795; vectors-security.md §3.2)", () => {
  const generic = {
    IGNORE: Ignore.encode({ data: new Uint8Array(4) }),
    DEBUG: Debug.encode({ alwaysDisplay: false, message: "hello", languageTag: "" }),
    UNIMPLEMENTED: Unimplemented.encode({ packetSequenceNumber: 0 }),
  };
  for (const [name, payload] of Object.entries(generic)) {
    test(`${name} during the initial key exchange: DISCONNECT KEY_EXCHANGE_FAILED`, async () => {
      const side = scriptedSession();
      side.client.inject(payload);
      await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
      expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.KEY_EXCHANGE_FAILED);
      expect(side.conn.closeError?.code).toBe("ERR_STRICT_KEX_VIOLATION");
      await expectCleanEnd(side, timersBefore);
    });

    test(`${name} before KEXINIT: KEXINIT was not the first packet (KEY_EXCHANGE_FAILED)`, async () => {
      const side = scriptedSession({}, { beforeKexinit: [payload] });
      await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
      expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.KEY_EXCHANGE_FAILED);
      expect(side.conn.closeError?.message).toMatch(/KEXINIT was not the first packet/);
      await expectCleanEnd(side, timersBefore);
    });
  }

  test("without strict kex the same IGNORE is tolerated and the login proceeds (RFC 4253 §11.2)", async () => {
    const side = scriptedSession({}, { strict: false, beforeKexinit: [generic.IGNORE] });
    side.client.inject(generic.IGNORE);
    await side.client.authenticate("alice", "secret");
    expect(side.conn.authenticated).toBe(true);
    side.conn.close();
    await expectCleanEnd(side, timersBefore);
  });
});

describe("binary packet protocol limits (RFC 4253 §6.1; CVE-2024-43410)", () => {
  /** Sends our version line and `bytes`, collects the server's plaintext answer until it closes. */
  async function rawExchange(bytes: Uint8Array) {
    const side = serverOnPipe();
    const reader = new PlaintextPeerReader();
    side.clientEnd.on("data", (b: Buffer) => reader.feed(new Uint8Array(b)));
    side.clientEnd.write(utf8Encode("SSH-2.0-Raw_1.0\r\n"));
    side.clientEnd.write(bytes);
    const rssBefore = process.memoryUsage().rss;
    await withTimeout(side.conn.closed, 2000, "the server closing the connection");
    await serverFinished(side);
    return { side, reader, rssGrowth: process.memoryUsage().rss - rssBefore };
  }

  const forged = {
    "2^32-1 (ERR_PACKET_LENGTH)": [0xffffffff, "ERR_PACKET_LENGTH"],
    "256 KiB + 8 (ERR_PACKET_LENGTH)": [256 * 1024 + 4, "ERR_PACKET_LENGTH"],
    "not a multiple of the block size (ERR_PACKET_ALIGNMENT)": [4097, "ERR_PACKET_ALIGNMENT"],
  } as const;
  for (const [name, [length, code]] of Object.entries(forged)) {
    test(`unencrypted packet_length ${name}: closed at once, nothing allocated`, async () => {
      const header = new Uint8Array(8);
      new DataView(header.buffer).setUint32(0, length);
      const { side, reader, rssGrowth } = await rawExchange(header);
      expect(side.conn.closeError?.code).toBe(code);
      expect(reader.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
      expect(rssGrowth).toBeLessThan(64 * 1024 * 1024);
      await expectCleanEnd(side, timersBefore);
    });
  }

  const sealed = {
    "2^32-8 (ERR_PACKET_LENGTH)": [0xfffffff8, "ERR_PACKET_LENGTH"],
    "not a multiple of 8 (ERR_PACKET_ALIGNMENT)": [1001, "ERR_PACKET_ALIGNMENT"],
  } as const;
  for (const [name, [length, code]] of Object.entries(sealed)) {
    test(`chacha20-poly1305 packet_length ${name}: DISCONNECT PROTOCOL_ERROR before the body arrives`, async () => {
      const side = scriptedSession();
      await side.client.authenticate("alice", "secret");
      expect(side.client.negotiated?.cipherClientToServer).toBe("chacha20-poly1305@openssh.com");
      const head = new Uint8Array(16);
      new DataView(head.buffer).setUint32(0, length);
      side.client.injectSealed(head);
      await side.client.until(() => side.client.isClosed, "the server's DISCONNECT", 2000);
      expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
      expect(side.conn.closeError?.code).toBe(code);
      await expectCleanEnd(side, timersBefore);
    });
  }

  test("garbage after the version line (an HTTP request) is a packet-length error, not a hang", async () => {
    const { side, reader } = await rawExchange(utf8Encode("GET / HTTP/1.1\r\nHost: example\r\n\r\n"));
    expect(side.conn.closeError?.code).toBe("ERR_PACKET_LENGTH");
    expect(reader.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    await expectCleanEnd(side, timersBefore);
  });
});

describe("version exchange and LoginGraceTime (RFC 4253 §4.2; sshd kex_exchange_identification)", () => {
  test("a client's pre-version line is refused at the first one, however many follow", async () => {
    const side = serverOnPipe();
    const reader = new PlaintextPeerReader();
    side.clientEnd.on("data", (b: Buffer) => reader.feed(new Uint8Array(b)));
    side.clientEnd.on("error", () => {});
    const lines = utf8Encode("hello there, this is not SSH\r\n".repeat(1000));
    side.clientEnd.write(lines);
    await withTimeout(side.conn.closed, 2000, "the server refusing the banner lines");
    await serverFinished(side);
    expect(side.conn.closeError?.code).toBe("ERR_VERSION_BAD_LINE");
    expect(side.conn.transport.remoteVersion).toBeUndefined();
    expect(side.conn.transport.bannerLines).toHaveLength(0);
    expect(reader.version).toMatch(/^SSH-2\.0-/);
    await expectCleanEnd(side, timersBefore);
  });

  test("a pre-version line with no line break is cut off at the banner line limit", async () => {
    const side = serverOnPipe();
    side.clientEnd.on("data", () => {});
    side.clientEnd.on("error", () => {});
    side.clientEnd.write(new Uint8Array(64 * 1024).fill(0x61));
    await withTimeout(side.conn.closed, 2000, "the server refusing an endless line");
    expect(side.conn.closeError?.code).toBe("ERR_VERSION_GARBAGE");
    await expectCleanEnd(side, timersBefore);
  });

  const stalls = {
    "says nothing at all": async () => {},
    "stops after its version line": async (side: ReturnType<typeof serverOnPipe>) => {
      side.clientEnd.write(utf8Encode("SSH-2.0-Silent_1.0\r\n"));
    },
  };
  for (const [what, act] of Object.entries(stalls)) {
    test(`LoginGraceTime: a client that ${what} gets DISCONNECT and is dropped`, async () => {
      const side = serverOnPipe({ loginGraceTimeMs: 300 });
      const reader = new PlaintextPeerReader();
      side.clientEnd.on("data", (b: Buffer) => reader.feed(new Uint8Array(b)));
      await act(side);
      const started = Date.now();
      await withTimeout(side.conn.closed, 3000, "LoginGraceTime");
      await serverFinished(side);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(reader.receivedDisconnect?.reasonCode).toBe(DISCONNECT.BY_APPLICATION);
      expect(reader.receivedDisconnect?.description).toMatch(/login grace time/);
      await expectCleanEnd(side, timersBefore);
    });
  }

  test("LoginGraceTime: a client that completes the key exchange but never authenticates is dropped", async () => {
    const side = scriptedSession({ loginGraceTimeMs: 300 });
    await side.client.until(() => side.client.isReady, "key exchange");
    await side.client.until(() => side.client.isClosed, "LoginGraceTime", 3000);
    expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.BY_APPLICATION);
    expect(side.conn.authenticated).toBe(false);
    await expectCleanEnd(side, timersBefore);
  });
});
