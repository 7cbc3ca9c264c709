/**
 * Each law catches a deliberately broken spec, with a shrunk counterexample, and holds on a sound one.
 */
import { afterAll, describe, expect, it } from "vitest";
import { closeSharedPool } from "../../src/index.js";
import { brokenRegistry, check } from "./helpers.js";

afterAll(async () => {
  await closeSharedPool();
});

const registry = brokenRegistry();

/** R1-style seeds: right and wrong answers, with prompts. */
const SEEDS = [
  {
    id: 1,
    prompt: "What is 7 * 6?",
    completion: "<think>7 * 6 = 42</think>\n<answer>42</answer>",
    reference: "42",
  },
  {
    id: 2,
    prompt: "Capital of France?",
    completion: "<think>It is Paris.</think>\n<answer>Paris</answer>",
    reference: "paris",
  },
  {
    id: 3,
    prompt: "What is 7 * 6?",
    completion: "<think>7 * 6 = 43</think>\n<answer>43</answer>",
    reference: "42",
  },
  {
    id: 4,
    prompt: "Half of one?",
    completion: "<think>one over two</think>\n<answer>$\\boxed{\\frac{1}{2}}$</answer>",
    reference: "1/2",
  },
  {
    id: 6,
    prompt: "How many apples?",
    completion: "<think>count</think>\n<answer>42 apples</answer>",
    reference: "42",
  },
  {
    id: 5,
    prompt: "Sum?",
    completion: "We add:  1 + 1 = 2.\nSo the answer is $\\boxed{x = 2}$.",
    reference: "2",
  },
];

const leaf = (type: string) => ({ type });

describe("universal laws", () => {
  it("totality catches a verifier that crashes on some input, and holds for think_answer", async () => {
    const bad = await check("totality", leaf("lint_crashes"), SEEDS, { registry });
    expect(bad.status).toBe("fail");
    expect(bad.counterexample!.message).toMatch(/internal error \(a crash\)/);
    expect(JSON.stringify(bad.counterexample!.sample)).toContain("{");
    const good = await check("totality", { type: "think_answer" }, SEEDS, { registry });
    expect(good.status).toBe("pass");
  });

  it("totality catches a NaN reward", async () => {
    const bad = await check("totality", leaf("lint_nan"), SEEDS, { registry, runs: 200 });
    expect(bad.status).toBe("fail");
    expect(bad.counterexample!.message).toMatch(/non-finite/);
  });

  it("bounds catches a reward outside the declared range, and holds for the think-answer preset", async () => {
    const spec = {
      type: "weighted",
      terms: [
        { type: "lint_out_of_range", weight: 1 },
        { type: "think_answer", weight: 1 },
      ],
    };
    const bad = await check("bounds", spec, SEEDS, { registry });
    expect(bad.status).toBe("fail");
    expect(bad.counterexample!.message).toMatch(/outside its declared range/);
    expect((await check("bounds", "think-answer", SEEDS)).status).toBe("pass");
  });

  it("determinism catches a judge with shared mutable state, and holds for the math preset", async () => {
    const bad = await check("determinism", leaf("lint_stateful"), SEEDS, { registry });
    expect(bad.status).toBe("fail");
    expect(bad.counterexample!.results.map((r) => r.result.reward)).not.toEqual([1, 1]);
    expect((await check("determinism", "math", SEEDS)).status).toBe("pass");
  });

  it("zero_weight catches a term whose result depends on its siblings, and holds for think-answer", async () => {
    const spec = {
      type: "weighted",
      terms: [
        { type: "lint_stateful", weight: 1 },
        { type: "think_answer", weight: 1 },
      ],
    };
    const bad = await check(
      "zero_weight",
      spec,
      SEEDS.map((s) => ({ ...s, id: `z${s.id}` })),
      { registry },
    );
    expect(bad.status).toBe("fail");
    expect(bad.counterexample!.change).toMatch(/weight 0/);
    expect((await check("zero_weight", "think-answer", SEEDS)).status).toBe("pass");
  });

  it("permutation catches order-dependent terms, holds for weighted/min/max/product over sound terms", async () => {
    const bad = await check(
      "permutation",
      {
        type: "weighted",
        terms: [
          { type: "lint_stateful", name: "a", weight: 0.3 },
          { type: "lint_stateful", name: "b", weight: 0.7 },
        ],
      },
      SEEDS.map((s) => ({ ...s, id: `p${s.id}` })),
      { registry },
    );
    expect(bad.status).toBe("fail");
    const sound = {
      type: "min",
      terms: [
        {
          type: "max",
          terms: [{ type: "think_answer" }, { type: "exact", input: "{{completion|tag:answer}}" }],
        },
        {
          type: "product",
          terms: [
            { type: "length", max: 200 },
            { type: "think_answer", name: "f2" },
          ],
        },
        {
          type: "weighted",
          terms: [
            { type: "math", weight: 2 },
            { type: "length", max: 100, name: "l2", weight: 0.5 },
          ],
        },
      ],
    };
    expect((await check("permutation", sound, SEEDS)).status).toBe("pass");
  });

  it("spec_round_trip catches a spec object that JSON cannot carry (Infinity), and holds for presets", async () => {
    const bad = await check(
      "spec_round_trip",
      { type: "clip", max: Number.POSITIVE_INFINITY, term: { type: "think_answer" } },
      SEEDS,
    );
    expect(bad.status).toBe("fail");
    expect(bad.counterexample!.message).toMatch(/no longer loads/);
    expect((await check("spec_round_trip", "think-answer", SEEDS)).status).toBe("pass");
    // Formula terms and rubric judges are named by object keys, whose order a round trip may change.
    const formula = {
      type: "formula",
      expr: "0.2 * f + 0.8 * a",
      terms: { f: { type: "think_answer" }, a: { type: "exact", input: "{{completion|tag:answer}}" } },
    };
    expect((await check("spec_round_trip", formula, SEEDS, { runs: 30 })).status).toBe("pass");
    const rubric = "fixtures/rubrics/capital-answer.json";
    expect((await check("spec_round_trip", rubric, SEEDS, { runs: 30 })).status).toBe("pass");
  });
});

