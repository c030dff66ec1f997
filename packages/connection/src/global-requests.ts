/**
 * Global requests, RFC 4254 §4, both ways.
 *
 * Ours go out with want-reply and are matched FIFO to REQUEST_SUCCESS / REQUEST_FAILURE; a reply
 * with no request waiting is dropped (DESIGN.md principle 7). `keepalive@openssh.com` treats
 * either reply as proof of life, as ssh(1)'s ServerAliveInterval does.
 *
 * The peer's are decoded by name — `tcpip-forward` and `cancel-tcpip-forward` (§7.1), OpenSSH's
 * `streamlocal-forward@openssh.com` / `cancel-streamlocal-forward@openssh.com` (PROTOCOL §2.4),
 * `no-more-sessions@openssh.com` (§2.2) and `keepalive@openssh.com` (§2.1) — and answered by the
 * application, possibly out of order; replies leave in arrival order (§4), with at most
 * MAX_PENDING_GLOBAL_REQUESTS owed. Without an answering handler every want-reply request gets
 * REQUEST_FAILURE, which is also how a peer's keepalive is answered.
 * @module
 */
import {
  GlobalRequest,
  GlobalRequestCancelStreamlocalForward,
  GlobalRequestCancelTcpipForward,
  GlobalRequestKeepalive,
  GlobalRequestStreamlocalForward,
  GlobalRequestTcpipForward,
  MSG,
  RequestFailure,
  RequestSuccess,
  RequestSuccessTcpipForward,
} from "@purssh/wire";
import { RequestDeniedError } from "./errors.js";
import { MAX_PENDING_GLOBAL_REQUESTS } from "./limits.js";
import { OrderedReplies } from "./ordered-replies.js";

/** The type-specific part of a peer's global request, discriminated by `kind` (wire name or "other"). */
export type GlobalRequestFields =
  | { kind: "tcpip-forward"; address: string; port: number }
  | { kind: "cancel-tcpip-forward"; address: string; port: number }
  | { kind: "streamlocal-forward@openssh.com"; socketPath: string }
  | { kind: "cancel-streamlocal-forward@openssh.com"; socketPath: string }
  | { kind: "no-more-sessions@openssh.com" }
  | { kind: "keepalive@openssh.com" }
  | { kind: "other"; data: Uint8Array };

/** A global request from the peer, handed to `answerGlobalRequest`. */
export type IncomingGlobalRequest = GlobalRequestFields & {
  /** The request name as sent, e.g. "tcpip-forward" or "hostkeys-00@openssh.com". */
  readonly name: string;
  readonly wantReply: boolean;
  /** The whole GLOBAL_REQUEST payload. */
  readonly payload: Uint8Array;
};

/**
 * The application's answer: false → REQUEST_FAILURE; true → REQUEST_SUCCESS without data; a
 * number → REQUEST_SUCCESS, carrying it as the bound port for a `tcpip-forward` of port 0 (RFC 4254
 * §7.1; there a bare `true` or a port outside 1–65535 is sent as FAILURE, the client could not use
 * it); a Uint8Array → REQUEST_SUCCESS with that response data.
 */
export type GlobalRequestAnswer = boolean | number | Uint8Array;

export interface GlobalRequestsHost {
  send(payload: Uint8Array): void;
  /** Decides the peer's requests; absent: FAILURE for want-reply requests, then `notify`. */
  answer?: ((request: IncomingGlobalRequest) => GlobalRequestAnswer | PromiseLike<GlobalRequestAnswer>) | undefined;
  /** Told of every peer request when there is no `answer`, after the automatic reply. */
  notify?: ((name: string, payload: Uint8Array) => void) | undefined;
  /** `no-more-sessions@openssh.com` arrived. */
  noMoreSessions(): void;
  log?: ((level: 1 | 2 | 3, text: string) => void) | undefined;
}

interface AwaitedReply {
  name: string;
  /** Runs inside handle(), before the next message from the same read is processed. */
  succeed(reply: Uint8Array): void;
  deny(): void;
  fail(error: Error): void;
}

/** Decodes the type-specific fields of a peer's request; a known name that does not decode is fatal. */
export function decodeGlobalRequestFields(payload: Uint8Array, request: GlobalRequest): GlobalRequestFields {
  switch (request.requestName) {
    case "tcpip-forward": {
      const m = GlobalRequestTcpipForward.decode(payload);
      return { kind: "tcpip-forward", address: m.addressToBind, port: m.portToBind };
    }
    case "cancel-tcpip-forward": {
      const m = GlobalRequestCancelTcpipForward.decode(payload);
      return { kind: "cancel-tcpip-forward", address: m.addressToBind, port: m.portToBind };
    }
    case "streamlocal-forward@openssh.com":
      return {
        kind: "streamlocal-forward@openssh.com",
        socketPath: GlobalRequestStreamlocalForward.decode(payload).socketPath,
      };
    case "cancel-streamlocal-forward@openssh.com":
      return {
        kind: "cancel-streamlocal-forward@openssh.com",
        socketPath: GlobalRequestCancelStreamlocalForward.decode(payload).socketPath,
      };
    case "no-more-sessions@openssh.com":
      // PROTOCOL §2.2 defines no data; like sshd we do not look at any that comes.
      return { kind: "no-more-sessions@openssh.com" };
    case "keepalive@openssh.com":
      GlobalRequestKeepalive.decode(payload);
      return { kind: "keepalive@openssh.com" };
    default:
      return { kind: "other", data: request.requestData };
  }
}

