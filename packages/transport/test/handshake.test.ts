import { MAX_BANNER_LINES } from "@purssh/transport";
import { Disconnect, Ignore, MSG, SshReader, Unimplemented, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { bareTransport, handshake } from "./harness.js";

describe("version exchange (RFC 4253 §4.2)", () => {
  test("lines a server sends before its identification string are skipped and kept", async () => {
    const { link, outcome, client } = handshake({ bannerLines: ["Welcome", "to the server"] });
    await link.settle();
    expect(outcome.ready).toBe(true);
    expect(client.bannerLines).toEqual(["Welcome", "to the server"]);
    expect(client.remoteVersion).toBe("SSH-2.0-FakeServer_1.0");
  });

  test(`more than ${MAX_BANNER_LINES} pre-version lines end the connection`, async () => {
    const lines = Array.from({ length: MAX_BANNER_LINES + 1 }, (_, i) => `line ${i}`);
    const { link, outcome } = handshake({ bannerLines: lines });
    await link.settle();
    expect(outcome.error?.code).toBe("ERR_VERSION_TOO_MANY_LINES");
  });

  test("SSH-1.5 is refused with a message naming the version", async () => {
    const { link, outcome } = handshake({ version: "SSH-1.5-Old" });
    await link.settle();
    expect(outcome.error?.code).toBe("ERR_VERSION_UNSUPPORTED");
    expect(outcome.error?.message).toContain("SSH-1.5-Old");
  });

  test("SSH-1.99 means 2.0-compatible and is accepted", async () => {
    const { link, outcome } = handshake({ version: "SSH-1.99-Compat" });
    await link.settle();
    expect(outcome.ready).toBe(true);
  });

  test("an identification line over 255 bytes is refused", async () => {
    const { link, outcome } = handshake({ version: `SSH-2.0-${"x".repeat(260)}` });
    await link.settle();
    expect(outcome.error?.code).toBe("ERR_VERSION_LINE_TOO_LONG");
  });

  test("binary garbage instead of a version line is a typed error, not a hang", async () => {
    const { t, outcome } = bareTransport();
    t.start();
    t.receive(new Uint8Array(9000).fill(0xab));
    expect(outcome.error?.code).toBe("ERR_VERSION_GARBAGE");
  });

  test("a server that closes mid-version gets a message saying what it sent", () => {
    const { t, outcome } = bareTransport();
    t.start();
    t.receive(utf8Encode("HTTP/1.1 400 Bad Request\r\n"));
    t.peerClosed();
    expect(outcome.error?.code).toBe("ERR_CONNECTION_CLOSED");
    expect(outcome.error?.message).toMatch(/before the server sent its SSH identification line.*HTTP\/1.1 400/);
  });

  test("a silent server hits the handshake timeout", () => {
    let now = 1000;
    const { t, outcome } = bareTransport({ handshakeTimeoutMs: 5000, now: () => now });
    t.start();
    t.tick(now + 4999);
    expect(outcome.error).toBeUndefined();
    now += 5000;
    t.tick(now);
    expect(outcome.error?.code).toBe("ERR_HANDSHAKE_TIMEOUT");
    expect(outcome.error?.message).toMatch(/identification line/);
  });
});

describe("host-key verification (RFC 4253 §8) fails closed", () => {
  test("a verifier returning false rejects the key", async () => {
    const { link, outcome } = handshake({}, { verifyHostKey: () => false });
    await link.settle();
    expect(outcome.ready).toBe(false);
    expect(outcome.error?.code).toBe("ERR_HOST_KEY_REJECTED");
  });

  test("a verifier that throws rejects the key (CVE-2025-26465 lesson)", async () => {
    const { link, outcome } = handshake(
      {},
      {
        verifyHostKey: () => {
          throw new Error("boom");
        },
      },
    );
    await link.settle();
    expect(outcome.error?.code).toBe("ERR_HOST_KEY_REJECTED");
    expect(outcome.error?.message).toContain("boom");
  });

  test("a truthy non-true answer rejects the key", async () => {
    const { link, outcome } = handshake({}, { verifyHostKey: () => "yes" as unknown as boolean });
    await link.settle();
    expect(outcome.error?.code).toBe("ERR_HOST_KEY_REJECTED");
  });

  test("an asynchronous verifier holds the handshake until it answers", async () => {
    let release!: (v: boolean) => void;
    const { link, outcome } = handshake({}, { verifyHostKey: () => new Promise<boolean>((r) => (release = r)) });
    await link.settle();
    expect(outcome.ready).toBe(false);
    release(true);
    await link.settle();
    expect(outcome.ready).toBe(true);
  });

  test("input held while the verifier decides is bounded: the adapter is told to stop reading", async () => {
    let release!: (v: boolean) => void;
    let resumed = 0;
    const { link, outcome, server, client } = handshake(
      {},
      { verifyHostKey: () => new Promise<boolean>((r) => (release = r)) },
    );
    (client as unknown as { handlers: { inputResumed?: () => void } }).handlers.inputResumed = () => resumed++;
    await link.settle();
    expect(client.wantsInput).toBe(true);
    // The server keeps talking while we decide; its packets wait, unprocessed, in our inbox.
    for (let i = 0; i < 40; i++) server.send(Ignore.encode({ data: new Uint8Array(32 * 1024) }));
    await link.settle();
    expect(client.bufferedInput).toBeGreaterThan(1024 * 1024);
    expect(client.wantsInput).toBe(false);
    expect(outcome.ready).toBe(false);
    release(true);
    await link.settle();
    expect(outcome.ready).toBe(true);
    expect(outcome.closed).toBe(false);
    expect(client.wantsInput).toBe(true);
    expect(resumed).toBe(1);
  });

  test("a bad signature over the exchange hash is fatal before the verifier is asked", async () => {
    let asked = false;
    const { link, outcome } = handshake({ corruptSignature: true }, { verifyHostKey: () => (asked = true) });
    await link.settle();
    expect(outcome.error?.code).toBe("ERR_HOST_KEY_SIGNATURE");
    expect(asked).toBe(false);
  });
});

describe("after the key exchange", () => {
  test("IGNORE, DEBUG and UNIMPLEMENTED are absorbed (RFC 4253 §11)", async () => {
    const { link, outcome, server } = handshake();
    await link.settle();
    server.send(Ignore.encode({ data: new Uint8Array(10) }));
    server.send(Uint8Array.of(MSG.DEBUG, 0, 0, 0, 0, 1, 0x41, 0, 0, 0, 0));
    server.send(Unimplemented.encode({ packetSequenceNumber: 5 }));
    await link.settle();
    expect(outcome.closed).toBe(false);
    expect(outcome.messages).toHaveLength(0);
  });

  test("an unknown message number is answered with UNIMPLEMENTED carrying its sequence number", async () => {
    const received: Uint8Array[] = [];
    const { link, outcome, server } = handshake({ onMessage: (p) => received.push(p) });
    await link.settle();
    server.send(Uint8Array.of(15));
    await link.settle();
    expect(outcome.closed).toBe(false);
    const reply = received.find((p) => p[0] === MSG.UNIMPLEMENTED)!;
    expect(reply).toBeDefined();
    // Strict kex reset the server's counter at NEWKEYS: the unknown message was its packet 0.
    expect(Unimplemented.decode(reply).packetSequenceNumber).toBe(0);
  });

  test("a message the upper layer does not know is answered with UNIMPLEMENTED", async () => {
    const received: Uint8Array[] = [];
    const link = handshake({ onMessage: (p) => received.push(p) });
    // The harness's upper layer accepts everything; make one that knows nothing.
    await link.link.settle();
    link.server.send(Uint8Array.of(199, 1, 2));
    await link.link.settle();
    expect(link.outcome.messages.map((m) => m[0])).toEqual([199]);
  });

  test("DISCONNECT from the server closes with its reason and description", async () => {
    const { link, outcome, server } = handshake();
    await link.settle();
    server.send(Disconnect.encode({ reasonCode: 11, description: "bye now", languageTag: "" }));
    await link.settle();
    expect(outcome.error?.code).toBe("ERR_PEER_DISCONNECTED");
    expect(outcome.error?.message).toMatch(/bye now.*BY_APPLICATION/);
  });

  test("a server-initiated key re-exchange is answered and traffic continues (RFC 4253 §9)", async () => {
    const received: Uint8Array[] = [];
    const { link, outcome, server, client } = handshake({ onMessage: (p) => received.push(p) });
    await link.settle();
    server.sendKexinit(false);
    client.send(Uint8Array.of(200, 1));
    await link.settle();
    expect(outcome.error).toBeUndefined();
    server.send(Uint8Array.of(201, 2));
    client.send(Uint8Array.of(200, 3));
    await link.settle();
    expect(outcome.closed).toBe(false);
    expect(received.filter((p) => p[0] === 200).map((p) => p[1])).toEqual([1, 3]);
    expect(outcome.messages.map((p) => p[0])).toEqual([201]);
  });

  test("payloads sent during a key exchange are queued and delivered in order after NEWKEYS", async () => {
    const received: Uint8Array[] = [];
    const { link, outcome, client } = handshake({ onMessage: (p) => received.push(p) });
    await link.settle();
    client.rekey();
    expect(client.writable).toBe(false);
    for (let i = 0; i < 5; i++) client.send(Uint8Array.of(200, i));
    await link.settle();
    expect(outcome.error).toBeUndefined();
    expect(client.writable).toBe(true);
    expect(received.filter((p) => p[0] === 200).map((p) => p[1])).toEqual([0, 1, 2, 3, 4]);
  });

  test("aes256-gcm@openssh.com negotiates when it is the server's only cipher", async () => {
    const { link, outcome, client } = handshake({ cipher: "aes256-gcm@openssh.com" });
    await link.settle();
    expect(outcome.ready).toBe(true);
    expect(client.negotiated?.cipherServerToClient).toBe("aes256-gcm@openssh.com");
  });

  test("EXT_INFO is read after NEWKEYS (RFC 8308 §2.4)", async () => {
    const { link, server, client } = handshake();
    await link.settle();
    server.send(
      Uint8Array.of(
        MSG.EXT_INFO,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        15,
        ...utf8Encode("server-sig-algs"),
        0,
        0,
        0,
        11,
        ...utf8Encode("ssh-ed25519"),
      ),
    );
    await link.settle();
    expect(new SshReader(client.extensions.get("server-sig-algs")!).rest()).toEqual(utf8Encode("ssh-ed25519"));
  });
});

describe("binary packet protocol limits (RFC 4253 §6)", () => {
  test("a 2^31-byte packet length is refused before anything is allocated (CVE-2024-43410)", async () => {
    const { t, outcome } = bareTransport();
    t.start();
    t.receive(utf8Encode("SSH-2.0-x\r\n"));
    t.receive(Uint8Array.of(0x80, 0, 0, 0, 4, 1, 2, 3));
    expect(outcome.error?.code).toBe("ERR_PACKET_LENGTH");
  });

  test("padding shorter than 4 bytes is refused", async () => {
    const { t, outcome } = bareTransport();
    t.start();
    t.receive(utf8Encode("SSH-2.0-x\r\n"));
    // packet_length 12, padding_length 3: 4+12 = 16 is block-aligned but the padding is too short
    t.receive(Uint8Array.of(0, 0, 0, 12, 3, 20, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0));
    expect(outcome.error?.code).toBe("ERR_PACKET_PADDING");
  });

  test("a corrupted encrypted packet is a MAC error, never a crash", async () => {
    const { link, outcome, server } = handshake();
    await link.settle();
    const wire: Uint8Array[] = [];
    const original = link.sendToClient;
    (server as unknown as { toClient: (b: Uint8Array) => void }).toClient = (b) => wire.push(b);
    server.send(Ignore.encode({ data: new Uint8Array(40) }));
    const bad = wire[0]!.slice();
    bad[20]! ^= 0x01;
    original(bad);
    await link.settle();
    expect(outcome.error?.code).toMatch(/MAC/);
  });
});
