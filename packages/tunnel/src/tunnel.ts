/**
 * SSHReverseTunnel: the seed class (seeds/000_5e94b3a2698bd633.txt, behaviour in
 * reference/ipworks-spec.md) as a thin facade over @purssh/client. Connect with SSHLogon, ask the
 * server to listen with requestForwarding, and receive each connection made to that port either as
 * events (SSHChannelOpenRequest / SSHChannelData / sendChannelData) or relayed to a local
 * host:port.
 * @module
 */
import { EventEmitter } from "node:events";
import type * as net from "node:net";
import type { AuthMethod } from "@purssh/auth";
import { connect, type ForwardedConnection, type RemoteListener, type SshClient } from "@purssh/client";
import {
  certifiedPrivateKey,
  fingerprintHex,
  fingerprintSha1,
  fingerprintSha256,
  parseCertificate,
} from "@purssh/keys";
import { connectTcp } from "@purssh/net";
import { DecodePacket, EncodePacket, equalBytes, GetSSHParam, GetSSHParamBytes, SetSSHParam } from "@purssh/wire";
import type { Certificate } from "./certificate.js";
import { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
import {
  channelDataEvent,
  type SSHChannelOpenRequestEvent,
  type SSHReverseTunnelEvents,
  serverAuthenticationEvent,
} from "./events.js";
import { defaultSettings, runConfig, type TunnelSettings } from "./settings.js";
import { buildConfigTable } from "./tunnel-config.js";

/** SSHAuthMode values (ipworks-spec.md §6). */
export const SSHAuthModes = {
  amNone: 0,
  amMultiFactor: 1,
  amPassword: 2,
  amPublicKey: 3,
  amKeyboardInteractive: 4,
  amGSSAPIWithMic: 5,
  amCustom: 6,
} as const;
export type SSHAuthMode = (typeof SSHAuthModes)[keyof typeof SSHAuthModes];

interface TunnelChannel {
  id: string;
  conn: ForwardedConnection;
  local: net.Socket | undefined;
}

interface Forwarding {
  listener: RemoteListener;
  address: string;
  requestedPort: number;
}

export class SSHReverseTunnel extends EventEmitter<SSHReverseTunnelEvents> {
  private host = "";
  private port = 22;
  private user = "";
  private password = "";
  private authMode: SSHAuthMode = SSHAuthModes.amPassword;
  private cert: Certificate | undefined;
  private acceptServerHostKey: Certificate | undefined;
  /** @internal read by the config table */
  settings: TunnelSettings = defaultSettings();
  private client: SshClient | undefined;
  private forwardings: Forwarding[] = [];
  private readonly channels = new Map<string, TunnelChannel>();
  private nextChannelId = 1;
  private loggingOff = false;

  // ---- properties ----------------------------------------------------------------------------

  getSSHHost(): string {
    return this.host;
  }
  setSSHHost(v: string): void {
    this.assertNotConnected("SSHHost");
    this.host = v;
  }
  getSSHPort(): number {
    return this.port;
  }
  setSSHPort(v: number): void {
    this.assertNotConnected("SSHPort");
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw this.invalid(`SSHPort must be 1..65535, got ${v}`);
    this.port = v;
  }
  getSSHUser(): string {
    return this.user;
  }
  setSSHUser(v: string): void {
    this.user = v;
  }
  getSSHPassword(): string {
    return this.password;
  }
  setSSHPassword(v: string): void {
    this.password = v;
  }
  getSSHAuthMode(): SSHAuthMode {
    return this.authMode;
  }
  setSSHAuthMode(v: SSHAuthMode): void {
    if (!Object.values(SSHAuthModes).includes(v)) throw this.invalid(`unknown SSHAuthMode ${v}`);
    this.authMode = v;
  }
  getSSHCert(): Certificate | undefined {
    return this.cert;
  }
  setSSHCert(v: Certificate | undefined): void {
    this.cert = v;
  }
  getSSHAcceptServerHostKey(): Certificate | undefined {
    return this.acceptServerHostKey;
  }
  setSSHAcceptServerHostKey(v: Certificate | undefined): void {
    this.acceptServerHostKey = v;
  }
  getSSHEncryptionAlgorithms(): string {
    return this.settings.encryptionAlgorithms.join(",");
  }
  setSSHEncryptionAlgorithms(v: string): void {
    this.config(`SSHEncryptionAlgorithms=${v}`);
  }
  getSSHCompressionAlgorithms(): string {
    return this.settings.compressionAlgorithms.join(",");
  }
  setSSHCompressionAlgorithms(v: string): void {
    this.config(`SSHCompressionAlgorithms=${v}`);
  }
  getTimeout(): number {
    return this.settings.timeoutSeconds;
  }
  setTimeout(v: number): void {
    this.config(`Timeout=${v}`);
  }
  getLocalHost(): string {
    return this.settings.localHost;
  }
  setLocalHost(v: string): void {
    this.config(`LocalHost=${v}`);
  }
  getLocalPort(): number {
    return this.settings.localPort;
  }
  setLocalPort(v: number): void {
    this.config(`LocalPort=${v}`);
  }
  /** True while logged on. */
  getConnected(): boolean {
    return this.client !== undefined && !this.client.isClosed;
  }

  // ---- methods -------------------------------------------------------------------------------

  /** Connects, verifies the host key (SSHServerAuthentication) and authenticates per SSHAuthMode. */
  async SSHLogon(sshHost: string, sshPort: number): Promise<void> {
    if (this.getConnected()) throw new SSHTunnelError(SSHTunnelErrorCodes.ALREADY_CONNECTED, "already logged on");
    this.setSSHHost(sshHost);
    this.setSSHPort(sshPort);
    const methods = this.authMethods();
    const s = this.settings;
    let socket: net.Socket;
    try {
      this.status(`connecting to ${sshHost}:${sshPort}`);
      socket = await connectTcp({
        host: sshHost,
        port: sshPort,
        timeoutMs: (s.connectionTimeoutSeconds || s.timeoutSeconds) * 1000,
        noDelay: s.tcpNoDelay,
        keepAlive: s.tcpKeepAlive,
        ...(s.useIPv6 ? { family: 6 as const } : {}),
        ...(s.localHost ? { localAddress: s.localHost } : {}),
        ...(s.localPort ? { localPort: s.localPort } : {}),
      });
    } catch (e) {
      const err = SSHTunnelError.from(e, SSHTunnelErrorCodes.CONNECT_FAILED);
      this.emit("Connected", { statusCode: err.code, description: err.message });
      throw err;
    }
    this.emit("Connected", { statusCode: 0, description: "Connected" });
    try {
      this.client = await connect({
        host: sshHost,
        port: sshPort,
        username: this.user,
        sock: socket,
        authMethods: methods,
        hostKeys: (check) => this.checkHostKey(check.blob, check.algorithm),
        algorithms: {
          kex: s.kexAlgorithms,
          hostKey: s.hostKeyAlgorithms,
          cipher: s.encryptionAlgorithms,
          mac: s.macAlgorithms,
          compression: s.compressionAlgorithms,
        },
        timeoutMs: s.timeoutSeconds > 0 ? s.timeoutSeconds * 1000 : 0x7fffffff,
        clientVersion: s.clientVersion,
        rekeyBytes: s.rekeyBytes,
        groupExchange: { n: s.preferredDhGroupBits },
        windowSize: s.maxWindowSize,
        maxPacketSize: s.maxPacketSize,
        log: (level, text) => {
          if (level === 1) this.status(text);
          this.log(level, text);
        },
      });
    } catch (e) {
      socket.destroy();
      const err = SSHTunnelError.from(e);
      this.emit("Disconnected", { statusCode: err.code, description: err.message });
      throw err;
    }
    const client = this.client;
    s.serverVersion = client.serverVersion;
    this.loggingOff = false;
    client.on("close", (error?: Error) => this.onClientClosed(client, error));
    this.status("logged on");
  }

  /** Closes every channel, sends DISCONNECT and closes the connection. */
  async SSHLogoff(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.loggingOff = true;
    for (const ch of [...this.channels.values()]) ch.conn.destroy();
    await client.close();
  }

  /**
   * Asks the server to listen on address:port (RFC 4254 §7.1). With an empty forwardingHost each
   * connection is delivered as events; otherwise it is relayed to forwardingHost:forwardingPort.
   * Port 0 lets the server choose; config("ForwardedPort") then tells which.
   */
  async requestForwarding(
    address: string,
    port: number,
    forwardingHost: string,
    forwardingPort: number,
  ): Promise<void> {
    const client = this.requireClient();
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw this.invalid(`port must be 0..65535, got ${port}`);
    const relay = forwardingHost !== "";
    if (relay && (!Number.isInteger(forwardingPort) || forwardingPort < 1 || forwardingPort > 65535)) {
      throw this.invalid(`forwardingPort must be 1..65535, got ${forwardingPort}`);
    }
    const pendingIds = new WeakMap<object, { id: string; local: net.Socket | undefined }>();
    let listener: RemoteListener;
    try {
      listener = await client.listen({
        host: address,
        port,
        accept: async (info) => {
          const id = String(this.nextChannelId++);
          const e: SSHChannelOpenRequestEvent = {
            channelId: id,
            service: "forwarded-tcpip",
            connectedAddress: info.connectedAddress,
            connectedPort: info.connectedPort,
            originAddress: info.originAddress,
            originPort: info.originPort,
            accept: true,
          };
          this.emit("SSHChannelOpenRequest", e);
          if (e.accept !== true) {
            this.log(2, `channel ${id} refused by the application`);
            return false;
          }
          let local: net.Socket | undefined;
          if (relay) {
            try {
              local = await connectTcp({
                host: forwardingHost,
                port: forwardingPort,
                timeoutMs: (this.settings.connectionTimeoutSeconds || this.settings.timeoutSeconds) * 1000,
                ...(this.settings.forwardingLocalHost ? { localAddress: this.settings.forwardingLocalHost } : {}),
              });
            } catch (err) {
              const te = SSHTunnelError.from(err, SSHTunnelErrorCodes.CONNECT_FAILED);
              this.emit("Error", { errorCode: te.code, description: `relay for channel ${id}: ${te.message}` });
              return false;
            }
          }
          pendingIds.set(info, { id, local });
          return true;
        },
      });
    } catch (e) {
      throw SSHTunnelError.from(e);
    }
    this.forwardings.push({ listener, address, requestedPort: port });
    this.settings.forwardedPort = listener.port;
    listener.on("connection", (conn: ForwardedConnection) => {
      const pending = pendingIds.get(conn.info);
      if (!pending) {
        conn.destroy();
        return;
      }
      this.attachChannel(pending.id, conn, pending.local);
    });
  }

  /** Stops a forwarding; port 0 means the latest port-0 forwarding on that address. */
  async cancelForwarding(address: string, port: number): Promise<void> {
    this.requireClient();
    const candidates = this.forwardings.filter((f) => f.address === address);
    const f =
      port === 0
        ? candidates.filter((c) => c.requestedPort === 0).at(-1)
        : candidates.find((c) => c.listener.port === port);
    if (!f) throw this.invalid(`no forwarding for ${address || "(all addresses)"}:${port}`);
    this.forwardings.splice(this.forwardings.indexOf(f), 1);
    try {
      await f.listener.close();
    } catch (e) {
      throw SSHTunnelError.from(e);
    }
  }

  /** Sends data on a channel; resolves once the channel has taken it (within its window). */
  async sendChannelData(channelId: string, data: Uint8Array | string): Promise<void> {
    const ch = this.channel(channelId);
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    await new Promise<void>((resolve, reject) => {
      ch.conn.write(bytes, (err) => (err ? reject(SSHTunnelError.from(err)) : resolve()));
    });
  }

  /** Closes a channel; SSHChannelClosed follows. */
  async closeChannel(channelId: string): Promise<void> {
    const ch = this.channel(channelId);
    await new Promise<void>((resolve) => {
      if (ch.conn.destroyed) resolve();
      else ch.conn.once("close", () => resolve());
      ch.conn.destroy();
    });
  }

  /** Lets pending events run (the seed's event pump; Node delivers events by itself). */
  doEvents(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Starts a key re-exchange; resolves after NEWKEYS both ways. */
  async exchangeKeys(): Promise<void> {
    try {
      await this.requireClient().rekey();
    } catch (e) {
      throw SSHTunnelError.from(e);
    }
  }

  /** `config("Name")` reads a setting; `config("Name=Value")` writes it and returns "". */
  config(configurationString: string): string {
    return runConfig(buildConfigTable(this), configurationString);
  }

  decodePacket(encodedPacket: string): Uint8Array {
    return this.wrap(() => DecodePacket(encodedPacket));
  }
  encodePacket(packet: Uint8Array): string {
    return EncodePacket(packet);
  }
  getSSHParam(payload: Uint8Array, field: string): string {
    return this.wrap(() => GetSSHParam(payload, field));
  }
  getSSHParamBytes(payload: Uint8Array, field: string): Uint8Array {
    return this.wrap(() => GetSSHParamBytes(payload, field));
  }
  setSSHParam(payload: Uint8Array, fieldType: string, fieldValue: string): Uint8Array {
    return this.wrap(() => SetSSHParam(payload, fieldType, fieldValue));
  }

  // ---- internals -----------------------------------------------------------------------------

  /** @internal used by the config table */
  log(level: number, message: string): void {
    if (level <= this.settings.logLevel) this.emit("Log", { logLevel: level, message, logType: "" });
  }

  /** @internal */
  requireClient(): SshClient {
    if (!this.client || this.client.isClosed) {
      throw new SSHTunnelError(SSHTunnelErrorCodes.NOT_CONNECTED, "not logged on: call SSHLogon first");
    }
    return this.client;
  }

  private status(message: string): void {
    this.emit("SSHStatus", { message });
  }

  private invalid(message: string): SSHTunnelError {
    return new SSHTunnelError(SSHTunnelErrorCodes.INVALID_ARGUMENT, message);
  }

  private wrap<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw SSHTunnelError.from(e, SSHTunnelErrorCodes.INVALID_ARGUMENT);
    }
  }

  private assertNotConnected(what: string): void {
    if (this.getConnected()) throw this.invalid(`${what} cannot change while connected`);
  }

  private channel(channelId: string): TunnelChannel {
    const ch = this.channels.get(String(channelId));
    if (!ch)
      throw new SSHTunnelError(SSHTunnelErrorCodes.UNKNOWN_CHANNEL, `no open channel ${JSON.stringify(channelId)}`);
    return ch;
  }

  private authMethods(): AuthMethod[] {
    const key = () => {
      const k = this.cert?.privateKey;
      if (!k) throw this.invalid("public-key authentication needs SSHCert with a private key");
      return k;
    };
    const sigAlgs = this.settings.pubKeyAuthSigAlgorithms;
    const withKey = (): AuthMethod[] => {
      const k = key();
      const algorithms = sigAlgs.filter((a) => k.signatureAlgorithms.includes(a));
      if (algorithms.length === 0) {
        throw this.invalid(`SSHPubKeyAuthSigAlgorithms allows none of ${k.signatureAlgorithms.join(", ")}`);
      }
      const plain: AuthMethod = { kind: "publickey", key: k, algorithms };
      if (!this.settings.signedSshCert) return [plain];
      // SignedSSHCert: the certificate first, then the plain key (as OpenSSH tries them).
      const certified = certifiedPrivateKey(k, parseCertificate(this.settings.signedSshCert));
      return [{ kind: "publickey", key: certified }, plain];
    };
    switch (this.authMode) {
      case SSHAuthModes.amNone:
        return [];
      case SSHAuthModes.amPassword:
        return [{ kind: "password", password: this.password }];
      case SSHAuthModes.amPublicKey:
        return withKey();
      case SSHAuthModes.amMultiFactor:
        return [...(this.cert?.privateKey ? withKey() : []), { kind: "password", password: this.password }];
      case SSHAuthModes.amKeyboardInteractive:
      case SSHAuthModes.amGSSAPIWithMic:
      case SSHAuthModes.amCustom:
        throw new SSHTunnelError(
          SSHTunnelErrorCodes.NOT_IMPLEMENTED,
          `SSHAuthMode ${this.authMode} is not implemented yet (password, public key, multi-factor and none are)`,
        );
      default: {
        const never: never = this.authMode;
        throw this.invalid(`unknown SSHAuthMode ${never}`);
      }
    }
  }

  /** Fires SSHServerAuthentication with `accept` pre-set, and returns the listener's verdict. */
  private checkHostKey(blob: Uint8Array, algorithm: string): boolean {
    const s = this.settings;
    s.fingerprints = {
      MD5: fingerprintHex(blob, "MD5"),
      SHA1: fingerprintHex(blob, "SHA1"),
      SHA256: fingerprintHex(blob, "SHA256"),
    };
    const fingerprint = s.fingerprints[s.fingerprintHash];
    const pinned = this.acceptServerHostKey;
    // Fingerprints may be given as ssh-keygen prints them (SHA256:base64, MD5:hex) or as the
    // seed's colon-separated hex, with or without the hash prefix.
    const known = new Set([
      fingerprintSha256(blob),
      fingerprintSha1(blob),
      s.fingerprints.MD5,
      s.fingerprints.SHA1,
      s.fingerprints.SHA256,
    ]);
    const matches = (f: string) => {
      const t = f.trim().replace(/=+$/, "");
      return known.has(t) || known.has(t.toLowerCase().replace(/^(sha256|sha1|md5):/, ""));
    };
    const preset =
      s.acceptAnyServerHostKey ||
      (pinned !== undefined && equalBytes(pinned.encoded, blob)) ||
      s.acceptServerHostKeyFingerprints.some(matches);
    const e = serverAuthenticationEvent(
      { fingerprint, keyAlgorithm: algorithm, certSubject: "", certIssuer: "", status: "", accept: preset },
      blob,
    );
    this.emit("SSHServerAuthentication", e);
    if (e.accept !== true) this.log(1, `host key ${fingerprint} rejected`);
    return e.accept === true;
  }

  private attachChannel(id: string, conn: ForwardedConnection, local: net.Socket | undefined): void {
    const ch: TunnelChannel = { id, conn, local };
    this.channels.set(id, ch);
    this.emit("SSHChannelOpened", { channelId: id });
    conn.on("error", (err) =>
      this.emit("Error", { errorCode: SSHTunnelError.from(err).code, description: err.message }),
    );
    conn.once("close", () => {
      this.channels.delete(id);
      local?.destroy();
      this.emit("SSHChannelClosed", { channelId: id });
    });
    conn.on("end", () => this.emit("SSHChannelEOF", { channelId: id }));
    if (local) {
      local.on("error", (err: Error) => {
        this.emit("Error", {
          errorCode: SSHTunnelErrorCodes.CONNECT_FAILED,
          description: `relay for channel ${id}: ${err.message}`,
        });
        conn.destroy();
      });
      local.on("close", () => {
        if (!conn.writableEnded) conn.end();
      });
      conn.pipe(local);
      local.pipe(conn);
    } else {
      conn.on("data", (chunk: Buffer) => {
        this.emit(
          "SSHChannelData",
          channelDataEvent(id, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
        );
      });
    }
  }

  private onClientClosed(client: SshClient, error: Error | undefined): void {
    if (this.client !== client) return;
    for (const ch of [...this.channels.values()]) ch.conn.destroy();
    this.forwardings = [];
    const te = error && !this.loggingOff ? SSHTunnelError.from(error) : undefined;
    this.emit(
      "Disconnected",
      te ? { statusCode: te.code, description: te.message } : { statusCode: 0, description: "OK" },
    );
    if (te) this.emit("Error", { errorCode: te.code, description: te.message });
  }
}

/** Alias for code coming from the vendor's all-lower-case factory name. */
export const sshreversetunnel = SSHReverseTunnel;
