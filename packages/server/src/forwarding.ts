/**
 * One connection's forwardings, server side. Remote (RFC 4254 §7.1 `tcpip-forward`, OpenSSH
 * PROTOCOL §2.4 `streamlocal-forward@openssh.com`): check the request against the policy, bind a
 * listener, and open a `forwarded-tcpip` / `forwarded-streamlocal@openssh.com` channel for every
 * connection it accepts. Local (§7.2 `direct-tcpip`, `direct-streamlocal@openssh.com`): check,
 * connect, and relay. Listeners close with their cancel request or with the connection.
 * @module
 */
import * as net from "node:net";
import { type AuthResult, allowsDirectTcpip, allowsTcpipForward } from "@purssh/auth";
import type { Connection, GlobalRequestAnswer, IncomingChannelOpen, IncomingGlobalRequest } from "@purssh/connection";
import { ChannelStream, relay } from "@purssh/net";
import { OPEN_FAILURE } from "@purssh/wire";
import { bindTarget, type ListenPermission, listenPermitted, parsePermitListen } from "./bind-policy.js";
import { type AcceptedSocket, bindTcp, bindUnix, type ForwardListener } from "./listeners.js";
import {
  FIRST_UNPRIVILEGED_PORT,
  type ForwardingDirections,
  type ForwardingOptions,
  type ForwardingRequest,
  MAX_FORWARDS_PER_CONNECTION,
} from "./options.js";

/** Time for a direct-tcpip connect before the open fails (sshd relies on the kernel's; we bound it). */
export const DIRECT_CONNECT_TIMEOUT_MS = 30_000;

const allows = (d: ForwardingDirections | undefined, direction: "remote" | "local") =>
  d === undefined || d === true || d === direction;

export class Forwardings {
  private readonly listeners = new Map<string, ForwardListener>();
  private readonly permitListen: readonly ListenPermission[] | "any" | "none";
  private readonly permitOpen: readonly ListenPermission[] | "any" | "none";
  private readonly relays = new Set<net.Socket>();
  private closed = false;

  constructor(
    private readonly connection: Connection,
    private readonly login: AuthResult,
    private readonly options: ForwardingOptions,
    private readonly log: (level: 1 | 2 | 3, text: string) => void,
  ) {
    this.permitListen = parsePermitListen(options.permitListen ?? ["any"]);
    this.permitOpen = parsePermitListen(options.permitOpen ?? ["any"]);
  }

  /** Answers the forwarding global requests; anything else gets REQUEST_FAILURE. */
  async answer(request: IncomingGlobalRequest): Promise<GlobalRequestAnswer> {
    switch (request.kind) {
      case "tcpip-forward":
        return this.listenTcp(request.address, request.port);
      case "cancel-tcpip-forward":
        return this.cancel(tcpKey(request.address, request.port));
      case "streamlocal-forward@openssh.com":
        return this.listenUnix(request.socketPath);
      case "cancel-streamlocal-forward@openssh.com":
        return this.cancel(unixKey(request.socketPath));
      default:
        return false;
    }
  }

  /** direct-tcpip / direct-streamlocal: connect where the client asks, if allowed, and relay. */
  async openDirect(open: IncomingChannelOpen): Promise<void> {
    let target: net.NetConnectOpts;
    let request: ForwardingRequest;
    if (open.kind === "direct-tcpip") {
      request = { kind: "direct-tcpip", ...pick(open) };
      if (!allows(this.options.allowTcpForwarding, "local")) return this.refuse(open, "TCP forwarding is disabled");
      if (
        !listenPermitted(this.permitOpen, open.host, open.port) ||
        !allowsDirectTcpip(this.login, open.host, open.port)
      ) {
        return this.refuse(open, `opening ${open.host}:${open.port} is not permitted`);
      }
      target = { host: open.host, port: open.port };
    } else if (open.kind === "direct-streamlocal@openssh.com") {
      request = { kind: "direct-streamlocal", socketPath: open.socketPath };
      if (!allows(this.options.allowStreamLocalForwarding, "local") || this.restricted()) {
        return this.refuse(open, "Unix-socket forwarding is disabled");
      }
      target = { path: open.socketPath };
    } else {
      open.reject(OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE, `channel type ${open.type} is not supported`);
      return;
    }
    if (!(await this.authorized(request))) return this.refuse(open, "refused by the server's policy");
    const socket = net.connect({ ...target, allowHalfOpen: true });
    const timer = setTimeout(() => socket.destroy(new Error("connect timed out")), DIRECT_CONNECT_TIMEOUT_MS);
    socket.once("error", (e) => {
      clearTimeout(timer);
      open.reject(OPEN_FAILURE.CONNECT_FAILED, e.message);
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      if (this.closed) {
        socket.destroy();
        return;
      }
      let channel: ReturnType<IncomingChannelOpen["accept"]>;
      try {
        channel = open.accept();
      } catch {
        socket.destroy();
        return;
      }
      this.track(socket);
      relay(socket, new ChannelStream(channel));
    });
  }

