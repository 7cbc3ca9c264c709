/** The code verifier's run: runtimes, sandboxes and test scheduling, loaded at the first program run. */
import {
  type Outcome,
  ok,
  RewardkitError,
  renderText,
  type Sample,
  type VerifyContext,
} from "../../core/index.js";
import { type CodeCompiled, MAX, pickRuntime } from "./code.js";
import { type Comparator, comparator } from "./compare.js";
import { extractCode } from "./extract.js";
import { assemble, harnessSetup, harnessTests, judgeCode, nativeParts, prepareJs } from "./program.js";
import { type Problem, parseProblem, testCount } from "./reference.js";
import { ProcessRuntime } from "./runtimes/process.js";
import { processIsolation, type SandboxMode } from "./runtimes/sandbox.js";
import { runHarness, runStdio } from "./schedule.js";
import { rewardOf, stopsAtFirstFailure } from "./score.js";
import { trustOf } from "./trust.js";
import type { Isolation, Language, Limits, Runtime, RuntimeName, Verdict } from "./types.js";

let js: import("./runtimes/js.js").JsRuntime | undefined;
let py: import("./runtimes/python.js").PythonRuntime | undefined;
const processRuntimes = new Map<SandboxMode, ProcessRuntime>();

export async function runtimeFor(name: "js" | "python" | "process", sandbox: SandboxMode): Promise<Runtime> {
  if (name === "js") {
    if (!js) {
      const { JsRuntime } = await import("./runtimes/js.js");
      js ??= new JsRuntime();
    }
    return js;
  }
  if (name === "python") {
    if (!py) {
      const { PythonRuntime } = await import("./runtimes/python.js");
      py ??= new PythonRuntime();
    }
    return py;
  }
  let p = processRuntimes.get(sandbox);
  if (!p) {
    p = new ProcessRuntime(sandbox);
    processRuntimes.set(sandbox, p);
  }
  return p;
}

/** What a run on `runtime` gets on this machine; throws sandbox_error when the process runtime would refuse. */
export async function isolationOf(
  runtime: RuntimeName,
  sandbox: SandboxMode,
  language: Language,
): Promise<Isolation> {
  if (runtime === "process") return processIsolation(sandbox);
  return (await runtimeFor(runtime, sandbox)).isolation(language);
}

/**
 * What each runtime a compiled config can reach (C, C++ and bash always reach `process`) gets on this
 * machine, for /health: the isolation, a warning when the spec asked for none, or why it would refuse.
 */
export async function isolationReport(c: CodeCompiled): Promise<Partial<Record<RuntimeName, string>>> {
  const out: Partial<Record<RuntimeName, string>> = {};
  for (const r of new Set<RuntimeName>([c.runtime.python, c.runtime.js, c.runtime.ts, "process"])) {
    try {
      const i = await isolationOf(r, c.sandbox, r === "js" ? "js" : "python");
      out[r] =
        r === "process" && i !== "bwrap"
          ? `WARNING: ${i}: the spec asked for "sandbox": "${c.sandbox}", programs run unsandboxed`
          : i;
    } catch (e) {
      out[r] = `refused (sandbox_error): ${(e as Error).message}`;
    }
  }
  return out;
}

function clip(s: string | undefined, n: number): string | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  return t.length > n ? `${t.slice(0, n)}...` : t;
}

export interface TestReport {
  verdict: Verdict;
  ms?: number;
  message?: string;
  expected?: string;
  actual?: string;
  stderr?: string;
}

