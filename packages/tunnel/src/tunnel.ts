/**
 * SSHReverseTunnel: the seed class (seeds/000_5e94b3a2698bd633.txt, behaviour in
 * reference/ipworks-spec.md) as a thin facade over @purssh/client. Connect with SSHLogon, ask the
 * server to listen with requestForwarding, and receive each connection made to that port either as
 * events (SSHChannelOpenRequest / SSHChannelData / sendChannelData) or relayed to a local
 * host:port. This file holds the properties and the method entry points; the work is in
 * tunnel-logon.ts, tunnel-auth.ts, tunnel-host-key.ts, tunnel-forwarding.ts, tunnel-channels.ts,
 * tunnel-reconnect.ts, tunnel-socket.ts and tunnel-config.ts.
 * @module
 */
import { EventEmitter } from "node:events";
import { DecodePacket, EncodePacket, GetSSHParam, GetSSHParamBytes, SetSSHParam } from "@purssh/wire";
import type { Certificate } from "./certificate.js";
import { invalidArgument, notConnected, SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
import type { SSHReverseTunnelEvents } from "./events.js";
import { Firewall } from "./firewall.js";
import { defaultSettings, runConfig, type TunnelSettings } from "./settings.js";
import { type Credentials, type SSHAuthMode, SSHAuthModes } from "./tunnel-auth.js";
import { type ChannelHost, type SSHChannel, TunnelChannels } from "./tunnel-channels.js";
import { buildConfigTable } from "./tunnel-config.js";
import { ForwardingTable } from "./tunnel-forwarding.js";
import { dropSession, logLine, logoff, logon, type Session } from "./tunnel-logon.js";
import { Reconnector } from "./tunnel-reconnect.js";
import { withTimeout } from "./tunnel-timeout.js";

export { type SSHAuthMode, SSHAuthModes } from "./tunnel-auth.js";

const defaultCredentials = (): Credentials => ({
  user: "",
  password: "",
  authMode: SSHAuthModes.amPassword,
  cert: undefined,
});

export class SSHReverseTunnel extends EventEmitter<SSHReverseTunnelEvents> {
  private host = "";
  private port = 22;
  /** @internal */
  credentials: Credentials = defaultCredentials();
  /** @internal */
  acceptServerHostKey: Certificate | undefined;
  /** @internal read by the config table */
  settings: TunnelSettings = defaultSettings();
  /** @internal the logged-on connection */
  session: Session | undefined;
  /** @internal a logon in progress (SSHLogoff and reset abort it) */
  pendingLogon: AbortController | undefined;
  /** @internal */
  readonly channels: TunnelChannels;
  /** @internal */
  readonly forwardings: ForwardingTable = new ForwardingTable(this);
  /** @internal */
  readonly reconnector: Reconnector = new Reconnector(this);

  constructor() {
    super();
    const tunnel = this;
    this.channels = new TunnelChannels({
      // The live settings object (reset() replaces it).
      get settings() {
        return tunnel.settings;
      },
      emit: this.emit.bind(this) as ChannelHost["emit"],
      log: (level, message) => this.log(level, message),
      activity: () => this.session?.activity() ?? 0,
    });
  }

  // ---- properties ----------------------------------------------------------------------------

  /** The open channels (live SSHChannel objects; the array is a snapshot). */
  getChannels(): SSHChannel[] {
    return this.channels.list();
  }
  /** True while logged on. */
  getConnected(): boolean {
    return this.session !== undefined && !this.session.client.isClosed;
  }
  /**
   * true logs on to SSHHost:SSHPort, false logs off. The returned promise settles like SSHLogon /
   * SSHLogoff; a failure also raises Error, so the setter may be called without awaiting it.
   */
  setConnected(v: boolean): Promise<void> {
    const p = v ? (this.getConnected() ? Promise.resolve() : this.SSHLogon(this.host, this.port)) : this.SSHLogoff();
    p.catch((e: unknown) => {
      const te = SSHTunnelError.from(e);
      this.emit("Error", { errorCode: te.code, description: te.message });
    });
    return p;
  }
  /** The firewall (proxy) settings, a live object. */
  getFirewall(): Firewall {
    return this.settings.firewall;
  }
  setFirewall(v: Partial<Omit<Firewall, "assign">>): void {
    const next = new Firewall();
    next.assign(v);
    this.settings.firewall.assign(next);
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
  getSSHAcceptServerHostKey(): Certificate | undefined {
    return this.acceptServerHostKey;
  }
  setSSHAcceptServerHostKey(v: Certificate | undefined): void {
    this.acceptServerHostKey = v;
  }
  getSSHAuthMode(): SSHAuthMode {
    return this.credentials.authMode;
  }
  setSSHAuthMode(v: SSHAuthMode): void {
    if (!Object.values(SSHAuthModes).includes(v)) throw invalidArgument(`unknown SSHAuthMode ${v}`);
    this.credentials.authMode = v;
  }
  getSSHCert(): Certificate | undefined {
    return this.credentials.cert;
  }
  setSSHCert(v: Certificate | undefined): void {
    this.credentials.cert = v;
  }
  getSSHCompressionAlgorithms(): string {
    return this.settings.compressionAlgorithms.join(",");
  }
  setSSHCompressionAlgorithms(v: string): void {
    this.config(`SSHCompressionAlgorithms=${v}`);
  }
  getSSHEncryptionAlgorithms(): string {
    return this.settings.encryptionAlgorithms.join(",");
  }
  setSSHEncryptionAlgorithms(v: string): void {
    this.config(`SSHEncryptionAlgorithms=${v}`);
  }
  getSSHHost(): string {
    return this.host;
  }
  setSSHHost(v: string): void {
    this.assertNotConnected("SSHHost");
    this.host = v;
  }
  getSSHPassword(): string {
    return this.credentials.password;
  }
  setSSHPassword(v: string): void {
    this.credentials.password = v;
  }
  getSSHPort(): number {
    return this.port;
  }
  setSSHPort(v: number): void {
    this.assertNotConnected("SSHPort");
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw invalidArgument(`SSHPort must be 1..65535, got ${v}`);
    this.port = v;
  }
  getSSHUser(): string {
    return this.credentials.user;
  }
  setSSHUser(v: string): void {
    this.credentials.user = v;
  }
  getTimeout(): number {
    return this.settings.timeoutSeconds;
  }
  setTimeout(v: number): void {
    this.config(`Timeout=${v}`);
  }

  // ---- methods -------------------------------------------------------------------------------

  /** Connects, verifies the host key (SSHServerAuthentication) and authenticates per SSHAuthMode. */
  async SSHLogon(sshHost: string, sshPort: number): Promise<void> {
    if (this.getConnected()) throw new SSHTunnelError(SSHTunnelErrorCodes.ALREADY_CONNECTED, "already logged on");
    this.reconnector.cancel();
    this.pendingLogon?.abort();
    this.forwardings.clear();
    this.setSSHHost(sshHost);
    this.setSSHPort(sshPort);
    await logon(this, sshHost, sshPort);
  }

  /** Closes every channel, sends DISCONNECT and closes the connection. */
  async SSHLogoff(): Promise<void> {
    await logoff(this);
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
    const session = this.requireSession();
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw invalidArgument(`port must be 0..65535, got ${port}`);
    const relay = forwardingHost !== "";
    if (relay && (!Number.isInteger(forwardingPort) || forwardingPort < 1 || forwardingPort > 65535)) {
      throw invalidArgument(`forwardingPort must be 1..65535, got ${forwardingPort}`);
    }
    const bound = await this.timed(
      `requestForwarding ${address}:${port}`,
      this.forwardings.request(session.client, address, port, forwardingHost, forwardingPort),
    );
    this.settings.forwardedPort = bound;
  }

  /** Stops a forwarding; port 0 means the latest port-0 forwarding on that address. */
  async cancelForwarding(address: string, port: number): Promise<void> {
    this.requireSession();
    await this.timed(`cancelForwarding ${address}:${port}`, this.forwardings.cancel(address, port));
  }

  /** Sends data on a channel; resolves once the channel has taken it (within its window). */
  async sendChannelData(channelId: string, data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    await this.channels.send(String(channelId), bytes, this.timeoutPolicy());
  }

  /** Closes a channel (EOF and CLOSE after the data already sent); SSHChannelClosed follows. */
  async closeChannel(channelId: string): Promise<void> {
    await this.channels.close(String(channelId), this.timeoutPolicy());
  }

  /** Lets pending events run (the seed's event pump; Node delivers events by itself). */
  doEvents(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Starts a key re-exchange; resolves after NEWKEYS both ways. */
  async exchangeKeys(): Promise<void> {
    const session = this.requireSession();
    this.status("starting key re-exchange");
    try {
      await this.timed("exchangeKeys", session.client.rekey());
    } catch (e) {
      throw SSHTunnelError.from(e);
    }
  }

  /**
   * Back to a new object's state: the connection (if any) is dropped without waiting, every
   * property and setting returns to its default. Event listeners stay.
   */
  reset(): void {
    dropSession(this);
    this.host = "";
    this.port = 22;
    this.credentials = defaultCredentials();
    this.acceptServerHostKey = undefined;
    this.settings = defaultSettings();
  }

  /** `await using t = new SSHReverseTunnel()` logs off when the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.SSHLogoff();
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

  /** @internal used by the config table and the helpers */
  log(level: number, message: string): void {
    logLine(this, level, message);
  }

  /** @internal */
  status(message: string): void {
    this.emit("SSHStatus", { message });
  }

  /** @internal */
  requireSession(): Session {
    if (!this.session || this.session.client.isClosed) throw notConnected();
    return this.session;
  }

  private timeoutPolicy() {
    return { timeoutSeconds: this.settings.timeoutSeconds, absoluteTimeout: this.settings.absoluteTimeout };
  }

  /** A network method under Timeout (inactivity on the SSH connection, or absolute). */
  private timed<T>(what: string, op: Promise<T>): Promise<T> {
    return withTimeout(this.timeoutPolicy(), what, op, () => this.session?.activity() ?? 0);
  }

  private wrap<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw SSHTunnelError.from(e, SSHTunnelErrorCodes.INVALID_ARGUMENT);
    }
  }

  private assertNotConnected(what: string): void {
    if (this.getConnected()) throw invalidArgument(`${what} cannot change while connected`);
  }
}

/** Alias for code coming from the vendor's all-lower-case factory name. */
export const sshreversetunnel = SSHReverseTunnel;
