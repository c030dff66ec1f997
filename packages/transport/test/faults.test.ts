// The client transport against a scripted server (FakeServer over a MemoryLink; DESIGN.md testing
// layer 3): for each fault, the DISCONNECT the client sends — decoded on the server's side — and
// the typed error it closes with. strict-kex.test.ts and handshake.test.ts pin the errors; this
// file pins the reason codes the peer is told (RFC 4253 §11.1).
import { MemoryLink, minimalKexinit, PlaintextPeerReader } from "@purssh/testkit";
import { Transport } from "@purssh/transport";
import { Debug, DISCONNECT, Disconnect, Ignore, MSG, type SshError, Unimplemented, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { handshake } from "./harness.js";

/** The DISCONNECT the client sent, decoded, if any reached the server. */
function sentDisconnect(server: ReturnType<typeof handshake>["server"]): Disconnect | undefined {
  const p = server.received.find((m) => m[0] === MSG.DISCONNECT);
  return p && Disconnect.decode(p);
}

const generic = {
  IGNORE: Ignore.encode({ data: new Uint8Array(4) }),
  DEBUG: Debug.encode({ alwaysDisplay: true, message: "injected", languageTag: "" }),
  UNIMPLEMENTED: Unimplemented.encode({ packetSequenceNumber: 1 }),
};

describe("strict kex violations are answered with DISCONNECT KEY_EXCHANGE_FAILED (CVE-2023-48795)", () => {
  for (const [name, payload] of Object.entries(generic)) {
    for (const where of ["afterKexinit", "afterReply"] as const) {
      test(`${name} ${where === "afterKexinit" ? "between KEXINIT and the ECDH reply" : "between the ECDH reply and NEWKEYS"}`, async () => {
        const { link, server, outcome } = handshake({ strict: true, [where]: [payload] });
        await link.settle();
        expect(outcome.error?.code).toBe("ERR_STRICT_KEX_VIOLATION");
        expect(sentDisconnect(server)?.reasonCode).toBe(DISCONNECT.KEY_EXCHANGE_FAILED);
      });
    }

    test(`${name} before the server's KEXINIT: KEXINIT was not the first packet`, async () => {
      const { link, server, outcome } = handshake({ strict: true, beforeKexinit: [payload] });
      await link.settle();
      expect(outcome.error?.message).toMatch(/KEXINIT was not the first packet/);
      expect(sentDisconnect(server)?.reasonCode).toBe(DISCONNECT.KEY_EXCHANGE_FAILED);
    });
  }
});

describe("out-of-phase and malformed input from the server: DISCONNECT PROTOCOL_ERROR", () => {
  test("RFC 4253 §7.1: a KEXINIT in the middle of the key exchange", async () => {
    const kexinit = minimalKexinit();
    const { link, server, outcome } = handshake({ strict: true, afterReply: [kexinit] });
    await link.settle();
    expect(outcome.ready).toBe(false);
    expect(outcome.error?.code).toBe("ERR_UNEXPECTED_MESSAGE");
    expect(sentDisconnect(server)?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
  });

  const forged = {
    "2^32-1": [0xffffffff, "ERR_PACKET_LENGTH"],
    "256 KiB + 4": [256 * 1024 + 4, "ERR_PACKET_LENGTH"],
    "4097 (not a multiple of the block size)": [4097, "ERR_PACKET_ALIGNMENT"],
  } as const;
  for (const [name, [length, code]] of Object.entries(forged)) {
    test(`CVE-2024-43410: packet_length ${name} is refused from its first four bytes`, async () => {
      const { link, server, outcome } = handshake();
      const header = new Uint8Array(4);
      new DataView(header.buffer).setUint32(0, length);
      server.sendRaw(header);
      await link.settle();
      expect(outcome.error?.code).toBe(code);
      expect(sentDisconnect(server)?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    });
  }

  test("garbage right after the server's version line is a packet-length error with DISCONNECT", async () => {
    const link = new MemoryLink();
    const seen = new PlaintextPeerReader();
    link.server = { receive: (b) => seen.feed(b) };
    let error: SshError | undefined;
    const client = new Transport(
      { role: "client", verifyHostKey: () => true },
      { output: link.sendToServer, message: () => true, ready: () => {}, close: (e) => (error = e) },
    );
    link.client = client;
    client.start();
    link.sendToClient(utf8Encode("SSH-2.0-Garbage\r\nHTTP/1.1 400 Bad Request\r\n\r\n"));
    await link.settle();
    // "HTTP" read as a packet_length is 0x48545450: over a gigabyte.
    expect(error?.code).toBe("ERR_PACKET_LENGTH");
    expect(seen.payloads[0]?.[0]).toBe(MSG.KEXINIT);
    expect(seen.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
  });
});
