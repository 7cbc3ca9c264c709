/**
 * The engine of the `js` runtime, run inside a worker thread per slot (js-worker.ts): the candidate's
 * JavaScript (and TypeScript, transpiled before) runs in an isolated-vm isolate, a fresh context per
 * run, so nothing survives between runs. There is no require (only the shims of js-prelude.ts), no file
 * system, no network and no host object in a context. Assert-style tests run in a judge (js-judge.ts)
 * that calls the candidate's functions through plain-data proxies; `call` tests and stdio programs are
 * compared by the host. Every evaluation has a timeout; a timer disposes the isolate when a run does not
 * stop (microtask loops, promises that never settle), and an isolate that hit its memory limit is
 * replaced. The host terminates the whole worker when it does not answer in time.
 */
import { createHash } from "node:crypto";
import ivm from "isolated-vm";
import { RewardkitError } from "../../../core/index.js";
import type { HarnessJob, Job, RunResult, StdioJob, TestOutcome } from "../types.js";
import { Judge } from "./js-judge.js";
import { JS_PRELUDE } from "./js-prelude.js";

interface Slot {
  isolate: ivm.Isolate;
  prelude: ivm.Script;
  memoryMb: number;
}

const slots: (Slot | undefined)[] = [];
const HASHES = new Set(["md5", "sha1", "sha256", "sha512"]);
const ENCODINGS = new Set(["hex", "base64", "base64url", "latin1"]);
/** crypto.createHash for model code: a pure function of copied strings, computed in the host. */
const hostHash = new ivm.Callback((alg: string, data: string, enc: string) => {
  const a = String(alg).toLowerCase();
  if (!HASHES.has(a) || !ENCODINGS.has(enc) || typeof data !== "string" || data.length > 1 << 24) return null;
  return createHash(a)
    .update(data, "utf8")
    .digest(enc as "hex");
});
const GRACE_MS = 200;

function slotFor(i: number, memoryMb: number): Slot {
  let s = slots[i];
  if (s && (s.isolate.isDisposed || s.memoryMb !== memoryMb)) {
    if (!s.isolate.isDisposed) s.isolate.dispose();
    s = undefined;
  }
  if (!s) {
    try {
      const isolate = new ivm.Isolate({ memoryLimit: Math.max(8, memoryMb) });
      const prelude = isolate.compileScriptSync(JS_PRELUDE, { filename: "rewardkit:prelude" });
      s = { isolate, prelude, memoryMb };
    } catch (e) {
      throw new RewardkitError("sandbox_error", `cannot create a V8 isolate: ${(e as Error).message}`);
    }
    slots[i] = s;
  }
  return s;
}

type Eval =
  | { kind: "ok"; value: unknown }
  | { kind: "threw"; error: Error }
  | { kind: "timeout" }
  | { kind: "memory" };

