/**
 * The worker pool: CPU-heavy or possibly-hanging work (CAS calls, user regexes, interpreters) runs here,
 * where a deadline can kill it. Tasks are named exports of a module, taking one cloneable argument.
 *
 * Scheduling is ours, not piscina's queue: a task's deadline starts when a thread picks it up, so a long
 * queue never turns into false timeouts.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Piscina } from "piscina";
import { runWithDeadline, TimeoutError } from "./deadline.js";
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

export class WorkerPool {
  readonly threads: number;
  private readonly piscina: Piscina;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private completed = 0;
  private killed = 0;

  constructor(opts: PoolOptions = {}) {
    this.threads = Math.max(1, opts.threads ?? availableParallelism());
    this.piscina = new Piscina({
      // Every worker runs this module first: it imports the declared task modules before taking work.
      filename: resolveTaskModule(new URL("./pool-preload.js", import.meta.url)),
      workerData: { modules: [...preloaded] },
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 512 },
    });
  }

  /**
   * Runs `task.fn(arg)` on a worker with a hard deadline. Rejects with TimeoutError at the deadline (the
   * worker is terminated and replaced) and with RewardkitError("internal") when the worker dies.
   */
  async run<T>(task: TaskRef, arg: unknown, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<T> {
    const filename = resolveTaskModule(task.module);
    await this.acquire(opts.signal);
    try {
      return await runWithDeadline(
        opts.timeoutMs,
        (signal) => this.piscina.run(arg, { filename, name: task.fn, signal }) as Promise<T>,
        opts.signal,
        task.fn,
      );
    } catch (e) {
      if (e instanceof TimeoutError) {
        this.killed++;
        throw e;
      }
      if (e instanceof RewardkitError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      // A task that threw is reported as such; a worker that died (heap limit, crash) says so.
      const died = e instanceof Error && "code" in e && String(e.code).startsWith("ERR_WORKER");
      throw new RewardkitError("internal", died ? `worker died: ${msg}` : msg);
    } finally {
      this.completed++;
      this.release();
    }
  }

  stats(): PoolStats {
    return {
      threads: this.threads,
      running: this.running,
      queued: this.waiting.length,
      completed: this.completed,
      killed: this.killed,
    };
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new TimeoutError(0));
    if (this.running < this.threads) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        this.running++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason ?? new TimeoutError(0));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
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
