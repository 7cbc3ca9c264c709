/**
 * Group statistics for GRPO-style loops, as pure functions of a group's rewards.
 *
 *   grpo     A_i = (r_i - mean) / max(std, std_floor)        (DeepSeekMath; std over the group)
 *   dr_grpo  A_i = r_i - mean                                 (Dr. GRPO: no std division)
 *   rloo     A_i = r_i - mean_{j != i} r_j                    (REINFORCE leave-one-out)
 * pass@k is the unbiased estimator of Chen et al. (2021): 1 - C(n-c, k) / C(n, k).
 */

export type AdvantageMode = "grpo" | "dr_grpo" | "rloo" | "none";

/**
 * Mean, summed as offsets from the first value: a group of equal rewards has exactly that mean (a plain
 * sum of seven 0.1s divided by 7 is 0.10000000000000002, and the "zero" advantages become -2.8e-11).
 */
export function mean(xs: readonly number[]): number {
  const x0 = xs[0] ?? 0;
  let s = 0;
  for (const x of xs) s += x - x0;
  return x0 + s / xs.length;
}

/** Standard deviation; `sample` (n - 1, as torch.std) or `population` (n). */
export function std(xs: readonly number[], kind: "sample" | "population" = "sample"): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (kind === "sample" ? xs.length - 1 : xs.length));
}

export interface AdvantageOptions {
  mode: AdvantageMode;
  stdFloor: number;
  std: "sample" | "population";
}

/** Advantages of a group's rewards (all ok). A group with no spread gets advantage 0 everywhere. */
export function advantages(
  rs: readonly number[],
  o: AdvantageOptions,
): { adv: number[]; baseline: number[] } {
  const n = rs.length;
  if (n === 0) return { adv: [], baseline: [] };
  const m = mean(rs);
  // No spread: every mode's advantage is exactly 0 (not a rounding residue divided by the std floor).
  if (rs.every((r) => r === rs[0])) return { adv: rs.map(() => 0), baseline: rs.map(() => rs[0]!) };
  switch (o.mode) {
    case "none":
      return { adv: rs.map(() => 0), baseline: rs.map(() => m) };
    case "dr_grpo":
      return { adv: rs.map((r) => r - m), baseline: rs.map(() => m) };
    case "grpo": {
      const s = Math.max(std(rs, o.std), o.stdFloor);
      return { adv: rs.map((r) => (s === 0 ? 0 : (r - m) / s)), baseline: rs.map(() => m) };
    }
    case "rloo": {
      if (n === 1) return { adv: [0], baseline: [rs[0]!] };
      const total = rs.reduce((a, b) => a + b, 0);
      const baseline = rs.map((r) => (total - r) / (n - 1));
      return { adv: rs.map((r, i) => r - baseline[i]!), baseline };
    }
  }
}

/** Unbiased pass@k from n samples of which c are correct; null when k > n. */
export function passAtK(n: number, c: number, k: number): number | null {
  if (k > n || k < 1) return null;
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/** Kimi 1.5 length reward: lambda = 0.5 - (len - min) / (max - min); wrong answers get min(0, lambda). */
export function kimiLengthReward(lengths: readonly number[], correct: readonly boolean[]): number[] {
  const mn = lengths.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const mx = lengths.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  return lengths.map((len, i) => {
    const lambda = mx === mn ? 0 : 0.5 - (len - mn) / (mx - mn);
    return correct[i] ? lambda : Math.min(0, lambda);
  });
}
