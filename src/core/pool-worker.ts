/**
 * What every pool worker runs. At start it imports the task modules declared with poolTask(). Work comes
 * in chunks of tasks (one message for many checks: the hand-off is paid once per chunk, not per check);
 * the worker runs them in order and posts the results back in one message per chunk (or every few
 * milliseconds for a long chunk, so a kill loses little).
 *
 * Before each task it writes the task's number and its start time into memory shared with the pool
 * (no message per task): the pool's watchdog reads them, and kills this worker when the current task
 * overruns its deadline. The clock starts only here, so neither a queue nor a worker that is still
 * starting can turn into a false timeout.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runTasksInline, setTaskClock } from "./pool.js";
import {
  type ChunkMessage,
  CURRENT,
  type KindEntry,
  type ResultMessage,
  STARTED,
  type WorkerInit,
} from "./pool-protocol.js";

/** A chunk reports what it has so far after this long. */
const FLUSH_MS = 20;

type Task = (arg: unknown) => unknown;

async function main(port: NonNullable<typeof parentPort>, init: WorkerInit): Promise<void> {
  // Pool tasks called by a task (the checks of a row scored here) run on this thread: it is killable.
  runTasksInline();
  const state = new Int32Array(init.state);
  setTaskClock(() => Atomics.store(state, STARTED, (Date.now() - init.epoch) | 0));
  const kinds = new Map<number, Task | string>();
  const inbox: ChunkMessage[] = [];
  let draining = false;

  await Promise.all(init.modules.map((m) => import(m).catch(() => undefined)));

  /** A kind's task function; a kind with a context is set up here, before any of its tasks starts. */
  const load = async ([, module, fn, prepare, context]: KindEntry): Promise<Task | string> => {
    let m: Record<string, unknown>;
    try {
      m = (await import(module)) as Record<string, unknown>;
    } catch (e) {
      return `worker task module ${module} failed to load: ${(e as Error).message}`;
    }
    const f = m[fn];
    if (typeof f !== "function") return `worker task ${fn} is not exported by ${module}`;
    if (prepare === undefined) return f as Task;
    try {
      const p = m[prepare];
      if (typeof p !== "function") return `worker task set-up ${prepare} is not exported by ${module}`;
      const ready = await p(context);
      return (arg) => (f as (a: unknown, c: unknown) => unknown)(arg, ready);
    } catch (e) {
      return `worker task set-up ${prepare} failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  };

  const post = (done: unknown[], end: boolean, ms: number) => {
    try {
      port.postMessage({ done, end, ms } satisfies ResultMessage);
    } catch (e) {
      // A value that cannot be cloned: its task is an error, the others still get through.
      const safe: unknown[] = [];
      for (let i = 0; i < done.length; i += 3) {
        let ok = true;
        try {
          structuredClone(done[i + 2]);
        } catch {
          ok = false;
        }
        safe.push(done[i], ok ? done[i + 1] : 0, ok ? done[i + 2] : `task result: ${(e as Error).message}`);
      }
      port.postMessage({ done: safe, end, ms } satisfies ResultMessage);
    }
  };

  const run = async (m: ChunkMessage) => {
    for (const k of m.kinds ?? []) kinds.set(k[0], await load(k));
    const t = m.tasks;
    let out: unknown[] = [];
    let since = Date.now();
    for (let i = 0; i < t.length; i += 3) {
      const f = kinds.get(t[i + 1] as number);
      Atomics.store(state, STARTED, (Date.now() - init.epoch) | 0); // wraps: see the watchdog
      Atomics.store(state, CURRENT, t[i] as number);
      try {
        if (typeof f !== "function") throw new Error(f ?? "unknown worker task");
        let v = f(t[i + 2]);
        if (v instanceof Promise) v = await v;
        out.push(t[i], 1, v);
      } catch (e) {
        out.push(t[i], 0, e instanceof Error ? e.message : String(e));
      }
      const now = Date.now();
      if (now - since >= FLUSH_MS && i + 3 < t.length) {
        post(out, false, now - since);
        out = [];
        since = now;
      }
    }
    Atomics.store(state, CURRENT, 0);
    post(out, true, Date.now() - since);
  };

  const drain = async () => {
    draining = true;
    while (inbox.length) await run(inbox.shift()!);
    draining = false;
  };

  port.on("message", (m: ChunkMessage) => {
    inbox.push(m);
    if (!draining) void drain();
  });
}

if (parentPort && workerData && (workerData as WorkerInit).state) {
  void main(parentPort, workerData as WorkerInit);
}
