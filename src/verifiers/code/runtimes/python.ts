/**
 * The `python` runtime: Pyodide (CPython compiled to WebAssembly) in worker threads, one warm interpreter
 * per slot of the global limit. Each run starts from a restored snapshot (fresh globals, restored builtins
 * and modules). At a deadline the run is interrupted through the interrupt buffer (KeyboardInterrupt);
 * a program that does not stop within a grace period, crashes the interpreter or grows its memory far
 * gets its worker terminated and replaced.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { RewardkitError } from "../../../core/index.js";
import type { HarnessJob, Job, RunResult, Runtime, StdioJob, TestOutcome } from "../types.js";
import { workerModule } from "./task-module.js";

const WORKER = new URL("./python-worker.js", import.meta.url);
/** How long a program may ignore the interrupt before its worker is terminated. */
const GRACE_MS = 300;
/** A worker whose WebAssembly memory grew by more than this is replaced after the run. */
const RECYCLE_GROWN_MB = 256;
/** Deadline of the reset between runs (not the program's time). */
const RESET_MS = 30_000;

interface Reply {
  id: number;
  result?: Record<string, unknown>;
  stdout?: string;
  stderr?: string;
  outputExceeded?: boolean;
  grownMb?: number;
  fatal?: string;
}

type Outcome =
  | { kind: "reply"; reply: Reply; ms: number; timedOut: boolean }
  | { kind: "killed"; ms: number } // terminated at the deadline
  | { kind: "crashed"; message: string; ms: number };

class PyWorker {
  private worker: Worker;
  private readonly interrupt = new Int32Array(new SharedArrayBuffer(4));
  readonly ready: Promise<void>;
  private pending: { id: number; done: (r: Reply | Error) => void } | null = null;
  private nextId = 1;
  dead = false;
  /** MiB the interpreter's memory grew by since it started. */
  grown = 0;

  constructor(snapshot: Uint8Array | null) {
    this.worker = new Worker(workerModule(WORKER), {
      workerData: { interrupt: this.interrupt.buffer, ...(snapshot ? { snapshot } : {}) },
      env: {},
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: { ready?: boolean; loadError?: string }) => {
        if (m.ready) {
          this.worker.off("message", onMsg);
          resolve();
        } else if (m.loadError) {
          this.dead = true;
          reject(new RewardkitError("sandbox_error", `Pyodide failed to start: ${m.loadError}`));
        }
      };
      this.worker.on("message", onMsg);
      this.worker.once("exit", (code) => {
        this.dead = true;
        reject(new RewardkitError("sandbox_error", `Pyodide worker exited while starting (code ${code})`));
        this.pending?.done(new Error(`worker exited (code ${code})`));
        this.pending = null;
      });
      this.worker.on("error", (e) => {
        this.dead = true;
        reject(new RewardkitError("sandbox_error", `Pyodide worker failed: ${e.message}`));
        this.pending?.done(e);
        this.pending = null;
      });
    });
    this.ready.catch(() => {});
    this.worker.on("message", (m: Reply) => {
      if (this.pending && m.id === this.pending.id) {
        const p = this.pending;
        this.pending = null;
        p.done(m);
      }
    });
    // The worker holds the process open only while it starts or runs a request (see `request`): an idle
    // one must not keep a CLI from exiting. (Its stdout and stderr are captured, never the host's, but
    // left unread: reading them would ref it for good. Programs' output goes through Pyodide's hooks.)
    this.ready.then(
      () => this.worker.unref(),
      () => {},
    );
  }

  async request(req: Record<string, unknown>, timeoutMs: number): Promise<Outcome> {
    const id = this.nextId++;
    const t0 = performance.now();
    let timedOut = false;
    this.worker.ref();
    return new Promise<Outcome>((res) => {
      const resolve = (o: Outcome) => {
        if (!this.dead) this.worker.unref();
        res(o);
      };
      let killTimer: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        Atomics.store(this.interrupt, 0, 2);
        killTimer = setTimeout(() => {
          this.pending = null;
          this.kill();
          resolve({ kind: "killed", ms: performance.now() - t0 });
        }, GRACE_MS);
      }, timeoutMs);
      this.pending = {
        id,
        done: (r) => {
          clearTimeout(timer);
          if (killTimer) clearTimeout(killTimer);
          const ms = performance.now() - t0;
          if (r instanceof Error) resolve({ kind: "crashed", message: r.message, ms });
          else if (r.fatal !== undefined) {
            this.kill();
            resolve(timedOut ? { kind: "killed", ms } : { kind: "crashed", message: r.fatal, ms });
          } else resolve({ kind: "reply", reply: r, ms, timedOut });
        },
      };
      this.worker.postMessage({ ...req, id });
    });
  }

  kill(): void {
    this.dead = true;
    void this.worker.terminate();
  }
}

