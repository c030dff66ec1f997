import { Debug, Ignore, Kexinit, MSG, Unimplemented } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { handshake } from "./harness.js";

const ignore = Ignore.encode({ data: new Uint8Array(3) });
const debug = Debug.encode({ alwaysDisplay: false, message: "hi", languageTag: "" });
const unimplemented = Unimplemented.encode({ packetSequenceNumber: 0 });
const unknown = Uint8Array.of(199);
const channelOpenEarly = Uint8Array.of(MSG.CHANNEL_OPEN, 0, 0, 0, 0);

const injections = {
  IGNORE: ignore,
  DEBUG: debug,
  UNIMPLEMENTED: unimplemented,
  "unknown 199": unknown,
  "early CHANNEL_OPEN": channelOpenEarly,
};

describe("strict kex (OpenSSH PROTOCOL §1.9, CVE-2023-48795)", () => {
  test("a strict handshake completes and resets sequence numbers after NEWKEYS (else the AEAD fails)", async () => {
    const { link, outcome, server } = handshake({ strict: true });
    await link.settle();
    expect(outcome.error).toBeUndefined();
    expect(outcome.ready).toBe(true);
    // The server reset its counters; data after NEWKEYS decrypts only if we did too.
    server.send(ignore);
    await link.settle();
    expect(outcome.closed).toBe(false);
  });

  test("a non-strict server (no marker) keeps counting: mixed mode interoperates", async () => {
    const { link, outcome } = handshake({ strict: false });
    await link.settle();
    expect(outcome.error).toBeUndefined();
    expect(outcome.ready).toBe(true);
  });

  for (const [name, payload] of Object.entries(injections)) {
    test(`${name} before the server's KEXINIT is fatal under strict kex (KEXINIT must be the first packet)`, async () => {
      const { link, outcome } = handshake({ strict: true, beforeKexinit: [payload] });
      await link.settle();
      expect(outcome.ready).toBe(false);
      // Messages that are never legal before the key exchange fail at once; the transport-generic
      // ones are caught when the KEXINIT arrives with a sequence number other than 0.
      const generic = payload[0]! < 20;
      expect(outcome.error?.code).toBe(generic ? "ERR_STRICT_KEX_VIOLATION" : "ERR_UNEXPECTED_MESSAGE");
      if (generic) expect(outcome.error?.message).toMatch(/KEXINIT was not the first packet/);
    });

    test(`${name} between KEXINIT and the ECDH reply is fatal under strict kex`, async () => {
      const { link, outcome } = handshake({ strict: true, afterKexinit: [payload] });
      await link.settle();
      expect(outcome.ready).toBe(false);
      expect(outcome.error?.code).toBe("ERR_STRICT_KEX_VIOLATION");
      expect(outcome.error?.message).toMatch(/during initial key exchange/);
    });

    test(`${name} between the ECDH reply and NEWKEYS is fatal under strict kex`, async () => {
      const { link, outcome } = handshake({ strict: true, afterReply: [payload] });
      await link.settle();
      expect(outcome.ready).toBe(false);
      expect(outcome.error?.code).toBe("ERR_STRICT_KEX_VIOLATION");
    });
  }

  test("without strict kex, IGNORE and DEBUG during the handshake are tolerated (RFC 4253 §11.2, §11.3)", async () => {
    const { link, outcome } = handshake({
      strict: false,
      beforeKexinit: [ignore, debug],
      afterKexinit: [ignore],
      afterReply: [debug],
    });
    await link.settle();
    expect(outcome.error).toBeUndefined();
    expect(outcome.ready).toBe(true);
  });

  test("without strict kex, a connection-layer message before the key exchange completes is fatal", async () => {
    const { link, outcome } = handshake({ strict: false, afterKexinit: [channelOpenEarly] });
    await link.settle();
    expect(outcome.error?.code).toBe("ERR_UNEXPECTED_MESSAGE");
  });

  test("the strict-kex markers are only sent in the first KEXINIT (rule 1)", async () => {
    const { link, outcome, client, server } = handshake({ strict: true });
    await link.settle();
    expect(outcome.ready).toBe(true);
    expect(Kexinit.decode(server.clientKexinit!).kexAlgorithms).toContain("kex-strict-c-v00@openssh.com");
    client.rekey();
    await link.settle();
    expect(outcome.error).toBeUndefined();
    const again = Kexinit.decode(server.clientKexinit!).kexAlgorithms;
    expect(again).not.toContain("kex-strict-c-v00@openssh.com");
    expect(again).not.toContain("ext-info-c");
  });
});
