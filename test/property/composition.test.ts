/**
 * Composition laws, checked with fast-check over random reward trees. Leaves are the `value` test
 * verifier (its reward is read from the sample) so the laws can be checked exactly; a second group uses
 * the real format and text verifiers on random completions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadReward, type Result } from "../../src/index.js";
import { testRegistry } from "../helpers.js";

const registry = testRegistry();
const RUNS = Number(process.env.FC_RUNS ?? 150);

type Leaf = { key: string; lo: number; hi: number };
type Spec = Record<string, unknown>;

/** Random spec trees over value leaves; returns the spec and its leaves (keys k0, k1, ... in tree order). */
function treeArb(maxDepth = 4): fc.Arbitrary<{ spec: Spec; leaves: Leaf[] }> {
  const leaf = fc
    .tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 4 }))
    .map(([lo, width]) => ({ type: "value", lo, hi: lo + width }) as Spec);
  const policy = fc.constantFrom("skip", "propagate", 0, 1);
  const dbl = (min: number, max: number) => fc.double({ min, max, noNaN: true });
  const node = (depth: number): fc.Arbitrary<Spec> => {
    if (depth >= maxDepth) return leaf;
    const kids = fc.array(node(depth + 1), { minLength: 1, maxLength: 3 });
    return fc.oneof(
      { weight: 3, arbitrary: leaf },
      {
        weight: 2,
        arbitrary: fc
          .tuple(kids, fc.array(dbl(-2, 2), { minLength: 3, maxLength: 3 }), fc.boolean(), policy)
          .map(([ks, ws, normalize, on_abstain]) => ({
            type: "weighted",
            normalize,
            on_abstain,
            terms: ks.map((k, i) => ({ ...k, weight: ws[i] === 0 ? 0.5 : ws[i] })),
          })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom("min", "max", "product"), kids, policy)
          .map(([type, ks, on_error]) => ({ type, on_error, terms: ks })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(node(depth + 1), node(depth + 1), dbl(-1, 2), fc.oneof(dbl(-1, 1), fc.constant("abstain")))
          .map(([condition, term, threshold, otherwise]) => ({
            type: "gate",
            condition,
            term,
            threshold,
            otherwise,
          })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(kids, dbl(-1, 2), fc.option(dbl(-1, 1), { nil: undefined }))
          .map(([steps, threshold, fail_value]) => ({
            type: "sequence",
            steps,
            threshold,
            ...(fail_value === undefined ? {} : { fail_value }),
          })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(node(depth + 1), dbl(-2, 2), dbl(-2, 2))
          .map(([term, scale, offset]) => ({ type: "affine", scale, offset, term })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(node(depth + 1), dbl(-2, 0), dbl(0, 2))
          .map(([term, min, max]) => ({ type: "clip", min, max, term })),
      },
    );
  };
  return node(0).map((spec) => {
    // Name the leaves after generation, so every leaf has its own key whatever the shrinker does.
    const copy = structuredClone(spec);
    const leaves: Leaf[] = [];
    const walk = (n: Spec) => {
      if (n.type === "value") {
        const key = `k${leaves.length}`;
        n.key = key;
        n.name = key;
        leaves.push({ key, lo: n.lo as number, hi: n.hi as number });
        return;
      }
      for (const v of Object.values(n)) {
        if (Array.isArray(v)) {
          for (const c of v) if (c && typeof c === "object") walk(c as Spec);
        } else if (v && typeof v === "object") walk(v as Spec);
      }
    };
    walk(copy);
    return { spec: copy, leaves };
  });
}

/** Values for the leaves: mostly numbers within each leaf's range, sometimes abstain or error. */
function valuesArb(leaves: Leaf[]): fc.Arbitrary<Record<string, number | string>> {
  return fc
    .tuple(
      ...leaves.map((l) =>
        fc.oneof(
          { weight: 8, arbitrary: fc.double({ min: l.lo, max: l.hi, noNaN: true }) },
          { weight: 1, arbitrary: fc.constant("abstain") },
          { weight: 1, arbitrary: fc.constant("error") },
        ),
      ),
    )
    .map((vs) => Object.fromEntries(leaves.map((l, i) => [l.key, vs[i]!])));
}

const caseArb = treeArb().chain(({ spec, leaves }) => valuesArb(leaves).map((v) => ({ spec, v })));

/** A result without timings, for equality. */
function strip(r: Result): unknown {
  return JSON.parse(JSON.stringify(r, (k, v) => (k === "ms" ? undefined : v)));
}

describe("composition laws", () => {
  it("every result is ok within the declared range, abstain or error; never NaN", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ spec, v }) => {
        const reward = loadReward(spec, { registry });
        const r = await reward.score({ completion: "", v });
        expect(["ok", "abstain", "error"]).toContain(r.status);
        if (r.status === "ok") {
          expect(Number.isFinite(r.reward)).toBe(true);
          const [lo, hi] = reward.range;
          expect(r.reward!).toBeGreaterThanOrEqual(lo - 1e-9);
          expect(r.reward!).toBeLessThanOrEqual(hi + 1e-9);
        } else {
          expect(r.reward).toBeNull();
          if (r.status === "error") expect(r.error?.kind).toBeTruthy();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("is deterministic, and a batch scores the same as its samples one by one", async () => {
    await fc.assert(
      fc.asyncProperty(
        treeArb().chain(({ spec, leaves }) =>
          fc.tuple(fc.constant(spec), fc.array(valuesArb(leaves), { minLength: 1, maxLength: 6 })),
        ),
        async ([spec, vs]) => {
          const reward = loadReward(spec, { registry });
          const samples = vs.map((v) => ({ completion: "", v }));
          const batch = await reward.scoreBatch(samples, { concurrency: 3 });
          for (let i = 0; i < samples.length; i++) {
            expect(strip(batch[i]!)).toEqual(strip(await reward.score(samples[i])));
            expect(strip(batch[i]!)).toEqual(strip(await reward.score(samples[i])));
          }
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it("a spec survives a JSON round trip with identical scores", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ spec, v }) => {
        const a = await loadReward(spec, { registry }).score({ completion: "", v });
        const b = await loadReward(JSON.parse(JSON.stringify(spec)), { registry }).score({
          completion: "",
          v,
        });
        expect(strip(b)).toEqual(strip(a));
      }),
      { numRuns: RUNS },
    );
  });

  it("a weight-0 term changes nothing, whatever it returns", async () => {
    await fc.assert(
      fc.asyncProperty(
        caseArb,
        fc.constantFrom<number | string>(0, 1, -5, "abstain"),
        fc.boolean(),
        async ({ spec, v }, extra, normalize) => {
          const base = { type: "weighted", normalize, terms: [{ ...spec, weight: 1 }] };
          const withZero = {
            ...base,
            terms: [...base.terms, { type: "value", key: "zz", name: "zz", weight: 0, lo: -5, hi: 1 }],
          };
          const a = await loadReward(base, { registry }).score({ completion: "", v });
          const b = await loadReward(withZero, { registry }).score({
            completion: "",
            v: { ...v, zz: extra },
          });
          expect(b.status).toBe(a.status);
          if (a.status === "ok") expect(b.reward).toBeCloseTo(a.reward!, 12);
          expect(b.components?.zz).toBeDefined();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("min <= weighted mean <= max for non-negative normalised weights", async () => {
    const arb = fc.array(
      fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.01, max: 5, noNaN: true })),
      {
        minLength: 1,
        maxLength: 8,
      },
    );
    await fc.assert(
      fc.asyncProperty(arb, async (pairs) => {
        const terms = pairs.map((_, i) => ({
          type: "value",
          key: `k${i}`,
          name: `k${i}`,
          weight: pairs[i]![1],
        }));
        const v = Object.fromEntries(pairs.map(([x], i) => [`k${i}`, x]));
        const mean = (
          await loadReward({ type: "weighted", normalize: true, terms }, { registry }).score({
            completion: "",
            v,
          })
        ).reward!;
        const plain = terms.map(({ weight: _w, ...t }) => t);
        const mn = (
          await loadReward({ type: "min", terms: plain }, { registry }).score({ completion: "", v })
        ).reward!;
        const mx = (
          await loadReward({ type: "max", terms: plain }, { registry }).score({ completion: "", v })
        ).reward!;
        expect(mean).toBeGreaterThanOrEqual(mn - 1e-12);
        expect(mean).toBeLessThanOrEqual(mx + 1e-12);
      }),
      { numRuns: RUNS },
    );
  });

  it("a gate below its threshold gives exactly its fixed value", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (cond, threshold, otherwise, body) => {
          const spec = {
            type: "gate",
            threshold,
            otherwise,
            condition: { type: "value", key: "c" },
            term: { type: "value", key: "b" },
          };
          const r = await loadReward(spec, { registry }).score({ completion: "", v: { c: cond, b: body } });
          if (cond < threshold) {
            expect(r.reward).toBe(otherwise === 0 ? 0 : otherwise);
            expect(r.reward!).toBeLessThanOrEqual(otherwise);
          } else expect(r.reward).toBe(body);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("formula equals the hand computation", async () => {
    const exprs: [string, (a: number, b: number, c: number) => number][] = [
      ["a + b * c", (a, b, c) => a + b * c],
      ["(a - b) / (1 + c^2)", (a, b, c) => (a - b) / (1 + c ** 2)],
      [
        "min(a, b, c) + max(a, b) * abs(c - 0.5)",
        (a, b, c) => Math.min(a, b, c) + Math.max(a, b) * Math.abs(c - 0.5),
      ],
      [
        "sqrt(a) + exp(-b) - log(1 + c) + floor(3*a) - ceil(2*b)",
        (a, b, c) => Math.sqrt(a) + Math.exp(-b) - Math.log(1 + c) + Math.floor(3 * a) - Math.ceil(2 * b),
      ],
      ["-a^2 + 2^b^c", (a, b, c) => -(a ** 2) + 2 ** (b ** c)],
    ];
    const unit = () => fc.double({ min: 0, max: 1, noNaN: true });
    const v3 = fc.tuple(unit(), unit(), unit());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...exprs), v3, async ([expr, f], [a, b, c]) => {
        const spec = {
          type: "formula",
          expr,
          terms: {
            a: { type: "value", key: "a" },
            b: { type: "value", key: "b" },
            c: { type: "value", key: "c" },
          },
        };
        const r = await loadReward(spec, { registry }).score({ completion: "", v: { a, b, c } });
        expect(r.status).toBe("ok");
        expect(r.reward).toBeCloseTo(f(a, b, c), 10);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("real verifiers on random completions", () => {
  const spec = {
    type: "weighted",
    normalize: true,
    terms: [
      { type: "think_answer", name: "format", weight: 0.3 },
      {
        type: "gate",
        name: "answer",
        weight: 0.5,
        condition: { type: "regex", pattern: "<answer>", name: "has_answer" },
        term: {
          type: "max",
          terms: [
            { type: "contains", input: "{{completion|tag:answer}}" },
            { type: "token_f1", input: "{{completion|tag:answer}}" },
          ],
        },
      },
      { type: "length", name: "short", unit: "words", max: 20, ramp: 20, weight: 0.2 },
      { type: "multiple_choice", name: "mc", weight: 0, reference: "{{choice}}" },
    ],
  };
  const piece = fc.oneof(
    fc.constantFrom(
      "<think>",
      "</think>",
      "<answer>",
      "</answer>",
      " ",
      "\n",
      "Paris",
      "paris",
      "The answer is B",
      "\\boxed{C}",
      "42",
    ),
    fc.string({ maxLength: 12 }),
  );
  const sampleArb = fc.record({
    completion: fc.array(piece, { maxLength: 20 }).map((xs) => xs.join("")),
    reference: fc.constantFrom("Paris", "42", "B"),
    choice: fc.constantFrom("A", "B", "C"),
  });

  it("stay within [0, 1], are deterministic, and batch equals one by one", async () => {
    const reward = loadReward(spec);
    expect(reward.range).toEqual([0, 1]);
    await fc.assert(
      fc.asyncProperty(fc.array(sampleArb, { minLength: 1, maxLength: 8 }), async (samples) => {
        const batch = await reward.scoreBatch(samples);
        for (let i = 0; i < samples.length; i++) {
          const one = await reward.score(samples[i]);
          expect(one.status).toBe("ok");
          expect(one.reward!).toBeGreaterThanOrEqual(0);
          expect(one.reward!).toBeLessThanOrEqual(1);
          expect(strip(batch[i]!)).toEqual(strip(one));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
