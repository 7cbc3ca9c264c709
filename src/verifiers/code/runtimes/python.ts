/**
 * The `python` runtime: Pyodide (CPython compiled to WebAssembly) on both sides of a trust boundary.
 * The candidate's program runs in a candidate process (python-candidate.ts: Node's permission model,
 * bubblewrap where it works, the interpreter's memory restored before every sample); assert-style
 * tests run in a judge (python-judge-worker.ts: a worker thread with its own interpreter) that holds the
 * test code and the expected values and calls the candidate's functions through plain-data proxies.
 * `call` tests and stdin/stdout programs need no judge: the host compares. A candidate request that
 * overruns its deadline kills that process (the next sample gets a new one); a judge that does not
 * stop is interrupted, then terminated.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { RewardkitError } from "../../../core/index.js";
import { showJson } from "../compare.js";
import type { HarnessJob, Isolation, Job, RunResult, Runtime, StdioJob, TestOutcome } from "../types.js";
import {
  type Candidate,
  type CandidateOutcome,
  candidateCommand,
  PyCandidate,
} from "./python-candidate-host.js";
import { workerModule } from "./task-module.js";

const WORKER = new URL("./python-judge-worker.js", import.meta.url);
/** How long a judge may ignore the interrupt before its worker is terminated. */
const GRACE_MS = 300;
/** A candidate whose WebAssembly memory grew by more than this is replaced after the sample. */
const RECYCLE_GROWN_MB = 256;
/** The judge's own time for a test on top of the candidate's (trusted code, but it may be slow). */
const JUDGE_MS = 2000;

interface Reply {
  id: number;
  result?: Record<string, unknown>;
  fatal?: string;
}

type Outcome =
  | { kind: "reply"; reply: Reply; ms: number; timedOut: boolean }
  | { kind: "killed"; ms: number } // terminated at the deadline
  | { kind: "crashed"; message: string; ms: number };

/** The judge worker. `onCall` relays the candidate calls of the request in flight. */
class PyWorker {
  private worker: Worker;
  private readonly interrupt = new Int32Array(new SharedArrayBuffer(4));
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly bridge: MessagePort;
  readonly ready: Promise<void>;
  private pending: { id: number; done: (r: Reply | Error) => void } | null = null;
  private nextId = 1;
  dead = false;
  onCall: ((name: string, payload: string) => void) | null = null;

