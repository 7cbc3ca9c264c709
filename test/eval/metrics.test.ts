/** The statistics against their definitions: brute force on small inputs, known textbook values. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  binaryMetrics,
  confusion,
  erfc,
  kendallTauB,
  mae,
  mcnemar,
  pairwiseAccuracy,
  pearson,
  spearman,
  wilson,
} from "../../src/eval/metrics.js";

/** tau-b straight from its definition: (C - D) / sqrt((n0 - n1)(n0 - n2)), over all pairs. */
function kendallBrute(x: number[], y: number[]): number | null {
  let c = 0;
  let d = 0;
  let tx = 0;
  let ty = 0;
  const n = x.length;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const s = Math.sign(x[i]! - x[j]!) * Math.sign(y[i]! - y[j]!);
      if (s > 0) c++;
      else if (s < 0) d++;
      if (x[i] === x[j]) tx++;
      if (y[i] === y[j]) ty++;
    }
  const n0 = (n * (n - 1)) / 2;
  const den = Math.sqrt((n0 - tx) * (n0 - ty));
  return den === 0 ? null : (c - d) / den;
}

function binomTwoSided(b: number, c: number): number {
  // Direct sum of C(n, i) / 2^n with exact integer binomials (n small).
  const n = b + c;
  const k = Math.min(b, c);
  let coef = 1;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += coef;
    coef = (coef * (n - i)) / (i + 1);
  }
  return Math.min(1, (2 * sum) / 2 ** n);
}

const pairs = (min: number, max: number, values = fc.integer({ min: 0, max: 4 })) =>
  fc.array(fc.tuple(values, values), { minLength: min, maxLength: max });

describe("kendallTauB", () => {
  it("equals the O(n^2) definition, ties included", () => {
    fc.assert(
      fc.property(pairs(0, 40), (ps) => {
        const x = ps.map((p) => p[0]);
        const y = ps.map((p) => p[1]);
        const got = kendallTauB(x, y);
        const want = kendallBrute(x, y);
        if (want === null) expect(got).toBeNull();
        else expect(got).toBeCloseTo(want, 12);
      }),
      { numRuns: 500 },
    );
  });

  it("is 1 on a strictly increasing relation and -1 on a decreasing one", () => {
    expect(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(kendallTauB([1, 1, 1], [1, 2, 3])).toBeNull();
  });

  it("agrees with scipy on a tied example (kendalltau([12,2,1,12,2],[1,4,7,1,0]) = -0.4714)", () => {
    expect(kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0])).toBeCloseTo(-0.47140452079103173, 12);
  });
});

describe("pearson and spearman", () => {
  it("spearman is pearson on midranks, so a monotone transform does not change it", () => {
    fc.assert(
      fc.property(pairs(3, 30, fc.integer({ min: -20, max: 20 })), (ps) => {
        const x = ps.map((p) => p[0]);
        const y = ps.map((p) => p[1]);
        const s = spearman(x, y);
        const s2 = spearman(
          x.map((v) => v ** 3 + 7),
          y,
        );
        if (s === null) expect(s2).toBeNull();
        else expect(s2).toBeCloseTo(s, 10);
      }),
    );
  });

  it("is null, not 0, on a constant column", () => {
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(spearman([1, 2, 3], [5, 5, 5])).toBeNull();
    expect(pearson([1], [2])).toBeNull();
  });

  it("matches known values", () => {
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(0.7745966692414834, 12);
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(0.9486832980505138, 12);
  });
});

