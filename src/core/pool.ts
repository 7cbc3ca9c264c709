/**
 * The worker pool: CPU-heavy or possibly-hanging work (CAS calls, user regexes, interpreters) runs here,
 * where a deadline can kill it. Tasks are named exports of a module, taking one cloneable argument.
 *
 * Shard the batch, not the check: tasks submitted together go to a worker in chunks (one message for
 * many tasks, sized from the measured time per task to take a few ms), and come back one message per
 * chunk. A message per task cost more than a math check itself (the hand-off was 42% of the CLI's busy
 * time). The deadline stays per task: a worker writes the number and start time of its current task
 * into shared memory, and a watchdog terminates a worker whose current task overran, fails that task
 * with a timeout and re-runs the rest of its chunk on a fresh worker. A task's clock starts when the
 * worker starts it, so a long queue or a worker still starting never turns into a false timeout.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Worker } from "node:worker_threads";
import { NEVER_ABORTED, onAbort, TimeoutError } from "./deadline.js";
import { KeyedQueue, workKey } from "./fair-queue.js";

import {
  type ChunkMessage,
  CURRENT,
  type KindEntry,
  type ResultMessage,
  STARTED,
  type WorkerInit,
} from "./pool-protocol.js";
import { RewardkitError } from "./result.js";

// node:fs as CommonJS exports: an ES import builds its namespace, which loads fs streams and promises (ms at start-up).
const { existsSync } = process.getBuiltinModule("node:fs") as typeof import("node:fs");

/**
 * The parent's node options minus those about its main script (`node --input-type=module -e ...` made
 * every worker die at start: "--input-type can only be used with string input").
 */
let workerExecArgv = withoutMainScriptOptions(process.execArgv);

function withoutMainScriptOptions(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    // V8's heap sizes are per process: a worker refuses them (ERR_WORKER_INVALID_EXEC_ARGV) and takes its
    // own from resourceLimits (`rewardkit serve` starts with --max-semi-space-size).
    if (/^--(max-semi-space-size|max-old-space-size|max-young-generation-size)(=|$)/.test(argv[i]!)) continue;
    const m = /^(--input-type|--eval|-e|--print|-p)(=.*)?$/.exec(argv[i]!);
    if (!m) out.push(argv[i]!);
    else if (!m[2]) i++; // its value is the next argument
  }
  return out;
}

export interface PoolOptions {
  threads?: number;
  /** Heap limit per worker, so a memory bomb kills one worker and not the process. */
  maxHeapMb?: number;
  /** Most tasks of one work key (one server request) sent to workers at once (default: no cap). */
  requestCap?: number;
  /**
   * Run tasks on the calling thread instead (see runTasksInline): for code that already runs in a pool
   * worker, which the watchdog can kill as a whole.
   */
  inline?: boolean;
}

export interface TaskRef {
  /** `new URL("./task.js", import.meta.url)` of the module that exports the task. */
  module: URL | string;
  fn: string;
  /**
   * Set up once per worker (e.g. a compiled spec, for tasks that score whole rows): the module's export
   * named `prepare` is called with `context` (cloned to the worker once, not per task) before the first
   * task of this ref, and what it returns is every task's second argument. A ref with a context is a kind
   * of its own: create it once per set-up, not per task.
   */
  context?: { prepare: string; value: unknown };
}

export interface PoolStats {
  threads: number;
  running: number;
  queued: number;
  completed: number;
  killed: number;
  /** Messages that carried tasks to workers (many tasks each when many are submitted together). */
  chunks: number;
}

const resolved = new Map<string, string>();
const preloaded = new Set<string>();

/**
 * Declares a pool task. Its module is also preloaded by every worker the pool starts (including the ones
 * that replace killed workers), so loading the module never eats into a task's deadline.
 */
export function poolTask(module: URL, fn: string): TaskRef {
  try {
    preloaded.add(resolveTaskModule(module));
  } catch {
    // Not built yet: the module will load on first use instead.
  }
  return { module, fn };
}

/**
 * Tasks are loaded by plain Node in a worker, so they must be built JS. When rewardkit runs from its
 * TypeScript sources (tests), the task URL points into src/ and is mapped to the same file in dist/.
 */
