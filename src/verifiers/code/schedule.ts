/**
 * Scheduling at the level of sample x test. A harness program runs its tests in order in one run; when a
 * run ends early (a timeout, a crash) and the mode needs the remaining tests, a new run resumes after the
 * failed test. Stdio cases are independent runs, dispatched in parallel across the global concurrency
 * limit (binary mode cancels the rest at the first failure). Every run holds a slot only while it runs;
 * the sample's time budget counts run time, not time spent waiting for a slot.
 */
import { RewardkitError } from "../../core/index.js";
import type { TestReport } from "./code-run.js";
import { type Comparator, jsonDiff, parseExact, showJson } from "./compare.js";
import { codeLimiter, withSlot } from "./limiter.js";
import type { HarnessJob, Language, Limits, RunResult, Runtime, TestOutcome, Verdict } from "./types.js";

const BUDGET_MESSAGE = "the sample's time budget was used up before this test ran";

function verdictOf(status: TestOutcome["status"]): Verdict {
  switch (status) {
    case "pass":
      return "pass";
    case "fail":
      return "wrong_answer";
    case "timeout":
      return "timeout";
    case "memory":
      return "memory_limit";
    case "output_limit":
      return "output_limit";
    case "compile":
      return "compile_error";
    default:
      return "runtime_error";
  }
}

function tail(s: string, n: number): string | undefined {
  const t = s.trim();
  if (!t) return undefined;
  return t.length > n ? `...${t.slice(-n)}` : t;
}

export interface HarnessRun {
  runtime: Runtime;
  job: HarnessJob;
  /** Expected values of call tests (compared here, in the host, never by model code). */
  expected?: unknown[];
  tolerance: number;
  budget: number;
  signal: AbortSignal;
  trim: number;
}

export async function runHarness(h: HarnessRun): Promise<(TestReport | undefined)[]> {
  const n = h.job.tests.length;
  const out: (TestReport | undefined)[] = new Array(n).fill(undefined);
  let used = 0;
  let next = 0;
  while (next < n && !h.signal.aborted) {
    const left = h.budget - used;
    if (left <= 0) {
      for (let i = next; i < n; i++) out[i] = { verdict: "timeout", message: BUDGET_MESSAGE };
      break;
    }
    const limits = { ...h.job.limits, timeMs: Math.max(1, Math.min(h.job.limits.timeMs, left)) };
    const job = { ...h.job, start: next, limits };
    const r: RunResult = await withSlot(h.signal, (slot) => h.runtime.run(job, slot, h.signal));
    used += r.ms;
    if (r.end === "compile_error") {
      const msg = tail(r.stderr, h.trim) ?? "the program does not compile";
      for (let i = next; i < n; i++) out[i] = { verdict: "compile_error", message: msg };
      break;
    }
    const stderr = tail(r.stderr, h.trim);
    if (r.setupFailed) {
      // The program failed before any test could run: every remaining test fails the same way.
      const t = r.tests[0]!;
      const rep: TestReport = {
        verdict: verdictOf(t.status),
        ms: t.ms,
        message: describe(t, "the program failed before the tests"),
      };
      if (stderr) rep.stderr = stderr;
      for (let i = next; i < n; i++) out[i] = rep;
      break;
    }
    let failed = false;
    for (const t of r.tests) {
      const rep: TestReport = { verdict: verdictOf(t.status), ms: t.ms };
      if (t.status === "pass" && h.expected && "call" in h.job.tests[t.index]!) {
        const want = h.expected[t.index];
        let got: unknown;
        try {
          got = parseExact(t.value ?? "null");
        } catch {
          got = undefined;
        }
        const diff = got === undefined ? "$" : jsonDiff(want, got, h.tolerance);
        if (diff !== null) {
          rep.verdict = "wrong_answer";
          rep.expected = showJson(want);
          rep.actual = t.value ?? "undefined";
          if (diff !== "$") rep.message = `results differ at ${diff}`;
        }
      } else if (t.status !== "pass") {
        rep.message = describe(t, "");
        if (stderr) rep.stderr = stderr;
      }
      out[t.index] = rep;
      if (rep.verdict !== "pass") failed = true;
    }
    if (failed && h.job.stopOnFail) break;
    if (r.end === "completed") break;
    const last = r.tests[r.tests.length - 1];
    if (!last || last.index < next) break; // no progress: do not loop
    next = last.index + 1;
  }
  if (h.signal.aborted) throw new RewardkitError("timeout", "the evaluation was aborted");
  return out;
}

