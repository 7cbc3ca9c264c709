/**
 * step_reference: rewards the steps that reach the reference's intermediate results. `references` (a
 * template, default {{intermediates}}) lists the values a solution passes through; a step whose stated
 * results (the result of each computation, and its last number) match one not yet reached gets `match`
 * (default 1), others 0. Each reference value is credited once, so repeating it or listing many numbers
 * earns nothing more. The reward is the fraction of reference values reached.
 */
import {
  compileTemplate,
  fail,
  ok,
  RewardkitError,
  type SegmentKind,
  type Template,
  type Verifier,
} from "../../core/index.js";
import { runCheck, SEGMENTER_PROP, stepSpans, stepsOf } from "./steps.js";

interface Config {
  references?: string;
  segmenter?: SegmentKind | "given";
  match?: number;
}

interface Compiled {
  references: Template;
  segmenter: SegmentKind | "given";
  match: number;
}

export const stepReference: Verifier<Config, Compiled> = {
  type: "step_reference",
  pure: true,
  description: "Per-step rewards for reaching the reference's intermediate values.",
  managesDeadline: true,
  timeoutMs: 5000,
  configSchema: {
    properties: {
      references: {
        type: "string",
        default: "{{intermediates}}",
        description: "Template giving a list of values.",
      },
      segmenter: SEGMENTER_PROP,
      match: { type: "number", exclusiveMinimum: 0, default: 1 },
    },
  },
  compile: (c) => ({
    references: compileTemplate(c.references ?? "{{intermediates}}"),
    segmenter: c.segmenter ?? "steps",
    match: c.match ?? 1,
  }),
  async verify(sample, c, ctx) {
    const raw = c.references.render(sample);
    if (!Array.isArray(raw) || raw.length === 0) {
      throw new RewardkitError(
        "invalid_input",
        `references (${c.references.source}) must be a non-empty list of values`,
      );
    }
    const references = raw.map((r) => String(r));
    const steps = stepsOf(sample, c.segmenter);
    const { steps: checks, badReferences } = await runCheck(
      { steps: steps.map((s) => s.text), references },
      ctx,
    );
    if (badReferences.length) {
      return fail(
        "invalid_input",
        `reference values that are not numbers: ${badReferences.map((i) => JSON.stringify(references[i])).join(", ")}`,
      );
    }
    const values = checks.map((s) => (s.matched?.length ? c.match : 0));
    const reached = checks.reduce((n, s) => n + (s.matched?.length ?? 0), 0);
    return ok(reached / references.length, {
      spans: stepSpans(steps, values, "step_reference"),
      feedback: `${reached} of ${references.length} reference values reached`,
      details: { matched: checks.map((s) => s.matched ?? []) },
    });
  },
};
