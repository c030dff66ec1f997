/**
 * What one channel received and has not yet handed to the application because the transfer gate
 * (transfer-gate.ts) said wait: data, already debited from the receive window — so never more
 * than the window — and, behind it, the EOF, CLOSE and requests that arrived after it, which must
 * reach the application in the peer's order (RFC 4254 §5.3: EOF follows the data it ends).
 * @module
 */

type Held = { kind: "data"; bytes: Uint8Array; dataTypeCode: number | undefined } | { kind: "then"; run: () => void };

/** How a channel releases held arrivals. */
export interface ReleaseTarget {
  /** Bytes that may be delivered now (0: stop until the next release). */
  allowance(): number;
  /** `chunk` may be delivered now: the gate has been told. */
  deliver(chunk: Uint8Array, dataTypeCode: number | undefined): void;
  /** True once held data is to be dropped instead (our CLOSE went out). */
  dropsData(): boolean;
}

export class HeldArrivals {
  private items: Held[] = [];
  private releasing = false;

  get empty(): boolean {
    return this.items.length === 0;
  }

  /** Holds a copy of `data` (the transport may reuse the buffer it was decrypted into). */
  holdData(data: Uint8Array, dataTypeCode: number | undefined): void {
    this.items.push({ kind: "data", bytes: data.slice(), dataTypeCode });
  }

  /** Runs `run` now, or after the held data when there is some. */
  afterHeld(run: () => void): void {
    if (this.items.length > 0) this.items.push({ kind: "then", run });
    else run();
  }

  /** Delivers what the target allows, in order; re-entrant calls leave the work to the outer one. */
  release(target: ReleaseTarget): void {
    if (this.releasing) return;
    this.releasing = true;
    try {
      while (this.items.length > 0) {
        const head = this.items[0]!;
        if (head.kind === "then") {
          this.items.shift();
          head.run();
          continue;
        }
        if (target.dropsData()) {
          this.items.shift();
          continue;
        }
        const allowed = target.allowance();
        if (allowed <= 0) return;
        const n = Math.min(allowed, head.bytes.length);
        const chunk = head.bytes.subarray(0, n);
        if (n === head.bytes.length) this.items.shift();
        else head.bytes = head.bytes.subarray(n);
        target.deliver(chunk, head.dataTypeCode);
      }
    } finally {
      this.releasing = false;
    }
  }

  /** The connection ended: nothing held will be delivered. */
  clear(): void {
    this.items = [];
  }
}