describe("wilson", () => {
  it("contains the estimate, stays in [0, 1] and narrows with n", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const k = Math.round(f * n);
        const [lo, hi] = wilson(k, n)!;
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(hi).toBeLessThanOrEqual(1);
        expect(lo).toBeLessThanOrEqual(k / n + 1e-12);
        expect(hi).toBeGreaterThanOrEqual(k / n - 1e-12);
        const [lo4, hi4] = wilson(4 * k, 4 * n)!;
        expect(hi4 - lo4).toBeLessThanOrEqual(hi - lo + 1e-12);
      }),
    );
  });

  it("matches the textbook value for 8 of 10 ([0.4902, 0.9433])", () => {
    const [lo, hi] = wilson(8, 10)!;
    expect(lo).toBeCloseTo(0.4901625, 6);
    expect(hi).toBeCloseTo(0.9433178, 6);
    expect(wilson(0, 0)).toBeNull();
  });
});

describe("binary metrics", () => {
  it("count every row once and follow the definitions", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 60 }), (ps) => {
        const c = confusion(
          ps.map((p) => p[0]),
          ps.map((p) => p[1]),
        );
        const m = binaryMetrics(c);
        expect(c.tp + c.fp + c.tn + c.fn).toBe(ps.length);
        expect(m.accuracy.value).toBe(ps.length ? ps.filter((p) => p[0] === p[1]).length / ps.length : null);
        const predPos = ps.filter((p) => p[0]);
        expect(m.precision.value).toBe(
          predPos.length ? predPos.filter((p) => p[1]).length / predPos.length : null,
        );
        const pos = ps.filter((p) => p[1]);
        expect(m.recall.value).toBe(pos.length ? pos.filter((p) => p[0]).length / pos.length : null);
        const neg = ps.filter((p) => !p[1]);
        expect(m.specificity.value).toBe(neg.length ? neg.filter((p) => !p[0]).length / neg.length : null);
        if (m.f1 !== null) {
          const p = m.precision.value!;
          const r = m.recall.value!;
          expect(m.f1).toBeCloseTo(2 / (1 / p + 1 / r), 12);
        }
      }),
    );
  });
});

describe("pairwise accuracy", () => {
  it("counts a tie as half a win", () => {
    const m = pairwiseAccuracy([1, 0.5, 0, 1], [0, 0.5, 1, 0.2]);
    expect([m.wins, m.ties, m.losses]).toEqual([2, 1, 1]);
    expect(m.accuracy.value).toBe(2.5 / 4);
  });
  it("is symmetric: swapping chosen and rejected gives 1 - accuracy", () => {
    fc.assert(
      fc.property(pairs(1, 30), (ps) => {
        const a = pairwiseAccuracy(
          ps.map((p) => p[0]),
          ps.map((p) => p[1]),
        );
        const b = pairwiseAccuracy(
          ps.map((p) => p[1]),
          ps.map((p) => p[0]),
        );
        expect(a.accuracy.value! + b.accuracy.value!).toBeCloseTo(1, 12);
      }),
    );
  });
});

describe("mcnemar", () => {
  it("the exact p-value equals the direct binomial sum", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), (b, c) => {
        expect(mcnemar(b, c).p_exact).toBeCloseTo(binomTwoSided(b, c), 10);
      }),
    );
  });
  it("matches known values (b=10, c=2: exact 0.0386, chi2 4.0833 p 0.0433)", () => {
    const m = mcnemar(10, 2);
    expect(m.p_exact).toBeCloseTo(0.03857421875, 10);
    expect(m.chi2).toBeCloseTo(49 / 12, 10);
    expect(m.p_chi2).toBeCloseTo(0.04330814, 6);
    expect(mcnemar(0, 0).p_exact).toBe(1);
    // b = c: no evidence either way; the p-values are 1, never above.
    expect(mcnemar(1, 1)).toMatchObject({ p_exact: 1, chi2: 0, p_chi2: 1 });
  });
  it("erfc keeps relative precision in the tail", () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(5) / 1.5374597944280349e-12).toBeCloseTo(1, 5);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 7);
  });
  it("mae is the mean absolute difference", () => {
    expect(mae([1, 2, 3], [2, 2, 1])).toBe(1);
    expect(mae([], [])).toBeNull();
  });
});
