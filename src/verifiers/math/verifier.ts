/**
 * The math verifier itself: its config, and the checks it sends to the worker pool. The parser and the
 * equivalence rules load in the workers (math-task.ts), not on the thread that scores.
 */
import {
  abstain,
  fail,
  ok,
  poolTask,
  renderText,
  renderTextList,
  sharedPool,
  type Template,
  type Verifier,
} from "../../core/index.js";
import { INPUT, REFERENCE, template } from "../common.js";
import type { CheckResult } from "./check.js";
import { DEFAULT_RULES, type Rule } from "./extract.js";
import { LIMITS } from "./limits.js";
import type { MathTaskArg } from "./math-task.js";
import { DEFAULT_OPTIONS, type MathOptions } from "./options.js";

interface Config {
  input?: string;
  reference?: string;
  strict?: boolean;
  extract?: Rule[];
  think?: boolean;
  rel_tol?: number | null;
  abs_tol?: number | null;
  gold_precision?: "written" | "exact";
  percent?: "either" | "strip" | "divide";
  degrees?: "either" | "strict";
  units?: "convert" | "strict";
  partial_domain?: boolean;
  inequality_interval?: "gold_inequality" | "both" | "never";
  ordered_lists?: boolean;
  multiple_choice?: "auto" | "off";
  imaginary_unit?: boolean;
  euler_e?: boolean;
  physical_constants?: boolean;
  max_input_chars?: number;
}

interface Compiled {
  input: Template;
  reference: Template;
  options: MathOptions;
}

const TASK = poolTask(new URL("./math-task.js", import.meta.url), "checkMathTask");
const CLASSES_TASK = poolTask(new URL("./math-task.js", import.meta.url), "mathClassesTask");

/**
 * Equivalence classes of answers for majority votes, computed in the worker pool under a deadline.
 * `extract`: the answers are whole completions, whose final answers are extracted first.
 */
export function mathClasses(
  answers: (string | null)[],
  opts: { extract: boolean; timeoutMs?: number; signal?: AbortSignal },
): Promise<(number | null)[]> {
  return sharedPool().run(
    CLASSES_TASK,
    { answers, extract: opts.extract, options: {} },
    { timeoutMs: opts.timeoutMs ?? 10_000, ...(opts.signal ? { signal: opts.signal } : {}) },
  );
}

