/**
 * The one global concurrency limit of the code verifier: every program run, whatever its runtime, holds
 * a slot. Slots are numbered, so a runtime can keep one warm resource per slot (an isolate, a Pyodide
 * worker, a uid for the process sandbox). Sized to the cores by default. Slots go round-robin to the
 * requests waiting for them (core/fair-queue.ts), so one request's hanging programs cannot starve another's.
 */
import { availableParallelism } from "node:os";
import { FairQueue } from "../../core/index.js";

function defaultSlots(): number {
  const env = Number(process.env.REWARDKIT_CODE_CONCURRENCY);
  return Number.isInteger(env) && env > 0 ? env : Math.max(1, availableParallelism());
}

/** Most slots one request may hold (REWARDKIT_CODE_REQUEST_CAP; default: all of them). */
function requestCap(size: number): number {
  const env = Number(process.env.REWARDKIT_CODE_REQUEST_CAP);
  return Number.isInteger(env) && env > 0 ? Math.min(env, size) : size;
}

let limiter: FairQueue | undefined;

export function codeLimiter(): FairQueue {
  const n = defaultSlots();
  limiter ??= new FairQueue(n, requestCap(n));
  return limiter;
}

/** Sets the number of concurrent program runs (before the first run; default: the number of cores). */
export function setCodeConcurrency(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error("concurrency must be a positive integer");
  if (limiter && limiter.busy > 0)
    throw new Error("cannot resize the code concurrency limit while programs run");
  limiter = new FairQueue(n, requestCap(n));
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
