/**
 * Admission control by estimated work. Each sample of the spec is estimated to cost `cost` seconds of
 * the server's capacity: at first a prior from the spec's node types (cost.ts), then a running average of
 * what the server measures (time busy / samples finished). A request is refused with 429 and an honest
 * Retry-After (the time for enough queued work to drain) when the work queued with it would exceed
 * `maxQueueSeconds`, or its samples `maxPending`. A request alone larger than the budget is admitted
 * only when nothing else is queued, so a big batch is slow but never refused for ever.
 *
 * Refusals are cheap (`precheck` runs before the body is read), and a client that comes back before its
 * Retry-After is over may only fill the queue half way, so clients retrying in a loop cannot take all the
 * room that frees up from clients that wait as told.
 */

export class Busy extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

export interface AdmissionOptions {
  /** Most samples admitted and not yet scored. */
  maxPending: number;
  /** Most estimated work admitted and not yet done, in seconds. */
  maxQueueSeconds: number;
  /** Estimated seconds of capacity per sample before anything was measured. */
  priorCost: number;
}

const MAX_RETRY_AFTER_S = 60;
/** Clients remembered for their Retry-After (a bounded map; the oldest go first). */
const MAX_CLIENTS = 10_000;
/** Weight of a new measurement in the running average of the cost per sample. */
const EWMA = 0.3;

export class Admission {
  private pending = 0;
  private costS: number;
  private measured = false;
  private busyMs = 0;
  private doneSince = 0;
  private lastTick = performance.now();
  private scoredTotal = 0;
  private refusedTotal = 0;
  private readonly notBefore = new Map<string, number>();

  constructor(readonly opts: AdmissionOptions) {
    this.costS = opts.priorCost;
  }

  /**
   * Before the body is read: refuses any request while the queue is already full (for a client back
   * before its Retry-After: half full).
   */
  precheck(client?: string): void {
    const f = this.share(client);
    if (
      this.pending > 0 &&
      (this.queuedSeconds >= f * this.opts.maxQueueSeconds || this.pending >= f * this.opts.maxPending)
    ) {
      throw this.refuse(0, client, f);
    }
  }

  /** Admits n samples or throws Busy; returns the function that releases them once scored. */
  enter(n: number, client?: string): () => void {
    const f = this.share(client);
    if (
      this.pending > 0 &&
      (this.pending + n > f * this.opts.maxPending ||
        this.queuedSeconds + n * this.costS > f * this.opts.maxQueueSeconds)
    ) {
      throw this.refuse(n, client, f);
    }
    this.tick();
    this.pending += n;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.tick();
      this.pending -= n;
      this.scoredTotal += n;
      this.doneSince += n;
      this.learn();
    };
  }

  /**
   * The share of the queue a client may fill: all of it, or half for a client back before the
   * Retry-After it was given. Clients that retry at once then keep the queue about half full at most,
   * and clients that wait as told find room above that.
   */
  private share(client: string | undefined): number {
    if (client === undefined) return 1;
    const until = this.notBefore.get(client);
    if (until === undefined) return 1;
    if (Date.now() < until) return 0.5;
    this.notBefore.delete(client);
    return 1;
  }

  /** Samples admitted and not yet scored. */
  get queued(): number {
    return this.pending;
  }

  /** Estimated seconds of work admitted and not yet done. */
  get queuedSeconds(): number {
    return this.pending * this.costS;
  }

  /** Estimated seconds of capacity per sample (measured once the server has scored enough). */
  get costPerSample(): number {
    return this.costS;
  }

  stats() {
    return {
      queued_samples: this.pending,
      queued_seconds: +this.queuedSeconds.toFixed(3),
      max_queue_seconds: this.opts.maxQueueSeconds,
      cost_ms_per_sample: +(this.costS * 1000).toFixed(4),
      cost_measured: this.measured,
      scored: this.scoredTotal,
      refused: this.refusedTotal,
    };
  }

  private refuse(n: number, client: string | undefined, share: number): Busy {
    this.refusedTotal++;
    const over = this.queuedSeconds + n * this.costS - share * this.opts.maxQueueSeconds;
    const s = Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(over > 0 ? over : this.queuedSeconds)));
    if (client !== undefined) {
      if (this.notBefore.size >= MAX_CLIENTS) this.notBefore.delete(this.notBefore.keys().next().value!);
      this.notBefore.delete(client);
      this.notBefore.set(client, Date.now() + s * 1000);
    }
    return new Busy(
      s,
      `the server is busy: ${this.pending} samples queued, about ${this.queuedSeconds.toFixed(1)} s of work ` +
        `(limit ${this.opts.maxQueueSeconds} s, --max-queue-seconds; ${this.opts.maxPending} samples, ` +
        `--max-pending); retry after ${s} s`,
    );
  }

  /** Counts the time the server had work admitted. */
  private tick(): void {
    const now = performance.now();
    if (this.pending > 0) this.busyMs += now - this.lastTick;
    this.lastTick = now;
  }

  /** Folds the time busy per sample finished into the running cost, once there is enough to go on. */
  private learn(): void {
    if (this.doneSince < 32 && this.busyMs < 500) return;
    const sample = this.busyMs / 1000 / Math.max(1, this.doneSince);
    this.costS = this.measured ? (1 - EWMA) * this.costS + EWMA * sample : sample;
    this.measured = true;
    this.busyMs = 0;
    this.doneSince = 0;
  }
}
