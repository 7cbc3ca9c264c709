import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  advantages,
  exactEquivalence,
  kimiLengthReward,
  loadReward,
  normalizedEquivalence,
  passAtK,
  registerEquivalence,
  vote,
} from "../../src/index.js";

const spec = { type: "exact", input: "{{completion|tag:answer}}" };
const row = (id: string, ans: string, ref = "4") => ({
  prompt_id: id,
  completion: `<answer>${ans}</answer>`,
  reference: ref,
});

describe("group statistics", () => {
  it("a vote that fails fails its own group's vote only, with the reason, and no other group's", async () => {
    registerEquivalence("fails-on-boom", {
      classify: async (answers) => {
        if (answers.includes("boom")) throw new Error("equivalence timed out");
        return answers.map((a) => (a === null ? null : Number(a)));
      },
    });
    const samples = [row("p", "4"), row("p", "4"), row("q", "boom"), row("q", "7")];
    const { results, groups } = await loadReward(spec).scoreGroups(samples, {
      by: "prompt_id",
      vote: { input: "{{completion|tag:answer}}", equivalence: "fails-on-boom" },
    });
    const byKey = Object.fromEntries(groups.map((g) => [g.key, g]));
    expect(byKey.p?.majority).toMatchObject({ answer: "4", votes: 2, consensus: 1 });
    expect(byKey.q?.majority?.error).toMatch(/equivalence timed out/);
    expect(results[2]!.group?.vote?.error).toMatch(/could not be taken/);
    expect(results[0]!.group?.vote?.agrees).toBe(true);
    // The rest of the failed group's statistics are still there.
    expect(byKey.q?.size).toBe(2);
    expect(results[3]!.group?.advantage).not.toBeNull();
  });

  it("computes GRPO advantages, pass rates, pass@k and best-of-N per prompt", async () => {
    const samples = [
      row("p", "4"),
      row("q", "7", "7"),
      row("p", "5"),
      row("p", "4"),
      row("p", "6"),
      row("q", "7", "7"),
    ];
    const { results, groups } = await loadReward(spec).scoreGroups(samples, {
      by: "prompt_id",
      pass_at_k: [1, 2, 4],
    });
    const p = results.filter((_, i) => samples[i]!.prompt_id === "p").map((r) => r.group!);
    expect(p.map((g) => g.advantage!.toFixed(4))).toEqual(["0.8660", "-0.8660", "0.8660", "-0.8660"]);
    expect(p[0]!.pass_rate).toBe(0.5);
    expect(p[0]!.pass_at_k["1"]).toBeCloseTo(0.5);
    expect(p[0]!.pass_at_k["2"]).toBeCloseTo(1 - 1 / 6);
    expect(p[0]!.pass_at_k["4"]).toBe(1);
    expect(p.map((g) => g.best)).toEqual([true, false, false, false]);
    const q = groups.find((g) => g.key === "q")!;
    expect(q).toMatchObject({ size: 2, zero_variance: true, all_pass: true, all_fail: false, pass_rate: 1 });
    expect(results[1]!.group!.advantage).toBe(0);
  });

  it("gives no advantage to results that are not ok, and leaves them out of the statistics", async () => {
    const samples = [row("p", "4"), { prompt_id: "p", completion: "<answer>4</answer>" }, row("p", "1")];
    const { results, groups } = await loadReward(spec).scoreGroups(samples, { by: "prompt_id" });
    expect(results[1]!.status).toBe("error");
    expect(results[1]!.group!.advantage).toBeNull();
    expect(groups[0]).toMatchObject({ size: 3, scored: 2, pass_rate: 0.5 });
  });

  it("refuses to group a sample without the key", async () => {
    const { results } = await loadReward(spec).scoreGroups(
      [{ completion: "<answer>4</answer>", reference: "4" }],
      { by: "prompt_id" },
    );
    expect(results[0]!.status).toBe("error");
    expect(results[0]!.error?.message).toMatch(/cannot group/);
  });

  it("votes by equivalence class and reports consensus", async () => {
    const samples = ["Paris", "paris ", "Lyon", "PARIS.", "Nice"].map((a) => row("p", a, "Paris"));
    const { results, groups } = await loadReward(spec).scoreGroups(samples, {
      by: "prompt_id",
      vote: { input: "{{completion|tag:answer}}", equivalence: "normalized" },
    });
    expect(groups[0]!.majority).toMatchObject({ votes: 3, consensus: 0.6 });
    expect(results.map((r) => r.group!.vote!.agrees)).toEqual([true, true, false, true, false]);
  });

  it("applies the Kimi 1.5 group length reward", async () => {
    const samples = [row("p", "4"), row("p", "4 4 4 4 4 4"), row("p", "5 5 5")];
    const { results } = await loadReward(spec).scoreGroups(samples, {
      by: "prompt_id",
      pass_threshold: 1,
      length_reward: { weight: 1, unit: "chars" },
    });
    // Lengths 18, 28, 22: lambda 0.5, -0.5, 0.1; only the first is correct, so the others get min(0, lambda).
    expect(results.map((r) => r.group!.length_reward)).toEqual([0.5, -0.5, 0]);
    expect(results.map((r) => r.reward)).toEqual([1.5, -0.5, 0]);
  });

  it("refuses bad group options before scoring, naming each option", async () => {
    const r = loadReward(spec);
    await expect(
      r.scoreGroups([row("p", "4")], { by: "{{prompt_id|bogus}}", vote: { equivalence: "bogus" } }),
    ).rejects.toThrow(
      /group\.by: unknown template filter 'bogus'[\s\S]*group\.vote\.equivalence: unknown equivalence 'bogus'/,
    );
    await expect(
      r.scoreGroups([row("p", "4")], { by: "prompt_id", length_reward: { weight: 1, length: "{{n|nope}}" } }),
    ).rejects.toThrow(/group\.length_reward\.length/);
  });

  it("a sample whose group length cannot be read is an error of its own, not of the batch", async () => {
    const samples = [{ ...row("p", "4"), ntok: 10 }, row("p", "4"), { ...row("p", "5"), ntok: 30 }];
    const { results } = await loadReward(spec).scoreGroups(samples, {
      by: "prompt_id",
      length_reward: { weight: 1, length: "{{ntok}}" },
    });
    expect(results.map((r) => r.status)).toEqual(["ok", "error", "ok"]);
    expect(results[1]!.error).toMatchObject({
      kind: "invalid_input",
      message: expect.stringMatching(/ntok/),
    });
    expect(results[1]!.group!.advantage).toBeNull();
    expect(results.map((r) => r.group!.length_reward)).toEqual([0.5, undefined, -0.5]);
  });

  it("GDPO refuses a component weight naming no top-level component (it would weigh nothing)", async () => {
    const gspec = {
      type: "weighted",
      terms: [
        { type: "regex", name: "fmt", pattern: "^<answer>" },
        { type: "exact", name: "acc", input: "{{completion|tag:answer}}" },
      ],
    };
    await expect(
      loadReward(gspec).scoreGroups([row("p", "4")], {
        by: "prompt_id",
        aggregate: "gdpo",
        component_weights: { acc: 2, fromat: 1 },
      }),
    ).rejects.toThrow(
      /group\.component_weights\.fromat: no top-level component 'fromat' \(components: fmt, acc\)/,
    );
    const { results } = await loadReward(gspec).scoreGroups([row("p", "4"), row("p", "5")], {
      by: "prompt_id",
      aggregate: "gdpo",
      component_weights: { acc: 2 },
    });
    expect(results[0]!.group!.advantage).toBeGreaterThan(0);
  });

  it("GDPO normalises each component within the group before summing", async () => {
    const gspec = {
      type: "weighted",
      terms: [
        { type: "regex", name: "fmt", pattern: "^<answer>" },
        { type: "exact", name: "acc", input: "{{completion|tag:answer}}" },
      ],
    };
    const samples = [row("p", "4"), row("p", "5"), { prompt_id: "p", completion: "4", reference: "4" }];
    const { results } = await loadReward(gspec).scoreGroups(samples, { by: "prompt_id", aggregate: "gdpo" });
    const adv = results.map((r) => r.group!.advantage!);
    expect(adv.reduce((a, b) => a + b, 0)).toBeCloseTo(0);
    // The first sample is best on both components.
    expect(adv[0]!).toBeGreaterThan(adv[1]!);
    expect(adv[0]!).toBeGreaterThan(adv[2]!);
  });
});

