/**
 * The one global concurrency limit of the code verifier: every program run, whatever its runtime, holds
 * a slot. Slots are numbered, so a runtime can keep one warm resource per slot (an isolate, a Pyodide
 * worker, a uid for the process sandbox). Sized to the cores by default.
 */
import { availableParallelism } from "node:os";
import { RewardkitError } from "../../core/index.js";

function defaultSlots(): number {
  const env = Number(process.env.REWARDKIT_CODE_CONCURRENCY);
  return Number.isInteger(env) && env > 0 ? env : Math.max(1, availableParallelism());
}

class Limiter {
  private free: number[];
  private readonly waiting: Array<(slot: number) => void> = [];
  size: number;

  constructor(size: number) {
    this.size = size;
    this.free = Array.from({ length: size }, (_, i) => size - 1 - i);
  }

  acquire(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new RewardkitError("timeout", "aborted"));
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      const grant = (s: number) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(s);
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason ?? new RewardkitError("timeout", "aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  release(slot: number): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }

  get busy(): number {
    return this.size - this.free.length;
  }
}

let limiter: Limiter | undefined;

export function codeLimiter(): Limiter {
  limiter ??= new Limiter(defaultSlots());
  return limiter;
}

/** Sets the number of concurrent program runs (before the first run; default: the number of cores). */
export function setCodeConcurrency(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error("concurrency must be a positive integer");
  if (limiter && limiter.busy > 0)
    throw new Error("cannot resize the code concurrency limit while programs run");
  limiter = new Limiter(n);
}

export async function withSlot<T>(
  signal: AbortSignal | undefined,
  fn: (slot: number) => Promise<T>,
): Promise<T> {
  const l = codeLimiter();
  const slot = await l.acquire(signal);
  try {
    return await fn(slot);
  } finally {
    l.release(slot);
  }
}
