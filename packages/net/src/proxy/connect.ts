/**
 * connectViaProxy: dials the proxy with connectTcp, runs the SOCKS4/4a, SOCKS5 or HTTP CONNECT
 * handshake, and resolves with the same socket, now a byte pipe to the target — with any tunnel
 * bytes that arrived together with the proxy's answer still unread on it. One timeout covers the
 * whole of it (a SOCKS4 name lookup, the TCP connect, the handshake); an AbortSignal ends it early.
 * @module
 */
import { lookup } from "node:dns/promises";
import { isIP, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { SshError } from "@purssh/wire";
import { connectTcp } from "../socket.js";
import { ProxyError } from "./errors.js";
import { HandshakeReader } from "./handshake-reader.js";
import { httpConnectHandshake } from "./http-connect.js";
import { describeProxy, hostPort, type ProxyOptions, type ProxyTarget, validateProxyOptions } from "./options.js";
import { socks4Handshake } from "./socks4.js";
import { socks5Handshake } from "./socks5.js";

/** Time for reaching the proxy and its answer when the caller gives none. */
export const DEFAULT_PROXY_TIMEOUT_MS = 30_000;

export interface ProxyConnectOptions {
  /** Milliseconds for the whole proxied connect (default DEFAULT_PROXY_TIMEOUT_MS; 0 = no limit). */
  timeoutMs?: number;
  signal?: AbortSignal;
  localAddress?: string;
  localPort?: number;
  /** 4 or 6 to force the address family for reaching the proxy. */
  family?: 0 | 4 | 6;
  noDelay?: boolean;
  keepAlive?: boolean;
  /** With keepAlive: idle time before the first TCP keepalive probe. */
  keepAliveInitialDelayMs?: number;
}

type Phase = "resolving the target" | "connecting to the proxy" | "waiting for the proxy's answer";

/**
 * Connects to `target` through `proxy`. Rejects with a ProxyError (ERR_PROXY_CONNECT_FAILED,
 * ERR_PROXY_REFUSED, ERR_PROXY_AUTH_FAILED, ERR_PROXY_PROTOCOL, ERR_PROXY_TIMEOUT,
 * ERR_PROXY_INVALID_OPTIONS), or an SshError ERR_ABORTED when `signal` fires.
 */
export async function connectViaProxy(
  proxy: ProxyOptions,
  target: ProxyTarget,
  options: ProxyConnectOptions = {},
): Promise<Socket | Duplex> {
  validateProxyOptions(proxy, target);
  const describe = describeProxy(proxy);
  const targetLabel = hostPort(target.host, target.port);
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROXY_TIMEOUT_MS;
  let phase: Phase = "connecting to the proxy";

  // One controller ends whatever is in progress, on timeout or on the caller's abort; the first
  // reason wins and is what the caller sees.
  const stop = new AbortController();
  let failure: SshError | undefined;
  const fail = (e: SshError) => {
    failure ??= e;
    stop.abort(failure);
  };
  const onAbort = () =>
    fail(new SshError("ERR_ABORTED", `connecting to ${targetLabel} through the ${describe} was aborted`));
  const timer =
    timeoutMs > 0
      ? setTimeout(
          () =>
            fail(
              new ProxyError(
                "ERR_PROXY_TIMEOUT",
                `${describe}: no tunnel to ${targetLabel} within ${timeoutMs} ms (${phase})`,
              ),
            ),
          timeoutMs,
        )
      : undefined;
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  let socket: Socket | undefined;
  try {
    let wireTarget = target;
    if (proxy.type === "socks4" && isIP(target.host) === 0) {
      phase = "resolving the target";
      wireTarget = { host: await resolveIpv4(target.host, describe, stop.signal), port: target.port };
      phase = "connecting to the proxy";
    }
    socket = await connectTcp({
      host: proxy.host,
      port: proxy.port,
      signal: stop.signal,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      ...(options.localPort ? { localPort: options.localPort } : {}),
      ...(options.family ? { family: options.family } : {}),
      ...(options.noDelay !== undefined ? { noDelay: options.noDelay } : {}),
      ...(options.keepAlive ? { keepAlive: true } : {}),
      ...(options.keepAliveInitialDelayMs ? { keepAliveInitialDelayMs: options.keepAliveInitialDelayMs } : {}),
    }).catch((e: unknown) => {
      if (failure) throw failure;
      throw new ProxyError(
        "ERR_PROXY_CONNECT_FAILED",
        `cannot reach the ${describe}: ${e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e)}`,
        { cause: e },
      );
    });
    phase = "waiting for the proxy's answer";
    const reader = new HandshakeReader(socket, describe, stop.signal);
    try {
      switch (proxy.type) {
        case "socks4":
        case "socks4a":
          await socks4Handshake(reader, wireTarget, {
            userId: proxy.username ?? "",
            socks4a: proxy.type === "socks4a",
            describe,
            targetLabel,
          });
          break;
        case "socks5":
          await socks5Handshake(reader, wireTarget, { ...credentials(proxy), describe, targetLabel });
          break;
        case "http":
          await httpConnectHandshake(reader, wireTarget, {
            ...credentials(proxy),
            ...(proxy.headers ? { headers: proxy.headers } : {}),
            describe,
            targetLabel,
          });
          break;
        default:
          proxy.type satisfies never;
      }
    } finally {
      reader.release();
    }
    if (failure) throw failure;
    return socket;
  } catch (e) {
    socket?.destroy();
    throw failure ?? e;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

function credentials(proxy: ProxyOptions): { username?: string; password?: string } {
  return {
    ...(proxy.username !== undefined ? { username: proxy.username } : {}),
    ...(proxy.password !== undefined ? { password: proxy.password } : {}),
  };
}

/** SOCKS4 carries only an IPv4 address, so the client resolves the name (socks4a lets the proxy do it). */
async function resolveIpv4(host: string, describe: string, signal: AbortSignal): Promise<string> {
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    const { address } = await Promise.race([lookup(host, { family: 4 }), aborted]);
    return address;
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    throw new ProxyError(
      "ERR_PROXY_CONNECT_FAILED",
      `cannot resolve ${host} to an IPv4 address for the ${describe} (SOCKS4 needs one; socks4a lets the proxy resolve names): ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}
