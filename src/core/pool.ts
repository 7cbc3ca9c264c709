/**
 * The worker pool: CPU-heavy or possibly-hanging work (CAS calls, user regexes, interpreters) runs here,
 * where a deadline can kill it. Tasks are named exports of a module, taking one cloneable argument.
 *
 * A task's deadline starts when a worker actually starts it (the worker says so, with the task's id, on
 * the pool's broadcast channel), so a long queue or a worker that is still starting never turns into a
 * false timeout. One channel per pool, not a MessagePort per task: every port transferred into a worker
 * stayed in its heap (about 1 KB a task, measured), so long runs filled the workers' heaps.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BroadcastChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import { TimeoutError } from "./deadline.js";
import { RewardkitError } from "./result.js";

export interface PoolOptions {
  threads?: number;
  /** Heap limit per worker, so a memory bomb kills one worker and not the process. */
  maxHeapMb?: number;
}

export interface TaskRef {
  /** `new URL("./task.js", import.meta.url)` of the module that exports the task. */
  module: URL | string;
  fn: string;
}

export interface PoolStats {
  threads: number;
  running: number;
  queued: number;
  completed: number;
  killed: number;
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

let pools = 0;

export class WorkerPool {
  readonly threads: number;
  private readonly piscina: Piscina;
  private readonly channel: BroadcastChannel;
  private readonly starts = new Map<number, () => void>();
  private nextTask = 1;
  private running = 0;
  private queued = 0;
  private completed = 0;
  private killed = 0;

  constructor(opts: PoolOptions = {}) {
    this.threads = Math.max(1, opts.threads ?? availableParallelism());
    const channel = `rewardkit-pool-${process.pid}-${++pools}`;
    this.channel = new BroadcastChannel(channel);
    this.channel.onmessage = (e) => this.starts.get((e as MessageEvent).data as number)?.();
    this.channel.unref();
    this.piscina = new Piscina({
      filename: resolveTaskModule(new URL("./pool-worker.js", import.meta.url)),
      workerData: { modules: [...preloaded], channel },
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 512 },
    });
  }

  /**
   * Runs `task.fn(arg)` on a worker with a hard deadline counted from when the task starts. Rejects with
   * TimeoutError at the deadline (the worker is terminated and replaced), when the caller's signal aborts,
   * and with RewardkitError("internal") when the task throws or the worker dies.
   */
  run<T>(task: TaskRef, arg: unknown, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<T> {
    const module = resolveTaskModule(task.module);
    return new Promise<T>((resolve, reject) => {
      const ac = new AbortController();
      const id = this.nextTask++;
      let started = false;
      let settled = false;
      const finish = () => {
        settled = true;
        clearTimeout(timer);
        this.starts.delete(id);
        opts.signal?.removeEventListener("abort", onAbort);
        if (started) this.running--;
        else this.queued--;
        this.completed++;
      };
      const stop = (err: Error) => {
        if (settled) return;
        finish();
        ac.abort(err);
        reject(err);
      };
      const onAbort = () =>
        stop(
          opts.signal?.reason instanceof Error
            ? opts.signal.reason
            : new TimeoutError(opts.timeoutMs, task.fn),
        );
      let timer = setTimeout(
        () => stop(new TimeoutError(START_GRACE_MS + opts.timeoutMs, `${task.fn} (never started)`)),
        START_GRACE_MS + opts.timeoutMs,
      );
      this.starts.set(id, () => {
        this.starts.delete(id);
        if (settled) return;
        started = true;
        this.queued--;
        this.running++;
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.killed++;
          stop(new TimeoutError(opts.timeoutMs, task.fn));
        }, opts.timeoutMs);
      });
      if (opts.signal?.aborted) return reject(opts.signal.reason ?? new TimeoutError(0, task.fn));
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      this.queued++;
      this.piscina.run({ module, fn: task.fn, arg, id }, { signal: ac.signal }).then(
        (v) => {
          if (settled) return;
          finish();
          resolve(v as T);
        },
        (e: unknown) => {
          if (settled) return;
          const msg = e instanceof Error ? e.message : String(e);
          // A task that threw is reported as such; a worker that died (heap limit, crash) says so.
          const died = e instanceof Error && "code" in e && String(e.code).startsWith("ERR_WORKER");
          stop(new RewardkitError("internal", died ? `worker died: ${msg}` : msg));
        },
      );
    });
  }

  stats(): PoolStats {
    return {
      threads: this.threads,
      running: this.running,
      queued: this.queued,
      completed: this.completed,
      killed: this.killed,
    };
  }

  /**
   * Stops the workers. Bounded: piscina's destroy waited for ever now and then on a loaded machine, so
   * after a few seconds the threads are terminated, and close returns in any case.
   */
  async close(): Promise<void> {
    const done = this.piscina.destroy();
    const force = setTimeout(() => {
      for (const w of this.piscina.threads) void w.terminate();
    }, 5000);
    let giveUp: NodeJS.Timeout | undefined;
    try {
      await Promise.race([done, new Promise<void>((r) => (giveUp = setTimeout(r, 15_000)))]);
    } finally {
      clearTimeout(force);
      clearTimeout(giveUp);
      this.channel.close();
    }
  }
}

let shared: WorkerPool | undefined;
let sharedOptions: PoolOptions = {};

/** Sets the options of the process-wide pool (before its first use). */
export function configureSharedPool(opts: PoolOptions): void {
  sharedOptions = opts;
}

/** The process-wide pool, started on first use. */
export function sharedPool(): WorkerPool {
  shared ??= new WorkerPool(sharedOptions);
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