  /** The connection ended: stop listening and drop relayed sockets. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.listeners.values()];
    this.listeners.clear();
    for (const s of this.relays) s.destroy();
    await Promise.all(all.map((l) => l.close()));
  }

  get activeListeners(): readonly ForwardListener[] {
    return [...this.listeners.values()];
  }

  private async listenTcp(address: string, port: number): Promise<GlobalRequestAnswer> {
    const where = `${address || "*"}:${port}`;
    const deny = (why: string) => {
      this.log(1, `remote forwarding ${where} refused: ${why}`);
      return false;
    };
    if (!allows(this.options.allowTcpForwarding, "remote")) return deny("TCP forwarding is disabled");
    if (!Number.isInteger(port) || port < 0 || port > 65535) return deny("port out of range");
    if (port !== 0 && port < FIRST_UNPRIVILEGED_PORT && !this.options.allowPrivilegedPorts) {
      return deny("privileged port");
    }
    if (!listenPermitted(this.permitListen, address, port)) return deny("not in PermitListen");
    if (!allowsTcpipForward(this.login, address, port)) return deny("not permitted for this key");
    const key = tcpKey(address, port);
    if (port !== 0 && this.listeners.has(key)) return deny("already forwarded on this connection");
    if (this.listeners.size >= MAX_FORWARDS_PER_CONNECTION) return deny("too many forwardings");
    if (!(await this.authorized({ kind: "tcpip-forward", address, port }))) return deny("refused by policy");
    let listener: ForwardListener;
    try {
      listener = await bindTcp(bindTarget(address, this.options.gatewayPorts ?? "no"), port);
    } catch (e) {
      return deny((e as Error).message);
    }
    if (this.closed) {
      await listener.close();
      return false;
    }
    // A port-0 forwarding is known (and cancelled) by the port the server chose.
    this.listeners.set(tcpKey(address, listener.port), listener);
    listener.start((accepted) =>
      this.forwardAccepted(accepted, (events) =>
        this.connection.openForwardedTcpip(
          {
            connectedAddress: address,
            connectedPort: listener.port,
            originatorAddress: accepted.originatorAddress,
            originatorPort: accepted.originatorPort,
          },
          events,
        ),
      ),
    );
    this.log(1, `listening on ${where} → port ${listener.port} for ${this.login.username}`);
    return port === 0 ? listener.port : true;
  }

  private async listenUnix(socketPath: string): Promise<GlobalRequestAnswer> {
    if (!allows(this.options.allowStreamLocalForwarding, "remote") || this.restricted()) return false;
    if (this.listeners.has(unixKey(socketPath)) || this.listeners.size >= MAX_FORWARDS_PER_CONNECTION) return false;
    if (!(await this.authorized({ kind: "streamlocal-forward", socketPath }))) return false;
    let listener: ForwardListener;
    try {
      listener = await bindUnix(socketPath);
    } catch (e) {
      this.log(1, `streamlocal forwarding ${socketPath} refused: ${(e as Error).message}`);
      return false;
    }
    this.listeners.set(unixKey(socketPath), listener);
    listener.start((accepted) =>
      this.forwardAccepted(accepted, (events) => this.connection.openForwardedStreamlocal(socketPath, events)),
    );
    return true;
  }

  private async cancel(key: string): Promise<GlobalRequestAnswer> {
    const listener = this.listeners.get(key);
    if (!listener) return false;
    this.listeners.delete(key);
    await listener.close();
    return true;
  }

  /** Opens the channel for an accepted socket, then relays; the socket stays paused until then. */
  private forwardAccepted(
    accepted: AcceptedSocket,
    open: (events: ChannelStream["channelEvents"]) => Promise<ReturnType<IncomingChannelOpen["accept"]>>,
  ): void {
    const { socket } = accepted;
    const stream = new ChannelStream();
    socket.once("error", () => socket.destroy());
    open(stream.channelEvents).then(
      (channel) => {
        accepted.settled();
        // The confirmation can arrive after the connection ended and closeAll ran: nothing would
        // ever relay or destroy this (still paused) socket, and its listener's close would hang.
        if (socket.destroyed || channel.closed || this.closed) {
          if (!channel.closed) channel.close();
          socket.destroy();
          return;
        }
        stream.attach(channel);
        this.track(socket);
        relay(socket, stream);
        socket.resume();
      },
      (e: unknown) => {
        accepted.settled();
        this.log(2, `forwarded connection refused by the client: ${(e as Error).message}`);
        socket.destroy();
      },
    );
  }

  private track(socket: net.Socket): void {
    this.relays.add(socket);
    socket.once("close", () => this.relays.delete(socket));
  }

  /** authorized_keys `restrict` / `no-port-forwarding` also forbid Unix-socket forwarding. */
  private restricted(): boolean {
    return !allowsTcpipForward(this.login, "", 0) && this.login.authorizedKey !== undefined;
  }

  private async authorized(request: ForwardingRequest): Promise<boolean> {
    if (!this.options.authorize) return true;
    try {
      return (await this.options.authorize(request, this.login)) === true;
    } catch (e) {
      this.log(1, `forwarding policy failed: ${(e as Error).message}`);
      return false;
    }
  }

  private refuse(open: IncomingChannelOpen, why: string): void {
    this.log(1, `channel ${open.type} refused: ${why}`);
    open.reject(OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED, why);
  }
}

const tcpKey = (address: string, port: number) => `tcp ${address} ${port}`;
const unixKey = (path: string) => `unix ${path}`;

function pick(open: Extract<IncomingChannelOpen, { kind: "direct-tcpip" }>) {
  return {
    host: open.host,
    port: open.port,
    originatorAddress: open.originatorAddress,
    originatorPort: open.originatorPort,
  };
}
