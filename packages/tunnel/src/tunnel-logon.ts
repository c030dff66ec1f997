/**
 * SSHLogon and SSHLogoff (ipworks-spec.md §8.1, §8.5): the socket (tunnel-socket.ts), then
 * @purssh/client's connect over it with the settings' algorithms, host-key check, authentication
 * methods and keepalive / rate / idle limits; Connected, ConnectionStatus, SSHStatus and Log
 * along the way, all under Timeout (inactivity, or absolute with AbsoluteTimeout). A connection
 * that ends without SSHLogoff raises Disconnected (with the error's number) and Error, and hands
 * over to AutoReconnect. SSHLogoff honours WaitForChannelClose, WaitForServerDisconnect, Linger
 * and LingerTime.
 * @module
 */
import type { Duplex } from "node:stream";
import { type ConnectOptions, connect, type SshClient } from "@purssh/client";
import { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
import type { SSHReverseTunnel } from "./tunnel.js";
import { authPlan } from "./tunnel-auth.js";
import { checkHostKey, checkServerVersion } from "./tunnel-host-key.js";
import { closeSocket, openSocket, resetSocket } from "./tunnel-socket.js";
import { withTimeout } from "./tunnel-timeout.js";

/** A logged-on connection. */
export interface Session {
  readonly client: SshClient;
  readonly socket: Duplex;
  readonly host: string;
  readonly port: number;
  activity(): number;
  /** SSHLogoff (or reset) is ending it: its close is not an error. */
  closing: boolean;
}

const LOG_TYPES = ["", "Info", "Verbose", "Debug"];

/** The facade's Log event at `level` (shown when LogLevel ≥ level). */
export function logLine(t: SSHReverseTunnel, level: number, message: string): void {
  if (level <= t.settings.logLevel) t.emit("Log", { logLevel: level, message, logType: LOG_TYPES[level] ?? "" });
}

/** The error a failed logon reports: a version mismatch found inside the host-key check wins. */
function logonError(e: unknown): SSHTunnelError {
  let cause: unknown = e;
  while (cause instanceof Error) {
    if (cause instanceof SSHTunnelError && cause !== e) return cause;
    cause = cause.cause;
  }
  return SSHTunnelError.from(e);
}

/** Connects, verifies the server and authenticates; the new session becomes `t.session`. */
export async function logon(t: SSHReverseTunnel, host: string, port: number): Promise<Session> {
  const s = t.settings;
  const plan = authPlan(t);
  const abort = new AbortController();
  t.pendingLogon = abort;
  const policy = { timeoutSeconds: s.timeoutSeconds, absoluteTimeout: s.absoluteTimeout };
  try {
    t.status(`connecting to ${host}:${port}`);
    let opened: Awaited<ReturnType<typeof openSocket>>;
    try {
      opened = await openSocket(s, host, port, abort.signal, (e) => t.emit("ConnectionStatus", e));
    } catch (e) {
      const err = SSHTunnelError.from(e, SSHTunnelErrorCodes.CONNECT_FAILED);
      t.emit("Connected", { statusCode: err.code, description: err.message });
      throw err;
    }
    t.emit("Connected", { statusCode: 0, description: "Connected" });
    const { socket, activity } = opened;
    let serverVersion = "";
    let lastStep = `connected to ${host}:${port}`;
    const stage = () =>
      `SSHLogon (${serverVersion === "" ? "waiting for the server's identification line" : `after: ${lastStep}`})`;
    const options: ConnectOptions = {
      host,
      port,
      username: t.credentials.user,
      sock: socket,
      authMethods: plan.methods,
      ...(plan.agent !== undefined ? { agent: plan.agent } : {}),
      hostKeys: (check) => {
        checkServerVersion(s, serverVersion);
        return checkHostKey(t, t.acceptServerHostKey, check.blob, check.algorithm, host);
      },
      algorithms: {
        kex: s.kexAlgorithms,
        hostKey: s.hostKeyAlgorithms,
        cipher: s.encryptionAlgorithms,
        mac: s.macAlgorithms,
        compression: s.compressionAlgorithms,
      },
      // Timeout is enforced here (inactivity or absolute); the client's own limit stays out of the way.
      timeoutMs: 0x7fffffff,
      clientVersion: s.clientVersion,
      rekeyBytes: s.rekeyBytes,
      groupExchange: { n: s.preferredDhGroupBits },
      windowSize: s.maxWindowSize,
      maxPacketSize: s.maxPacketSize,
      ...(s.keepAliveIntervalSeconds > 0
        ? { keepaliveIntervalMs: s.keepAliveIntervalSeconds * 1000, keepaliveCountMax: s.keepAliveCountMax }
        : {}),
      ...(s.maxTransferRate > 0 ? { maxTransferRate: s.maxTransferRate } : {}),
      ...(s.channelIdleTimeoutSeconds > 0 ? { channelIdleTimeoutMs: s.channelIdleTimeoutSeconds * 1000 } : {}),
      signal: abort.signal,
      log: (level, text) => {
        const version = /^server version (.*)$/.exec(text);
        if (version) serverVersion = version[1]!;
        if (level === 1) {
          lastStep = text;
          t.status(text);
        }
        if (text === "key exchange complete") {
          t.emit("ConnectionStatus", { connectionEvent: "SSH handshake complete", statusCode: 0, description: text });
        }
        logLine(t, level, text);
      },
    };
    let client: SshClient;
    try {
      client = await withTimeout(policy, stage, connect(options), activity, () => abort.abort());
    } catch (e) {
      socket.destroy();
      const err = abort.signal.aborted && !(e instanceof SSHTunnelError) ? abortedError(e) : logonError(e);
      t.emit("Disconnected", { statusCode: err.code, description: err.message });
      throw err;
    }
    s.serverVersion = client.serverVersion;
    const session: Session = { client, socket, host, port, activity, closing: false };
    t.session = session;
    client.on("close", (error?: Error) => onClosed(t, session, error));
    t.emit("ConnectionStatus", {
      connectionEvent: "SSH authentication complete",
      statusCode: 0,
      description: `logged on as ${t.credentials.user}`,
    });
    t.status("logged on");
    return session;
  } finally {
    if (t.pendingLogon === abort) t.pendingLogon = undefined;
  }
}

function abortedError(cause: unknown): SSHTunnelError {
  return new SSHTunnelError(SSHTunnelErrorCodes.ABORTED, "SSHLogon was cancelled (SSHLogoff or reset)", { cause });
}

/** The connection ended: channels are gone, Disconnected fires, AutoReconnect may take over. */
function onClosed(t: SSHReverseTunnel, session: Session, error: Error | undefined): void {
  if (t.session !== session) return;
  t.session = undefined;
  t.forwardings.suspend();
  const te = error && !session.closing ? SSHTunnelError.from(error) : undefined;
  t.emit("Disconnected", te ? { statusCode: te.code, description: te.message } : { statusCode: 0, description: "OK" });
  if (!te) return;
  t.emit("Error", { errorCode: te.code, description: te.message });
  if (t.settings.autoReconnect) t.reconnector.start(session.host, session.port, te);
  else t.forwardings.clear();
}

/**
 * Ends the session: channels first (WaitForChannelClose: each waits for the server's CLOSE, within
 * Timeout), then DISCONNECT and the socket per WaitForServerDisconnect / Linger.
 */
export async function logoff(t: SSHReverseTunnel): Promise<void> {
  const session = stopSession(t);
  if (!session) return;
  const limitMs = t.settings.timeoutSeconds * 1000;
  if (t.settings.waitForChannelClose && t.channels.size > 0) {
    await withTimeout(
      { timeoutSeconds: t.settings.timeoutSeconds, absoluteTimeout: true },
      "SSHLogoff (WaitForChannelClose)",
      t.channels.closeAll(),
    ).catch((e: unknown) => logLine(t, 1, (e as Error).message));
  }
  if (!t.settings.linger) resetSocket(session.socket);
  const serverClosed = session.client.close();
  await closeSocket(t.settings, session.socket, serverClosed, limitMs);
  await serverClosed;
}

/** Ends the session at once without waiting for anything (reset). */
export function dropSession(t: SSHReverseTunnel): void {
  const session = stopSession(t);
  if (!session) return;
  void session.client.close().catch(() => {});
  session.socket.destroy();
}

/**
 * What logoff and reset share: no more reconnects or pending logon, no forwardings to restore;
 * the session, if any, is marked as closing by us and returned for the caller to end.
 */
function stopSession(t: SSHReverseTunnel): SSHReverseTunnel["session"] {
  t.reconnector.cancel();
  t.pendingLogon?.abort();
  t.forwardings.clear();
  const session = t.session;
  if (session) session.closing = true;
  return session;
}