export const math: Verifier<Config, Compiled> = {
  type: "math",
  pure: true,
  description:
    "The final answer (\\boxed{}, 'answer is', last formula) equals the reference as mathematics: exact numbers, expressions, equations, intervals, sets, matrices, units.",
  managesDeadline: true,
  timeoutMs: 2000,
  // Gold -> prediction: the gold's form decides what is compared (an inequality gold accepts an interval).
  laws: {
    invariant: ["whitespace", "latex_spacing", "answer_rewrites"],
    sensitive_to_answer: true,
    asymmetric: true,
  },
  configSchema: {
    properties: {
      input: INPUT,
      reference: REFERENCE,
      strict: { type: "boolean", default: false, description: "Only a \\boxed{} answer counts (for RL)." },
      extract: {
        type: "array",
        items: { enum: ["boxed", "phrase", "math", "bare"] },
        minItems: 1,
        uniqueItems: true,
        default: [...DEFAULT_RULES],
        description: "Extraction rules in priority order.",
      },
      think: { type: "boolean", default: true, description: "Read only the text after </think>." },
      rel_tol: {
        type: ["number", "null"],
        minimum: 0,
        default: null,
        description: "Extra relative tolerance for numbers.",
      },
      abs_tol: {
        type: ["number", "null"],
        minimum: 0,
        default: null,
        description: "Extra absolute tolerance for numbers.",
      },
      gold_precision: {
        enum: ["written", "exact"],
        default: "written",
        description:
          "written: a decimal gold accepts values that round to it; exact: decimals are exact values.",
      },
      percent: { enum: ["either", "strip", "divide"], default: "either", description: "50% vs 50 and 0.5." },
      degrees: {
        enum: ["either", "strict"],
        default: "either",
        description: "30° vs 30 (either) and pi/6 (always).",
      },
      units: {
        enum: ["convert", "strict"],
        default: "convert",
        description: "convert: ignore a unit present on one side only.",
      },
      partial_domain: {
        type: "boolean",
        default: true,
        description: "Accept identities that hold where both sides are real (ln(x^2) = 2 ln x).",
      },
      inequality_interval: { enum: ["gold_inequality", "both", "never"], default: "gold_inequality" },
      ordered_lists: { type: "boolean", default: false, description: "Compare bare comma lists in order." },
      multiple_choice: {
        enum: ["auto", "off"],
        default: "auto",
        description: "auto: a gold letter A-J is a multiple-choice answer.",
      },
      imaginary_unit: { type: "boolean", default: true, description: "Read i as the imaginary unit." },
      euler_e: { type: "boolean", default: true, description: "Read e as Euler's number." },
      physical_constants: {
        type: "boolean",
        default: false,
        description:
          "Read c, h, \\hbar, k_B, N_A, G, R, m_e, \\epsilon_0, ... as CODATA constants (and e as the elementary charge when euler_e is false).",
      },
      max_input_chars: { type: "integer", minimum: 1, maximum: 4_000_000, default: LIMITS.maxInputChars },
    },
  },
  compile(c) {
    const d = DEFAULT_OPTIONS;
    const options: MathOptions = {
      rules: c.extract ?? d.rules,
      strict: c.strict ?? d.strict,
      think: c.think ?? d.think,
      relTol: c.rel_tol ?? d.relTol,
      absTol: c.abs_tol ?? d.absTol,
      goldPrecision: c.gold_precision ?? d.goldPrecision,
      percent: c.percent ?? d.percent,
      degrees: c.degrees ?? d.degrees,
      units: c.units ?? d.units,
      partialDomain: c.partial_domain ?? d.partialDomain,
      inequalityInterval: c.inequality_interval ?? d.inequalityInterval,
      orderedLists: c.ordered_lists ?? d.orderedLists,
      multipleChoice: c.multiple_choice ?? d.multipleChoice,
      imaginaryUnit: c.imaginary_unit ?? d.imaginaryUnit,
      eulerE: c.euler_e ?? d.eulerE,
      physicalConstants: c.physical_constants ?? d.physicalConstants,
      maxInputChars: c.max_input_chars ?? d.maxInputChars,
    };
    return {
      input: template(c.input, "{{completion}}"),
      reference: template(c.reference, "{{reference}}"),
      options,
    };
  },
  async verify(sample, c, ctx) {
    const completion = renderText(c.input, sample, "input");
    const golds = renderTextList(c.reference, sample, "reference");
    if (golds.length === 0) return fail("invalid_input", "the reference list is empty");
    // Size limits are checked here too, so an oversized input never reaches a worker.
    if (completion.length > c.options.maxInputChars) {
      return fail(
        "invalid_input",
        `the completion is ${completion.length} characters, over the limit of ${c.options.maxInputChars}`,
      );
    }
    const long = golds.find((g) => g.length > LIMITS.maxAnswerChars);
    if (long !== undefined) {
      return fail(
        "invalid_input",
        `the reference is ${long.length} characters, over the limit of ${LIMITS.maxAnswerChars}`,
      );
    }
    const arg: MathTaskArg = { completion, golds, options: c.options };
    const r = await sharedPool().run<CheckResult>(TASK, arg, {
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
    });
    return toOutcome(r);
  },
};

export function toOutcome(r: CheckResult) {
  const extra = { feedback: r.feedback, details: r.details };
  switch (r.verdict) {
    case "equal":
      return ok(1, extra);
    case "not_equal":
    case "no_answer":
      return ok(0, extra);
    case "unknown":
      return abstain(r.feedback, { details: r.details });
    default:
      return fail("invalid_input", r.feedback, { details: r.details });
  }
}
