/**
 * The SSH connection's TCP socket (ipworks-spec.md §5c, §5d): LocalHost / LocalPort binding,
 * UseIPv6, TcpNoDelay, TCPKeepAlive with KeepAliveTime, InBufferSize / OutBufferSize (the
 * socket's stream queues: Node does not expose SO_RCVBUF / SO_SNDBUF), ConnectionTimeout (else
 * Timeout) for the TCP handshake, the Firewall, and Linger / LingerTime when it is closed.
 * @module
 */
import * as net from "node:net";
import type { Duplex } from "node:stream";
import { connectTcp, connectViaProxy } from "@purssh/net";
import { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
import type { ConnectionStatusEvent } from "./events.js";
import { type ProxySpec, proxyFor } from "./firewall.js";
import type { TunnelSettings } from "./settings.js";

export interface OpenedSocket {
  socket: Duplex;
  /** Bytes read + written so far (the inactivity clock of Timeout). */
  activity(): number;
  proxy: ProxySpec | undefined;
}

/** Connects to host:port directly or through the firewall; rejects with a facade error. */
export async function openSocket(
  settings: TunnelSettings,
  host: string,
  port: number,
  signal: AbortSignal,
  status: (e: ConnectionStatusEvent) => void,
): Promise<OpenedSocket> {
  const timeoutMs = (settings.connectionTimeoutSeconds || settings.timeoutSeconds) * 1000;
  const proxy = proxyFor(host, settings);
  let socket: net.Socket | Duplex;
  if (proxy) {
    socket = await connectThroughFirewall(settings, proxy, host, port, timeoutMs, signal);
    status({
      connectionEvent: "Firewall connection complete",
      statusCode: 0,
      description: `${proxy.type} proxy ${proxy.host}:${proxy.port} connected to ${host}:${port}`,
    });
  } else {
    socket = await connectDirect(settings, host, port, timeoutMs, signal);
  }
  status({ connectionEvent: "Remote host connection complete", statusCode: 0, description: `${host}:${port}` });
  // Inactivity is measured on a real socket; another stream makes Timeout absolute.
  const tcp = socket instanceof net.Socket ? socket : undefined;
  return { socket, activity: () => (tcp ? tcp.bytesRead + tcp.bytesWritten : 0), proxy };
}

/** The tunnel's socket settings as @purssh/net connect options (also used towards a proxy). */
function socketOptions(settings: TunnelSettings) {
  return {
    ...(settings.localHost ? { localAddress: settings.localHost } : {}),
    ...(settings.localPort ? { localPort: settings.localPort } : {}),
    ...(settings.useIPv6 ? { family: 6 as const } : {}),
    noDelay: settings.tcpNoDelay,
    keepAlive: settings.tcpKeepAlive,
    ...(settings.tcpKeepAlive && settings.keepAliveTimeMs > 0
      ? { keepAliveInitialDelayMs: settings.keepAliveTimeMs }
      : {}),
  };
}

/** A TCP connection with the tunnel's socket options; errors name the target. */
async function connectDirect(
  settings: TunnelSettings,
  host: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<net.Socket> {
  try {
    return await connectTcp({
      host,
      port,
      timeoutMs,
      signal,
      ...socketOptions(settings),
      ...(settings.inBufferSize > 0 ? { readableHighWaterMark: settings.inBufferSize } : {}),
      ...(settings.outBufferSize > 0 ? { writableHighWaterMark: settings.outBufferSize } : {}),
    });
  } catch (e) {
    throw SSHTunnelError.from(e);
  }
}

/**
 * The Firewall: @purssh/net's connectViaProxy, with the same socket options towards the proxy
 * (the stream queue sizes apply to direct connections only: the proxy client creates its socket).
 */
async function connectThroughFirewall(
  settings: TunnelSettings,
  proxy: ProxySpec,
  host: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<net.Socket | Duplex> {
  try {
    return await connectViaProxy(proxy, { host, port }, { timeoutMs, signal, ...socketOptions(settings) });
  } catch (e) {
    throw SSHTunnelError.from(e, SSHTunnelErrorCodes.FIREWALL_CONNECT_FAILED);
  }
}

/**
 * Linger false: resets the connection at once (RST), before anything else is written — a reset
 * discards what is queued anyway, and libuv cannot reset a socket that has begun its FIN.
 */
export function resetSocket(socket: Duplex): void {
  const s = socket as net.Socket;
  if (s.destroyed) return;
  if (typeof s.resetAndDestroy === "function" && !s.writableEnded) s.resetAndDestroy();
  else s.destroy();
}

/**
 * Closes the socket after the DISCONNECT went out (Linger true): a graceful close waiting for
 * queued bytes — at most LingerTime seconds when it is set, else at most `limitMs` (Timeout).
 * With `waitForPeer` (WaitForServerDisconnect) the server closing the connection is awaited.
 */
export async function closeSocket(
  settings: TunnelSettings,
  socket: Duplex,
  waitForPeer: Promise<unknown>,
  limitMs: number,
): Promise<void> {
  const s = socket as net.Socket;
  if (s.destroyed) return;
  const bounded = async (p: Promise<unknown>, ms: number) => {
    if (ms <= 0) return p;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
    } finally {
      clearTimeout(timer);
    }
  };
  const lingerMs = settings.lingerTimeSeconds * 1000;
  if (settings.waitForServerDisconnect) {
    await bounded(waitForPeer, lingerMs > 0 ? lingerMs : limitMs);
  } else {
    const flushed = new Promise<void>((r) => {
      if (s.writableFinished) r();
      else {
        s.once("finish", () => r());
        s.once("close", () => r());
      }
    });
    await bounded(flushed, lingerMs > 0 ? lingerMs : limitMs);
  }
  if (!s.destroyed) s.destroy();
}
