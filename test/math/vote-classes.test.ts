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
