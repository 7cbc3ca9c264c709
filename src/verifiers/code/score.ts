/** Reward modes over per-test verdicts. */
import type { Mode } from "./reference.js";
import type { Verdict } from "./types.js";

/**
 * binary: 1 when every test passes; fraction: the share that pass; first_failure: the share passed
 * before the first failure; weighted: the weight of the passing tests over the total weight. A test that
 * never ran (binary and first_failure stop at the first failure) counts as failed.
 */
export function rewardOf(mode: Mode, verdicts: (Verdict | undefined)[], weights?: number[]): number {
  const n = verdicts.length;
  if (n === 0) return 0;
  const passed = (i: number) => verdicts[i] === "pass";
  switch (mode) {
    case "binary":
      return verdicts.every((v) => v === "pass") ? 1 : 0;
    case "fraction":
      return verdicts.filter((v) => v === "pass").length / n;
    case "first_failure": {
      let k = 0;
      while (k < n && passed(k)) k++;
      return k / n;
    }
    case "weighted": {
      const w = weights ?? verdicts.map(() => 1);
      const total = w.reduce((a, b) => a + b, 0);
      if (total <= 0) return 0;
      let got = 0;
      for (let i = 0; i < n; i++) if (passed(i)) got += w[i]!;
      return got / total;
    }
  }
}

export function stopsAtFirstFailure(mode: Mode): boolean {
  return mode === "binary" || mode === "first_failure";
}
