/**
 * Remote forwardings we hold as the requesting side: TCP/IP (`tcpip-forward` /
 * `cancel-tcpip-forward`, RFC 4254 §7.1) and Unix-domain sockets (`streamlocal-forward@openssh.com`
 * / `cancel-streamlocal-forward@openssh.com`, OpenSSH PROTOCOL §2.4). A forwarding is recorded
 * when the peer grants it, inside handle(), so that the `forwarded-tcpip` or
 * `forwarded-streamlocal@openssh.com` opens it causes can be checked against it (§7.2: opens for
 * ports we did not request MUST be refused) even when they arrive in the same read as the grant.
 * @module
 */
import {
  GlobalRequestCancelStreamlocalForward,
  GlobalRequestCancelTcpipForward,
  GlobalRequestStreamlocalForward,
  GlobalRequestTcpipForward,
  ProtocolError,
  RequestSuccessTcpipForward,
} from "@purssh/wire";

/** A remote TCP/IP forwarding the peer granted. */
export interface RemoteForward {
  /** The address as we requested it. */
  readonly address: string;
  /** The port we asked for (0 = server's choice). */
  readonly requestedPort: number;
  /** The port the server listens on. */
  readonly port: number;
}

/** A remote Unix-domain socket forwarding the peer granted. */
export interface StreamlocalForward {
  /** The socket path the peer listens on, as we requested it. */
  readonly socketPath: string;
}

/** How forwarding requests reach the peer (GlobalRequests.request). */
export interface GlobalRequester {
  request<T>(name: string, payload: Uint8Array, deniedMessage: string, onSuccess: (reply: Uint8Array) => T): Promise<T>;
}

export class ForwardTable {
  private readonly tcpip: RemoteForward[] = [];
  private readonly streamlocal: StreamlocalForward[] = [];

  constructor(
    private readonly requests: GlobalRequester,
    private readonly log?: ((level: 1 | 2 | 3, text: string) => void) | undefined,
  ) {}

  get tcpipForwards(): readonly RemoteForward[] {
    return [...this.tcpip];
  }

  get streamlocalForwards(): readonly StreamlocalForward[] {
    return [...this.streamlocal];
  }

  /**
   * RFC 4254 §7.1: asks the peer to listen on address:port. Resolves with the bound port (the
   * peer's choice when port is 0); rejects with RequestDeniedError when refused.
   */
  requestForwarding(address: string, port: number): Promise<RemoteForward> {
    return this.requests.request(
      "tcpip-forward",
      GlobalRequestTcpipForward.encode({
        requestName: "tcpip-forward",
        wantReply: true,
        addressToBind: address,
        portToBind: port,
      }),
      `the server refused to listen on ${address || "(all addresses)"}:${port}`,
      (reply) => {
        // RFC 4254 §7.1: the reply carries the port only when port 0 was requested.
        const bound = port === 0 ? RequestSuccessTcpipForward.decode(reply).boundPort : port;
        if (bound === 0) {
          throw new ProtocolError("ERR_FORWARD_NO_PORT", "the server bound port 0 for a port-0 forwarding");
        }
        const forward: RemoteForward = { address, requestedPort: port, port: bound };
        this.tcpip.push(forward);
        this.log?.(1, `server listens on ${address || "*"}:${bound}`);
        return forward;
      },
    );
  }

  /** RFC 4254 §7.1 `cancel-tcpip-forward` (with want-reply) for a port we hold. */
  cancelForwarding(address: string, port: number): Promise<void> {
    return this.requests.request(
      "cancel-tcpip-forward",
      GlobalRequestCancelTcpipForward.encode({
        requestName: "cancel-tcpip-forward",
        wantReply: true,
        addressToBind: address,
        portToBind: port,
      }),
      `the server refused to cancel the forwarding of ${address || "*"}:${port}`,
      () => {
        const i = this.tcpip.findIndex((f) => f.port === port && f.address === address);
        if (i >= 0) this.tcpip.splice(i, 1);
      },
    );
  }

  /** OpenSSH PROTOCOL §2.4: asks the peer to listen on a Unix-domain socket. */
  requestStreamlocalForward(socketPath: string): Promise<StreamlocalForward> {
    return this.requests.request(
      "streamlocal-forward@openssh.com",
      GlobalRequestStreamlocalForward.encode({
        requestName: "streamlocal-forward@openssh.com",
        wantReply: true,
        socketPath,
      }),
      `the server refused to listen on the socket ${socketPath}`,
      () => {
        const forward: StreamlocalForward = { socketPath };
        this.streamlocal.push(forward);
        this.log?.(1, `server listens on the socket ${socketPath}`);
        return forward;
      },
    );
  }

  /**
   * OpenSSH PROTOCOL §2.4 `cancel-streamlocal-forward@openssh.com`. ssh(1) sends it without
   * want-reply; we ask for a reply (sshd honours want-reply) to learn whether it worked.
   */
  cancelStreamlocalForward(socketPath: string): Promise<void> {
    return this.requests.request(
      "cancel-streamlocal-forward@openssh.com",
      GlobalRequestCancelStreamlocalForward.encode({
        requestName: "cancel-streamlocal-forward@openssh.com",
        wantReply: true,
        socketPath,
      }),
      `the server refused to cancel the forwarding of the socket ${socketPath}`,
      () => {
        const i = this.streamlocal.findIndex((f) => f.socketPath === socketPath);
        if (i >= 0) this.streamlocal.splice(i, 1);
      },
    );
  }

  /** The forwarding a `forwarded-tcpip` open for address:port belongs to (exact address first). */
  matchTcpip(address: string, port: number): RemoteForward | undefined {
    return this.tcpip.find((f) => f.port === port && f.address === address) ?? this.tcpip.find((f) => f.port === port);
  }

  /** The forwarding a `forwarded-streamlocal@openssh.com` open for socketPath belongs to. */
  matchStreamlocal(socketPath: string): StreamlocalForward | undefined {
    return this.streamlocal.find((f) => f.socketPath === socketPath);
  }

  /** The connection ended: the peer's listeners died with it. */
  clear(): void {
    this.tcpip.length = 0;
    this.streamlocal.length = 0;
  }
}
