/**
 * `ReconnectingClient`: an SSH connection that comes back by itself (the seed's AutoReconnect,
 * RetryInterval, MaxRetryCount and ReconnectAttempt event). The first logon is not retried; after
 * a loss — the server closed, the TCP connection died, keepalives went unanswered — it waits
 * `retryIntervalMs` (±20 % jitter), reconnects, doubling the wait after each failure up to 60 s,
 * and re-issues every PersistentListener's forwarding on the new connection. `maxRetryCount`
 * failed attempts in a row (0 = unlimited) end it with 'gaveUp'.
 *
 * Events after a loss, in order: 'disconnected' (error); per attempt 'reconnectAttempt'
 * ({ attempt, delayMs, error? }, before the wait); then 'connected' (SshClient) followed by one
 * 'forwardRestored' or 'forwardFailed' per forwarding — or 'gaveUp' (the last error). 'connected'
 * also fires for the first connection.
 * @module
 */
import { EventEmitter } from "node:events";
import { SshError } from "@purssh/wire";
import type { ListenOptions, SshClient } from "./client.js";
import { type ConnectOptions, connect } from "./connect.js";
import { PersistentListener } from "./persistent-listener.js";

export const DEFAULT_RETRY_INTERVAL_MS = 5_000;
export const DEFAULT_MAX_BACKOFF_MS = 60_000;
export const DEFAULT_RECONNECT_JITTER = 0.2;

export interface ReconnectPolicy {
  /** Wait before the first retry (default 5000 ms: the seed's RetryInterval default of 5 s). */
  retryIntervalMs?: number;
  /** Failed attempts in a row before giving up (default 0: never give up). */
  maxRetryCount?: number;
  /** The doubling stops here (default 60000 ms; never below retryIntervalMs). */
  maxBackoffMs?: number;
  /** Each wait is scaled by a random factor in [1 − jitter, 1 + jitter] (default 0.2). */
  jitter?: number;
  /** Uniform in [0, 1) (default Math.random); inject for deterministic waits. */
  random?: () => number;
}

/**
 * The wait before reconnect attempt `attempt` (1-based): retryIntervalMs × 2^(attempt − 1),
 * capped at maxBackoffMs (or retryIntervalMs if larger), then scaled by 1 ± jitter; whole ms.
 */
export function reconnectDelay(attempt: number, policy: ReconnectPolicy = {}): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`reconnect attempts count from 1, got ${attempt}`);
  }
  const { interval, cap, jitter } = checkedPolicy(policy);
  const base = Math.min(cap, interval * 2 ** Math.min(attempt - 1, 1000));
  const r = Math.min(1, Math.max(0, (policy.random ?? Math.random)()));
  return Math.round(base * (1 + jitter * (2 * r - 1)));
}

function checkedPolicy(policy: ReconnectPolicy): { interval: number; cap: number; jitter: number; maxRetries: number } {
  const interval = policy.retryIntervalMs ?? DEFAULT_RETRY_INTERVAL_MS;
  const maxBackoff = policy.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const jitter = policy.jitter ?? DEFAULT_RECONNECT_JITTER;
  const maxRetries = policy.maxRetryCount ?? 0;
  if (!Number.isFinite(interval) || interval < 0) throw new RangeError(`retryIntervalMs must be ≥ 0, got ${interval}`);
  if (!Number.isFinite(maxBackoff) || maxBackoff < 0)
    throw new RangeError(`maxBackoffMs must be ≥ 0, got ${maxBackoff}`);
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`jitter must be within [0, 1], got ${jitter}`);
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new RangeError(`maxRetryCount must be a non-negative integer, got ${maxRetries}`);
  }
  return { interval, cap: Math.max(maxBackoff, interval), jitter, maxRetries };
}

export interface ReconnectAttempt {
  /** 1 for the first attempt after a loss. */
  attempt: number;
  /** The wait before this attempt connects. */
  delayMs: number;
  /** Why the previous attempt failed (absent on attempt 1: 'disconnected' reported the loss). */
  error?: SshError;
}

export interface ForwardRestored {
  listener: PersistentListener;
  /** The port bound on the lost connection. */
  previousPort: number;
  /** The port bound now (the same unless it was port 0 and the old port was refused). */
  port: number;
}

