/**
 * Pool tasks for tests and benchmarks: a no-op (the pool's own cost per task), the worker's live heap
 * after a full collection (to show that tasks leave nothing behind in a worker), and probes of where
 * tasks run and of task kinds with a context.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { threadId as workerThreadId } from "node:worker_threads";
import { restartTaskClock, sharedPool } from "./pool.js";

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

/** The thread a task runs on. */
export function threadId(): number {
  return workerThreadId;
}

/** A task that runs another pool task: [its thread, the inner task's thread]. */
export async function nestedThreadIds(): Promise<[number, number]> {
  const inner = await sharedPool().run<number>(
    { module: new URL("./pool-probe.js", import.meta.url), fn: "threadId" },
    null,
    { timeoutMs: 5000 },
  );
  return [workerThreadId, inner];
}

/** Set-up of a task kind with a context: runs once per worker. */
export function prepareProbe(value: unknown): { value: unknown; tasks: number } {
  return { value, tasks: 0 };
}

/** A task of a kind with a context: [its argument, the context, how many tasks this set-up has seen]. */
export function contextProbe(arg: unknown, ctx: { value: unknown; tasks: number }): unknown[] {
  ctx.tasks++;
  return [arg, ctx.value, ctx.tasks];
}

/** `count` items of `ms` each, the task's deadline restarting at each (a batch of rows, for the tests). */
export function spinEach([ms, count]: [number, number]): number {
  for (let i = 0; i < count; i++) {
    restartTaskClock();
    spin(ms);
  }
  return count;
}
