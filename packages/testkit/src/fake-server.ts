/**
 * An in-memory, scriptable SSH server for protocol tests of one layer (DESIGN.md testing layer 3):
 * it speaks the server side of RFC 4253 (version, KEXINIT, curve25519 ECDH reply signed with an
 * ed25519 host key, NEWKEYS, strict kex when told to) and of just enough RFC 4252/4254 to log a
 * client in and grant forwardings — and lets a test inject, drop or corrupt messages at each step.
 * It is a test double, not the embedded server.
 * @module
 */
import { deriveKey, getCipher, getKex, type KexServerExchange } from "@purssh/crypto";
import { ed25519PrivateKeyFromSeed, type PrivateKey } from "@purssh/keys";
import { buildKexinit, PacketReader, PacketWriter, VersionExchange } from "@purssh/transport";
import { KexEcdhInit, KexEcdhReply, Kexinit, MSG, SshWriter, utf8Encode } from "@purssh/wire";

export interface FakeServerOptions {
  /** Advertise kex-strict-s-v00@openssh.com (default true). */
  strict?: boolean;
  version?: string;
  /** Lines sent before the version line. */
  bannerLines?: string[];
  cipher?: string;
  /** An ECDH-style key exchange (string-encoded public values); default curve25519-sha256. */
  kex?: string;
  /** Randomness for cookies, padding and ephemeral keys (default crypto.getRandomValues). */
  random?: (n: number) => Uint8Array;
  /** A fixed 32-byte host key seed (default: bytes 1..32). */
  hostKeySeed?: Uint8Array;
  /** Replace the signature in KEX_ECDH_REPLY (to test signature checks). */
  corruptSignature?: boolean;
  /** Payloads sent right after our KEXINIT, before the client's ECDH_INIT is answered. */
  afterKexinit?: Uint8Array[];
  /** Payloads sent before our KEXINIT. */
  beforeKexinit?: Uint8Array[];
  /** Payloads sent between KEX_ECDH_REPLY and NEWKEYS. */
  afterReply?: Uint8Array[];
  /** Handles every message after NEWKEYS; default: auth `none` succeeds, forwards are granted. */
  onMessage?(payload: Uint8Array, server: FakeServer): void;
}

export class FakeServer {
  readonly hostKey: PrivateKey;
  /** Messages received after the key exchange, in order. */
  readonly received: Uint8Array[] = [];
  private readonly reader = new PacketReader();
  private readonly writer: PacketWriter;
  private readonly random: (n: number) => Uint8Array;
  /** H of the latest key exchange. */
  lastExchangeHash: Uint8Array | undefined;
  private version: VersionExchange | undefined = new VersionExchange(false);
  private clientVersion = "";
  /** The client's latest KEXINIT payload. */
  clientKexinit: Uint8Array | undefined;
  private ourKexinit: Uint8Array | undefined;
  private sessionId: Uint8Array | undefined;
  private pendingIncoming: ReturnType<NonNullable<ReturnType<typeof getCipher>>["create"]> | undefined;
  private sendSeq = 0;
  private recvSeq = 0;
  private strictActive = false;
  private kexDone = false;
  /** Whether our KEXINIT for the key exchange in progress has been sent. */
  private kexinitSent = false;
  private nextPort = 40000;
  readonly serverVersion: string;

  constructor(
    /** Where bytes for the client go. */
    private readonly toClient: (bytes: Uint8Array) => void,
    readonly options: FakeServerOptions = {},
  ) {
    this.hostKey = ed25519PrivateKeyFromSeed(options.hostKeySeed ?? Uint8Array.from({ length: 32 }, (_, i) => i + 1));
    this.serverVersion = options.version ?? "SSH-2.0-FakeServer_1.0";
    this.random = options.random ?? ((n) => crypto.getRandomValues(new Uint8Array(n)));
    this.writer = new PacketWriter(this.random);
  }

