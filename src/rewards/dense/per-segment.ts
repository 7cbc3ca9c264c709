/**
 * per_segment: makes any node dense. The completion is cut by a segmenter (sentences, steps, ...); the
 * child node scores each segment as if it were the whole completion (`{{completion}}` is the segment,
 * `{{segment_index}}` its position); each segment's reward becomes a span, and the node's reward is a
 * reduction of them (mean by default). A segment whose child abstains is left out; an error propagates.
 */
import {
  abstain,
  completionText,
  type Outcome,
  ok,
  type Result,
  RewardkitError,
  type Sample,
  type Segment,
  type SegmentKind,
  type Span,
  segment,
} from "../../core/index.js";
import { CompositeNode } from "../composite.js";
import type { EvalContext, Range, RewardNode } from "../node.js";
import { effectiveRange, type Policies, resolveChild } from "../policy.js";
import { type Reduction, reduce } from "./project.js";

/** Step ranges that came with the sample (`steps: [{start, end}]`, as the step-data readers make them). */
function givenSteps(sample: Sample, text: string): Segment[] {
  const steps = sample.steps;
  if (!Array.isArray(steps))
    throw new RewardkitError("invalid_input", "segmenter 'given' needs the sample's 'steps' ranges");
  return steps.map((s, i) => {
    const { start, end } = (s ?? {}) as { start?: unknown; end?: unknown };
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      (start as number) < 0 ||
      (end as number) > text.length ||
      (start as number) > (end as number)
    ) {
      throw new RewardkitError(
        "invalid_input",
        `steps[${i}] is not a range {start, end} within the completion`,
      );
    }
    return { start: start as number, end: end as number, text: text.slice(start as number, end as number) };
  });
}

export class PerSegmentNode extends CompositeNode {
  readonly range: Range;

  constructor(
    name: string,
    child: RewardNode,
    readonly segmenter: SegmentKind | "given",
    readonly delimiter: string | undefined,
    readonly how: Reduction,
    policies: Policies,
  ) {
    super("per_segment", name, [child], policies);
    const [lo, hi] = effectiveRange(child.range, policies);
    // A sum grows with the number of segments; the other reductions stay within the child's range.
    this.range =
      how === "sum"
        ? [lo < 0 ? Number.NEGATIVE_INFINITY : 0, hi > 0 ? Number.POSITIVE_INFINITY : 0]
        : [lo, hi];
  }

  protected async combine(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    const child = this.children[0]!;
    const text = completionText(sample);
    const segs =
      this.segmenter === "given"
        ? givenSteps(sample, text)
        : segment(text, this.segmenter, { delimiter: this.delimiter });
    const results = await Promise.all(
      segs.map((s, i) => child.evaluate({ ...sample, completion: s.text, segment_index: i }, ctx)),
    );
    const components: Record<string, Result> = {};
    const spans: Span[] = [];
    const values: number[] = [];
    for (let i = 0; i < segs.length; i++) {
      const r = results[i]!;
      components[`${child.name}[${i}]`] = r;
      const v = resolveChild(`${child.name}[${i}]`, r, this.policies);
      if (v.kind === "propagate") return { ...v.outcome, components };
      if (v.kind === "skip") continue;
      values.push(v.value);
      spans.push({
        start: segs[i]!.start,
        end: segs[i]!.end,
        value: v.value,
        source: `${this.name}/${child.name}`,
      });
    }
    if (values.length === 0) {
      return abstain(segs.length ? "every segment abstained" : `no ${this.segmenter} in the completion`, {
        components,
      });
    }
    return ok(reduce(values, this.how), { components, spans });
  }
}
