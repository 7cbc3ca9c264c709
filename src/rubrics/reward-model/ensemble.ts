/**
 * The `reward_ensemble` node: several reward models (any reward nodes) combined against over-optimisation
 * (Coste et al., "Reward Model Ensembles Help Mitigate Overoptimization"):
 *
 *   mean            the members' mean
 *   min             the worst case (each member gets weight 0 or 1, like `min`)
 *   mean_minus_std  mean - k * std: uncertainty-penalised; where the members disagree the reward drops
 *
 * The disagreement (population std and spread = max - min over the members that count) is in `details`
 * whatever the combination, so it can be watched in a report while training.
 */
import { abstain, type Outcome, ok, type Sample } from "../../core/index.js";
import {
  CompositeNode,
  canSkip,
  components,
  type EvalContext,
  effectiveRange,
  evaluateAll,
  type Policies,
  type Range,
  type RewardNode,
  resolveChild,
} from "../../rewards/index.js";

export const COMBINES = ["mean", "min", "mean_minus_std"] as const;
export type Combine = (typeof COMBINES)[number];

export class RewardEnsembleNode extends CompositeNode {
  readonly range: Range;

  constructor(
    name: string,
    members: RewardNode[],
    readonly combineBy: Combine,
    readonly k: number,
    policies: Policies,
  ) {
    super("reward_ensemble", name, members, policies);
    const rs = members.map((c) => effectiveRange(c.range, policies));
    const lo = Math.min(...rs.map((r) => r[0]));
    const hi = Math.max(...rs.map((r) => r[1]));
    // The std of values in [lo, hi] is at most (hi - lo) / 2.
    const minLo = combineBy === "mean_minus_std" ? lo - (k * (hi - lo)) / 2 : lo;
    this.range = [minLo, combineBy === "min" && !canSkip(policies) ? Math.min(...rs.map((r) => r[1])) : hi];
  }

  protected async combine(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    const results = await evaluateAll(this.children, sample, ctx);
    const comps = components(this.children, results);
    const vals: number[] = [];
    const counted: number[] = [];
    for (let i = 0; i < results.length; i++) {
      const r = resolveChild(this.children[i]!.name, results[i]!, this.policies);
      if (r.kind === "propagate") return { ...r.outcome, components: comps };
      if (r.kind === "skip") continue;
      vals.push(r.value);
      counted.push(i);
    }
    if (vals.length === 0) return abstain("every member abstained or was skipped", { components: comps });
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    const std = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length);
    const min = Math.min(...vals);
    const spread = Math.max(...vals) - min;
    let value: number;
    if (this.combineBy === "min") {
      value = min;
      const at = counted[vals.indexOf(min)]!;
      results.forEach((r, i) => {
        r.weight = i === at ? 1 : 0;
      });
    } else {
      value = this.combineBy === "mean" ? mean : mean - this.k * std;
      results.forEach((r, i) => {
        r.weight = counted.includes(i) ? 1 / vals.length : 0;
      });
    }
    const details: Record<string, unknown> = {
      combine: this.combineBy,
      members: vals.length,
      mean,
      std,
      spread,
    };
    if (this.combineBy === "mean_minus_std") details.k = this.k;
    return ok(value, { components: comps, details });
  }
}
