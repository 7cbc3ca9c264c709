/** product: the product of the children's rewards (children that are skipped count as 1). */
import { abstain, type Outcome, ok, type Sample } from "../../core/index.js";
import { CompositeNode, components, evaluateAll } from "../composite.js";
import type { EvalContext, Range, RewardNode } from "../node.js";
import { canSkip, effectiveRange, type Policies, resolveChild } from "../policy.js";

export class ProductNode extends CompositeNode {
  readonly range: Range;

  constructor(name: string, children: RewardNode[], policies: Policies) {
    super("product", name, children, policies);
    let lo = 1;
    let hi = 1;
    for (const c of children) {
      let [a, b] = effectiveRange(c.range, policies);
      // A skipped child counts as 1.
      if (canSkip(policies)) [a, b] = [Math.min(a, 1), Math.max(b, 1)];
      const xs = [lo * a, lo * b, hi * a, hi * b].map((x) => (Number.isNaN(x) ? 0 : x));
      lo = Math.min(...xs);
      hi = Math.max(...xs);
    }
    this.range = [lo, hi];
  }

  protected async combine(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    const results = await evaluateAll(this.children, sample, ctx);
    const comps = components(this.children, results);
    let prod = 1;
    let counted = 0;
    for (let i = 0; i < results.length; i++) {
      const r = resolveChild(this.children[i]!.name, results[i]!, this.policies);
      if (r.kind === "propagate") return { ...r.outcome, components: comps };
      if (r.kind === "skip") continue;
      prod *= r.value;
      counted++;
    }
    if (counted === 0) return abstain("every component abstained or was skipped", { components: comps });
    return ok(prod, { components: comps });
  }
}