export interface ForwardFailed {
  listener: PersistentListener;
  error: Error;
}

export interface ReconnectingClientEvents {
  connected: [SshClient];
  disconnected: [SshError];
  reconnectAttempt: [ReconnectAttempt];
  forwardRestored: [ForwardRestored];
  forwardFailed: [ForwardFailed];
  gaveUp: [SshError];
}

type State =
  | { kind: "idle" }
  | { kind: "starting"; abort: AbortController }
  | { kind: "connected"; client: SshClient }
  | { kind: "waiting"; attempt: number; timer: ReturnType<typeof setTimeout> }
  | { kind: "connecting"; attempt: number; abort: AbortController }
  | { kind: "gaveUp"; error: SshError }
  | { kind: "closed" };

/** What a ReconnectingClient is doing. */
export type ReconnectingClientStatus = State["kind"];

type OptionsSource = ConnectOptions | (() => ConnectOptions | Promise<ConnectOptions>);

export class ReconnectingClient extends EventEmitter<ReconnectingClientEvents> {
  private state: State = { kind: "idle" };
  private readonly persistent = new Set<PersistentListener>();
  private readonly policy: ReconnectPolicy;
  private readonly maxRetries: number;
  private unwatchSignal: (() => void) | undefined;

  /**
   * `options` may be a function called before every attempt (fresh credentials, a new proxy).
   * Aborting the first options' `signal` aborts start(), and later closes this client.
   */
  constructor(
    private readonly options: OptionsSource,
    policy: ReconnectPolicy = {},
  ) {
    super();
    this.maxRetries = checkedPolicy(policy).maxRetries;
    this.policy = { ...policy };
  }

  /** idle → starting → connected ⇄ waiting / connecting → gaveUp or closed. */
  get status(): ReconnectingClientStatus {
    return this.state.kind;
  }

  /** The current connection (undefined while reconnecting). */
  get client(): SshClient | undefined {
    return this.state.kind === "connected" ? this.state.client : undefined;
  }

  get connected(): boolean {
    return this.state.kind === "connected" && !this.state.client.isClosed;
  }

  /** The forwardings re-issued after each reconnect. */
  get forwards(): readonly PersistentListener[] {
    return [...this.persistent];
  }

  /** The first connection; rejects if it fails (the first logon is not retried). */
  async start(): Promise<SshClient> {
    if (this.state.kind !== "idle") {
      throw new SshError("ERR_ALREADY_STARTED", `start() was already called (the client is ${this.state.kind})`);
    }
    const abort = new AbortController();
    this.state = { kind: "starting", abort };
    let client: SshClient;
    try {
      const options = await this.resolveOptions();
      if (options.signal?.aborted) throw new SshError("ERR_ABORTED", "start() was aborted");
      this.watchSignal(options.signal);
      client = await this.connectOnce(options, abort);
    } catch (e) {
      if (this.state.kind === "starting" && this.state.abort === abort) {
        this.state = { kind: "idle" };
        this.unwatchSignal?.();
        this.unwatchSignal = undefined;
      }
      throw asSshError(e);
    }
    if (this.state.kind !== "starting" || this.state.abort !== abort) {
      await client.close();
      throw new SshError("ERR_ABORTED", "the client was closed while start() was connecting");
    }
    this.install(client);
    return client;
  }

  /**
   * RFC 4254 §7.1: a remote forwarding re-issued after every reconnect. Port 0 lets the server
   * choose; after a reconnect the same port is asked for again, and 0 only if that is refused.
   */
  async listen(options: ListenOptions): Promise<PersistentListener> {
    const client = this.client;
    if (!client || client.isClosed) {
      throw new SshError("ERR_NOT_CONNECTED", `cannot listen while the client is ${this.state.kind}`);
    }
    const listener = new PersistentListener(options, (l) => this.persistent.delete(l));
    await listener.open(client);
    this.persistent.add(listener);
    return listener;
  }

