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

/**
 * One abort listener per signal, fanning out to a set: EventTarget scans its listeners on every add, so a
 * listener per sample on a batch's shared signal made scoring quadratic in the samples in flight (27% of
 * CPU at 2,048). Returns the function that unsubscribes.
 */
const subscribers = new WeakMap<AbortSignal, Set<() => void>>();

export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal || signal === NEVER_ABORTED) return () => {};
  let set = subscribers.get(signal);
  if (!set) {
    const fresh = new Set<() => void>();
    set = fresh;
    subscribers.set(signal, fresh);
    signal.addEventListener(
      "abort",
      () => {
        subscribers.delete(signal);
        for (const f of fresh) f();
      },
      { once: true },
    );
  }
  set.add(fn);
  const own = set;
  return () => {
    own.delete(fn);
  };
}

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
    let unsubscribe = () => {};
    const cleanup = () => {
      clearTimeout(timer);
      unsubscribe();
    };
    if (parent?.aborted) return onParentAbort();
    unsubscribe = onAbort(parent, onParentAbort);
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
