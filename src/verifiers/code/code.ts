/**
 * code: runs the program in a completion against the tests in the sample's reference, in a sandbox, and
 * rewards the verdicts. Runtimes: `js` (isolated-vm; also TypeScript), `python` (Pyodide) and `process`
 * (native toolchains under bubblewrap; rlimits only when the spec says "sandbox": "none"). See docs/code.md for shapes, options and verdicts.
 *
 * A wrong program is ok(0) (or a partial reward); a sandbox that could not run is error(sandbox_error);
 * a reference that is not a valid test description is error(invalid_input). Never 0 for our failures.
 */
import {
  compileTemplate,
  RewardkitError,
  type Sample,
  type Template,
  type Verifier,
} from "../../core/index.js";
import { INPUT, REFERENCE, template } from "../common.js";
import { BUILTIN_COMPARATORS, hasComparator } from "./compare.js";
import { MODES, type Mode, parseLanguage, parseProblem, testCount } from "./reference.js";
import type { SandboxMode } from "./runtimes/sandbox.js";
import type { Language, Limits } from "./types.js";

interface Config {
  input?: string;
  reference?: string;
  language?: string;
  runtime?: { python?: "python" | "process"; js?: "js" | "process"; ts?: "js" | "process" };
  sandbox?: SandboxMode;
  mode?: Mode;
  no_code_reward?: number;
  time_ms?: number;
  memory_mb?: number;
  output_bytes?: number;
  compile_ms?: number;
  budget_base_ms?: number;
  budget_per_test_ms?: number;
  compare?: string;
  ignore_case?: boolean;
  tolerance?: number;
  feedback_chars?: number;
}

export interface CodeCompiled {
  input: Template;
  reference: Template;
  language: Language;
  runtime: { python: "python" | "process"; js: "js" | "process"; ts: "js" | "process" };
  sandbox: SandboxMode;
  mode: Mode;
  noCode: number;
  limits: Limits;
  budgetBase: number;
  budgetPerTest: number;
  compare: string;
  ignoreCase: boolean;
  tolerance: number;
  feedbackChars: number;
}

export const DEFAULTS = {
  time_ms: 5000,
  memory_mb: 256,
  output_bytes: 1 << 20,
  compile_ms: 20_000,
  budget_base_ms: 10_000,
  budget_per_test_ms: 2000,
  tolerance: 1e-6,
  feedback_chars: 600,
};
export const MAX = { time_ms: 120_000, memory_mb: 4096, output_bytes: 64 << 20, compile_ms: 120_000 };

export function pickRuntime(c: CodeCompiled, language: Language): "js" | "python" | "process" {
  if (language === "python") return c.runtime.python;
  if (language === "js") return c.runtime.js;
  if (language === "ts") return c.runtime.ts;
  return "process";
}