export function resolveTaskModule(module: URL | string): string {
  const key = String(module);
  const hit = resolved.get(key);
  if (hit) return hit;
  const path = fileURLToPath(module);
  let out = path;
  if (!existsSync(path)) {
    const i = path.lastIndexOf("/src/");
    const alt = i < 0 ? path : `${path.slice(0, i)}/dist/${path.slice(i + 5)}`;
    if (!existsSync(alt)) {
      throw new RewardkitError("internal", `worker task module not found: ${path} (run 'npm run build')`);
    }
    out = alt;
  }
  const url = pathToFileURL(out).href;
  resolved.set(key, url);
  return url;
}

/** How long a submitted task may wait to start (queue, worker start-up) beyond its own deadline. */
const START_GRACE_MS = 120_000;
/**
 * A worker's young generation. V8's default let it grow to ~130 MB per worker over a long run (the live
 * heap stayed at 13-15 MB): `rewardkit score` on math rows peaked at 418 MB RSS for 1M rows and 559 MB for
 * 3M. Capped at 16 MB: 323 MB for 1M rows, at the same speed (18.65 s against 18.76 s).
 */
const WORKER_YOUNG_MB = 16;

/** A chunk is sized to take about this long, from the measured time per task. */
const CHUNK_MS = 4;
const MAX_CHUNK = 256;
/** How often the watchdog looks at the running tasks while there are any. */
const WATCH_MS = 5;
/** A task re-run after its worker died under another task this many times fails (no endless loop). */
const MAX_TRIES = 3;

interface Pending {
  seq: number;
  /** The work key it was submitted under: tasks are shared out fairly between keys (fair-queue.ts). */
  key: string;
  /** Taken from the queue and counted as its key's until settled or queued again. */
  held: boolean;
  kind: number;
  arg: unknown;
  fn: string;
  timeoutMs: number;
  queuedAt: number;
  tries: number;
  settled: boolean;
  signal: AbortSignal | undefined;
  /** Unsubscribes from the caller's signal (one listener per signal, shared: see onAbort). */
  offAbort: (() => void) | undefined;
  slot: Slot | undefined;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  state: Int32Array;
  /** Sent to this worker and not yet answered, in the order it runs them. */
  inflight: Map<number, Pending>;
  kinds: Set<number>;
  dead: boolean;
}

export class WorkerPool {
  readonly threads: number;
  private readonly maxHeapMb: number;
  private readonly epoch = Date.now();
  private readonly slots: Slot[] = [];
  /**
   * Tasks not yet sent to a worker, per work key: a chunk is filled from the key with the fewest tasks
   * sent, round-robin among equals, so a small request's tasks go out before a big one's backlog.
   */
  private readonly queue: KeyedQueue<Pending>;
  private readonly kindIds = new Map<string, number>();
  /** Task refs are module constants: resolving their URL once per ref, not per task. */
  private readonly kindByRef = new WeakMap<TaskRef, number>();
  private readonly kindList: KindEntry[] = [];
  private nextSeq = 1;
  private pending = 0;
  private completed = 0;
  private killed = 0;
  private chunks = 0;
  /** Mean time per task in ms (moving average), for chunk sizing. */
  private msPerTask = 1;
  private scheduled = false;
  private watchdog: NodeJS.Timeout | undefined;
  private lastGraceCheck = 0;
  private closed = false;
  private readonly inline: boolean;
  private readonly inlineFns = new WeakMap<TaskRef, (arg: unknown, ctx?: unknown) => unknown>();

  constructor(opts: PoolOptions = {}) {
    this.threads = Math.max(1, opts.threads ?? availableParallelism());
    this.maxHeapMb = opts.maxHeapMb ?? 512;
    this.queue = new KeyedQueue(opts.requestCap);
    this.inline = opts.inline === true;
  }