/** Runs `fn` with a host deadline: past it (plus a grace period) the isolate is disposed. */
async function guarded(slot: Slot, ms: number, fn: () => Promise<unknown>): Promise<Eval> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Eval>((resolve) => {
    timer = setTimeout(() => {
      if (!slot.isolate.isDisposed) slot.isolate.dispose();
      resolve({ kind: "timeout" });
    }, ms + GRACE_MS);
  });
  try {
    return await Promise.race([
      fn().then(
        (value): Eval => ({ kind: "ok", value }),
        (error: Error): Eval => {
          const msg = String(error?.message ?? error);
          if (/timed out/i.test(msg)) return { kind: "timeout" };
          if (/memory limit/i.test(msg) || (slot.isolate.isDisposed && /disposed/i.test(msg))) {
            return /memory/i.test(msg) ? { kind: "memory" } : { kind: "timeout" };
          }
          return { kind: "threw", error };
        },
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a candidate's program for its effects. Its completion value stays in the isolate (a reference,
 * released): transferring a hostile one (a Proxy of a function with a `get` trap) makes isolated-vm
 * throw a C++ exception that nothing catches, which aborts the whole host process.
 */
async function runProgram(script: ivm.Script, context: ivm.Context, timeout: number): Promise<undefined> {
  const r = (await script.run(context, { timeout, reference: true })) as ivm.Reference | undefined;
  r?.release();
  return undefined;
}

function parse(v: unknown): Record<string, string> {
  try {
    return JSON.parse(String(v)) as Record<string, string>;
  } catch {
    return { status: "error", type: "Error", message: `bad harness reply: ${String(v).slice(0, 200)}` };
  }
}

/** Reports a test as it finishes (the host keeps them should it have to terminate the worker). */
export type Progress = (o: { begin?: number; done?: TestOutcome }) => void;

export class JsEngine {
  async run(
    job: Job,
    slotIndex: number,
    signal: AbortSignal,
    progress: Progress = () => {},
  ): Promise<RunResult> {
    const slot = slotFor(slotIndex, job.limits.memoryMb);
    let context: ivm.Context;
    try {
      context = await slot.isolate.createContext();
      context.global.setSync("__rk_host_hash", hostHash);
      const stdin = job.kind === "stdio" ? job.stdin : "";
      context.global.setSync(
        "__rk_cfg",
        new ivm.ExternalCopy({ stdin, limit: job.limits.outputBytes }).copyInto(),
      );
      await slot.prelude.run(context, { timeout: 1000 });
    } catch (e) {
      if (!slot.isolate.isDisposed) slot.isolate.dispose();
      throw new RewardkitError("sandbox_error", `cannot prepare a JS context: ${(e as Error).message}`);
    }
    try {
      return job.kind === "stdio"
        ? await this.stdio(slot, context, job)
        : await this.harness(slot, context, job, signal, progress);
    } finally {
      if (!slot.isolate.isDisposed) context.release();
    }
  }

  private async take(slot: Slot, context: ivm.Context): Promise<{ out: string; err: string; over: boolean }> {
    if (slot.isolate.isDisposed) return { out: "", err: "", over: false };
    try {
      const r = JSON.parse(String(await context.eval("__rk_take()", { timeout: 1000 })));
      return { out: String(r?.out ?? ""), err: String(r?.err ?? ""), over: r?.over === true };
    } catch {
      return { out: "", err: "", over: false };
    }
  }

  private compile(slot: Slot, code: string, filename: string): ivm.Script | string {
    try {
      return slot.isolate.compileScriptSync(code, { filename });
    } catch (e) {
      if (slot.isolate.isDisposed) throw new RewardkitError("sandbox_error", "the isolate was disposed");
      return `${(e as Error).name ?? "SyntaxError"}: ${(e as Error).message}`;
    }
  }

  private async stdio(slot: Slot, context: ivm.Context, job: StdioJob): Promise<RunResult> {
    const t0 = performance.now();
    const base = { tests: [], isolation: "isolated-vm" as const };
    const script = this.compile(slot, job.source, "solution.js");
    if (typeof script === "string")
      return { ...base, end: "compile_error", stdout: "", stderr: script, ms: 0 };
    const lim = Math.ceil(job.limits.timeMs);
    let r = await guarded(slot, lim, () => runProgram(script, context, lim));
    if (r.kind === "ok") {
      const left = Math.max(1, Math.ceil(lim - (performance.now() - t0)));
      r = await guarded(slot, left, () => context.eval("__rk_drain()", { timeout: left }));
    }
    const ms = performance.now() - t0;
    const io = await this.take(slot, context);
    const res = { ...base, stdout: io.out, stderr: io.err, ms };
    if (io.over) return { ...res, end: "output_limit" };
    if (r.kind === "timeout") return { ...res, end: "timeout" };
    if (r.kind === "memory") return { ...res, end: "memory" };
    if (r.kind === "threw") {
      const code = await this.exitCode(slot, context, r.error);
      if (code === 0) return { ...res, end: "exited", exitCode: 0 };
      const e = r.error;
      return { ...res, end: "crashed", exitCode: code ?? 1, stderr: `${io.err}${e.name}: ${e.message}` };
    }
    return { ...res, end: "exited", exitCode: 0 };
  }

  /** The status of a `process.exit(code)` (thrown as an error with that message), or null. */
  private async exitCode(_slot: Slot, _context: ivm.Context, e: Error): Promise<number | null> {
    const m = /^process\.exit\((-?\d+)\)$/.exec(String(e?.message ?? ""));
    return m ? Number(m[1]) : null;
  }

  private async harness(
    slot: Slot,
    context: ivm.Context,
    job: HarnessJob,
    signal: AbortSignal,
    progress: Progress,
  ): Promise<RunResult> {
    const tests: TestOutcome[] = [];
    let ms = 0;
    const lim = Math.ceil(job.limits.timeMs);
    const finish = async (end: RunResult["end"], extra: Partial<RunResult> = {}): Promise<RunResult> => {
      // The output only matters for the feedback of a failure: a run where everything passed skips it.
      const allPassed = end === "completed" && tests.every((t) => t.status === "pass");
      const io = allPassed ? { out: "", err: "" } : await this.take(slot, context);
      return { end, tests, stdout: io.out, stderr: io.err, ms, isolation: "isolated-vm", ...extra };
    };
    // The prelude's entry points, before the program can hide the global's properties behind a proxy.
    const refs = {
      call: context.global.getSync("__rk_call", { reference: true }) as ivm.Reference,
      settle: context.global.getSync("__rk_settle", { reference: true }) as ivm.Reference,
    };
    const setup = this.compile(slot, job.program, "solution.js");
    if (typeof setup === "string") return finish("compile_error", { stderr: setup });
    // The setup runs as a script (its declarations become globals), then reports through the helpers.
    const t0 = performance.now();
    const r = await guarded(slot, lim, () => runProgram(setup, context, lim));
    ms += performance.now() - t0;
    if (r.kind !== "ok") {
      tests.push(this.outcome(r, job.start, performance.now() - t0));
      return finish(r.kind === "timeout" ? "timeout" : r.kind === "memory" ? "memory" : "exited", {
        setupFailed: true,
      });
    }
    let judge: Judge | undefined;
    try {
      for (let i = job.start; i < job.tests.length; i++) {
        if (signal.aborted) break;
        const t = job.tests[i]!;
        progress({ begin: i });
        const t1 = performance.now();
        if ("code" in t) {
          judge ??= new Judge(slot.isolate, context, job, refs);
          tests.push(await judge.test(t.code, i, lim));
        } else await this.callTest(slot, context, t, i, lim, tests);
        ms += performance.now() - t1;
        const last = tests[tests.length - 1]!;
        progress({ done: last });
        if (last.status === "timeout") return finish("timeout");
        if (last.status === "memory") return finish("memory");
        if (last.status === "output_limit") return finish("output_limit");
        if (last.status === "exit") return finish("exited");
        if (last.status !== "pass" && job.stopOnFail) break;
      }
    } finally {
      judge?.close();
    }
    return finish("completed");
  }

  /** A call test: the candidate's return value as JSON text, compared by the host (schedule.ts). */
  private async callTest(
    slot: Slot,
    context: ivm.Context,
    t: { call: string; args: unknown[] },
    i: number,
    lim: number,
    tests: TestOutcome[],
  ): Promise<void> {
    {
      const wrapped = `(async function () {\ntry {\nconst __rk_fn = (${t.call});\nreturn __rk_value(await __rk_fn(...${jsLiteral(t.args)}));\n} catch (e) { return __rk_err(e); }\n})()`;
      const script = this.compile(slot, wrapped, "test.js");
      const t1 = performance.now();
      if (typeof script === "string") {
        tests.push({
          index: i,
          status: "error",
          type: "SyntaxError",
          message: `test does not compile: ${script}`,
          ms: 0,
        });
      } else {
        const e = await guarded(slot, lim, () => script.run(context, { timeout: lim, promise: true }));
        tests.push(this.outcome(e, i, performance.now() - t1));
      }
    }
  }

  private outcome(r: Eval, index: number, ms: number): TestOutcome {
    if (r.kind === "timeout") return { index, status: "timeout", ms };
    if (r.kind === "memory")
      return { index, status: "memory", type: "RangeError", message: "memory limit exceeded", ms };
    if (r.kind === "threw") {
      const e = r.error;
      const name = e?.name ?? "Error";
      return {
        index,
        status: name === "AssertionError" ? "fail" : "error",
        type: name,
        message: String(e?.message ?? e).slice(0, 2000),
        ms,
      };
    }
    if (r.value === undefined) return { index, status: "pass", ms };
    const p = parse(r.value);
    const o: TestOutcome = { index, status: p.status as TestOutcome["status"], ms };
    if (p.type) o.type = p.type;
    if (p.message) o.message = p.message;
    if (p.value !== undefined) o.value = p.value;
    return o;
  }
}

/** Arguments as a JavaScript literal: JSON, with a bigint (an integer past 2^53) written `123n`. */
function jsLiteral(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (Array.isArray(v)) return `[${v.map(jsLiteral).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${jsLiteral(x)}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "undefined";
}