  /** Stops reconnecting, closes the connection and every PersistentListener. */
  async close(): Promise<void> {
    const previous = this.state;
    if (previous.kind === "closed") return;
    this.state = { kind: "closed" };
    this.unwatchSignal?.();
    this.unwatchSignal = undefined;
    for (const l of [...this.persistent]) l.end();
    switch (previous.kind) {
      case "starting":
      case "connecting":
        previous.abort.abort();
        break;
      case "waiting":
        clearTimeout(previous.timer);
        break;
      case "connected":
        await previous.client.close();
        break;
      case "idle":
      case "gaveUp":
        break;
      default: {
        const unhandled: never = previous;
        throw new Error(`unknown state ${JSON.stringify(unhandled)}`);
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async resolveOptions(): Promise<ConnectOptions> {
    return typeof this.options === "function" ? await this.options() : this.options;
  }

  /** connect() with `abort` and the options' own signal both able to stop it. */
  private async connectOnce(options: ConnectOptions, abort: AbortController): Promise<SshClient> {
    const outer = options.signal;
    const onOuterAbort = () => abort.abort();
    if (outer?.aborted) abort.abort();
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    try {
      return await connect({ ...options, signal: abort.signal });
    } finally {
      outer?.removeEventListener("abort", onOuterAbort);
    }
  }

  /** Aborting the start options' signal later closes this client. */
  private watchSignal(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const onAbort = () => void this.close();
    signal.addEventListener("abort", onAbort, { once: true });
    this.unwatchSignal = () => signal.removeEventListener("abort", onAbort);
  }

  private install(client: SshClient): void {
    this.state = { kind: "connected", client };
    client.once("close", (error?: SshError) => this.lost(client, error));
    this.emit("connected", client);
    // The connection may have died before the listener above was installed.
    if (client.isClosed) this.lost(client, client.closeError);
  }

  private lost(client: SshClient, error: SshError | undefined): void {
    if (this.state.kind !== "connected" || this.state.client !== client) return;
    if (error === undefined) {
      // Closed from this side (client.close()): that is a logoff, not a loss.
      void this.close();
      return;
    }
    this.emit("disconnected", error);
    this.schedule(1, undefined);
  }

  private schedule(attempt: number, lastError: SshError | undefined): void {
    if (this.state.kind === "closed" || this.state.kind === "gaveUp") return;
    const delayMs = reconnectDelay(attempt, this.policy);
    const timer = setTimeout(() => void this.attempt(attempt), delayMs);
    this.state = { kind: "waiting", attempt, timer };
    this.emit("reconnectAttempt", { attempt, delayMs, ...(lastError ? { error: lastError } : {}) });
  }

  private async attempt(attempt: number): Promise<void> {
    if (this.state.kind !== "waiting" || this.state.attempt !== attempt) return;
    const abort = new AbortController();
    this.state = { kind: "connecting", attempt, abort };
    const current = () => this.state.kind === "connecting" && this.state.abort === abort;
    let client: SshClient;
    try {
      client = await this.connectOnce(await this.resolveOptions(), abort);
    } catch (e) {
      if (!current()) return;
      const error = asSshError(e);
      if (this.maxRetries > 0 && attempt >= this.maxRetries) this.giveUp(error);
      else this.schedule(attempt + 1, error);
      return;
    }
    if (!current()) {
      await client.close();
      return;
    }
    this.install(client);
    await this.restoreForwards(client);
  }

  private giveUp(error: SshError): void {
    this.state = { kind: "gaveUp", error };
    this.unwatchSignal?.();
    this.unwatchSignal = undefined;
    for (const l of [...this.persistent]) l.end();
    this.emit("gaveUp", error);
  }

  private async restoreForwards(client: SshClient): Promise<void> {
    await Promise.all(
      [...this.persistent].map(async (listener) => {
        try {
          const { previousPort, port } = await listener.open(client);
          if (this.client === client && !listener.closed)
            this.emit("forwardRestored", { listener, previousPort, port });
        } catch (e) {
          if (this.client === client && !listener.closed) {
            this.emit("forwardFailed", { listener, error: e instanceof Error ? e : new Error(String(e)) });
          }
        }
      }),
    );
  }
}

function asSshError(e: unknown): SshError {
  if (e instanceof SshError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new SshError("ERR_CONNECT_FAILED", message, { cause: e });
}
