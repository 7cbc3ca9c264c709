/**
 * clip and affine: one child, one function of its reward. A child that abstains or fails makes the node
 * do the same unless a numeric policy substitutes a value ("skip" has nothing to fall back on).
 */
import { type Outcome, ok, type Sample } from "../../core/index.js";
import { CompositeNode, components } from "../composite.js";
import type { EvalContext, Range, RewardNode } from "../node.js";
import { effectiveRange, type Policies, propagated, resolveChild, scaleSpans } from "../policy.js";

/** What a unary node makes of its child's reward (weight and spanFactor scale the child's share and spans). */
type Applied = { value: number; weight?: number; spanFactor?: number };
abstract class UnaryNode extends CompositeNode {
  constructor(type: string, name: string, child: RewardNode, policies: Policies) {
    super(type, name, [child], policies);
  }

  protected get childRange(): Range {
    return effectiveRange(this.children[0]!.range, this.policies);
  }

  protected async combine(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    const child = this.children[0]!;
    const res = await child.evaluate(sample, ctx);
    const comps = components(this.children, [res]);
    const r = resolveChild(child.name, res, this.policies);
    if (r.kind !== "value")
      return { ...(r.kind === "propagate" ? r.outcome : propagated(child.name, res)), components: comps };
    const { value, weight, spanFactor } = this.apply(r.value);
    if (weight !== undefined) res.weight = weight;
    const spans = res.spans && spanFactor !== undefined ? scaleSpans(res.spans, spanFactor) : undefined;
    return ok(value, spans?.length ? { components: comps, spans } : { components: comps });
  }

  protected abstract apply(x: number): Applied;
}

export class ClipNode extends UnaryNode {
  readonly range: Range;

  constructor(
    name: string,
    child: RewardNode,
    readonly lo: number,
    readonly hi: number,
    policies: Policies,
  ) {
    super("clip", name, child, policies);
    const [a, b] = this.childRange;
    this.range = [Math.min(Math.max(a, lo), hi), Math.max(Math.min(b, hi), lo)];
  }

  protected apply(x: number): Applied {
    const value = Math.min(Math.max(x, this.lo), this.hi);
    return value === x ? { value, weight: 1, spanFactor: 1 } : { value, weight: 0 };
  }
}

export class AffineNode extends UnaryNode {
  readonly range: Range;

  constructor(
    name: string,
    child: RewardNode,
    readonly scale: number,
    readonly offset: number,
    policies: Policies,
  ) {
    super("affine", name, child, policies);
    const [a, b] = this.childRange;
    const ends = scale === 0 ? [offset, offset] : [a * scale + offset, b * scale + offset];
    this.range = [Math.min(...ends), Math.max(...ends)];
  }

  protected apply(x: number): Applied {
    return { value: x * this.scale + this.offset, weight: this.scale, spanFactor: this.scale };
  }
}
