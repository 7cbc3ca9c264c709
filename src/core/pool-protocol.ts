/** The messages and shared memory between the worker pool (pool.ts) and its workers (pool-worker.ts). */

/** Shared state, as Int32 slots. */
export const CURRENT = 0; // the running task's number, 0 when idle
export const STARTED = 1; // when it started, in ms since the pool's epoch

export interface WorkerInit {
  modules: string[];
  state: SharedArrayBuffer;
  epoch: number;
}

/** main -> worker: new task kinds ([id, module, fn]) and the tasks, flat: [number, kind, arg, ...]. */
export interface ChunkMessage {
  kinds?: [number, string, string][];
  tasks: unknown[];
}

/** worker -> main: flat [number, ok (1) or thrown (0), value or message, ...]; `end` when a chunk is done. */
export interface ResultMessage {
  done: unknown[];
  end: boolean;
  /** Time spent on the tasks of this message, for the pool's chunk sizing. */
  ms: number;
}
