/**
 * Deadlines. `runWithDeadline` gives the work an AbortSignal and settles at the deadline even if the work
 * does not: work that can truly hang must run in the worker pool, whose tasks are killed when the signal
 * aborts.
 */
import { RewardkitError } from "./result.js";

/**
 * The signal of work nobody can cancel (scoring without a caller's signal). Checked by identity, so the
 * worker pool does not add and remove an abort listener per task for it.
 */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

export class TimeoutError extends RewardkitError {
  constructor(ms: number, what = "evaluation") {
    super("timeout", `${what} exceeded its deadline of ${ms} ms`);
  }
}

export function runWithDeadline<T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T> | T,
  parent?: AbortSignal,
  what?: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const ac = new AbortController();
    const stop = (err: unknown) => {
      cleanup();
      ac.abort(err);
      reject(err);
    };
    const timer = setTimeout(() => stop(new TimeoutError(ms, what)), ms);
    const onParentAbort = () => stop(parent?.reason ?? new TimeoutError(ms, what));
    const cleanup = () => {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParentAbort);
    };
    if (parent?.aborted) return onParentAbort();
    parent?.addEventListener("abort", onParentAbort, { once: true });
    Promise.resolve()
      .then(() => work(ac.signal))
      .then(
        (v) => {
          cleanup();
          resolve(v);
        },
        (e) => {
          cleanup();
          reject(e);
        },
      );
  });
}
