/**
 * Waiting for a batched answer within a sample's deadline and its caller's signal. Thousands of samples
 * wait at once on the same signal (scoreBatch shares one): one listener per signal, not per sample,
 * since every addEventListener on an EventTarget scans the listeners already there.
 */
import { TimeoutError } from "../../core/index.js";
import { abortReason } from "../limiter.js";

const watchers = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

function watch(signal: AbortSignal): Set<(reason: unknown) => void> {
  let set = watchers.get(signal);
  if (!set) {
    const s = new Set<(reason: unknown) => void>();
    signal.addEventListener(
      "abort",
      () => {
        for (const f of [...s]) f(abortReason(signal));
        s.clear();
      },
      { once: true },
    );
    watchers.set(signal, s);
    set = s;
  }
  return set;
}

export function settleWithin<T>(
  p: Promise<T>,
  signal: AbortSignal,
  timeoutMs: number,
  what: string,
): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  const set = watch(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (reason: unknown) => {
      done();
      reject(reason);
    };
    const timer = setTimeout(() => {
      done();
      reject(new TimeoutError(timeoutMs, what));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      set.delete(onAbort);
    };
    set.add(onAbort);
    p.then(
      (v) => {
        done();
        resolve(v);
      },
      (e) => {
        done();
        reject(e);
      },
    );
  });
}
