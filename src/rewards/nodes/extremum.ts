/**
 * min and max: the smallest or largest reward among the children that count. The chosen child gets
 * weight 1 (it alone decides the value), the others weight 0.
 */
import { abstain, type Outcome, ok, type Sample } from "../../core/index.js";
import { CompositeNode, components, evaluateAll } from "../composite.js";
import type { EvalContext, Range, RewardNode } from "../node.js";
import { canSkip, effectiveRange, type Policies, resolveChild } from "../policy.js";

export class ExtremumNode extends CompositeNode {
  readonly range: Range;

  constructor(type: "min" | "max", name: string, children: RewardNode[], policies: Policies) {
    super(type, name, children, policies);
    const rs = children.map((c) => effectiveRange(c.range, policies));
    const los = rs.map((r) => r[0]);
    const his = rs.map((r) => r[1]);
    // When children can be skipped, the extreme is over any subset of them: the hull of their ranges.
    if (canSkip(policies)) this.range = [Math.min(...los), Math.max(...his)];
    else if (type === "min") this.range = [Math.min(...los), Math.min(...his)];
    else this.range = [Math.max(...los), Math.max(...his)];
  }

  protected async combine(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    const results = await evaluateAll(this.children, sample, ctx);
    const comps = components(this.children, results);
    let best = -1;
    let bestValue = 0;
    for (let i = 0; i < results.length; i++) {
      const r = resolveChild(this.children[i]!.name, results[i]!, this.policies);
      if (r.kind === "propagate") return { ...r.outcome, components: comps };
      if (r.kind === "skip") continue;
      if (best < 0 || (this.type === "min" ? r.value < bestValue : r.value > bestValue)) {
        best = i;
        bestValue = r.value;
      }
    }
    if (best < 0) return abstain("every component abstained or was skipped", { components: comps });
    results.forEach((r, i) => {
      r.weight = i === best ? 1 : 0;
    });
    const spans = results[best]!.spans;
    return ok(bestValue, spans ? { components: comps, spans } : { components: comps });
  }
}
