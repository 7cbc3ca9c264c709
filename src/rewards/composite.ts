/**
 * Shared machinery of the composite nodes: evaluate children, name their results, time the node, and
 * turn anything thrown into an error result (a composite never throws).
 */
import { fromThrown, type Outcome, type Result, type Sample } from "../core/index.js";
import type { EvalContext, Range, RewardNode } from "./node.js";
import type { Policies } from "./policy.js";

/** Adds the timing; outcomes are fresh objects owned by the caller, so this mutates rather than copies. */
export function finish(out: Outcome, t0: number): Result {
  out.ms ??= round3(performance.now() - t0);
  return out as Result;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export abstract class CompositeNode implements RewardNode {
  abstract readonly range: Range;

  constructor(
    readonly type: string,
    readonly name: string,
    readonly children: readonly RewardNode[],
    readonly policies: Policies,
  ) {}

  async evaluate(sample: Sample, ctx: EvalContext): Promise<Result> {
    const t0 = performance.now();
    let out: Outcome;
    try {
      out = await this.combine(sample, ctx);
    } catch (e) {
      out = fromThrown(e);
    }
    return finish(out, t0);
  }

  protected abstract combine(sample: Sample, ctx: EvalContext): Promise<Outcome>;
}

export function evaluateAll(
  nodes: readonly RewardNode[],
  sample: Sample,
  ctx: EvalContext,
): Promise<Result[]> {
  return Promise.all(nodes.map((n) => n.evaluate(sample, ctx)));
}

export function components(nodes: readonly RewardNode[], results: readonly Result[]): Record<string, Result> {
  const out: Record<string, Result> = {};
  nodes.forEach((n, i) => {
    out[n.name] = results[i]!;
  });
  return out;
}
