/**
 * arithmetic: a process reward without a model. Every computation a step states (`3 \times 4 = 12`,
 * `12/5 = 2.4`, `<<6*4=24>>`) is checked by the math engine; a step with a false computation gets `wrong`
 * (default -1), a step whose computations all hold gets `correct` (default 1), a step without one gets
 * `none` (default 0). Each step's value is a span; the reward reduces them (default min).
 *
 * Error propagation: "first" penalises the first wrong step and gives every later step `none` (they build
 * on an error, as PRM800K labelling stops there); "all" penalises that step and every later one;
 * "independent" judges each step on its own.
 */
import { ok, type SegmentKind, type Verifier } from "../../core/index.js";
import { runCheck, SEGMENTER_PROP, stepSpans, stepsOf } from "./steps.js";

interface Config {
  segmenter?: SegmentKind | "given";
  correct?: number;
  wrong?: number;
  none?: number;
  propagation?: "first" | "all" | "independent";
  reduce?: "min" | "mean" | "sum" | "last";
}

type Compiled = Required<Config>;

export const arithmetic: Verifier<Config, Compiled> = {
  type: "arithmetic",
  pure: true,
  description: "Per-step rewards: each step's stated computations are checked by the math engine.",
  managesDeadline: true,
  timeoutMs: 5000,
  range: (c) => {
    const vs = [c.correct ?? 1, c.wrong ?? -1, c.none ?? 0];
    const lo = Math.min(...vs);
    const hi = Math.max(...vs);
    return c.reduce === "sum"
      ? [lo < 0 ? Number.NEGATIVE_INFINITY : 0, hi > 0 ? Number.POSITIVE_INFINITY : 0]
      : [lo, hi];
  },
  configSchema: {
    properties: {
      segmenter: SEGMENTER_PROP,
      correct: { type: "number", default: 1 },
      wrong: { type: "number", default: -1 },
      none: { type: "number", default: 0 },
      propagation: { enum: ["first", "all", "independent"], default: "first" },
      reduce: { enum: ["min", "mean", "sum", "last"], default: "min" },
    },
  },
  compile: (c) => ({
    segmenter: c.segmenter ?? "steps",
    correct: c.correct ?? 1,
    wrong: c.wrong ?? -1,
    none: c.none ?? 0,
    propagation: c.propagation ?? "first",
    reduce: c.reduce ?? "min",
  }),
  async verify(sample, c, ctx) {
    const steps = stepsOf(sample, c.segmenter);
    if (steps.length === 0) return ok(c.none, { feedback: "no steps" });
    const { steps: checks } = await runCheck({ steps: steps.map((s) => s.text) }, ctx);
    let firstWrong = -1;
    const values = checks.map((s, i) => {
      const wrong = s.equations.some((e) => e.verdict === "false");
      const right = s.equations.some((e) => e.verdict === "true");
      if (firstWrong >= 0 && c.propagation === "all") return c.wrong;
      if (firstWrong >= 0 && c.propagation === "first") return c.none;
      if (wrong) {
        if (firstWrong < 0) firstWrong = i;
        return c.wrong;
      }
      return right ? c.correct : c.none;
    });
    const reward =
      c.reduce === "min"
        ? values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY) // no spread: many steps
        : c.reduce === "sum"
          ? values.reduce((a, b) => a + b, 0)
          : c.reduce === "last"
            ? values[values.length - 1]!
            : values.reduce((a, b) => a + b, 0) / values.length;
    const falseEqs = checks.flatMap((s, i) =>
      s.equations.filter((e) => e.verdict === "false").map((e) => `step ${i + 1}: ${e.text}`),
    );
    return ok(reward, {
      spans: stepSpans(steps, values, "arithmetic"),
      feedback: falseEqs.length
        ? `false: ${falseEqs.slice(0, 3).join("; ")}`
        : `${steps.length} steps, no false computation`,
      details: { steps: checks.map((s, i) => ({ value: values[i], equations: s.equations })) },
    });
  },
};
