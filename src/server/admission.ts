/**
 * Admission control: a bounded queue of samples. A request whose samples would push the number admitted
 * and not yet scored over the limit is refused with 429 and a Retry-After estimated from the recent
 * throughput, so a trainer's burst gets backpressure instead of a server that collapses.
 */

export class Busy extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    pending: number,
    limit: number,
  ) {
    super(
      `the server is busy: ${pending} samples queued (limit ${limit}); retry after ${retryAfterSeconds} s`,
    );
  }
}

export class Admission {
  private pending = 0;
  private scored = 0;
  private readonly started = Date.now();

  constructor(readonly maxPending: number) {}

  /** Admits n samples or throws Busy; returns the function that releases them. */
  enter(n: number): () => void {
    if (this.pending > 0 && this.pending + n > this.maxPending) {
      throw new Busy(this.retryAfter(), this.pending, this.maxPending);
    }
    this.pending += n;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.pending -= n;
      this.scored += n;
    };
  }

  get queued(): number {
    return this.pending;
  }

  private retryAfter(): number {
    const rate = this.scored / Math.max(1, (Date.now() - this.started) / 1000);
    return Math.min(60, Math.max(1, Math.ceil(rate > 0 ? this.pending / rate : 5)));
  }
}
