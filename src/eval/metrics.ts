/**
 * Agreement statistics between a reward and labels, as pure functions (no I/O, nothing of ours imported).
 *
 * Pearson and Spearman come from simple-statistics (its Spearman uses midranks, so ties are handled as
 * the definition wants). It has no Kendall tau-b, Wilson interval or McNemar test; those are here, each
 * checked against its definition by property tests (test/eval/metrics.test.ts). A statistic that is not
 * defined on the data (no pairs, a constant column) is null, never 0.
 */
import { createRequire } from "node:module";

// simple-statistics (167 KB) loads with the first correlation, not with rewardkit (fast start).
let stats: typeof import("simple-statistics") | undefined;
const simpleStatistics = () =>
  (stats ??= createRequire(import.meta.url)("simple-statistics") as typeof import("simple-statistics"));

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface Proportion {
  /** Successes / n; null when n is 0. */
  value: number | null;
  successes: number;
  n: number;
  /** 95% Wilson score interval; null when n is 0. */
  ci: [number, number] | null;
}

/** Wilson score interval for k successes out of n (better than the normal interval near 0 and 1). */
export function wilson(k: number, n: number, z = Z95): [number, number] | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = ((z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) as number;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function proportion(successes: number, n: number): Proportion {
  return { value: n ? successes / n : null, successes, n, ci: wilson(successes, n) };
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function confusion(predicted: readonly boolean[], actual: readonly boolean[]): Confusion {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < predicted.length; i++) {
    if (predicted[i]) actual[i] ? c.tp++ : c.fp++;
    else actual[i] ? c.fn++ : c.tn++;
  }
  return c;
}

export interface BinaryMetrics {
  n: number;
  confusion: Confusion;
  accuracy: Proportion;
  precision: Proportion;
  recall: Proportion;
  specificity: Proportion;
  /** Harmonic mean of precision and recall; null when either is undefined or both are 0. */
  f1: number | null;
}

export function binaryMetrics(c: Confusion): BinaryMetrics {
  const n = c.tp + c.fp + c.tn + c.fn;
  const precision = proportion(c.tp, c.tp + c.fp);
  const recall = proportion(c.tp, c.tp + c.fn);
  const p = precision.value;
  const r = recall.value;
  return {
    n,
    confusion: c,
    accuracy: proportion(c.tp + c.tn, n),
    precision,
    recall,
    specificity: proportion(c.tn, c.tn + c.fp),
    f1: p === null || r === null || p + r === 0 ? null : (2 * p * r) / (p + r),
  };
}

function constant(xs: readonly number[]): boolean {
  for (const x of xs) if (x !== xs[0]) return false;
  return true;
}

/** Pearson's r; null with fewer than 2 pairs or a constant column. */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  if (x.length < 2 || constant(x) || constant(y)) return null;
  return clamp(simpleStatistics().sampleCorrelation(x as number[], y as number[]));
}

/** Spearman's rho (Pearson on midranks); null with fewer than 2 pairs or a constant column. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length < 2 || constant(x) || constant(y)) return null;
  return clamp(simpleStatistics().sampleRankCorrelation(x as number[], y as number[]));
}

function clamp(r: number): number | null {
  return Number.isFinite(r) ? Math.max(-1, Math.min(1, r)) : null;
}

/**
 * Kendall's tau-b in O(n log n) (Knight 1966, as scipy.stats.kendalltau): sort by (x, y), count ties,
 * then count the discordant pairs as the swaps of a merge sort by y. Null when a column is constant.
 */
