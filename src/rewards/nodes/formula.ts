/**
 * formula: an arithmetic expression over named children (see ../formula.ts). A child that abstains or
 * fails makes the formula do the same unless a numeric policy substitutes a value; a result that is not a
 * finite number (division by zero, log of a negative) is a numeric_error, never a number.
 */
import { fail, type Outcome, ok, type Sample } from "../../core/index.js";
import { CompositeNode, components, evaluateAll } from "../composite.js";
import { type Ast, evaluateFormula, formulaRange } from "../formula.js";
import type { EvalContext, Range, RewardNode } from "../node.js";
import { effectiveRange, type Policies, propagated, resolveChild } from "../policy.js";

export class FormulaNode extends CompositeNode {
  readonly range: Range;

  constructor(
    name: string,
    readonly expr: string,
    readonly ast: Ast,
    children: RewardNode[],
    policies: Policies,
  ) {
    super("formula", name, children, policies);
    const env: Record<string, Range> = {};
    for (const c of children) env[c.name] = effectiveRange(c.range, policies);
    this.range = formulaRange(ast, env);
  }

  protected async combine(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    const results = await evaluateAll(this.children, sample, ctx);
    const comps = components(this.children, results);
    const env: Record<string, number> = {};
    for (let i = 0; i < results.length; i++) {
      const name = this.children[i]!.name;
      const r = resolveChild(name, results[i]!, this.policies);
      if (r.kind !== "value") {
        return { ...(r.kind === "propagate" ? r.outcome : propagated(name, results[i]!)), components: comps };
      }
      env[name] = r.value;
    }
    const v = evaluateFormula(this.ast, env);
    if (!Number.isFinite(v)) {
      return fail("numeric_error", `formula '${this.expr}' gave ${v} for ${JSON.stringify(env)}`, {
        components: comps,
      });
    }
    return ok(v, { components: comps });
  }
}
