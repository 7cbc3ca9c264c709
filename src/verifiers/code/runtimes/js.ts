/**
 * The `js` runtime as the host sees it: a worker thread per slot runs the jobs (js-worker.ts: the
 * candidate in an isolated-vm isolate, the tests in a judge), so no synchronous call into a candidate
 * ever blocks the host's event loop. The worker enforces the limits itself; the host terminates it
 * when a test overruns its limit by more than a grace period, and reports that test as a timeout.
 */
import { Worker } from "node:worker_threads";
import { type ErrorKind, RewardkitError } from "../../../core/index.js";
import type { Job, RunResult, Runtime, TestOutcome } from "../types.js";
import { workerModule } from "./task-module.js";

const WORKER = new URL("./js-worker.js", import.meta.url);
/** Time for the worker to start and prepare a context, on top of a test's own limit. */
const GRACE_MS = 2000;

interface Msg {
  id: number;
  begin?: number;
  done?: TestOutcome;
  result?: RunResult;
  error?: { kind: ErrorKind; message: string };
}

class Slot {
  private readonly worker: Worker;
  private nextId = 1;
  dead = false;
  private onMsg: ((m: Msg) => void) | null = null;

  constructor() {
    this.worker = new Worker(workerModule(WORKER), { env: {} });
    this.worker.unref();
    this.worker.on("message", (m: Msg) => this.onMsg?.(m));
    const die = (why: string) => {
      this.dead = true;
      this.onMsg?.({ id: -1, error: { kind: "sandbox_error", message: why } });
    };
    this.worker.on("error", (e) => die(`the JS worker failed: ${e.message}`));
    this.worker.on("exit", (code) => die(`the JS worker exited (code ${code})`));
  }

  run(job: Job, signal: AbortSignal): Promise<RunResult> {
    const id = this.nextId++;
    const tests: TestOutcome[] = [];
    let current = job.kind === "harness" ? job.start : 0;
    const t0 = performance.now();
    this.worker.ref();
    return new Promise<RunResult>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => stop("timeout"), job.limits.timeMs + GRACE_MS);
      };
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.onMsg = null;
        if (!this.dead) this.worker.unref();
      };
      // The worker did not answer in time (or the caller gave up): kill it, keep what it reported.
      const stop = (why: "timeout") => {
        finish();
        this.kill();
        tests.push({ index: current, status: why, ms: performance.now() - t0 });
        resolve({
          end: why,
          tests: job.kind === "harness" ? tests : [],
          stdout: "",
          stderr: "",
          ms: performance.now() - t0,
          isolation: "isolated-vm",
        });
      };
      const onAbort = () => stop("timeout");
      signal.addEventListener("abort", onAbort, { once: true });
      this.onMsg = (m) => {
        if (m.id !== id && m.id !== -1) return;
        if (m.begin !== undefined) {
          current = m.begin;
          arm();
        } else if (m.done) tests.push(m.done);
        else if (m.result) {
          finish();
          resolve(m.result);
        } else if (m.error) {
          finish();
          reject(new RewardkitError(m.error.kind, m.error.message));
        }
      };
      arm();
      this.worker.postMessage({ id, job });
    });
  }

  kill(): void {
    this.dead = true;
    void this.worker.terminate();
  }
}

export class JsRuntime implements Runtime {
  readonly name = "js" as const;
  private readonly slots: (Slot | undefined)[] = [];

  isolation() {
    return "isolated-vm" as const;
  }

  run(job: Job, slot: number, signal: AbortSignal): Promise<RunResult> {
    let s = this.slots[slot];
    if (!s || s.dead) {
      s = new Slot();
      this.slots[slot] = s;
    }
    return s.run(job, signal);
  }
}
