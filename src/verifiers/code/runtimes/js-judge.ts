/**
 * The judge of the `js` runtime: the tests' own code (and the prompt's helpers and the reference's
 * setup) runs in a fresh node:vm context of the worker thread, never in the candidate's isolate. The
 * candidate's functions are proxies there: a call encodes its arguments as plain data, runs the function
 * in the isolate through the prelude's `__rk_call` with the time left of the test, and decodes the
 * answer in the judge's realm (bridge/plain-js.ts). A patched `assert`, a `toJSON` that rewrites reports,
 * `fn.caller` or `Error.prepareStackTrace` in the candidate then reach nothing of the tests.
 */
import assert from "node:assert";
import vm from "node:vm";
import type ivm from "isolated-vm";
import { JS_PLAIN } from "../bridge/plain-js.js";
import type { HarnessJob, TestOutcome } from "../types.js";

const IDENT = /[A-Za-z_$][\w$]*/g;
const MAX_NAMES = 256;

/** The prelude's own functions in the candidate's context: never the candidate's answers. */
const PRELUDE = new Set([
  "require",
  "setTimeout",
  "setImmediate",
  "clearTimeout",
  "setInterval",
  "clearInterval",
]);

/**
 * Names the tests use that the candidate's context defines as functions and the judge's does not (and
 * the entry point, always), looked up in one evaluation within the test's time limit (a global getter
 * of the candidate's may loop).
 */
function candidateFunctions(
  context: ivm.Context,
  job: HarnessJob,
  judge: vm.Context,
): Map<string, ivm.Reference> {
  const used = new Set<string>();
  for (const t of job.tests) if ("code" in t) for (const m of t.code.match(IDENT) ?? []) used.add(m);
  for (const n of used) {
    let defined = PRELUDE.has(n) || n.startsWith("__rk_");
    try {
      // The judge's context holds only our globals here: typeof cannot run anything.
      defined ||= vm.runInContext(`typeof ${n}`, judge) !== "undefined";
    } catch {
      defined = true; // not an identifier (a keyword): nothing to proxy
    }
    if (defined) used.delete(n);
  }
  if (job.entry) used.add(job.entry);
  const names = [...used].slice(0, MAX_NAMES);
  const out = new Map<string, ivm.Reference>();
  if (names.length === 0) return out;
  const lookup = names
    .map(
      (n) =>
        `(() => { try { return typeof ${n} === "function" ? ${n} : undefined; } catch (e) { return undefined; } })()`,
    )
    .join(",\n");
  let all: ivm.Reference;
  try {
    all = context.evalSync(`[${lookup}]`, { reference: true, timeout: job.limits.timeMs }) as ivm.Reference;
  } catch {
    return out; // the lookup itself overran: every call then fails as the candidate's own error
  }
  names.forEach((n, i) => {
    const ref = all.getSync(i, { reference: true }) as ivm.Reference;
    if (ref.typeof === "function") out.set(n, ref);
    else ref.release();
  });
  all.release();
  return out;
}

type Abort = { status: TestOutcome["status"]; message: string };

export class Judge {
  private readonly ctx: vm.Context;
  private readonly fns: Map<string, ivm.Reference>;
  private readonly callRef: ivm.Reference;
  private deadline = 0;
  private aborted: Abort | undefined;
  private readonly setupError: string | undefined;

  constructor(
    private readonly isolate: ivm.Isolate,
    private readonly context: ivm.Context,
    job: HarnessJob,
  ) {
    this.callRef = context.global.getSync("__rk_call", { reference: true }) as ivm.Reference;
    this.ctx = vm.createContext({});
    const plain = vm.runInContext(JS_PLAIN, this.ctx);
    const quiet = () => {};
    this.ctx.console = { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet };
    this.ctx.assert = assert;
    this.ctx.module = { exports: {} };
    this.ctx.exports = this.ctx.module.exports;
    this.ctx.require = (m: string) => {
      const n = String(m).replace(/^node:/, "");
      if (n === "assert" || n === "assert/strict") return n === "assert" ? assert : assert.strict;
      throw new Error(`Cannot find module '${m}'`);
    };
    this.fns = candidateFunctions(context, job, this.ctx);
    const proxyOf = vm.runInContext(
      `(function (call, settle, plain) {
        function reply(text) {
          const r = JSON.parse(text);
          if ("value" in r) return plain.decParsed(r.value);
            if (r.raise) {
              const C = globalThis[r.raise.type];
              const e = typeof C === "function" && (C === Error || C.prototype instanceof Error)
                ? new C(r.raise.message) : new Error(r.raise.type + ": " + r.raise.message);
              throw e;
            }
            const a = new Error("the candidate stopped: " + r.abort);
            a.name = "RkAbort";
            throw a;
        }
        return function (name) {
          return function (...args) {
            const text = call(name, plain.enc(args));
            const p = JSON.parse(text).promise;
            return p === undefined ? reply(text) : Promise.resolve(settle(p)).then(reply);
          };
        };
      })`,
      this.ctx,
    )(
      (name: string, args: string) => this.call(name, args),
      (id: number) => this.settle(id),
      plain,
    );
    for (const n of this.fns.keys()) this.ctx[n] = proxyOf(n);
    try {
      if (job.trusted.trim())
        vm.runInContext(job.trusted, this.ctx, { timeout: 10_000, filename: "tests.js" });
    } catch (e) {
      this.setupError = `the tests' own setup failed: ${(e as Error)?.message ?? e}`;
    }
  }