export async function verifyCode(sample: Sample, c: CodeCompiled, ctx: VerifyContext): Promise<Outcome> {
  const problem = parseProblem(c.reference.render(sample), c.language);
  const text = renderText(c.input, sample, "input");
  const mode = problem.mode ?? c.mode;
  const n = testCount(problem);
  const extracted = extractCode(text, problem.language, problem.entry);
  const details: Record<string, unknown> = {
    language: problem.language,
    format: problem.format,
    extracted: extracted.how,
  };
  const runtimeName = pickRuntime(c, problem.language);
  details.runtime = runtimeName;
  // Before anything runs: a process runtime without its sandbox refuses here (sandbox_error).
  details.isolation = await isolationOf(runtimeName, c.sandbox, problem.language);
  if (extracted.code.trim() === "") {
    return ok(c.noCode, {
      feedback: "no code found in the completion",
      details: { ...details, no_code: true },
    });
  }
  const limits = limitsFor(c, problem);
  if (
    runtimeName !== "process" &&
    (problem.language === "c" || problem.language === "cpp" || problem.language === "bash")
  ) {
    throw new RewardkitError("config_error", `language ${problem.language} runs only on the process runtime`);
  }
  const harnessed = problem.format !== "stdio";
  const native = problem.language === "c" || problem.language === "cpp" || problem.language === "bash";
  if (native && problem.format !== "stdio" && problem.format !== "append") {
    throw new RewardkitError(
      "invalid_input",
      `format '${problem.format}' is not supported for ${problem.language} (use stdio or append)`,
    );
  }
  const runtime = await runtimeFor(runtimeName, c.sandbox);
  details.trust = trustOf(problem, runtimeName);
  const budget = Math.min(ctx.timeoutMs, c.budgetBase + c.budgetPerTest * n);
  const stop = stopsAtFirstFailure(mode);

  let reports: (TestReport | undefined)[];
  try {
    if (harnessed) {
      const isJs = problem.language === "js" || problem.language === "ts";
      let program = assemble(problem, extracted.code);
      const setup = harnessSetup(problem, program);
      let trusted = judgeCode(problem);
      let tests = harnessTests(problem);
      if (isJs) {
        // `setup` (program and tests in one text) serves only the native runners: not transpiled.
        program = await prepareJs(program, problem.language, "program");
        trusted = await prepareJs(trusted, problem.language, "tests");
        tests = await Promise.all(
          tests.map(async (t) =>
            "code" in t ? { code: await prepareJs(t.code, problem.language, "test") } : t,
          ),
        );
      }
      reports = await runHarness({
        runtime,
        job: {
          kind: "harness",
          language: isJs ? "js" : problem.language,
          setup,
          program,
          trusted,
          ...(problem.entry ? { entry: problem.entry } : {}),
          tests,
          start: 0,
          stopOnFail: stop,
          limits,
          ...(native ? { native: nativeParts(problem, extracted.code) } : {}),
        },
        expected: problem.calls?.map((x) => x.expected),
        tolerance: problem.tolerance ?? c.tolerance,
        budget,
        signal: ctx.signal,
        trim: c.feedbackChars,
      });
    } else {
      const source = await prepareJs(assemble(problem, extracted.code), problem.language, "program");
      const name = problem.compare ?? c.compare;
      const cmp: Comparator | undefined = comparator(name, {
        ignoreCase: problem.ignoreCase ?? c.ignoreCase,
        tolerance: problem.tolerance ?? c.tolerance,
      });
      if (!cmp) throw new RewardkitError("invalid_input", `reference: unknown comparator '${name}'`);
      reports = await runStdio({
        runtime,
        language: problem.language === "ts" ? "js" : problem.language,
        source,
        cases: problem.cases!,
        compare: cmp,
        limits,
        stopOnFail: stop,
        budget,
        signal: ctx.signal,
        trim: c.feedbackChars,
      });
    }
  } catch (e) {
    if (e instanceof RewardkitError && e.kind === "compile_error") {
      reports = Array.from({ length: n }, () => ({
        verdict: "compile_error" as const,
        message: e.message,
      }));
    } else throw e;
  }
  if (ctx.signal.aborted)
    throw new RewardkitError("timeout", "the evaluation was aborted before the tests finished");
  const verdicts = reports.map((r) => r?.verdict);
  const reward = rewardOf(mode, verdicts, problem.weights);
  const passed = verdicts.filter((v) => v === "pass").length;
  const counts: Record<string, number> = {};
  for (const v of verdicts) counts[v ?? "not_run"] = (counts[v ?? "not_run"] ?? 0) + 1;
  details.mode = mode;
  details.passed = passed;
  details.total = n;
  details.verdicts = counts;
  details.tests = reports.map((r) => (r ? compact(r, c.feedbackChars) : { verdict: "not_run" }));
  return ok(reward, { feedback: summary(reports, passed, n, c.feedbackChars), details });
}

function limitsFor(c: CodeCompiled, p: Problem): Limits {
  const l = p.limits;
  return {
    timeMs: Math.min(MAX.time_ms, l.time_ms ?? c.limits.timeMs),
    memoryMb: Math.min(MAX.memory_mb, l.memory_mb ?? c.limits.memoryMb),
    outputBytes: Math.min(MAX.output_bytes, l.output_bytes ?? c.limits.outputBytes),
    compileMs: Math.min(MAX.compile_ms, l.compile_ms ?? c.limits.compileMs),
  };
}

function compact(r: TestReport, n: number): Record<string, unknown> {
  const o: Record<string, unknown> = { verdict: r.verdict };
  if (r.ms !== undefined) o.ms = Math.round(r.ms * 10) / 10;
  if (r.verdict !== "pass") {
    const k = Math.max(50, Math.floor(n / 3));
    if (r.message) o.message = clip(r.message, k);
    if (r.expected !== undefined) o.expected = clip(r.expected, k);
    if (r.actual !== undefined) o.actual = clip(r.actual, k);
    if (r.stderr) o.stderr = clip(r.stderr, k);
  }
  return o;
}

function summary(reports: (TestReport | undefined)[], passed: number, n: number, chars: number): string {
  let s = `${passed}/${n} tests passed`;
  const i = reports.findIndex((r) => r && r.verdict !== "pass");
  if (i >= 0) {
    const r = reports[i]!;
    s += `; test ${i + 1}: ${r.verdict}`;
    if (r.message) s += `: ${clip(r.message, chars)}`;
    if (r.expected !== undefined) s += `\nexpected: ${clip(r.expected, Math.floor(chars / 3))}`;
    if (r.actual !== undefined) s += `\nactual: ${clip(r.actual, Math.floor(chars / 3))}`;
    if (r.stderr) s += `\nstderr: ${clip(r.stderr, Math.floor(chars / 2))}`;
  } else if (passed < n) {
    s += `; ${n - passed} not run`;
  }
  return s.length > chars * 2 ? `${s.slice(0, chars * 2)}...` : s;
}