describe("declared laws", () => {
  const cases: [string, string, string][] = [
    ["invariance.whitespace", "lint_ws", "think-answer"],
    ["invariance.line_endings", "lint_le", "think-answer"],
    ["invariance.unicode", "lint_uni", "think-answer"],
    ["invariance.latex_spacing", "lint_latex", "math"],
    ["invariance.answer_rewrites", "lint_rewrite", "math"],
  ];
  for (const [name, broken, sound] of cases) {
    it(`${name} catches a verifier that declares it and does not keep it, and holds for ${sound}`, async () => {
      const bad = await check(name, leaf(broken), SEEDS, { registry, runs: 100 });
      expect(bad.status).toBe("fail");
      expect(bad.counterexample!.results).toHaveLength(2);
      const good = await check(name, sound, SEEDS, { runs: 100 });
      expect(good.status).toBe("pass");
    });
  }

  it("a law nobody declares does not apply: line endings on the math preset", async () => {
    const c = await check("invariance.line_endings", "math", SEEDS);
    expect(c.status).toBe("n/a");
  });

  it("sensitivity catches a verifier that ignores the answer, and holds for exact and math", async () => {
    const bad = await check("sensitivity", leaf("lint_insensitive"), SEEDS, { registry });
    expect(bad.status).toBe("fail");
    expect(bad.counterexample!.change).toMatch(/changed to/);
    expect((await check("sensitivity", "think-answer", SEEDS)).status).toBe("pass");
    expect((await check("sensitivity", "math", SEEDS)).status).toBe("pass");
  });

  it("monotonicity catches a length reward that grows while declared nonincreasing; holds for overlong and cosine_length", async () => {
    const bad = await check("monotonicity", leaf("lint_growing"), SEEDS, { registry });
    expect(bad.status).toBe("fail");
    const shaped = {
      type: "weighted",
      terms: [
        { type: "overlong", max_length: 400, buffer: 200, weight: 1 },
        {
          type: "cosine_length",
          max_length: 500,
          correct: { type: "exact", input: "{{completion|tag:answer}}" },
          weight: 1,
        },
        { type: "length", unit: "words", max: 60, ramp: 40, weight: 1 },
      ],
    };
    expect((await check("monotonicity", shaped, SEEDS, { runs: 150 })).status).toBe("pass");
  });

  it("symmetry catches a comparison that is not symmetric, and holds for exact", async () => {
    const bad = await check("symmetry", leaf("lint_lopsided"), SEEDS, { registry });
    expect(bad.status).toBe("fail");
    const good = await check("symmetry", { type: "exact", input: "{{completion|tag:answer}}" }, SEEDS);
    expect(good.status).toBe("pass");
  });
});