  /**
   * Runs `task.fn(arg)` on a worker with a hard deadline counted from when the task starts. Rejects with
   * TimeoutError at the deadline (the worker is terminated and replaced; the other tasks it held run on
   * the new one), when the caller's signal aborts, and with RewardkitError("internal") when the task
   * throws or the worker dies.
   */
  run<T>(task: TaskRef, arg: unknown, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<T> {
    if (this.closed) return Promise.reject(new RewardkitError("internal", "the worker pool is closed"));
    const signal = opts.signal === NEVER_ABORTED ? undefined : opts.signal;
    if (signal?.aborted)
      return Promise.reject(signal.reason instanceof Error ? signal.reason : new TimeoutError(0, task.fn));
    if (this.inline) return this.runInline<T>(task, arg);
    const kind = this.kindOf(task);
    return new Promise<T>((resolve, reject) => {
      const p: Pending = {
        seq: this.takeSeq(),
        key: workKey(),
        held: false,
        kind,
        arg,
        fn: task.fn,
        timeoutMs: opts.timeoutMs,
        queuedAt: Date.now(),
        tries: 0,
        settled: false,
        signal,
        offAbort: undefined,
        slot: undefined,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      if (signal) {
        p.offAbort = onAbort(signal, () =>
          this.abort(p, signal.reason instanceof Error ? signal.reason : new TimeoutError(p.timeoutMs, p.fn)),
        );
      }
      this.queue.push(p.key, p);
      this.pending++;
      this.watch();
      this.schedule();
    });
  }

  /**
   * A task on this thread, with the errors a worker would give (a thrown task is an internal error). No
   * deadline of its own: the thread is a pool worker, whose current task the watchdog kills as a whole.
   */
  private async runInline<T>(task: TaskRef, arg: unknown): Promise<T> {
    let f = this.inlineFns.get(task);
    if (!f) {
      const m = (await import(resolveTaskModule(task.module))) as Record<string, unknown>;
      const fn = m[task.fn];
      if (typeof fn !== "function")
        throw new RewardkitError(
          "internal",
          `worker task ${task.fn} is not exported by ${String(task.module)}`,
        );
      const prepared = task.context
        ? await (m[task.context.prepare] as (v: unknown) => unknown)(task.context.value)
        : undefined;
      f = (a) => (fn as (a: unknown, c?: unknown) => unknown)(a, prepared);
      this.inlineFns.set(task, f);
    }
    try {
      return (await f(arg)) as T;
    } catch (e) {
      throw new RewardkitError("internal", e instanceof Error ? e.message : String(e));
    }
  }

  stats(): PoolStats {
    let running = 0;
    let sent = 0;
    for (const s of this.slots) {
      if (Atomics.load(s.state, CURRENT) !== 0) running++;
      sent += s.inflight.size;
    }
    return {
      threads: this.threads,
      running,
      queued: this.queue.size + sent - running,
      completed: this.completed,
      killed: this.killed,
      chunks: this.chunks,
    };
  }

  /**
   * Stops the workers and fails the tasks still pending. Bounded: a worker that does not stop within a
   * few seconds is left behind (it is unref'd, so it does not hold the process).
   */
  async close(): Promise<void> {
    this.closed = true;
    const err = new RewardkitError("internal", "the worker pool was closed");
    for (const p of this.queue.drain()) this.settle(p, err);
    const stops = this.slots.map((s) => {
      s.dead = true;
      for (const p of s.inflight.values()) this.settle(p, err);
      s.inflight.clear();
      return s.worker.terminate().catch(() => undefined);
    });
    this.slots.length = 0;
    let giveUp: NodeJS.Timeout | undefined;
    try {
      await Promise.race([Promise.all(stops), new Promise<void>((r) => (giveUp = setTimeout(r, 5000)))]);
    } finally {
      clearTimeout(giveUp);
      this.stopWatching();
    }
  }

  private kindOf(task: TaskRef): number {
    const known = this.kindByRef.get(task);
    if (known !== undefined) return known;
    const module = resolveTaskModule(task.module);
    // A ref with a context is its own kind (its set-up differs); the others are shared by module and name.
    const key = task.context ? undefined : `${module}#${task.fn}`;
    let id = key === undefined ? undefined : this.kindIds.get(key);
    if (id === undefined) {
      id = this.kindList.length + 1;
      if (key !== undefined) this.kindIds.set(key, id);
      this.kindList.push(
        task.context
          ? [id, module, task.fn, task.context.prepare, task.context.value]
          : [id, module, task.fn],
      );
    }
    this.kindByRef.set(task, id);
    return id;
  }

  private spawn(): Slot {
    const sab = new SharedArrayBuffer(8);
    const init: WorkerInit = { modules: [...preloaded], state: sab, epoch: this.epoch };
    // node:worker_threads loads with the first worker, not with rewardkit (specs that need no pool never load it).
    const { Worker } = process.getBuiltinModule(
      "node:worker_threads",
    ) as typeof import("node:worker_threads");
    const start = () =>
      new Worker(new URL(resolveTaskModule(new URL("./pool-worker.js", import.meta.url))), {
        workerData: init,
        execArgv: workerExecArgv,
        resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
      });
    let worker: InstanceType<typeof Worker> | undefined;
    // A process-wide option of the parent's (`node --trace-gc`, `--stack-size`...) that a worker refuses:
    // Node names them in its error; they are left out (they still apply to the process) instead of a
    // crash at the first task. Should the error name them in a way not understood, no option is passed.
    for (let attempt = 0; !worker; attempt++) {
      try {
        worker = start();
      } catch (e) {
        if ((e as { code?: string }).code !== "ERR_WORKER_INVALID_EXEC_ARGV" || attempt > 1) throw e;
        const message = (e as Error).message;
        const kept = workerExecArgv.filter((a) => !message.includes(a));
        workerExecArgv = attempt === 0 && kept.length < workerExecArgv.length ? kept : [];
      }
    }
    const slot: Slot = {
      worker,
      state: new Int32Array(sab),
      inflight: new Map(),
      kinds: new Set(),
      dead: false,
    };
    worker.on("message", (m: ResultMessage) => this.onResults(slot, m));
    worker.on("error", (e) => this.onDeath(slot, `worker died: ${e.message}`));
    worker.on("exit", (code) => this.onDeath(slot, `worker died: exit code ${code}`));
    // After the listeners: attaching a 'message' listener refs the worker's port again, and a library
    // user's script would never exit. The watchdog holds the process while tasks are pending.
    worker.unref();
    return slot;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the current turn: every task submitted in it can go out in the same chunks.
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.closed) return;
    while (this.slots.length < this.threads) this.slots.push(this.spawn());
    const waiting = () => this.queue.size;
    const target = Math.max(1, Math.min(MAX_CHUNK, Math.round(CHUNK_MS / this.msPerTask)));
    // A chunk is at most `target` tasks (~4 ms) and at most half of a worker's share of the tasks pending,
    // so a worker holds two chunks and starts the next as it posts one back, never waiting for it. Slow
    // tasks (a chunk of one) gain nothing from that: a worker holds one, and a small request behind them
    // waits for fewer.
    const size = Math.max(1, Math.min(target, Math.floor(this.pending / this.threads / 2)));
    const ahead = target > 1 ? 2 : 1;
    // Fill the emptiest workers first, a chunk per message: every worker gets its first chunk before any
    // gets a second (a small batch runs on every thread).
    const order = [...this.slots].sort((a, b) => a.inflight.size - b.inflight.size);
    for (let pass = 1; pass <= ahead; pass++) {
      for (const slot of order) {
        if (slot.dead || waiting() === 0 || slot.inflight.size >= pass * size) continue;
        // A worker with a chunk still ahead of it waits for a whole one: sending what came back one result
        // message at a time kept every chunk at one or two tasks (a message and a wake-up each way per
        // two checks: 51 µs of CPU per math check through the pool against 27 in-process).
        if (slot.inflight.size >= size && waiting() < size) continue;
        const tasks: unknown[] = [];
        const kinds: KindEntry[] = [];
        while (tasks.length < size * 3 && waiting() > 0) {
          const next = this.queue.take();
          if (!next) break; // every key waiting is at its cap
          const p = next.item;
          if (p.settled) {
            this.queue.release(p.key);
            continue;
          }
          p.held = true;
          if (!slot.kinds.has(p.kind)) {
            slot.kinds.add(p.kind);
            kinds.push(this.kindList[p.kind - 1]!);
          }
          p.slot = slot;
          slot.inflight.set(p.seq, p);
          tasks.push(p.seq, p.kind, p.arg);
        }
        if (tasks.length) this.send(slot, tasks, kinds);
      }
    }
  }

  /**
   * Posts a chunk. An argument that cannot be cloned (a function, a symbol) fails its own task with an
   * internal error; the others of the chunk still go.
   */
  private send(slot: Slot, tasks: unknown[], kinds: KindEntry[]): void {
    const msg: ChunkMessage = { tasks, ...(kinds.length ? { kinds } : {}) };
    try {
      slot.worker.postMessage(msg);
      this.chunks++;
      return;
    } catch {
      // Found below, task by task.
    }
    const ok: unknown[] = [];
    for (let i = 0; i < tasks.length; i += 3) {
      try {
        structuredClone(tasks[i + 2]);
        ok.push(tasks[i], tasks[i + 1], tasks[i + 2]);
      } catch (e) {
        const p = slot.inflight.get(tasks[i] as number);
        slot.inflight.delete(tasks[i] as number);
        if (p)
          this.settle(
            p,
            new RewardkitError(
              "internal",
              `a pool task's argument cannot be sent to a worker: ${(e as Error).message}`,
            ),
          );
      }
    }
    // The task kinds go even when no task does: the slot counts them as sent, and later chunks rely on it.
    if (ok.length || kinds.length) {
      slot.worker.postMessage({ ...msg, tasks: ok });
      this.chunks++;
    }
  }

  private onResults(slot: Slot, m: ResultMessage): void {
    if (slot.dead) return;
    const d = m.done;
    const n = d.length / 3;
    if (n > 0) this.msPerTask = 0.8 * this.msPerTask + 0.2 * Math.max(0.001, m.ms / n);
    for (let i = 0; i < d.length; i += 3) {
      const p = slot.inflight.get(d[i] as number);
      if (!p) continue;
      slot.inflight.delete(p.seq);
      if (d[i + 1] === 1) this.settle(p, undefined, d[i + 2]);
      else this.settle(p, new RewardkitError("internal", String(d[i + 2])));
    }
    if (this.idle()) this.stopWatching();
    if (this.queue.size) this.dispatch();
  }

  /** Settles a task once: with `err`, or with `value`. */
  private settle(p: Pending, err: Error | undefined, value?: unknown): void {
    if (p.settled) return;
    p.settled = true;
    p.arg = undefined;
    if (p.held) {
      p.held = false;
      this.queue.release(p.key);
    }
    p.offAbort?.();
    this.pending--;
    this.completed++;
    if (this.idle()) this.stopWatching();
    if (err) p.reject(err);
    else p.resolve(value);
  }

  /**
   * The next task number: a positive int32, since workers publish it in an Int32Array (past 2^31 tasks,
   * hours of a busy server, a wrapped number matched no task and a hung one was never killed).
   */
  private takeSeq(): number {
    const n = this.nextSeq;
    this.nextSeq = n >= 0x7fffffff ? 1 : n + 1;
    return n;
  }

  private abort(p: Pending, err: Error): void {
    if (p.settled) return;
    const slot = p.slot;
    if (slot && !slot.dead && Atomics.load(slot.state, CURRENT) === p.seq) this.kill(slot, p, err);
    // Queued or not started yet: it fails now. A worker still runs it (under its deadline, so the
    // watchdog can still stop it) and its answer is dropped.
    else this.settle(p, err);
  }

  /** Terminates a worker: `culprit` fails with `err`, the worker's other tasks go back to the queue. */
  private kill(slot: Slot, culprit: Pending | undefined, err: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    this.killed++;
    void slot.worker.terminate().catch(() => undefined);
    this.replace(slot, culprit, err);
  }

  private onDeath(slot: Slot, message: string): void {
    if (slot.dead) return;
    slot.dead = true;
    const cur = Atomics.load(slot.state, CURRENT);
    this.replace(slot, slot.inflight.get(cur), new RewardkitError("internal", message));
  }

  private replace(slot: Slot, culprit: Pending | undefined, err: Error): void {
    if (culprit) {
      slot.inflight.delete(culprit.seq);
      this.settle(culprit, err);
    }
    const again = new Map<string, Pending[]>();
    for (const p of slot.inflight.values()) {
      if (p.settled) continue;
      p.slot = undefined;
      // With a culprit the others were innocent bystanders and go again as they were; without one the
      // worker died between tasks, and a task that keeps killing workers still ends.
      if (!culprit && ++p.tries >= MAX_TRIES)
        this.settle(p, new RewardkitError("internal", `${err.message} (tried ${p.tries} times)`));
      else {
        p.held = false;
        this.queue.release(p.key);
        const list = again.get(p.key);
        if (list) list.push(p);
        else again.set(p.key, [p]);
      }
    }
    slot.inflight.clear();
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    for (const [key, list] of again) this.queue.unshift(key, list);
    if (!this.closed && this.pending > 0) this.schedule();
    if (this.idle()) this.stopWatching();
  }

  private watch(): void {
    if (this.watchdog) return;
    // Referenced while tasks are pending: the workers are unref'd, and a task in flight must keep the
    // process alive until it is answered.
    this.watchdog = setInterval(() => this.check(), WATCH_MS);
  }

  /**
   * Nothing pending and nothing left in any worker: a task cancelled while waiting in a worker's chunk is
   * settled but may still start there, and the watchdog must be around to stop it if it hangs.
   */
  private idle(): boolean {
    return this.pending === 0 && this.slots.every((s) => s.inflight.size === 0);
  }

  private stopWatching(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  /** The watchdog: kills a worker whose current task overran its deadline. */
  private check(): void {
    const now = Date.now();
    for (const slot of [...this.slots]) {
      const cur = Atomics.load(slot.state, CURRENT);
      if (cur === 0 || slot.dead) continue;
      const p = slot.inflight.get(cur);
      if (!p) continue;
      // Start times are ms since the epoch in an int32 that wraps after 24.8 days: elapsed time is taken
      // in the same wrapped arithmetic (right for any task shorter than that).
      const elapsed = (((now - this.epoch) | 0) - Atomics.load(slot.state, STARTED)) | 0;
      if (elapsed >= p.timeoutMs) {
        // A task that hung counts at its deadline in the time per task, so the next chunks are small
        // and the tasks behind it on one worker are few (a kill reports no time of its own).
        this.msPerTask = 0.8 * this.msPerTask + 0.2 * p.timeoutMs;
        this.kill(slot, p, new TimeoutError(p.timeoutMs, p.fn));
      }
    }
    if (now - this.lastGraceCheck < 1000) return;
    this.lastGraceCheck = now;
    const late = (p: Pending) => !p.settled && now - p.queuedAt > START_GRACE_MS + p.timeoutMs;
    const never = (p: Pending) => new TimeoutError(START_GRACE_MS + p.timeoutMs, `${p.fn} (never started)`);
    for (const p of this.queue.waiting()) if (late(p)) this.settle(p, never(p));
    for (const slot of this.slots)
      for (const p of slot.inflight.values())
        if (late(p) && Atomics.load(slot.state, CURRENT) !== p.seq) {
          slot.inflight.delete(p.seq);
          this.settle(p, never(p));
        }
  }
}

let shared: WorkerPool | undefined;
let sharedOptions: PoolOptions = {};
let inlineHere = false;
let taskClock: (() => void) | undefined;

/** Set by a pool worker: how a task restarts its own deadline (see restartTaskClock). */
export function setTaskClock(restart: () => void): void {
  taskClock = restart;
}

/**
 * Called by a task that does many items of work (a batch of rows): the deadline of the running task
 * counts again from now, so it holds per item, and the watchdog kills the worker as soon as one item
 * overruns it. Does nothing outside a pool worker.
 */
export function restartTaskClock(): void {
  taskClock?.();
}

/**
 * Makes the process-wide pool of this thread run its tasks inline. Pool workers call it: a worker that
 * scores whole rows runs their checks itself (it is killable as a whole), and never starts a nested pool.
 */
export function runTasksInline(): void {
  inlineHere = true;
}

/** Sets the options of the process-wide pool (before its first use). */
export function configureSharedPool(opts: PoolOptions): void {
  sharedOptions = opts;
}

/** The process-wide pool, started on first use. */
export function sharedPool(): WorkerPool {
  shared ??= new WorkerPool(inlineHere ? { ...sharedOptions, inline: true } : sharedOptions);
  return shared;
}

/** The process-wide pool if it has been started (does not start it). */
export function peekSharedPool(): WorkerPool | undefined {
  return shared;
}

export async function closeSharedPool(): Promise<void> {
  const p = shared;
  shared = undefined;
  await p?.close();
}
