/**
 * Majority-vote classes: groupEquivalent compares an exact number only with the classes it can equal
 * (same value, percent scalings, nearby decimals, zero, non-numbers). It must give exactly the classes
 * of the exhaustive algorithm (every new answer against every class, in order), which is kept here as
 * the reference, on mixes of answers chosen to sit on the edges: percents, written precision, zero,
 * scientific notation, degrees, units, expressions equal to numbers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answerKey, groupEquivalent, type MathOptions, mathEqual } from "../../src/verifiers/math/index.js";

function exhaustive(answers: readonly string[], options: Partial<MathOptions> = {}): number[][] {
  const classes: number[][] = [];
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < answers.length; i++) {
    const key = answerKey(answers[i]!, options);
    const hit = byKey.get(key);
    if (hit) {
      hit.push(i);
      continue;
    }
    const cls = classes.find((c) => mathEqual(answers[i]!, answers[c[0]!]!, options) === true);
    if (cls) cls.push(i);
    else {
      const c = [i];
      classes.push(c);
      byKey.set(key, c);
    }
  }
  return classes;
}

const POOL = [
  "0",
  "0.0",
  "0.00",
  "-0",
  "0.01",
  "0.001",
  "0.04",
  "0.05",
  "1",
  "1.0",
  "0.999",
  "1.04",
  "0.95",
  "2",
  "7",
  "50",
  "50%",
  "0.5",
  ".5",
  "0.50",
  "\\frac{1}{2}",
  "5",
  "500",
  "5000",
  "0.005",
  "33.3%",
  "0.333",
  "0.33",
  "\\frac{1}{3}",
  "1/3",
  "33",
  "3.3",
  "1000",
  "1,000",
  "1e3",
  "1 \\times 10^3",
  "10^3",
  "2.5e-3",
  "0.0025",
  "\\frac{1}{400}",
  "0.25%",
  "25",
  "-0.5",
  "-50%",
  "-\\frac{1}{2}",
  "30",
  "30^\\circ",
  "\\pi/6",
  "0.5236",
  "\\sin^2 x + \\cos^2 x",
  "x+1",
  "1+x",
  "5 \\text{ cm}",
  "0.05 \\text{ m}",
  "0.05",
  "\\{1, 2\\}",
  "[0, 1]",
  "0 \\le x \\le 1",
  "abc",
  "\\sqrt{4}",
  "\\sqrt{2}",
  "1.414",
  "1.41",
  "3.14",
  "\\pi",
  "12.5%",
  "0.125",
  "\\frac{1}{8}",
  "1.5",
  "1,5",
  "3/2",
  "150%",
  "99.9",
  "100",
  "1%",
  "0.01%",
  "10^{-4}",
  "1e-4",
  "0.0001",
  // Rounding across a decade: a gold of 10.0 accepts 9.96.
  "9.96",
  "9.99",
  "10.0",
  "10",
  "0.0996",
  "0.10",
  "99.96",
  "100.0",
  "996%",
];

describe("groupEquivalent (vote classes)", () => {
  it("gives the classes of the exhaustive comparison", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...POOL), { minLength: 1, maxLength: 30 }), (answers) => {
        expect(groupEquivalent(answers)).toEqual(exhaustive(answers));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("gives the classes of the exhaustive comparison under other options", () => {
    const options: Partial<MathOptions>[] = [
      { goldPrecision: "exact" },
      { percent: "strip" },
      { percent: "divide" },
      { relTol: 0.1 },
      { absTol: 0.5 },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...options),
        fc.array(fc.constantFrom(...POOL), { minLength: 1, maxLength: 20 }),
        (o, answers) => {
          expect(groupEquivalent(answers, o)).toEqual(exhaustive(answers, o));
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });

  it("puts 4,096 distinct integers in 4,096 classes and equal numbers together", () => {
    const answers = Array.from({ length: 4096 }, (_, i) => String(i));
    expect(groupEquivalent(answers)).toHaveLength(4096);
    expect(groupEquivalent(["50%", "0.5", "\\frac{1}{2}", "7", "50"])).toEqual([[0, 1, 2, 4], [3]]);
  });
});

/** Decimals near each other and near round numbers, written to different precisions, as percents, with commas. */
const decimal = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(1, 9.96, 10, 99.9, 0.5, 1 / 3, Math.SQRT2, Math.PI, 12345, 0.0125),
      fc.integer({ min: -30, max: 30 }),
      fc.integer({ min: 0, max: 5 }),
      fc.constantFrom("", "", "", "%", "\\%"),
    )
    .map(([base, delta, digits, pct]) => `${(base * (1 + delta / 1000)).toFixed(digits)}${pct}`),
  fc
    .tuple(
      fc.integer({ min: 0, max: 2 }),
      fc.constantFrom(0, 5, 111, 125, 500),
      fc.constantFrom(",", ".", "{,}"),
    )
    .map(([a, b, sep]) => `${a}${sep}${String(b).padStart(3, "0")}`),
  fc.constantFrom("0,5", "0.5", "1,5", "1.5", "0,111", "12,345", "12.345", "12345"),
  fc
    .tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: -4, max: 4 }))
    .map(([m, e]) => `${(m / 10).toFixed(1)}e${e}`),
  fc.integer({ min: 1, max: 60 }).map((n) => `${n.toString(5)}_5`),
);

/** Expressions with equal rewrites, constants close to decimals, and functions that only agree somewhere. */
const expression = fc
  .tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom("x", "y", "t"),
    fc.integer({ min: 0, max: 17 }),
  )
  .map(([a, b, v, k]) => {
    const forms = [
      `${a}${v}+${b}`,
      `${b}+${a}${v}`,
      `${a}(${v}+${b})`,
      `${a}${v}+${a * b}`,
      `(${v}+${a})^2`,
      `${v}^2+${2 * a}${v}+${a * a}`,
      `\\frac{${a}${v}}{2}`,
      `${a}\\sin^2 ${v} + ${a}\\cos^2 ${v}`,
      `\\ln(${v}^{2})`,
      `2\\ln ${v}`,
      `\\sqrt{${v}^2}`,
      `|${v}|`,
      `\\sqrt{${a}}`,
      Math.sqrt(a).toFixed(3),
      `${a}\\pi`,
      (a * Math.PI).toFixed(2),
      `e^{${a}${v}}`,
      `${v}-${v}`,
    ];
    return forms[k]!;
  });

const others = fc.constantFrom(
  "\\{1, 2\\}",
  "[0, 1]",
  "x = 2",
  "30^\\circ",
  "\\pi/6",
  "5 \\text{ cm}",
  "abc",
  "0",
);

describe("bucketed votes agree with the pairwise vote", () => {
  it("on random mixes of decimals, percents, commas, expressions and answers without a value", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 3, arbitrary: decimal }, { weight: 3, arbitrary: expression }, others), {
          minLength: 1,
          maxLength: 40,
        }),
        (answers) => {
          expect(groupEquivalent(answers)).toEqual(exhaustive(answers));
        },
      ),
      { numRuns: 400, seed: 21 },
    );
  });

  it("under other options", () => {
    const options: Partial<MathOptions>[] = [
      { goldPrecision: "exact" },
      { percent: "strip" },
      { percent: "divide" },
      { partialDomain: false },
      { physicalConstants: true },
      { eulerE: false },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...options),
        fc.array(fc.oneof(decimal, expression, others), { minLength: 1, maxLength: 25 }),
        (o, answers) => {
          expect(groupEquivalent(answers, o)).toEqual(exhaustive(answers, o));
        },
      ),
      { numRuns: 200, seed: 23 },
    );
  });
});
