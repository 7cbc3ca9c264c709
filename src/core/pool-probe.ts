/**
 * Pool tasks for tests and benchmarks: a no-op (the pool's own cost per task) and the worker's live
 * heap after a full collection (to show that tasks leave nothing behind in a worker).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export function noop(): number {
  return 1;
}

let gc: (() => void) | undefined;

export function liveHeap(): number {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Holds its worker for `ms` (a task that overruns its deadline, for the watchdog's tests). */
export function spin(ms: number): number {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
  return ms;
}

/** Ends its worker thread, as a crash would (the pool's recovery from a dead worker). */
export function exitWorker(): never {
  process.exit(1);
}
