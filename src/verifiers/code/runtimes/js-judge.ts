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
/** Words an identifier in test code can be that name no function of the candidate's. */
const KEYWORDS = new Set(
  (
    "break case catch class const continue debugger default delete do else export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while " +
    "with yield let static await async of get set undefined NaN Infinity arguments eval"
  ).split(" "),
);
const globalsOf = new WeakMap<vm.Context, Set<string>>();

/** The names the judge's realm defines itself (builtins and our globals), read once. */
function realmGlobals(ctx: vm.Context): Set<string> {
  let g = globalsOf.get(ctx);
  if (!g) {
    g = new Set(vm.runInContext("Object.getOwnPropertyNames(globalThis)", ctx) as string[]);
    globalsOf.set(ctx, g);
  }
  return g;
}
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
function candidateFunctions(context: ivm.Context, job: HarnessJob, judge: vm.Context): Map<string, number> {
  const used = new Set<string>();
  for (const t of job.tests) if ("code" in t) for (const m of t.code.match(IDENT) ?? []) used.add(m);
  const defined = realmGlobals(judge);
  for (const n of used)
    if (PRELUDE.has(n) || n.startsWith("__rk_") || defined.has(n) || KEYWORDS.has(n)) used.delete(n);
  if (job.entry) used.add(job.entry);
  const names = [...used].slice(0, MAX_NAMES);
  const out = new Map<string, number>();
  if (names.length === 0) return out;
  const lookup = names
    .map(
      (n) =>
        `(() => { try { return typeof ${n} === "function" ? ${n} : undefined; } catch (e) { return undefined; } })()`,
    )
    .join(",\n");
  let found: string;
  try {
    found = String(context.evalSync(`__rk_register([${lookup}])`, { timeout: job.limits.timeMs }));
  } catch {
    return out; // the lookup itself overran: every call then fails as the candidate's own error
  }
  names.forEach((n, i) => {
    if (found[i] === "1") out.set(n, i);
  });
  return out;
}

type Abort = { status: TestOutcome["status"]; message: string };

interface Realm {
  ctx: vm.Context;
  proxyOf: (name: string) => unknown;
  /** The context's own globals once set up: anything else is a run's, removed after it. */
  baseline: Set<string>;
  current: Judge | null;
}

let realm: Realm | undefined;

/**
 * The judge's realm, made once per worker (a context costs more than the rest of a run): each run's
 * proxies and whatever globals its tests leave are removed after it; the tests and the trusted code run
 * inside a function per test, so their declarations do not outlive it.
 */
function judgeRealm(): Realm {
  if (realm) return realm;
  const ctx = vm.createContext({});
  const plain = vm.runInContext(JS_PLAIN, ctx);
  const quiet = () => {};
  ctx.console = { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet };
  ctx.assert = assert;
  ctx.require = (m: string) => {
    const n = String(m).replace(/^node:/, "");
    if (n === "assert" || n === "assert/strict") return n === "assert" ? assert : assert.strict;
    throw new Error(`Cannot find module '${m}'`);
  };
  const r: Realm = { ctx, proxyOf: () => undefined, baseline: new Set(), current: null };
  r.proxyOf = vm.runInContext(
    `(function (call, settle, plain) {
      const isArray = Array.isArray, getProto = Object.getPrototypeOf, keys = Object.keys, hasOwn = Object.hasOwn;
      const MapC = Map, SetC = Set, DateC = Date, ObjectProto = Object.prototype;
      // Writes what the candidate made of an argument into the test's own object, keeping the identity
      // of every container both share (a test may hold a nested array). Plain data only; false when
      // the object cannot take it in place.
      function sync(a, b, depth) {
        if (depth > 200 || a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
        if (isArray(a) && isArray(b)) {
          const n = Math.min(a.length, b.length);
          for (let i = 0; i < n; i++) if (!sync(a[i], b[i], depth + 1)) a[i] = b[i];
          a.length = n;
          for (let i = n; i < b.length; i++) a.push(b[i]);
          return true;
        }
        if (a instanceof MapC && b instanceof MapC) { a.clear(); for (const [k, v] of b) a.set(k, v); return true; }
        if (a instanceof SetC && b instanceof SetC) { a.clear(); for (const v of b) a.add(v); return true; }
        if (a instanceof DateC && b instanceof DateC) { a.setTime(b.getTime()); return true; }
        if (getProto(a) === ObjectProto && getProto(b) === ObjectProto) {
          for (const k of keys(a)) if (!hasOwn(b, k)) delete a[k];
          for (const k of keys(b)) if (!(hasOwn(a, k) && sync(a[k], b[k], depth + 1))) a[k] = b[k];
          return true;
        }
        return false;
      }
      function reply(text, args) {
        const r = JSON.parse(text);
        if ("mutated" in r && "value" in r) {
          // What comes back is the candidate's word: anything that is not an array of plain values is
          // ignored (the test's objects stay as they were), never an error of the test.
          let after = null;
          try { after = plain.decParsed(r.mutated); } catch (e) {}
          for (let i = 0; isArray(after) && i < args.length && i < after.length; i++) {
            try { sync(args[i], after[i], 0); } catch (e) {}
          }
        }
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
          if (p === undefined) return reply(text, args);
          // Handled here too: a test that never awaits it must not leave a rejection behind.
          const q = Promise.resolve(settle(p)).then((t) => reply(t, args));
          q.catch(() => {});
          return q;
        };
      };
    })`,
    ctx,
  )(
    (name: string, args: string) => r.current?.call(name, args) ?? '{"abort": "error"}',
    (id: number) => r.current?.settle(id) ?? '{"abort": "error"}',
    plain,
  );
  r.baseline = new Set(Object.keys(ctx));
  realm = r;
  return r;
}

