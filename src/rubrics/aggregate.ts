/**
 * Combining criterion scores into one reward. Every criterion arrives with its signed weight w (negative
 * for pitfalls) and its score s in [0, 1] (for a pitfall, the degree to which the mistake was made), or
 * null when it was skipped (its judge abstained and the policy is "skip"); skipped criteria count nowhere.
 *
 *   weighted_mean   r = ( sum_{w>0} w s  +  sum_{w<0} |w| (1 - s) ) / sum |w|
 *                   (a pitfall counts as "avoided the mistake", so r is a weighted mean in [0, 1])
 *   healthbench     r = clip( sum w s / sum_{w>0} w , 0, 1 )
 *                   (met points over the positive points; a met pitfall subtracts its points)
 *   all_essential   r = base(...) unless an essential criterion scored below `threshold`, in which case
 *                   r = min(base(...), cap); base is weighted_mean (default) or healthbench
 *
 * Sums run in a canonical order (by id), so permuting the criteria cannot change the reward, not even in
 * the last bit. The implicit (holistic) aggregation has no per-criterion scores and lives in the node.
 */
import type { Category } from "./model.js";

export type ExplicitAggregation = "weighted_mean" | "healthbench" | "all_essential";
export type Aggregation = ExplicitAggregation | "implicit";
export const AGGREGATIONS: readonly Aggregation[] = [
  "weighted_mean",
  "healthbench",
  "all_essential",
  "implicit",
];

export interface Scored {
  id: string;
  weight: number;
  category?: Category;
  /** In [0, 1]; null when the criterion was skipped. */
  score: number | null;
}

export interface GateOptions {
  base: "weighted_mean" | "healthbench";
  /** The reward is at most this while an essential criterion is unmet. */
  cap: number;
  /** An essential criterion is unmet when its score is below this. */
  threshold: number;
}

export interface Aggregated {
  reward: number;
  /** Each counted criterion's share of the (unclipped, ungated) reward; the shares sum to it. */
  contributions: Map<string, number>;
  /**
   * The factor the reward is linear in for each counted criterion (w / sum|w| or w / P), absent where it
   * is not linear (a pitfall in weighted_mean contributes |w| (1 - s) / sum|w|).
   */
  factors: Map<string, number>;
  /** The all-essential gate: which essential criteria were unmet (empty when open). */
  gate?: { unmet: string[]; closed: boolean; base: number };
  /** healthbench: whether clipping changed the value. */
  clipped?: boolean;
}

export type AggregateResult = { ok: true; value: Aggregated } | { ok: false; reason: string };

const byId = (a: Scored, b: Scored) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function aggregate(
  items: readonly Scored[],
  aggregation: ExplicitAggregation,
  gate: GateOptions = { base: "weighted_mean", cap: 0, threshold: 1 },
): AggregateResult {
  const counted = items.filter((c) => c.score !== null).sort(byId);
  if (counted.length === 0) return { ok: false, reason: "no criterion was scored (all were skipped)" };
  if (aggregation === "weighted_mean") return weightedMean(counted);
  if (aggregation === "healthbench") return healthbench(counted);
  const base = gate.base === "healthbench" ? healthbench(counted) : weightedMean(counted);
  if (!base.ok) return base;
  const unmet = counted
    .filter((c) => c.category === "essential" && (c.score as number) < gate.threshold)
    .map((c) => c.id);
  const closed = unmet.length > 0;
  const reward = closed ? Math.min(base.value.reward, gate.cap) : base.value.reward;
  return { ok: true, value: { ...base.value, reward, gate: { unmet, closed, base: base.value.reward } } };
}

function weightedMean(counted: readonly Scored[]): AggregateResult {
  let total = 0;
  let num = 0;
  const parts: [string, number, number][] = [];
  for (const c of counted) {
    const a = Math.abs(c.weight);
    const s = c.score as number;
    const v = c.weight >= 0 ? a * s : a * (1 - s);
    total += a;
    num += v;
    parts.push([c.id, v, c.weight]);
  }
  if (total === 0) return { ok: false, reason: "every scored criterion has weight 0" };
  const contributions = new Map<string, number>();
  const factors = new Map<string, number>();
  for (const [id, v, w] of parts) {
    contributions.set(id, v / total);
    if (w >= 0) factors.set(id, w / total);
  }
  return { ok: true, value: { reward: clamp01(num / total), contributions, factors } };
}

function healthbench(counted: readonly Scored[]): AggregateResult {
  let positive = 0;
  let num = 0;
  for (const c of counted) {
    if (c.weight > 0) positive += c.weight;
    num += c.weight * (c.score as number);
  }
  if (positive === 0) return { ok: false, reason: "no criterion with positive points was scored" };
  const contributions = new Map<string, number>();
  const factors = new Map<string, number>();
  for (const c of counted) {
    contributions.set(c.id, (c.weight * (c.score as number)) / positive);
    factors.set(c.id, c.weight / positive);
  }
  const raw = num / positive;
  const reward = clamp01(raw);
  return { ok: true, value: { reward, contributions, factors, clipped: reward !== raw } };
}