  /** A call from the tests into the candidate, within what is left of the test's time. */
  private call(name: string, args: string): string {
    if (this.aborted) return JSON.stringify({ abort: this.aborted.status });
    const fn = this.fns.get(name);
    const left = Math.ceil(this.deadline - performance.now());
    if (!fn || this.isolate.isDisposed) this.aborted = { status: "error", message: "the candidate is gone" };
    else if (left <= 0) this.aborted = { status: "timeout", message: "time limit exceeded" };
    else {
      try {
        const r = this.callRef.applySync(undefined, [fn.derefInto(), args], { timeout: left }) as string;
        if (r.startsWith('{"exit"')) {
          this.aborted = { status: "exit", message: `process.exit(${JSON.parse(r).exit})` };
        } else return r;
      } catch (e) {
        const msg = String((e as Error)?.message ?? e);
        if (/timed out/i.test(msg)) this.aborted = { status: "timeout", message: "time limit exceeded" };
        else if (/memory/i.test(msg)) this.aborted = { status: "memory", message: "memory limit exceeded" };
        else
          this.aborted = { status: "error", message: `the candidate's isolate failed: ${msg.slice(0, 300)}` };
      }
    }
    return JSON.stringify({ abort: this.aborted!.status });
  }

  /**
   * Awaits an async result in the candidate's isolate, within the test's time. A promise that does not
   * settle (or a microtask loop) costs the isolate: it is disposed, and the run ends as a timeout.
   */
  private async settle(id: number): Promise<string> {
    const left = Math.ceil(this.deadline - performance.now());
    if (this.aborted || left <= 0 || this.isolate.isDisposed) {
      this.aborted ??= { status: "timeout", message: "time limit exceeded" };
      return JSON.stringify({ abort: this.aborted.status });
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const settleRef = this.context.global.getSync("__rk_settle", { reference: true }) as ivm.Reference;
      const late = new Promise<string>((resolve) => {
        timer = setTimeout(() => {
          this.aborted = { status: "timeout", message: "time limit exceeded" };
          if (!this.isolate.isDisposed) this.isolate.dispose();
          resolve(JSON.stringify({ abort: "timeout" }));
        }, left);
      });
      const r = settleRef.apply(undefined, [id], {
        result: { promise: true },
        timeout: left,
      }) as Promise<string>;
      return await Promise.race([
        r.catch((e: Error) => {
          const msg = String(e?.message ?? e);
          this.aborted ??= /memory/i.test(msg)
            ? { status: "memory", message: "memory limit exceeded" }
            : { status: "timeout", message: "time limit exceeded" };
          return JSON.stringify({ abort: this.aborted.status });
        }),
        late,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async test(code: string, index: number, limitMs: number): Promise<TestOutcome> {
    const t0 = performance.now();
    const done = (o: Omit<TestOutcome, "index" | "ms">): TestOutcome => ({
      ...o,
      index,
      ms: performance.now() - t0,
    });
    if (this.setupError) return done({ status: "error", type: "TestSetupError", message: this.setupError });
    this.aborted = undefined;
    this.deadline = t0 + limitMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      const p = vm.runInContext(`(async function () {\n${code}\n})()`, this.ctx, {
        timeout: limitMs,
        filename: "test.js",
      }) as Promise<unknown>;
      await Promise.race([
        p,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("Script execution timed out.")), limitMs);
        }),
      ]);
      const a = this.aborted as Abort | undefined;
      if (a) return done({ status: a.status, message: a.message });
      return done(this.outputOver() ? { status: "output_limit" } : { status: "pass" });
    } catch (e) {
      const a = this.aborted as Abort | undefined;
      if (a) return done({ status: a.status, message: a.message });
      if (this.outputOver()) return done({ status: "output_limit" });
      const err = e as { name?: string; message?: string; code?: string };
      const message = String(err?.message ?? e).slice(0, 2000);
      if (/Script execution timed out/.test(message)) return done({ status: "timeout" });
      const type = typeof err?.name === "string" ? err.name : "Error";
      const failed = err?.code === "ERR_ASSERTION" || type === "AssertionError";
      return done({ status: failed ? "fail" : "error", type, message });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether the candidate printed past its output limit (its prelude says so). */
  private outputOver(): boolean {
    if (this.isolate.isDisposed) return false;
    try {
      return String(this.context.evalSync("__rk_pass()", { timeout: 100 })).includes("output_limit");
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.isolate.isDisposed) return;
    for (const r of this.fns.values()) r.release();
    this.callRef.release();
  }
}