export class Judge {
  private readonly realm = judgeRealm();
  private readonly fns: Map<string, number>;
  private readonly callRef: ivm.Reference;
  private readonly settleRef: ivm.Reference;
  private readonly trusted: string;
  private deadline = 0;
  private limitMs = 1;
  /** Timers of async results still awaited; a closed judge disposes nothing (the isolate is the next run's). */
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;
  private aborted: Abort | undefined;

  constructor(
    private readonly isolate: ivm.Isolate,
    private readonly context: ivm.Context,
    job: HarnessJob,
    /** The prelude's entry points, taken before the program ran (it may hide the global's properties). */
    refs: { call: ivm.Reference; settle: ivm.Reference },
  ) {
    this.callRef = refs.call;
    this.settleRef = refs.settle;
    this.fns = candidateFunctions(context, job, this.realm.ctx);
    this.trusted = job.trusted;
    this.realm.current = this;
    this.realm.ctx.module = { exports: {} };
    this.realm.ctx.exports = this.realm.ctx.module.exports;
    for (const n of this.fns.keys()) this.realm.ctx[n] = this.realm.proxyOf(n);
  }

  /** A call from the tests into the candidate, within what is left of the test's time. */
  call(name: string, args: string): string {
    if (this.aborted) return JSON.stringify({ abort: this.aborted.status });
    const fn = this.fns.get(name);
    const left = Math.ceil(this.deadline - performance.now());
    if (fn === undefined || this.isolate.isDisposed)
      this.aborted = { status: "error", message: "the candidate is gone" };
    else if (left <= 0) this.aborted = { status: "timeout", message: "time limit exceeded" };
    else {
      try {
        // Each call gets the test's whole limit, not the time left: isolated-vm chains timers that
        // expire at the same moment, and a million calls timed to one deadline overflowed its thread's
        // stack when the chain was freed. Past the deadline no new call starts, so a test takes at most
        // twice its limit.
        const r = this.callRef.applySync(undefined, [fn, args], { timeout: this.limitMs }) as string;
        if (r.startsWith('{"exit"')) {
          this.aborted = { status: "exit", message: `process.exit(${JSON.parse(r).exit})` };
        } else if (r.startsWith('{"abort"')) {
          const a = JSON.parse(r) as { abort: string; message?: string };
          this.aborted = {
            status: a.abort === "memory" ? "memory" : "error",
            message: a.abort === "memory" ? "memory limit exceeded" : String(a.message ?? a.abort),
          };
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
  async settle(id: number): Promise<string> {
    const left = Math.ceil(this.deadline - performance.now());
    if (this.aborted || left <= 0 || this.isolate.isDisposed) {
      this.aborted ??= { status: "timeout", message: "time limit exceeded" };
      return JSON.stringify({ abort: this.aborted.status });
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const settleRef = this.settleRef;
      const late = new Promise<string>((resolve) => {
        timer = setTimeout(() => {
          if (timer) this.pending.delete(timer);
          if (!this.closed) {
            this.aborted = { status: "timeout", message: "time limit exceeded" };
            if (!this.isolate.isDisposed) this.isolate.dispose();
          }
          resolve(JSON.stringify({ abort: "timeout" }));
        }, left);
        this.pending.add(timer);
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
      if (timer) {
        clearTimeout(timer);
        this.pending.delete(timer);
      }
    }
  }

  async test(code: string, index: number, limitMs: number): Promise<TestOutcome> {
    const t0 = performance.now();
    const done = (o: Omit<TestOutcome, "index" | "ms">): TestOutcome => ({
      ...o,
      index,
      ms: performance.now() - t0,
    });
    this.aborted = undefined;
    this.deadline = t0 + limitMs;
    this.limitMs = Math.max(1, Math.ceil(limitMs));
    let timer: NodeJS.Timeout | undefined;
    try {
      // No vm timeout: its watchdog terminates this thread's isolate wherever it is, and inside a call
      // into isolated-vm that crashed the process. The candidate's calls carry the deadline instead (past
      // it every call fails at once), and the host terminates a worker whose judge does not stop.
      const p = vm.runInContext(`(async function () {\n${this.trusted}\n;\n${code}\n})()`, this.realm.ctx, {
        filename: "test.js",
      }) as Promise<unknown>;
      // Past the deadline the test's promise may still settle (a rejection nobody awaits would take
      // the worker down as an unhandled rejection).
      p.catch(() => {});
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
    this.closed = true;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    const { ctx, baseline } = this.realm;
    for (const k of Object.keys(ctx)) if (!baseline.has(k)) delete ctx[k];
    if (this.realm.current === this) this.realm.current = null;
    if (this.isolate.isDisposed) return;
  }
}
