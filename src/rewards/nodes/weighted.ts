/**
 * weighted: sum of w_i * r_i. With `normalize`, divided by the sum of |w_i| over the children that
 * count; without, a skipped child's share is redistributed (the sum is scaled by sum|w| over all
 * children / sum|w| over those that count), so an abstaining child neither lowers nor raises the scale.
 * Weight-0 children are evaluated and reported but change nothing.
 */
import { abstain, type Outcome, ok, type Sample, type Span } from "../../core/index.js";
import { CompositeNode, components, evaluateAll } from "../composite.js";
import type { EvalContext, Range, RewardNode } from "../node.js";
import { effectiveRange, type Policies, resolveChild, scaleSpans } from "../policy.js";

export class WeightedNode extends CompositeNode {
  readonly range: Range;
  private readonly totalAbs: number;

  constructor(
    name: string,
    children: RewardNode[],
    readonly weights: number[],
    readonly normalize: boolean,
    policies: Policies,
  ) {
    super("weighted", name, children, policies);
    this.totalAbs = weights.reduce((a, w) => a + Math.abs(w), 0);
    // The result is a (scaled) convex combination of sign(w_i) * r_i, whatever subset counts.
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    children.forEach((c, i) => {
      const w = weights[i]!;
      if (w === 0) return;
      const [a, b] = effectiveRange(c.range, policies);
      lo = Math.min(lo, w > 0 ? a : -b);
      hi = Math.max(hi, w > 0 ? b : -a);
    });
    const scale = normalize ? 1 : this.totalAbs;
    this.range = lo > hi ? [0, 0] : [lo * scale, hi * scale];
  }

  protected async combine(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    const results = await evaluateAll(this.children, sample, ctx);
    const values: (number | null)[] = [];
    let presentAbs = 0;
    let anyPresent = false;
    for (let i = 0; i < results.length; i++) {
      const r = resolveChild(this.children[i]!.name, results[i]!, this.policies);
      if (r.kind === "propagate") return { ...r.outcome, components: components(this.children, results) };
      if (r.kind === "skip") {
        values.push(null);
        continue;
      }
      values.push(r.value);
      anyPresent = true;
      presentAbs += Math.abs(this.weights[i]!);
    }
    const comps = components(this.children, results);
    if (!anyPresent) return abstain("every component abstained or was skipped", { components: comps });
    if (presentAbs === 0) {
      return abstain("only zero-weight components produced a reward", { components: comps });
    }
    const factor = this.normalize ? 1 / presentAbs : this.totalAbs / presentAbs;
    let sum = 0;
    const spans: Span[] = [];
    values.forEach((v, i) => {
      const w = this.weights[i]! * factor;
      const res = results[i]!;
      res.weight = v === null ? 0 : w;
      if (v === null) return;
      sum += w * v;
      // A loop, not push(...): a dense child may have more spans than the stack has room for arguments.
      if (res.spans) for (const s of scaleSpans(res.spans, w)) spans.push(s);
    });
    return ok(sum, spans.length ? { components: comps, spans } : { components: comps });
  }
}
