/**
 * Replies in request order (RFC 4254 §4 for global requests, §5.4 for channel requests): neither
 * REQUEST_SUCCESS/FAILURE nor CHANNEL_SUCCESS/FAILURE names the request it answers, so the n-th
 * reply answers the n-th request that wanted one. The application may decide out of order; a
 * decided reply is held until every earlier one has gone out. The number of undecided requests is
 * bounded, and exceeding the bound is fatal (see MAX_PENDING_GLOBAL_REQUESTS).
 * @module
 */
import { DISCONNECT, ProtocolError } from "@purssh/wire";

interface Slot {
  reply: Uint8Array | undefined;
}

export class OrderedReplies {
  private readonly slots: Slot[] = [];
  private stopped = false;

  constructor(
    /** How many replies may be owed at once. */
    private readonly limit: number,
    /** What owes the replies, for the error message: "global requests", "channel 3". */
    private readonly owner: string,
    private readonly send: (reply: Uint8Array) => void,
  ) {}

  /** Replies owed (decided or not) that have not gone out yet. */
  get owed(): number {
    return this.slots.length;
  }

  /**
   * Takes the next place in line; returns the function that fills it (later calls are ignored).
   * Throws a ProtocolError when `limit` replies are already owed.
   */
  reserve(): (reply: Uint8Array) => void {
    if (this.stopped) return () => {};
    if (this.slots.length >= this.limit) {
      throw new ProtocolError(
        "ERR_TOO_MANY_PENDING_REQUESTS",
        `the peer has ${this.slots.length} requests awaiting a reply on ${this.owner} (limit ${this.limit})`,
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
    const slot: Slot = { reply: undefined };
    this.slots.push(slot);
    return (reply) => {
      if (this.stopped || slot.reply !== undefined) return;
      slot.reply = reply;
      for (let head = this.slots[0]; head?.reply !== undefined; head = this.slots[0]) {
        this.slots.shift();
        this.send(head.reply);
      }
    };
  }

  /** Nothing more may be sent (our CLOSE went out, or the connection ended): drop what is owed. */
  stop(): void {
    this.stopped = true;
    this.slots.length = 0;
  }
}
