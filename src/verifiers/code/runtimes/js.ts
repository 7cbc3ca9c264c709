/**
 * The `js` runtime as the host sees it: a child process per slot runs the jobs (js-worker.ts: the
 * candidate in an isolated-vm isolate, the tests in a judge), so no synchronous call into a candidate
 * ever blocks the host's event loop, and neither a kill nor a fault of the native addon can take the
 * host down. The process runs under Node's permission model (reads of this package only, the addon
 * allowed; no writes, child processes or workers). It enforces the limits itself; the host kills it when
 * a test overruns its limit by more than a grace period, and reports that test as a timeout.
 */
import { type ChildProcess, fork } from "node:child_process";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
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

/**
 * What the slot process may read: the package's root (dist/, and node_modules/ below it in a checkout), and
 * when the package is installed as a dependency the node_modules folder it sits in, where npm hoists its
 * own dependencies (ajv, isolated-vm, ...).
 */
export function slotReadPaths(entry: string): string[] {
  const i = entry.lastIndexOf("/dist/");
  const root = i >= 0 ? entry.slice(0, i) : dirname(dirname(dirname(dirname(entry))));
  const parent = dirname(root);
  if (basename(parent) === "node_modules") return [root, parent];
  if (basename(parent).startsWith("@") && basename(dirname(parent)) === "node_modules") {
    return [root, dirname(parent)];
  }
  return [root];
}

class Slot {
  private readonly child: ChildProcess;
  private nextId = 1;
  dead = false;
  private onMsg: ((m: Msg) => void) | null = null;

  constructor() {
    const entry = fileURLToPath(workerModule(WORKER));
    this.child = fork(entry, [], {
      env: {},
      execArgv: [
        "--permission",
        "--allow-addons",
        ...slotReadPaths(entry).map((p) => `--allow-fs-read=${p}`),
        // isolated-vm's loader looks for this file to tell musl from glibc.
        "--allow-fs-read=/etc/alpine-release",
        "--disallow-code-generation-from-strings",
      ],
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      detached: true,
    });
    let stderr = "";
    this.child.stderr!.on("data", (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString("utf8");
    });
    this.unref();
    this.child.on("message", (m: Msg) => this.onMsg?.(m));
    const die = (why: string) => {
      this.dead = true;
      this.onMsg?.({ id: -1, error: { kind: "sandbox_error", message: why } });
    };
    this.child.on("error", (e) => die(`the JS runtime process failed: ${e.message}`));
    this.child.on("exit", (code, sig) =>
      die(
        `the JS runtime process exited (${sig ?? `code ${code}`})${stderr ? `: ${stderr.trim().slice(-500)}` : ""}`,
      ),
    );
  }

  private unref(): void {
    this.child.unref();
    (this.child as unknown as { channel?: { unref(): void } }).channel?.unref();
    (this.child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  }

  private ref(): void {
    this.child.ref();
    (this.child as unknown as { channel?: { ref(): void } }).channel?.ref();
  }

  run(job: Job, signal: AbortSignal): Promise<RunResult> {
    const id = this.nextId++;
    const tests: TestOutcome[] = [];
    let current = job.kind === "harness" ? job.start : 0;
    const t0 = performance.now();
    this.ref();
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
        if (!this.dead) this.unref();
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
      this.child.send({ id, job });
    });
  }

  kill(): void {
    this.dead = true;
    try {
      if (this.child.pid) process.kill(-this.child.pid, "SIGKILL");
    } catch {
      this.child.kill("SIGKILL");
    }
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