const failure = (): Uint8Array => RequestFailure.encode({});

export class GlobalRequests {
  private readonly awaited: AwaitedReply[] = [];
  private readonly owed: OrderedReplies;
  private ended: Error | undefined;

  constructor(private readonly host: GlobalRequestsHost) {
    this.owed = new OrderedReplies(MAX_PENDING_GLOBAL_REQUESTS, "global requests", (reply) => host.send(reply));
  }

  /** Replies we owe the peer that have not gone out (undecided, or held behind one). */
  get owedReplies(): number {
    return this.owed.owed;
  }

  /**
   * Sends a request with want-reply; `onSuccess` turns the REQUEST_SUCCESS payload into the
   * result, synchronously inside handle(); if it throws, this request rejects and the connection
   * goes on. REQUEST_FAILURE rejects with RequestDeniedError(name, deniedMessage).
   */
  request<T>(
    name: string,
    payload: Uint8Array,
    deniedMessage: string,
    onSuccess: (reply: Uint8Array) => T,
  ): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<T>((resolve, reject) => {
      this.awaited.push({
        name,
        succeed: (reply) => {
          try {
            resolve(onSuccess(reply));
          } catch (e) {
            reject(e);
          }
        },
        deny: () => reject(new RequestDeniedError(name, deniedMessage)),
        fail: reject,
      });
      this.host.send(payload);
    });
  }

  /** Sends a request without want-reply (nothing is matched against it). */
  tell(payload: Uint8Array): void {
    if (this.ended) throw this.ended;
    this.host.send(payload);
  }

  /** OpenSSH ServerAlive semantics: any reply, SUCCESS or FAILURE, proves the peer alive. */
  keepalive(): Promise<void> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<void>((resolve, reject) => {
      this.awaited.push({
        name: "keepalive@openssh.com",
        succeed: () => resolve(),
        deny: () => resolve(),
        fail: reject,
      });
      this.host.send(GlobalRequestKeepalive.encode({ requestName: "keepalive@openssh.com", wantReply: true }));
    });
  }

  /** REQUEST_SUCCESS or REQUEST_FAILURE from the peer. */
  receiveReply(payload: Uint8Array): void {
    // Validate before taking the request off the queue, so a malformed reply that ends the
    // connection still leaves the request to be rejected by end().
    if (payload[0] === MSG.REQUEST_FAILURE) RequestFailure.decode(payload);
    const awaited = this.awaited.shift();
    if (!awaited) {
      this.host.log?.(2, `dropping an unsolicited global request reply (${payload[0]})`);
      return;
    }
    if (payload[0] === MSG.REQUEST_SUCCESS) awaited.succeed(payload);
    else awaited.deny();
  }

  /** GLOBAL_REQUEST from the peer. */
  receiveRequest(payload: Uint8Array): void {
    const generic = GlobalRequest.decode(payload);
    const fields = decodeGlobalRequestFields(payload, generic);
    if (fields.kind === "no-more-sessions@openssh.com") this.host.noMoreSessions();
    const answer = this.host.answer;
    if (!answer) {
      // RFC 4254 §7.1: clients SHOULD refuse tcpip-forward from a server; keepalive@openssh.com
      // only needs some reply; hostkeys-00@openssh.com comes with want-reply false.
      if (generic.wantReply) this.host.send(failure());
      this.host.notify?.(generic.requestName, payload);
      return;
    }
    const request: IncomingGlobalRequest = {
      ...fields,
      name: generic.requestName,
      wantReply: generic.wantReply,
      payload,
    };
    const fill = generic.wantReply ? this.owed.reserve() : undefined;
    const settle = (a: GlobalRequestAnswer) => fill?.(this.encodeAnswer(request, a));
    const failed = (e: unknown) => {
      this.host.log?.(1, `answering the global request ${request.name} failed: ${e instanceof Error ? e.message : e}`);
      fill?.(failure());
    };
    let result: GlobalRequestAnswer | PromiseLike<GlobalRequestAnswer>;
    try {
      result = answer(request);
    } catch (e) {
      failed(e);
      return;
    }
    if (typeof result === "object" && "then" in result) result.then(settle, failed);
    else settle(result);
  }

  /** The connection is gone: reject what we wait for, and owe nothing more. */
  end(error: Error): void {
    if (this.ended) return;
    this.ended = error;
    this.owed.stop();
    for (const a of this.awaited.splice(0)) a.fail(error);
  }

  private encodeAnswer(request: IncomingGlobalRequest, answer: GlobalRequestAnswer): Uint8Array {
    if (answer === false) return failure();
    if (request.kind === "tcpip-forward" && request.port === 0) {
      // RFC 4254 §7.1: with port 0 the reply MUST carry the port the server bound.
      if (typeof answer !== "number" || !Number.isInteger(answer) || answer < 1 || answer > 65535) {
        this.host.log?.(1, `tcpip-forward of port 0 answered without a bound port (${String(answer)}); refusing`);
        return failure();
      }
      return RequestSuccessTcpipForward.encode({ boundPort: answer });
    }
    return RequestSuccess.encode({ responseData: answer instanceof Uint8Array ? answer : new Uint8Array(0) });
  }
}