  constructor(snapshot: Uint8Array | null) {
    const { port1, port2 } = new MessageChannel();
    this.bridge = port1;
    this.worker = new Worker(workerModule(WORKER), {
      workerData: {
        interrupt: this.interrupt.buffer,
        flag: this.flag.buffer,
        bridge: port2,
        ...(snapshot ? { snapshot } : {}),
      },
      transferList: [port2],
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
    this.worker.on("message", (m: Reply & { call?: { name: string; payload: string } }) => {
      if (m.call) {
        if (this.onCall) this.onCall(m.call.name, m.call.payload);
        else this.answer('{"abort": "error", "message": "no candidate"}');
        return;
      }
      if (this.pending && m.id === this.pending.id) {
        const p = this.pending;
        this.pending = null;
        p.done(m);
      }
    });
    // An idle judge must not keep a CLI from exiting: it holds the process open only while it starts or
    // runs a request.
    this.ready.then(
      () => this.worker.unref(),
      () => {},
    );
  }

  /** Hands the judge the reply of its candidate call and wakes it. */
  answer(text: string): void {
    this.bridge.postMessage(text);
    Atomics.store(this.flag, 0, 1);
    Atomics.notify(this.flag, 0);
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

const judges: (PyWorker | undefined)[] = [];
const candidates: (PyCandidate | undefined)[] = [];
let snapshotPromise: Promise<Uint8Array | null> | undefined;
/** The snapshot file candidate processes start from (undefined: they start the slow way). */
let snapshotPath: string | undefined;

async function judgeFor(slot: number): Promise<PyWorker> {
  let w = judges[slot];
  if (!w || w.dead) {
    snapshotPromise ??= interpreterSnapshot();
    w = new PyWorker(await snapshotPromise);
    judges[slot] = w;
  }
  await w.ready;
  return w;
}

async function candidateFor(slot: number): Promise<PyCandidate> {
  let c = candidates[slot];
  if (!c || c.dead) {
    snapshotPromise ??= interpreterSnapshot();
    await snapshotPromise;
    c = new PyCandidate(candidateCommand(snapshotPath).argv);
    candidates[slot] = c;
  }
  await c.ready;
  return c;
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
      const bytes = new Uint8Array(readFileSync(file));
      snapshotPath = file;
      return bytes;
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
      snapshotPath = file;
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

function trimOut(s: string | undefined): string {
  return s ?? "";
}

function parseText(text: string | undefined): Record<string, unknown> {
  try {
    const v = JSON.parse(text ?? "");
    if (v && typeof v === "object") return v as Record<string, unknown>;
  } catch {}
  return { status: "error", type: "Crash", message: "the candidate process sent an unreadable reply" };
}

/** Output of one candidate run, gathered over its requests. */
class Io {
  stdout = "";
  stderr = "";
  over = false;
  add(o: CandidateOutcome): void {
    if (o.kind !== "reply") return;
    this.stdout += trimOut(o.reply.out);
    this.stderr += trimOut(o.reply.err);
    if (o.reply.over) this.over = true;
  }
}

export class PythonRuntime implements Runtime {
  readonly name = "python" as const;

  private isolationName: Isolation | undefined;

  isolation(): Isolation {
    this.isolationName ??= candidateCommand(undefined).isolation as Isolation;
    return this.isolationName;
  }

  /** Starts the interpreters of the given slots (benchmarks, servers that want no cold start). */
  async warm(slots: number): Promise<void> {
    await Promise.all(
      Array.from({ length: slots }, async (_, i) => {
        await judgeFor(i);
        await candidateFor(i);
      }),
    );
  }

  async run(job: Job, slot: number, signal: AbortSignal): Promise<RunResult> {
    const c = await candidateFor(slot);
    const reused = c.served++ > 0;
    const result = await this.runIn(c, job, slot, signal);
    // A trap is the interpreter failing, not the program: one that served earlier samples may carry
    // what they left (seen once in a few runs after a sample that filled 24 MB of heap). The sample runs
    // again in a fresh interpreter, so no earlier sample decides its verdict; a program that traps the
    // interpreter by itself traps the fresh one too and keeps its crash verdict.
    if (c.trapped && reused && !signal.aborted)
      return this.runIn(await candidateFor(slot), job, slot, signal);
    return result;
  }

  private async runIn(c: PyCandidate, job: Job, slot: number, signal: AbortSignal): Promise<RunResult> {
    c.served = Math.max(c.served, 1);
    try {
      return job.kind === "stdio"
        ? await this.stdio(c, job)
        : await judgedHarness(c, slot, job, signal, this.isolation());
    } finally {
      if (!c.dead && c.grown > RECYCLE_GROWN_MB) c.kill();
    }
  }

  private async stdio(c: PyCandidate, job: StdioJob): Promise<RunResult> {
    const o = await c.request(
      {
        op: "stdio",
        code: job.source,
        stdin: job.stdin,
        outputBytes: job.limits.outputBytes,
        memoryMb: job.limits.memoryMb,
      },
      job.limits.timeMs,
    );
    const base = { tests: [], isolation: this.isolation(), ms: o.ms };
    if (o.kind === "killed") return { ...base, end: "timeout", stdout: "", stderr: "" };
    if (o.kind === "crashed")
      return { ...base, end: "crashed", stdout: "", stderr: `interpreter stopped: ${o.message}` };
    const r = o.reply;
    c.grown = r.grownMb ?? 0;
    const stdout = trimOut(r.out);
    let stderr = trimOut(r.err);
    const res = parseText(r.text);
    if (r.over) return { ...base, end: "output_limit", stdout, stderr };
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
}

/**
 * Runs a harness job with the candidate's program in `c` and its tests in the slot's judge. Used by
 * the python runtime (a Pyodide candidate) and the process runtime (python3 in the sandbox).
 */
export async function judgedHarness(
  c: Candidate,
  slot: number,
  job: HarnessJob,
  signal: AbortSignal,
  isolation: Isolation,
): Promise<RunResult> {
  const io = new Io();
  const tests: TestOutcome[] = [];
  let ms = 0;
  const finish = (end: RunResult["end"], extra: Partial<RunResult> = {}): RunResult => ({
    end,
    tests,
    stdout: io.stdout,
    stderr: io.stderr,
    ms,
    isolation,
    ...extra,
  });
  const first = job.start;
  /** A candidate request that did not answer normally, as the outcome of test `index`. */
  const stopped = (
    o: CandidateOutcome,
    index: number,
  ): { done: TestOutcome; end: RunResult["end"] } | null => {
    if (o.kind === "killed") return { done: { index, status: "timeout", ms: o.ms }, end: "timeout" };
    if (o.kind === "crashed") {
      if (/memory limit exceeded/.test(o.message))
        return { done: { index, status: "memory", ms: o.ms }, end: "memory" };
      const message = `interpreter stopped: ${o.message}`;
      return { done: { index, status: "error", type: "Crash", message, ms: o.ms }, end: "crashed" };
    }
    if (o.reply.over) return { done: { index, status: "output_limit", ms: o.ms }, end: "output_limit" };
    return null;
  };
  const limit = { outputBytes: job.limits.outputBytes, memoryMb: job.limits.memoryMb };
  const load = await c.request({ op: "load", code: job.program, ...limit }, job.limits.timeMs);
  io.add(load);
  ms += load.ms;
  const bad = stopped(load, first);
  if (bad) {
    tests.push(bad.done);
    return finish(bad.end, { setupFailed: true });
  }
  const loaded = parseText((load as { reply: { text?: string } }).reply.text);
  c.grown = (load as { reply: { grownMb?: number } }).reply.grownMb ?? 0;
  if (loaded.status === "compile")
    return finish("compile_error", { stderr: `${loaded.type}: ${loaded.message}` });
  if (loaded.status !== "pass") {
    const t: TestOutcome = { index: first, status: loaded.status as TestOutcome["status"], ms: load.ms };
    if (typeof loaded.type === "string") t.type = loaded.type;
    if (typeof loaded.message === "string") t.message = loaded.message;
    tests.push(t);
    return finish("exited", { setupFailed: true });
  }
  const names = Array.isArray(loaded.names) ? (loaded.names as string[]) : [];
  let judge: PyWorker | undefined;
  for (let i = first; i < job.tests.length; i++) {
    if (signal.aborted) break;
    const t = job.tests[i]!;
    const t0 = performance.now();
    let done: TestOutcome;
    if ("call" in t) {
      // The host compares the returned value (schedule.ts): no judge needed.
      const o = await c.request(
        { op: "call_json", name: t.call, payload: showJson(t.args) },
        job.limits.timeMs,
      );
      io.add(o);
      const s = stopped(o, i);
      if (s) {
        tests.push(s.done);
        ms += o.ms;
        return finish(s.end);
      }
      const r = parseText((o as { reply: { text?: string } }).reply.text);
      done = { index: i, status: r.status as TestOutcome["status"], ms: o.ms };
      if (typeof r.type === "string") done.type = r.type;
      if (typeof r.message === "string") done.message = r.message;
      if (typeof r.value === "string") done.value = r.value;
    } else {
      if (!judge) {
        judge = await judgeFor(slot);
        const b = await judge.request(
          {
            op: "begin",
            trusted: job.trusted,
            tests: job.tests.map((x) => ("code" in x ? x.code : "")),
            entry: job.entry,
            names,
          },
          JUDGE_MS * 5,
        );
        if (b.kind !== "reply" || b.reply.result?.status !== "pass") {
          const why =
            b.kind === "reply"
              ? String(b.reply.result?.message ?? "")
              : b.kind === "crashed"
                ? b.message
                : "timed out";
          throw new RewardkitError(
            "invalid_input",
            `reference: the tests' own code failed in the judge: ${why}`,
          );
        }
      }
      const r = await judged(judge, c, io, t.code, i, job.limits.timeMs);
      done = r.done;
      if (r.end) {
        tests.push(done);
        ms += performance.now() - t0;
        return finish(r.end);
      }
    }
    tests.push(done);
    ms += performance.now() - t0;
    if (done.status !== "pass" && job.stopOnFail) break;
  }
  return finish("completed");
}

/**
 * One test in the judge, relaying its candidate calls. The test's time limit counts the candidate's
 * time; at the limit the candidate is killed and the judge is told, so its test ends as a timeout.
 */
async function judged(
  judge: PyWorker,
  c: Candidate,
  io: Io,
  code: string,
  index: number,
  timeMs: number,
): Promise<{ done: TestOutcome; end?: RunResult["end"] }> {
  let candidateMs = 0;
  let stop: { status: TestOutcome["status"]; end: RunResult["end"]; message?: string } | undefined;
  judge.onCall = (name, payload) => {
    if (stop || c.dead) {
      judge.answer(JSON.stringify({ abort: stop?.status ?? "error", message: "the candidate is gone" }));
      return;
    }
    void c.request({ op: "call", name, payload }, Math.max(1, timeMs - candidateMs)).then((o) => {
      candidateMs += o.ms;
      io.add(o);
      if (o.kind === "killed") stop = { status: "timeout", end: "timeout" };
      else if (o.kind === "crashed")
        stop = /memory limit exceeded/.test(o.message)
          ? { status: "memory", end: "memory" }
          : { status: "error", end: "crashed", message: `interpreter stopped: ${o.message}` };
      else if (o.reply.over) stop = { status: "output_limit", end: "output_limit" };
      if (stop || o.kind !== "reply") {
        judge.answer(JSON.stringify({ abort: stop?.status ?? "error", message: stop?.message ?? "stopped" }));
      } else judge.answer(o.reply.text ?? '{"abort": "error", "message": "empty reply"}');
    });
  };
  try {
    const o = await judge.request({ op: "test", code }, timeMs + JUDGE_MS);
    const s = stop as typeof stop;
    if (s) {
      const done: TestOutcome = { index, status: s.status, ms: o.ms };
      if (s.message) {
        done.type = "Crash";
        done.message = s.message;
      }
      return { done, end: s.end };
    }
    if (o.kind === "killed") return { done: { index, status: "timeout", ms: o.ms }, end: "timeout" };
    if (o.kind === "crashed") {
      return {
        done: { index, status: "error", type: "JudgeCrash", message: o.message, ms: o.ms },
        end: "crashed",
      };
    }
    const r = (o.reply.result ?? {}) as Record<string, string>;
    const done: TestOutcome = { index, status: r.status as TestOutcome["status"], ms: o.ms };
    if (r.type) done.type = r.type;
    if (r.message) done.message = r.message;
    // The candidate ended inside a call (exit, memory): its run is over.
    if (r.status === "exit" || r.status === "memory")
      return { done, end: r.status === "memory" ? "memory" : "exited" };
    return { done };
  } finally {
    judge.onCall = null;
  }
}