function describe(t: TestOutcome, fallback: string): string {
  if (t.status === "timeout") return "time limit exceeded";
  if (t.status === "output_limit") return "output limit exceeded";
  if (t.status === "memory") return `memory limit exceeded${t.message ? `: ${t.message}` : ""}`;
  if (t.status === "exit")
    return `${t.type ?? "exit"}: ${t.message ?? "the program exited before the tests were done"}`;
  const m = [t.type, t.message].filter(Boolean).join(": ");
  return m || fallback;
}

export interface StdioRun {
  runtime: Runtime;
  language: Language;
  source: string;
  cases: { input: string; output: string }[];
  compare: Comparator;
  limits: Limits;
  stopOnFail: boolean;
  budget: number;
  signal: AbortSignal;
  trim: number;
}

export async function runStdio(s: StdioRun): Promise<(TestReport | undefined)[]> {
  const n = s.cases.length;
  const out: (TestReport | undefined)[] = new Array(n).fill(undefined);
  let used = 0;
  let next = 0;
  let stop = false;
  let compileError: string | undefined;
  const one = async (i: number): Promise<void> => {
    const c = s.cases[i]!;
    const left = s.budget - used;
    if (left <= 0) {
      out[i] = { verdict: "timeout", message: BUDGET_MESSAGE };
      return;
    }
    const limits = { ...s.limits, timeMs: Math.max(1, Math.min(s.limits.timeMs, left)) };
    const r = await withSlot(s.signal, (slot) =>
      s.runtime.run(
        { kind: "stdio", language: s.language, source: s.source, stdin: c.input, limits },
        slot,
        s.signal,
      ),
    );
    used += r.ms;
    const rep: TestReport = { verdict: "pass", ms: r.ms };
    const stderr = tail(r.stderr, s.trim);
    switch (r.end) {
      case "compile_error":
        compileError = tail(r.stderr, s.trim) ?? "the program does not compile";
        rep.verdict = "compile_error";
        rep.message = compileError;
        stop = true;
        break;
      case "timeout":
        rep.verdict = "timeout";
        rep.message = "time limit exceeded";
        break;
      case "memory":
        rep.verdict = "memory_limit";
        rep.message = "memory limit exceeded";
        break;
      case "output_limit":
        rep.verdict = "output_limit";
        rep.message = `output over ${s.limits.outputBytes} bytes`;
        break;
      case "crashed":
        rep.verdict = "runtime_error";
        rep.message = r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode ?? "?"}`;
        break;
      default: {
        if (r.exitCode !== 0 && r.exitCode !== undefined && r.exitCode !== null) {
          rep.verdict = "runtime_error";
          rep.message = `exit code ${r.exitCode}`;
          break;
        }
        const cmp = s.compare(c.output, r.stdout, c.input);
        if (!cmp.pass) {
          rep.verdict = "wrong_answer";
          if (cmp.message) rep.message = cmp.message;
          rep.expected = c.output.length > s.trim ? `${c.output.slice(0, s.trim)}...` : c.output;
          rep.actual = r.stdout.length > s.trim ? `${r.stdout.slice(0, s.trim)}...` : r.stdout;
        }
      }
    }
    if (rep.verdict !== "pass" && stderr) rep.stderr = stderr;
    out[i] = rep;
    if (rep.verdict !== "pass" && s.stopOnFail) stop = true;
  };
  // The first case runs alone (it compiles the program once); the rest in parallel.
  await one(next++);
  const workers = Math.max(1, Math.min(codeLimiter().size, n - 1));
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stop && next < n && !s.signal.aborted) await one(next++);
    }),
  );
  if (compileError !== undefined)
    for (let i = 0; i < n; i++) out[i] = { verdict: "compile_error", message: compileError };
  if (s.signal.aborted) throw new RewardkitError("timeout", "the evaluation was aborted");
  return out;
}