  /** Sends banner lines, the version line and our KEXINIT. */
  start(): void {
    for (const line of this.options.bannerLines ?? []) this.toClient(utf8Encode(`${line}\r\n`));
    this.toClient(utf8Encode(`${this.serverVersion}\r\n`));
    for (const p of this.options.beforeKexinit ?? []) this.send(p);
    this.sendKexinit(true);
  }

  sendKexinit(initial: boolean): void {
    const strict = this.options.strict ?? true;
    this.ourKexinit = Kexinit.encode({
      cookie: this.random(16),
      kexAlgorithms: [
        this.options.kex ?? "curve25519-sha256",
        ...(initial ? ["ext-info-s", ...(strict ? ["kex-strict-s-v00@openssh.com"] : [])] : []),
      ],
      serverHostKeyAlgorithms: ["ssh-ed25519"],
      encryptionAlgorithmsClientToServer: [this.options.cipher ?? "chacha20-poly1305@openssh.com"],
      encryptionAlgorithmsServerToClient: [this.options.cipher ?? "chacha20-poly1305@openssh.com"],
      macAlgorithmsClientToServer: [],
      macAlgorithmsServerToClient: [],
      compressionAlgorithmsClientToServer: ["none"],
      compressionAlgorithmsServerToClient: ["none"],
      languagesClientToServer: [],
      languagesServerToClient: [],
      firstKexPacketFollows: false,
      reserved: 0,
    });
    this.kexinitSent = true;
    this.send(this.ourKexinit);
    for (const p of this.options.afterKexinit ?? []) this.send(p);
  }

  /** Sends one payload under the current keys. */
  send(payload: Uint8Array): void {
    this.toClient(this.writer.build(this.sendSeq, payload));
    this.sendSeq = (this.sendSeq + 1) >>> 0;
  }

  /** Sends raw bytes, bypassing framing. */
  sendRaw(bytes: Uint8Array): void {
    this.toClient(bytes);
  }

  /** Bytes from the client. */
  receive(bytes: Uint8Array): void {
    if (this.version) {
      const v = this.version.feed(bytes);
      if (!v) return;
      this.clientVersion = v.version;
      this.version = undefined;
      bytes = v.rest;
    }
    this.reader.push(bytes);
    for (;;) {
      const p = this.reader.next(this.recvSeq);
      if (!p) return;
      this.recvSeq = (this.recvSeq + 1) >>> 0;
      this.dispatch(p);
    }
  }

  private dispatch(p: Uint8Array): void {
    switch (p[0]) {
      case MSG.KEXINIT:
        this.clientKexinit = p;
        if (!this.kexinitSent) this.sendKexinit(false);
        if (
          !this.kexDone &&
          (this.options.strict ?? true) &&
          Kexinit.decode(p).kexAlgorithms.includes("kex-strict-c-v00@openssh.com")
        ) {
          this.strictActive = true;
        }
        return;
      case MSG.KEX_ECDH_INIT:
        this.onEcdhInit(p);
        return;
      case MSG.NEWKEYS:
        this.reader.cipher = this.pendingIncoming!;
        if (this.strictActive) this.recvSeq = 0;
        this.kexDone = true;
        this.kexinitSent = false;
        return;
      default:
        this.received.push(p);
        (this.options.onMessage ?? defaultOnMessage)(p, this);
    }
  }

