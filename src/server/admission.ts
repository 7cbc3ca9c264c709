/**
 * Admission control by estimated work. Each sample of the spec is estimated to cost `cost` seconds of
 * the server's capacity: at first a prior from the spec's node types (cost.ts), then a running average of
 * what the server measures (time busy / samples finished). A request is refused with 429 and an honest
 * Retry-After (the time for enough queued work to drain) when the work queued with it would exceed
 * `maxQueueSeconds`, or its samples `maxPending`. A request alone larger than the budget is admitted
 * only when nothing else is queued, so a big batch is slow but never refused for ever.
 *
 * Refusals are cheap (`precheck` runs before the body is read), and refused clients keep their place: a
 * client refused first is admitted first (room is kept for it until it comes back, or its place
 * expires), so clients that retry at once cannot take every gap in the queue from clients that wait as
 * told. A client is its address as the server sees it.
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
/** Refused clients remembered (a bounded map; the oldest go first). */
const MAX_CLIENTS = 10_000;
/** A refused client's place is kept for twice its Retry-After plus this. */
const TICKET_GRACE_S = 5;
/** A measurement of the cost per sample is taken over LEARN_MS busy and LEARN_SAMPLES samples at least. */
const LEARN_MS = 500;
const LEARN_SAMPLES = 16;
/** ... or over this much busy time when samples are slow. */
const LEARN_MAX_MS = 10_000;
/** Weight of a new measurement in the running average of the cost per sample. */
const EWMA = 0.3;

export class Admission {
  private pending = 0;
  private costS: number;
  private measured = false;
  private windows = 0;
  private busyMs = 0;
  private doneSince = 0;
  private lastTick = performance.now();
  private scoredTotal = 0;
  private refusedTotal = 0;
  /** Clients refused and not yet admitted, in the order of their first refusal. */
  private readonly tickets = new Map<string, { samples: number; expires: number }>();
  /** Running mean of the samples per admitted request (a refusal before the body is read assumes it). */
  private meanRequest: number | undefined;

  constructor(readonly opts: AdmissionOptions) {
    this.costS = opts.priorCost;
  }

  /** Before the body is read: refuses any request while the queue is already full. */
  precheck(client?: string): void {
    const ahead = this.ahead(client);
    if (
      this.pending > 0 &&
      (this.queuedSeconds + ahead >= this.opts.maxQueueSeconds || this.pending >= this.opts.maxPending)
    ) {
      // The request's size is not known yet: Retry-After is when the queue has room again, and the place
      // kept for the client assumes a request of the usual size.
      const known = client === undefined ? undefined : this.tickets.get(client)?.samples;
      throw this.refuse(0, client, ahead, known ?? Math.round(this.meanRequest ?? 1));
    }
  }

  /**
   * Admits n samples or throws Busy. Returns the function that releases k of them as they are scored
   * (all that are left without k), so the queued work is known as a batch progresses.
   */
  enter(n: number, client?: string): (k?: number) => void {
    const ahead = this.ahead(client);
    const fits =
      (this.pending === 0 && ahead === 0) ||
      (this.pending + n <= this.opts.maxPending &&
        this.queuedSeconds + ahead + n * this.costS <= this.opts.maxQueueSeconds);
    if (!fits) throw this.refuse(n, client, ahead);
    if (client !== undefined) this.tickets.delete(client);
    this.meanRequest = this.meanRequest === undefined ? n : 0.8 * this.meanRequest + 0.2 * n;
    this.tick();
    this.pending += n;
    let left = n;
    return (k = left) => {
      const m = Math.min(k, left);
      if (m <= 0) return;
      left -= m;
      this.tick();
      this.pending -= m;
      this.scoredTotal += m;
      this.doneSince += m;
      this.learn();
    };
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
      waiting_clients: this.tickets.size,
      scored: this.scoredTotal,
      refused: this.refusedTotal,
    };
  }

  /**
   * Work (seconds) kept for the clients refused before this one that have not been back yet. Places of
   * clients that did not come back expire.
   */
  private ahead(client: string | undefined): number {
    const now = Date.now();
    let sum = 0;
    for (const [c, t] of this.tickets) {
      if (t.expires < now) {
        this.tickets.delete(c);
        continue;
      }
      if (c === client) break;
      sum += t.samples * this.costS;
    }
    return sum;
  }

  private refuse(n: number, client: string | undefined, ahead: number, keep = n): Busy {
    this.refusedTotal++;
    const over = this.queuedSeconds + ahead + n * this.costS - this.opts.maxQueueSeconds;
    const s = Math.min(
      MAX_RETRY_AFTER_S,
      Math.max(1, Math.ceil(over > 0 ? over : this.queuedSeconds + ahead)),
    );
    if (client !== undefined) {
      const expires = Date.now() + (2 * s + TICKET_GRACE_S) * 1000;
      const t = this.tickets.get(client);
      if (t) {
        t.samples = keep;
        t.expires = expires;
      } else {
        if (this.tickets.size >= MAX_CLIENTS) this.tickets.delete(this.tickets.keys().next().value!);
        this.tickets.set(client, { samples: keep, expires });
      }
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

  /**
   * Folds the time busy per sample finished into the running cost, over windows of at least LEARN_MS
   * busy and LEARN_SAMPLES samples (or LEARN_MAX_MS busy): results come in bursts, and short windows
   * would swing between bursts and gaps. The first window is dropped: it holds the start-up (worker
   * threads, sandboxes), which later samples do not pay.
   */
  private learn(): void {
    if (this.doneSince === 0 || this.busyMs < LEARN_MS) return;
    if (this.doneSince < LEARN_SAMPLES && this.busyMs < LEARN_MAX_MS) return;
    const sample = this.busyMs / 1000 / this.doneSince;
    if (this.windows === 1) this.costS = sample;
    else if (this.windows > 1) this.costS = (1 - EWMA) * this.costS + EWMA * sample;
    this.measured = this.windows >= 1;
    this.windows++;
    this.busyMs = 0;
    this.doneSince = 0;
  }
}
