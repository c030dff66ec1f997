/**
 * Strictly ordered handling of user-authentication messages (RFC 4252 §5: requests are answered
 * one at a time, in order) when answering may wait for the application: an ssh-agent signature,
 * a user typing a keyboard-interactive response, a policy backed by a database. A step that
 * completes synchronously answers synchronously; while one is pending, later messages wait in a
 * bounded queue (DESIGN.md principle 9: limits are named constants).
 * @module
 */
import { ProtocolError } from "@purssh/wire";

/** A value the application may produce now or later. */
export type MaybePromise<T> = T | Promise<T>;

export function isPromiseLike<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/**
 * A handler written as a generator: it yields values that may be promises and gets them back
 * settled (`const v = yield* settled(x)`), so one body serves sync and async policies alike.
 */
export type Steps = Generator<unknown, void, unknown>;

/** Inside a Steps body: the settled value of `value` (a rejection is thrown at this point). */
export function* settled<T>(value: MaybePromise<T>): Generator<unknown, T, unknown> {
  return (yield value) as T;
}

/**
 * Runs `steps` synchronously for as long as what it yields is not a promise; otherwise returns a
 * promise of its completion. Errors come out as a throw or a rejection, whichever applies.
 */
export function drive(
  steps: Steps,
  resume: (s: Steps) => IteratorResult<unknown, void> = (s) => s.next(),
): MaybePromise<void> {
  let r = resume(steps);
  while (!r.done) {
    const value = r.value;
    if (isPromiseLike(value)) {
      return value.then(
        (v) => drive(steps, (s) => s.next(v)),
        (e: unknown) => drive(steps, (s) => s.throw(e)),
      );
    }
    r = steps.next(value);
  }
  return undefined;
}

export interface SerialInboxOptions {
  /** Handles one payload; a returned promise holds later payloads until it settles. */
  handle(payload: Uint8Array): MaybePromise<void>;
  /** Errors raised after the call that delivered the payload returned (async steps, queued payloads). */
  fail(error: unknown): void;
  /** How many payloads may wait; one more is a ProtocolError. */
  limit: number;
  /** True: an error raised while `push` runs is thrown to its caller instead of going to `fail`. */
  throwSynchronously: boolean;
  /** Who is waiting, for the error message ("the client", "the server"). */
  peer: string;
}

/** Feeds payloads to `handle` one at a time, in arrival order. After an error it stops for good. */
export class SerialInbox {
  private readonly queue: Uint8Array[] = [];
  private busy = false;
  private stopped = false;

  constructor(private readonly options: SerialInboxOptions) {}

  /** Drops what is queued and ignores everything from now on. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  push(payload: Uint8Array): void {
    if (this.stopped) return;
    if (this.busy) {
      if (this.queue.length >= this.options.limit) {
        this.failWith(
          new ProtocolError(
            "ERR_AUTH_QUEUE_FULL",
            `${this.options.peer} sent more than ${this.options.limit} user-authentication messages while one was still being answered`,
          ),
          this.options.throwSynchronously,
        );
        return;
      }
      this.queue.push(payload);
      return;
    }
    this.run(payload, this.options.throwSynchronously);
  }

  private run(first: Uint8Array | undefined, synchronous: boolean): void {
    let payload = first;
    while (payload !== undefined && !this.stopped) {
      let result: MaybePromise<void>;
      try {
        result = this.options.handle(payload);
      } catch (e) {
        this.failWith(e, synchronous);
        return;
      }
      if (isPromiseLike(result)) {
        this.busy = true;
        result.then(
          () => {
            this.busy = false;
            this.run(this.queue.shift(), false);
          },
          (e: unknown) => {
            this.busy = false;
            this.failWith(e, false);
          },
        );
        return;
      }
      payload = this.queue.shift();
    }
  }

  private failWith(error: unknown, synchronous: boolean): void {
    this.stop();
    if (synchronous) throw error;
    this.options.fail(error);
  }
}