  private onEcdhInit(p: Uint8Array): void {
    const kex = getKex(this.options.kex ?? "curve25519-sha256")!;
    const exchange: KexServerExchange = kex.createServer(this.random);
    const { clientEphemeralPublicKey } = KexEcdhInit.decode(p);
    const K = exchange.computeSharedSecret(clientEphemeralPublicKey);
    const hostKeyBlob = this.hostKey.publicKey.blob;
    const H = kex.hash(
      new SshWriter(2048)
        .utf8(this.clientVersion)
        .utf8(this.serverVersion)
        .string(this.clientKexinit!)
        .string(this.ourKexinit!)
        .string(hostKeyBlob)
        .string(clientEphemeralPublicKey)
        .string(exchange.publicKey)
        .raw(K)
        .finish(),
    );
    this.sessionId ??= H;
    this.lastExchangeHash = H;
    let signature = this.hostKey.sign(H);
    if (this.options.corruptSignature) {
      signature = signature.slice();
      signature[signature.length - 1]! ^= 1;
    }
    this.send(KexEcdhReply.encode({ hostKey: hostKeyBlob, serverEphemeralPublicKey: exchange.publicKey, signature }));
    for (const q of this.options.afterReply ?? []) this.send(q);
    const name = this.options.cipher ?? "chacha20-poly1305@openssh.com";
    const alg = getCipher(name)!;
    const d = (letter: "A" | "B" | "C" | "D", n: number) => deriveKey(kex.hash, K, H, this.sessionId!, letter, n);
    this.send(Uint8Array.of(MSG.NEWKEYS));
    this.writer.cipher = alg.create(d("D", alg.keyLength), d("B", alg.ivLength), "seal");
    if (this.strictActive) this.sendSeq = 0;
    this.pendingIncoming = alg.create(d("C", alg.keyLength), d("A", alg.ivLength), "open");
  }

  /** A port number for the next port-0 forwarding. */
  allocatePort(): number {
    return this.nextPort++;
  }
}

/** Accepts the ssh-userauth service, lets `none` succeed, grants every tcpip-forward. */
export function defaultOnMessage(p: Uint8Array, server: FakeServer): void {
  switch (p[0]) {
    case MSG.SERVICE_REQUEST:
      server.send(new SshWriter().byte(MSG.SERVICE_ACCEPT).utf8("ssh-userauth").finish());
      return;
    case MSG.USERAUTH_REQUEST:
      server.send(Uint8Array.of(MSG.USERAUTH_SUCCESS));
      return;
    case MSG.GLOBAL_REQUEST: {
      const port = server.allocatePort();
      server.send(new SshWriter().byte(MSG.REQUEST_SUCCESS).uint32(port).finish());
      return;
    }
  }
}

/**
 * An in-memory byte link between a client core and a FakeServer. Bytes are queued and delivered
 * from `settle()`, never re-entrantly from inside a sender, as a socket would.
 */
export class MemoryLink {
  private readonly toServer: Uint8Array[] = [];
  private readonly toClient: Uint8Array[] = [];
  client: { receive(bytes: Uint8Array): void } | undefined;
  server: { receive(bytes: Uint8Array): void } | undefined;
  /** Bytes the client sent, in order (for inspection). */
  readonly clientBytes: Uint8Array[] = [];

  readonly sendToServer = (b: Uint8Array): void => {
    this.toServer.push(b.slice());
    this.clientBytes.push(b.slice());
  };
  readonly sendToClient = (b: Uint8Array): void => {
    this.toClient.push(b.slice());
  };

  /** Delivers until nothing moves for a few macrotask turns (promises included). */
  async settle(): Promise<void> {
    for (let idle = 0; idle < 3; ) {
      let moved = false;
      while (this.toServer.length > 0 || this.toClient.length > 0) {
        const s = this.toServer.shift();
        if (s) this.server?.receive(s);
        const c = this.toClient.shift();
        if (c) this.client?.receive(c);
        moved = true;
      }
      await new Promise((r) => setTimeout(r, 0));
      idle = moved ? 0 : idle + 1;
    }
  }
}

/**
 * A KEXINIT offering one algorithm per category (curve25519-sha256, ssh-ed25519,
 * chacha20-poly1305@openssh.com, no compression) and no strict-kex or ext-info markers: the
 * payload fault tests inject where no KEXINIT belongs.
 */
export function minimalKexinit(): Uint8Array {
  return Kexinit.encode(
    buildKexinit(
      {
        kex: ["curve25519-sha256"],
        hostKey: ["ssh-ed25519"],
        cipher: ["chacha20-poly1305@openssh.com"],
        mac: [],
        compression: ["none"],
      },
      new Uint8Array(16),
      "client",
      false,
    ),
  );
}
