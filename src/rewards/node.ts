/**
 * The reward tree: every node, leaf (a verifier) or composite, evaluates a sample to a Result.
 */
import type { Laws, Result, Sample } from "../core/index.js";

export type Range = readonly [number, number];

export interface EvalContext {
  /** Aborted when the caller gives up on the whole evaluation. */
  signal: AbortSignal;
}

export interface RewardNode {
  readonly type: string;
  /** The component name under which the parent reports this node's result. */
  readonly name: string;
  /** Bounds every ok reward of this node lies within. */
  readonly range: Range;
  readonly children: readonly RewardNode[];
  /**
   * Laws this node declares itself (a verifier leaf: its verifier's). Built-in composites leave it out:
   * `rewardkit lint` derives theirs from their children.
   */
  readonly laws?: Laws;
  evaluate(sample: Sample, ctx: EvalContext): Promise<Result>;
}

export function hull(...ranges: Range[]): Range {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const [a, b] of ranges) {
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
  }
  return [lo, hi];
}
