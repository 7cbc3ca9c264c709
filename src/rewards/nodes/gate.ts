/**
 * gate: evaluate `condition`; when its reward is below `threshold` the node gives `otherwise` (a fixed
 * value, or abstain) without evaluating the body, so an expensive check never runs on a malformed answer.
 * Otherwise the node gives the body's result. The condition's own abstain/error follow the policies
 * ("skip" opens the gate).
 */
import { abstain, type Outcome, ok, type Sample } from "../../core/index.js";
import { CompositeNode, components } from "../composite.js";
import { type EvalContext, hull, type Range, type RewardNode } from "../node.js";
import { type Policies, propagated, resolveChild } from "../policy.js";

export class GateNode extends CompositeNode {
  readonly range: Range;

  constructor(
    name: string,
    readonly condition: RewardNode,
    readonly body: RewardNode,
    readonly threshold: number,
    readonly otherwise: number | "abstain",
    policies: Policies,
  ) {
    super("gate", name, [condition, body], policies);
    this.range = otherwise === "abstain" ? body.range : hull(body.range, [otherwise, otherwise]);
  }

  protected async combine(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    const cond = await this.condition.evaluate(sample, ctx);
    cond.weight = 0;
    const r = resolveChild(this.condition.name, cond, this.policies);
    if (r.kind === "propagate") return { ...r.outcome, components: { [this.condition.name]: cond } };
    if (r.kind === "value" && r.value < this.threshold) {
      const comps = { [this.condition.name]: cond };
      const why = `gate closed: '${this.condition.name}' = ${r.value} < ${this.threshold}`;
      return this.otherwise === "abstain"
        ? abstain(why, { components: comps })
        : ok(this.otherwise, { components: comps, feedback: why });
    }
    const res = await this.body.evaluate(sample, ctx);
    const comps = components(this.children, [cond, res]);
    const b = resolveChild(this.body.name, res, this.policies);
    if (b.kind !== "value") {
      return { ...(b.kind === "propagate" ? b.outcome : propagated(this.body.name, res)), components: comps };
    }
    res.weight = 1;
    return ok(b.value, res.spans ? { components: comps, spans: res.spans } : { components: comps });
  }
}
