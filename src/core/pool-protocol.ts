/** The messages and shared memory between the worker pool (pool.ts) and its workers (pool-worker.ts). */

/** Shared state, as Int32 slots. */
export const CURRENT = 0; // the running task's number, 0 when idle
export const STARTED = 1; // when it started, in ms since the pool's epoch

export interface WorkerInit {
  modules: string[];
  state: SharedArrayBuffer;
  epoch: number;
}

/**
 * A task kind as sent to a worker: [id, module, fn], or with a context: [id, module, fn, prepare, context]
 * (the worker calls the module's `prepare(context)` once, before any task of the kind, and passes what it
 * returns to every task of the kind as their second argument).
 */
export type KindEntry = [number, string, string] | [number, string, string, string, unknown];

/** main -> worker: new task kinds and the tasks, flat: [number, kind, arg, ...]. */
export interface ChunkMessage {
  kinds?: KindEntry[];
  tasks: unknown[];
}

/** worker -> main: flat [number, ok (1) or thrown (0), value or message, ...]; `end` when a chunk is done. */
export interface ResultMessage {
  done: unknown[];
  end: boolean;
  /** Time spent on the tasks of this message, for the pool's chunk sizing. */
  ms: number;
}