const workers: (PyWorker | undefined)[] = [];
let snapshotPromise: Promise<Uint8Array | null> | undefined;

async function workerFor(slot: number): Promise<PyWorker> {
  let w = workers[slot];
  if (!w || w.dead) {
    snapshotPromise ??= interpreterSnapshot();
    w = new PyWorker(await snapshotPromise);
    workers[slot] = w;
  }
  await w.ready;
  return w;
}

/**
 * A memory snapshot of a freshly started interpreter (with the common modules imported): starting from
 * it takes about half a second instead of several. Made once by a helper worker and kept in a private
 * cache directory (mode 0700, checked to be ours) so later processes reuse it. Null when it cannot be
 * made: workers then start the slow way.
 */
async function interpreterSnapshot(): Promise<Uint8Array | null> {
  const file = snapshotFile();
  if (file) {
    try {
      return new Uint8Array(readFileSync(file));
    } catch {}
  }
  const snap = await new Promise<Uint8Array | null>((resolve) => {
    const w = new Worker(workerModule(WORKER), {
      workerData: { interrupt: new SharedArrayBuffer(4), makeSnapshot: true },
      env: {},
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    w.stdout.resume();
    w.stderr.resume();
    w.on("message", (m: { snapshot?: Uint8Array }) => {
      if (m.snapshot) resolve(m.snapshot);
      void w.terminate();
    });
    w.on("error", () => resolve(null));
    w.on("exit", () => resolve(null));
  });
  if (snap && file) {
    try {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, snap, { mode: 0o600 });
      renameSync(tmp, file);
    } catch {}
  }
  return snap;
}

/** The snapshot cache file, or undefined when no private cache directory can be had. */
function snapshotFile(): string | undefined {
  try {
    const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "rewardkit");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    const uid = typeof process.getuid === "function" ? process.getuid() : -1;
    if (st.uid !== uid || (st.mode & 0o077) !== 0) return undefined;
    const pkg = JSON.parse(
      readFileSync(createRequire(import.meta.url).resolve("pyodide/package.json"), "utf8"),
    );
    const key = createHash("sha256")
      .update(`${pkg.version}|${process.version}|${readFileSync(fileURLToPath(workerModule(WORKER)))}`)
      .digest("hex")
      .slice(0, 16);
    return join(dir, `pyodide-${pkg.version}-${key}.snapshot`);
  } catch {
    return undefined;
  }
}

/**
 * A worker whose interpreter is back to its start state. The reset runs before the program's clock
 * starts; when it fails (a previous program broke the interpreter) the worker is replaced, and only a
 * fresh interpreter that cannot reset is a sandbox error.
 */
async function cleanWorker(slot: number): Promise<PyWorker> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const w = await workerFor(slot);
    const o = await w.request({ op: "reset", outputBytes: 1 << 20, memoryMb: 1024 }, RESET_MS);
    if (o.kind === "reply" && !o.timedOut && o.reply.result?.status === "pass") return w;
    w.kill();
  }
  throw new RewardkitError("sandbox_error", "the Python interpreter could not be reset to a clean state");
}

function trimOut(s: string | undefined): string {
  return s ?? "";
}

export class PythonRuntime implements Runtime {
  readonly name = "python" as const;

  isolation() {
    return "pyodide-wasm" as const;
  }

  /** Starts the interpreters of the given slots (benchmarks, servers that want no cold start). */
  async warm(slots: number): Promise<void> {
    await Promise.all(Array.from({ length: slots }, (_, i) => workerFor(i)));
  }

  async run(job: Job, slot: number, signal: AbortSignal): Promise<RunResult> {
    const w = await cleanWorker(slot);
    try {
      return job.kind === "stdio" ? await this.stdio(w, job) : await this.harness(w, job, signal);
    } finally {
      if (!w.dead && w.grown > RECYCLE_GROWN_MB) w.kill();
    }
  }

