/**
 * A counting semaphore, and the process-wide one per judge endpoint: every judge that talks to the same
 * base URL shares one limit on requests in flight, whichever rubric node or spec it belongs to.
 */
import { RewardkitError } from "../core/index.js";

export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private max: number) {}

  get limit(): number {
    return this.max;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Lowers (never raises) the limit: the strictest judge configured for an endpoint wins. */
  lowerTo(max: number): void {
    if (max < this.max) this.max = Math.max(1, max);
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  release(): void {
    this.active--;
    while (this.active < this.max && this.waiting.length) this.waiting.shift()!();
  }
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new RewardkitError("timeout", "the evaluation was aborted");
}

const endpoints = new Map<string, Semaphore>();

/** The shared semaphore of an endpoint (created with `max`; a smaller `max` later lowers it). */
export function endpointLimiter(baseUrl: string, max: number): Semaphore {
  const s = endpoints.get(baseUrl);
  if (s) {
    s.lowerTo(max);
    return s;
  }
  const created = new Semaphore(max);
  endpoints.set(baseUrl, created);
  return created;
}