export const code: Verifier<Config, CodeCompiled> = {
  type: "code",
  description:
    "Runs the code in the completion against the tests in the reference (HumanEval, asserts, appended tests, stdin/stdout cases, function calls) in a sandbox.",
  managesDeadline: true,
  timeoutMs: 600_000,
  // No text invariance (indentation is syntax); lint's code attacks apply.
  laws: { runs_programs: true },
  range: (c) => {
    const n = typeof c?.no_code_reward === "number" ? c.no_code_reward : 0;
    return [Math.min(0, n), Math.max(1, n)] as const;
  },
  configSchema: {
    properties: {
      input: INPUT,
      reference: {
        ...REFERENCE,
        description:
          "The tests (an object, see docs/code.md). Template into the sample; default {{reference}}.",
      },
      language: { type: "string", default: "python", description: "Language when the reference names none." },
      runtime: {
        type: "object",
        additionalProperties: false,
        properties: {
          python: { enum: ["python", "process"], default: "python" },
          js: { enum: ["js", "process"], default: "js" },
          ts: { enum: ["js", "process"], default: "js" },
        },
        description:
          "Runtime per language: python = Pyodide, js = isolated-vm, process = native toolchain in a sandbox.",
      },
      sandbox: {
        enum: ["auto", "bwrap", "none", "rlimits"],
        default: "auto",
        description:
          "Process runtime isolation: auto/bwrap = bubblewrap or refuse (sandbox_error); none = rlimits only, unsandboxed; rlimits = deprecated alias of none.",
      },
      mode: { enum: [...MODES], default: "binary" },
      no_code_reward: {
        type: "number",
        default: 0,
        description: "Reward when the completion holds no code.",
      },
      time_ms: {
        type: "integer",
        minimum: 1,
        maximum: MAX.time_ms,
        default: DEFAULTS.time_ms,
        description: "Limit per test.",
      },
      memory_mb: { type: "integer", minimum: 16, maximum: MAX.memory_mb, default: DEFAULTS.memory_mb },
      output_bytes: {
        type: "integer",
        minimum: 1,
        maximum: MAX.output_bytes,
        default: DEFAULTS.output_bytes,
      },
      compile_ms: { type: "integer", minimum: 1, maximum: MAX.compile_ms, default: DEFAULTS.compile_ms },
      budget_base_ms: {
        type: "integer",
        minimum: 1,
        default: DEFAULTS.budget_base_ms,
        description: "Run time budget of a sample: base ...",
      },
      budget_per_test_ms: {
        type: "integer",
        minimum: 0,
        default: DEFAULTS.budget_per_test_ms,
        description: "... plus this per test.",
      },
      compare: {
        type: "string",
        default: "lines",
        description: `stdio comparator: ${BUILTIN_COMPARATORS.join(", ")} or a registered checker`,
      },
      ignore_case: { type: "boolean", default: false },
      tolerance: {
        type: "number",
        minimum: 0,
        default: DEFAULTS.tolerance,
        description: "numeric comparator and call results",
      },
      feedback_chars: { type: "integer", minimum: 50, default: DEFAULTS.feedback_chars },
    },
  },
  compile(c) {
    const language = parseLanguage(c.language ?? "python", "language");
    const compare = c.compare ?? "lines";
    if (!hasComparator(compare)) {
      throw new RewardkitError(
        "config_error",
        `unknown comparator '${compare}' (built-in: ${BUILTIN_COMPARATORS.join(", ")})`,
      );
    }
    return {
      input: template(c.input, "{{completion}}"),
      reference: compileTemplate(typeof c.reference === "string" ? c.reference : "{{reference}}"),
      language,
      runtime: {
        python: c.runtime?.python ?? "python",
        js: c.runtime?.js ?? "js",
        ts: c.runtime?.ts ?? "js",
      },
      sandbox: c.sandbox ?? "auto",
      mode: c.mode ?? "binary",
      noCode: c.no_code_reward ?? 0,
      limits: {
        timeMs: c.time_ms ?? DEFAULTS.time_ms,
        memoryMb: c.memory_mb ?? DEFAULTS.memory_mb,
        outputBytes: c.output_bytes ?? DEFAULTS.output_bytes,
        compileMs: c.compile_ms ?? DEFAULTS.compile_ms,
      },
      budgetBase: c.budget_base_ms ?? DEFAULTS.budget_base_ms,
      budgetPerTest: c.budget_per_test_ms ?? DEFAULTS.budget_per_test_ms,
      compare,
      ignoreCase: c.ignore_case ?? false,
      tolerance: c.tolerance ?? DEFAULTS.tolerance,
      feedbackChars: c.feedback_chars ?? DEFAULTS.feedback_chars,
    };
  },
  // The runtimes, the scheduler and the harnesses load with the first program run, not with the spec.
  async verify(sample, c, ctx) {
    const { verifyCode } = await import("./code-run.js");
    return verifyCode(sample, c, ctx);
  },
};

/**
 * How a sample's test verdicts become its reward under this config: the mode, the test weights and the
 * number of tests (what `rewardOf` is given). Throws RewardkitError for a reference that does not parse.
 */
export function testRewardShape(
  c: CodeCompiled,
  sample: Sample,
): { mode: Mode; weights?: number[]; tests: number } {
  const problem = parseProblem(c.reference.render(sample), c.language);
  const shape: { mode: Mode; weights?: number[]; tests: number } = {
    mode: problem.mode ?? c.mode,
    tests: testCount(problem),
  };
  if (problem.weights) shape.weights = problem.weights;
  return shape;
}