  private async stdio(w: PyWorker, job: StdioJob): Promise<RunResult> {
    const o = await w.request(
      {
        op: "stdio",
        code: job.source,
        stdin: job.stdin,
        outputBytes: job.limits.outputBytes,
        memoryMb: job.limits.memoryMb,
      },
      job.limits.timeMs,
    );
    const base = { tests: [], isolation: "pyodide-wasm" as const, ms: o.ms };
    if (o.kind === "killed") return { ...base, end: "timeout", stdout: "", stderr: "" };
    if (o.kind === "crashed")
      return { ...base, end: "crashed", stdout: "", stderr: `interpreter crashed: ${o.message}` };
    const r = o.reply;
    w.grown = r.grownMb ?? 0;
    const stdout = trimOut(r.stdout);
    let stderr = trimOut(r.stderr);
    const res = r.result ?? {};
    if (r.outputExceeded) return { ...base, end: "output_limit", stdout, stderr };
    if (o.timedOut) return { ...base, end: "timeout", stdout, stderr };
    if (res.status === "compile")
      return { ...base, end: "compile_error", stdout, stderr: `${res.type}: ${res.message}` };
    if (res.status === "memory")
      return { ...base, end: "memory", stdout, stderr: `${stderr}${res.type}: ${res.message}` };
    if (res.status !== "pass") {
      stderr = `${stderr}${res.type}: ${res.message}`;
      return { ...base, end: "crashed", exitCode: 1, stdout, stderr };
    }
    return { ...base, end: "exited", exitCode: 0, stdout, stderr };
  }

  private async harness(w: PyWorker, job: HarnessJob, signal: AbortSignal): Promise<RunResult> {
    const lim = { outputBytes: job.limits.outputBytes, memoryMb: job.limits.memoryMb };
    const tests: TestOutcome[] = [];
    let stdout = "";
    let stderr = "";
    let ms = 0;
    const finish = (end: RunResult["end"]): RunResult => ({
      end,
      tests,
      stdout,
      stderr,
      ms,
      isolation: "pyodide-wasm",
    });
    const setup = await w.request({ op: "setup", code: job.setup, ...lim }, job.limits.timeMs);
    ms += setup.ms;
    const first = job.start;
    const fromOutcome = (o: Outcome, index: number): { done: TestOutcome; end?: RunResult["end"] } => {
      if (o.kind === "killed") return { done: { index, status: "timeout", ms: o.ms }, end: "timeout" };
      if (o.kind === "crashed") {
        return {
          done: {
            index,
            status: "error",
            type: "Crash",
            message: `interpreter crashed: ${o.message}`,
            ms: o.ms,
          },
          end: "crashed",
        };
      }
      const r = o.reply;
      w.grown = r.grownMb ?? 0;
      stdout += trimOut(r.stdout);
      stderr += trimOut(r.stderr);
      const res = (r.result ?? {}) as Record<string, string>;
      if (r.outputExceeded) return { done: { index, status: "output_limit", ms: o.ms }, end: "output_limit" };
      if (o.timedOut) return { done: { index, status: "timeout", ms: o.ms }, end: "timeout" };
      const done: TestOutcome = { index, status: res.status as TestOutcome["status"], ms: o.ms };
      if (res.type) done.type = res.type;
      if (res.message) done.message = res.message;
      if (res.value !== undefined) done.value = res.value;
      return { done };
    };
    const s = fromOutcome(setup, first);
    if (s.end || s.done.status !== "pass") {
      if (s.done.status === "compile")
        return { ...finish("compile_error"), stderr: `${s.done.type}: ${s.done.message}` };
      tests.push(s.done);
      return { ...finish(s.end ?? "exited"), setupFailed: true };
    }
    for (let i = first; i < job.tests.length; i++) {
      if (signal.aborted) break;
      const o = await w.request({ op: "test", test: job.tests[i], ...lim }, job.limits.timeMs);
      ms += o.ms;
      const t = fromOutcome(o, i);
      tests.push(t.done);
      if (t.end) return finish(t.end);
      if (t.done.status !== "pass" && job.stopOnFail) break;
    }
    return finish("completed");
  }
}
