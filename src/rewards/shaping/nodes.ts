/**
 * Shaping rewards. Each is a node whose formula is documented in the README and whose monotonicity is a
 * property test. Where the source method conditions on correctness, the node has a `correct` child (any
 * node; correct when its reward >= threshold) and takes that child's abstain or error.
 *
 *   overlong      DAPO soft overlong punishment (Yu et al. 2025): 0 up to max - buffer, then linear to
 *                 -1 at max, -1 beyond.                                                  range [-1, 0]
 *   cosine_length Cosine-scaled length reward (Yeo et al. 2025, as in open-r1): correct answers get
 *                 more when shorter, wrong answers are punished less when longer.
 *   repetition    n-gram repetition penalty (as in open-r1): (1 - unique/total n-grams) * max_penalty.
 *   length_budget Length against a per-sample budget (L1 / LCPO, Aggarwal & Welleck 2025):
 *                 c - alpha * |L - budget| ("exact") or c - alpha * max(0, L - budget) ("max"),
 *                 floored at `floor`; c is the correctness reward (0 without a `correct` child).
 */
import {
  completionText,
  type Outcome,
  ok,
  type Result,
  type Sample,
  type Template,
} from "../../core/index.js";
import { CompositeNode } from "../composite.js";
import type { EvalContext, Range, RewardNode } from "../node.js";
import { type Policies, propagated, resolveChild } from "../policy.js";
import { type LengthSource, measureLength, parseBudget } from "./length.js";

const NO_POLICIES: Policies = { on_abstain: "propagate", on_error: "propagate" };

export function overlongPenalty(len: number, max: number, buffer: number): number {
  if (len <= max - buffer) return 0;
  if (len > max) return -1;
  return (max - buffer - len) / buffer;
}

export class OverlongNode extends CompositeNode {
  readonly range: Range = [-1, 0];

  constructor(
    name: string,
    readonly len: LengthSource,
    readonly max: number,
    readonly buffer: number,
  ) {
    super("overlong", name, [], NO_POLICIES);
  }

  protected async combine(sample: Sample): Promise<Outcome> {
    const L = measureLength(sample, this.len);
    const r = overlongPenalty(L, this.max, this.buffer);
    return ok(r, { feedback: `length ${L}, max ${this.max}, buffer ${this.buffer}`, details: { length: L } });
  }
}

export interface CosineValues {
  correct: [number, number];
  wrong: [number, number];
}

/** open-r1's formula: min + (max - min) * (1 + cos(pi * L / Lmax)) / 2, with wrong's ends swapped. */
export function cosineLength(len: number, maxLen: number, correct: boolean, v: CosineValues): number {
  const progress = Math.min(1, Math.max(0, len / maxLen));
  const c = Math.cos(progress * Math.PI);
  const [lo, hi] = correct ? v.correct : [v.wrong[1], v.wrong[0]];
  return lo + 0.5 * (hi - lo) * (1 + c);
}

/** Shared by the nodes gated on correctness: evaluates the `correct` child. */
async function correctness(
  node: CompositeNode,
  sample: Sample,
  ctx: EvalContext,
): Promise<{ value: number; comps: Record<string, Result> } | { outcome: Outcome }> {
  const child = node.children[0]!;
  const res = await child.evaluate(sample, ctx);
  const comps = { [child.name]: res };
  const r = resolveChild(child.name, res, node.policies);
  if (r.kind !== "value") {
    return {
      outcome: { ...(r.kind === "propagate" ? r.outcome : propagated(child.name, res)), components: comps },
    };
  }
  res.weight = 0;
  return { value: r.value, comps };
}

export class CosineLengthNode extends CompositeNode {
  readonly range: Range;

  constructor(
    name: string,
    correct: RewardNode,
    readonly threshold: number,
    readonly len: LengthSource,
    readonly maxLength: number,
    readonly values: CosineValues,
    policies: Policies,
  ) {
    super("cosine_length", name, [correct], policies);
    const all = [...values.correct, ...values.wrong];
    this.range = [Math.min(...all), Math.max(...all)];
  }

  protected async combine(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    const c = await correctness(this, sample, ctx);
    if ("outcome" in c) return c.outcome;
    const L = measureLength(sample, this.len);
    const isCorrect = c.value >= this.threshold;
    const r = cosineLength(L, this.maxLength, isCorrect, this.values);
    return ok(r, {
      components: c.comps,
      feedback: `${isCorrect ? "correct" : "wrong"}, length ${L} of ${this.maxLength}`,
    });
  }
}

export function repetitionPenalty(text: string, n: number, maxPenalty: number): number {
  const words = text.toLowerCase().match(/\S+/g) ?? [];
  if (words.length < n) return 0;
  const seen = new Set<string>();
  let total = 0;
  for (let i = 0; i + n <= words.length; i++) {
    seen.add(words.slice(i, i + n).join("\u0000"));
    total++;
  }
  const r = (1 - seen.size / total) * maxPenalty;
  return r === 0 ? 0 : r;
}

export class RepetitionNode extends CompositeNode {
  readonly range: Range;

  constructor(
    name: string,
    readonly input: Template | undefined,
    readonly n: number,
    readonly maxPenalty: number,
  ) {
    super("repetition", name, [], NO_POLICIES);
    this.range = [maxPenalty, 0];
  }

  protected async combine(sample: Sample): Promise<Outcome> {
    const text = this.input ? String(this.input.render(sample)) : completionText(sample);
    return ok(repetitionPenalty(text, this.n, this.maxPenalty));
  }
}

export class LengthBudgetNode extends CompositeNode {
  readonly range: Range;

  constructor(
    name: string,
    correct: RewardNode | undefined,
    readonly budget: Template,
    readonly len: LengthSource,
    readonly alpha: number,
    readonly mode: "exact" | "max",
    readonly floor: number,
    policies: Policies,
  ) {
    super("length_budget", name, correct ? [correct] : [], policies);
    this.range = [floor, correct ? Math.max(floor, correct.range[1]) : Math.max(floor, 0)];
  }

  protected async combine(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    let base = 0;
    let comps: Record<string, Result> | undefined;
    if (this.children.length) {
      const c = await correctness(this, sample, ctx);
      if ("outcome" in c) return c.outcome;
      base = c.value;
      comps = c.comps;
    }
    const target = parseBudget(this.budget.render(sample), `budget ${this.budget.source}`);
    const L = measureLength(sample, this.len);
    const off = this.mode === "exact" ? Math.abs(L - target) : Math.max(0, L - target);
    const r = Math.max(this.floor, base - this.alpha * off);
    return ok(r, {
      ...(comps ? { components: comps } : {}),
      feedback: `length ${L}, budget ${target}`,
      details: { length: L, budget: target },
    });
  }
}
