/**
 * sequence: fail-fast steps, evaluated in order. The first step whose reward is below `threshold` decides
 * (its reward, or `fail_value` when set) and later steps are not run; when every step passes, the last
 * one decides. Abstaining steps are skipped by default.
 */
import { abstain, type Outcome, ok, type Result, type Sample } from "../../core/index.js";
import { CompositeNode } from "../composite.js";
import { type EvalContext, hull, type Range, type RewardNode } from "../node.js";
import { effectiveRange, type Policies, resolveChild } from "../policy.js";

export class SequenceNode extends CompositeNode {
  readonly range: Range;

  constructor(
    name: string,
    steps: RewardNode[],
    readonly threshold: number,
    readonly failValue: number | undefined,
    policies: Policies,
  ) {
    super("sequence", name, steps, policies);
    // Any step can decide (later ones may be skipped); fail_value replaces a failing step's value.
    const ranges = steps.map((s) => effectiveRange(s.range, policies));
    this.range = failValue === undefined ? hull(...ranges) : hull([failValue, failValue], ...ranges);
  }

  protected async combine(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    const comps: Record<string, Result> = {};
    let decided: { value: number; step: Result } | undefined;
    for (const step of this.children) {
      const res = await step.evaluate(sample, ctx);
      comps[step.name] = res;
      res.weight = 0;
      const r = resolveChild(step.name, res, this.policies);
      if (r.kind === "propagate") return { ...r.outcome, components: comps };
      if (r.kind === "skip") continue;
      decided = { value: r.value, step: res };
      if (r.value < this.threshold) {
        const value = this.failValue ?? r.value;
        if (this.failValue === undefined) res.weight = 1;
        return ok(value, {
          components: comps,
          feedback: `stopped at '${step.name}' = ${r.value} < ${this.threshold}`,
        });
      }
    }
    if (!decided) return abstain("every step abstained or was skipped", { components: comps });
    decided.step.weight = 1;
    return ok(
      decided.value,
      decided.step.spans ? { components: comps, spans: decided.step.spans } : { components: comps },
    );
  }
}