describe("statistics functions", () => {
  it("advantage modes", () => {
    const rs = [1, 0, 0, 1];
    expect(advantages(rs, { mode: "dr_grpo", stdFloor: 0, std: "sample" }).adv).toEqual([
      0.5, -0.5, -0.5, 0.5,
    ]);
    expect(
      advantages(rs, { mode: "rloo", stdFloor: 0, std: "sample" }).adv.map((x) => +x.toFixed(4)),
    ).toEqual([0.6667, -0.6667, -0.6667, 0.6667]);
    expect(advantages([1, 1, 1], { mode: "grpo", stdFloor: 1e-6, std: "sample" }).adv).toEqual([0, 0, 0]);
  });

  it("pass@k matches the unbiased estimator", () => {
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3);
    expect(passAtK(10, 0, 5)).toBe(0);
    expect(passAtK(10, 8, 3)).toBe(1);
    expect(passAtK(5, 2, 6)).toBeNull();
    // 1 - C(7,3)/C(10,3) = 1 - 35/120
    expect(passAtK(10, 3, 3)).toBeCloseTo(1 - 35 / 120);
  });

  it("Kimi length reward", () => {
    expect(kimiLengthReward([10, 20, 30], [true, true, false])).toEqual([0.5, 0, -0.5]);
    expect(kimiLengthReward([10, 10], [true, false])).toEqual([0, 0]);
  });

  it("vote breaks ties by the smallest representative", async () => {
    const v = await vote(["b", "a", null, "b", "a"], normalizedEquivalence);
    expect(v.classes[v.majority!]!.answer).toBe("a");
    expect(v.classOf[2]).toBeNull();
  });

  it("exact and normalized votes group by key and give the pairwise vote's result", async () => {
    const answer = fc.option(
      fc.constantFrom("4", " 4", "4.", "Four", "four ", "FOUR", "x", "X", "ｘ", "a  b", "a b", ""),
      {
        nil: null,
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { maxLength: 30 }), async (answers) => {
        for (const eq of [exactEquivalence, normalizedEquivalence]) {
          const pairwise = (a: string, b: string) => eq(a, b);
          expect(await vote(answers, eq)).toEqual(await vote(answers, pairwise));
        }
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});

describe("majority vote by mathematical equivalence", () => {
  it("puts 0.5, 1/2 and \\frac12 in one class, through the worker pool", async () => {
    const finals = [
      "\\boxed{0.5}",
      "so it is \\boxed{\\frac12}",
      "The answer is 1/2.",
      "\\boxed{2}",
      "\\boxed{\\dfrac{4}{2}}",
      "no idea",
    ];
    const samples = finals.map((f) => ({ prompt_id: "p", completion: `Work... ${f}`, reference: "1/2" }));
    const { results, groups } = await loadReward({ type: "math" }).scoreGroups(samples, {
      by: "prompt_id",
      vote: { equivalence: "math" },
    });
    expect(groups[0]!.majority).toMatchObject({ votes: 3, consensus: 0.5 });
    expect(results.map((r) => r.group!.vote!.agrees)).toEqual([true, true, true, false, false, false]);
    // 1/2, 2, and the prose answer "no idea" (a text answer is a class of its own).
    expect(results[3]!.group!.vote!.classes).toBe(3);
    expect(results.map((r) => r.reward)).toEqual([1, 1, 1, 0, 0, 0]);
  });
});

describe("advantages of a zero-variance group", () => {
  for (const mode of ["grpo", "dr_grpo", "rloo", "none"] as const) {
    it(`${mode}: exactly 0 for every member, whatever the shared reward`, () => {
      for (const r of [0.1, 0.7, 1 / 3, 0.3 + 0.6, 1e-9, -0.2]) {
        for (const n of [2, 3, 7, 16, 64]) {
          const { adv, baseline } = advantages(Array(n).fill(r), { mode, stdFloor: 1e-6, std: "sample" });
          expect(adv.every((a) => Object.is(a, 0))).toBe(true);
          expect(baseline.every((b) => b === r)).toBe(true);
        }
      }
    });
  }
  it("a group with spread still gets non-zero advantages that sum to 0", () => {
    const { adv } = advantages([0.1, 0.1, 0.1, 0.2], { mode: "grpo", stdFloor: 1e-6, std: "sample" });
    expect(adv[3]).toBeGreaterThan(1);
    expect(Math.abs(adv.reduce((a, b) => a + b, 0))).toBeLessThan(1e-12);
  });
});