export function kendallTauB(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => x[a]! - x[b]! || y[a]! - y[b]!);
  // Pairs tied in x (n1) and tied in both (n3).
  let n1 = 0;
  let n3 = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && x[idx[j]!] === x[idx[i]!]) j++;
    n1 += ((j - i) * (j - i - 1)) / 2;
    for (let a = i; a < j; ) {
      let b = a + 1;
      while (b < j && y[idx[b]!] === y[idx[a]!]) b++;
      n3 += ((b - a) * (b - a - 1)) / 2;
      a = b;
    }
    i = j;
  }
  const ys = idx.map((i) => y[i]!);
  const swaps = mergeCountSwaps(ys);
  let n2 = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && ys[j] === ys[i]) j++;
    n2 += ((j - i) * (j - i - 1)) / 2;
    i = j;
  }
  const n0 = (n * (n - 1)) / 2;
  const denom = Math.sqrt((n0 - n1) * (n0 - n2));
  if (denom === 0) return null;
  return clamp((n0 - n1 - n2 + n3 - 2 * swaps) / denom);
}

/** Sorts `a` in place (bottom-up merge sort) and returns the number of strict inversions. */
function mergeCountSwaps(a: number[]): number {
  const n = a.length;
  let src = a.slice();
  let dst = new Array<number>(n);
  let swaps = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (src[j]! < src[i]!) {
          swaps += mid - i;
          dst[k++] = src[j++]!;
        } else dst[k++] = src[i++]!;
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    [src, dst] = [dst, src];
  }
  for (let i = 0; i < n; i++) a[i] = src[i]!;
  return swaps;
}

/** Mean absolute error; null with no pairs. */
export function mae(x: readonly number[], y: readonly number[]): number | null {
  if (x.length === 0) return null;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]! - y[i]!);
  return s / x.length;
}

export interface GradedMetrics {
  n: number;
  pearson: number | null;
  spearman: number | null;
  kendall_tau_b: number | null;
  mae: number | null;
}

export function gradedMetrics(pred: readonly number[], label: readonly number[]): GradedMetrics {
  return {
    n: pred.length,
    pearson: pearson(pred, label),
    spearman: spearman(pred, label),
    kendall_tau_b: kendallTauB(pred, label),
    mae: mae(pred, label),
  };
}

export interface PairwiseMetrics {
  n: number;
  wins: number;
  ties: number;
  losses: number;
  /** (wins + ties / 2) / n, as RewardBench counts a tie; the interval is Wilson's on that share. */
  accuracy: Proportion;
}

/** Pairwise accuracy of (chosen, rejected) reward pairs: a tie counts as half a win. */
export function pairwiseAccuracy(chosen: readonly number[], rejected: readonly number[]): PairwiseMetrics {
  let wins = 0;
  let ties = 0;
  for (let i = 0; i < chosen.length; i++) {
    if (chosen[i]! > rejected[i]!) wins++;
    else if (chosen[i] === rejected[i]) ties++;
  }
  const n = chosen.length;
  const score = wins + ties / 2;
  return {
    n,
    wins,
    ties,
    losses: n - wins - ties,
    accuracy: { value: n ? score / n : null, successes: score, n, ci: wilson(score, n) },
  };
}

export interface McNemar {
  /** Rows the first is right on and the second wrong. */
  b: number;
  /** Rows the second is right on and the first wrong. */
  c: number;
  /** Exact two-sided binomial p-value (the test to read when b + c is small). */
  p_exact: number;
  /** Chi-squared statistic with continuity correction, and its p-value (1 degree of freedom). */
  chi2: number;
  p_chi2: number;
}

/** McNemar's test on the discordant counts b and c. */
export function mcnemar(b: number, c: number): McNemar {
  const n = b + c;
  if (n === 0) return { b, c, p_exact: 1, chi2: 0, p_chi2: 1 };
  const k = Math.min(b, c);
  // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so large n does not underflow term by term.
  let logTerm = -n * Math.LN2; // log C(n, 0) / 2^n
  let tail = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logTerm);
  }
  const chi2 = (Math.abs(b - c) - 1) ** 2 / n;
  const stat = Math.abs(b - c) <= 1 ? 0 : chi2;
  return { b, c, p_exact: Math.min(1, 2 * tail), chi2: stat, p_chi2: Math.min(1, erfc(Math.sqrt(stat / 2))) };
}

/**
 * Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7 everywhere,
 * so small tail p-values keep their digits). P(chi2_1 > x) = erfc(sqrt(x / 2)).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
