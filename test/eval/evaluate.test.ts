/**
 * reward.evaluate on real specs and rows: the metrics are recomputed here by hand from the per-row
 * results, not copied from the implementation.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EvalInputError, loadReward } from "../../src/index.js";

const ROOT = new URL("../../", import.meta.url);
const read = (p: string) =>
  readFileSync(new URL(p, ROOT), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const exactSpec = { type: "exact", name: "exact", ignore_case: true };

describe("binary labels", () => {
  const rows = [
    { completion: "4", reference: "4", label: 1, cat: "a" },
    { completion: "5", reference: "4", label: 0, cat: "a" },
    { completion: "5", reference: "4", label: 1, cat: "b" }, // a false negative
    { completion: "4", reference: "4", label: 0, cat: "b" }, // a false positive
    { completion: "x", reference: "4", label: true, cat: "b" },
    { completion: "x", label: false, cat: "b" }, // no reference: an error, counted apart
  ];

  it("computes the confusion matrix on ok rows and counts the rest apart", async () => {
    const r = await loadReward(exactSpec).evaluate(rows, { label: "label", by: "cat" });
    expect(r.mode).toBe("binary");
    expect(r.status.ok).toBe(5);
    expect(r.status.ok + r.status.abstain + r.status.error).toBe(6);
    expect(r.binary!.confusion).toEqual({ tp: 1, fp: 1, tn: 1, fn: 2 });
    expect(r.binary!.not_ok_by_label).toEqual({ positive: 0, negative: 1 });
    expect(r.binary!.accuracy.value).toBe(2 / 5);
    expect(r.binary!.precision.value).toBe(1 / 2);
    expect(r.binary!.recall.value).toBe(1 / 3);
    expect(r.binary!.specificity.value).toBe(1 / 2);
    expect(r.by!.groups.a!.binary!.accuracy.value).toBe(1);
    expect(r.by!.groups.b!.rows).toBe(4);
    // Misjudged and not-ok rows are listed with their explanations.
    expect(r.disagreements.map((d) => d.index)).toEqual([2, 3, 4, 5]);
    expect((r.disagreements[0]!.a as { explanation: string }).explanation).toContain("exact");
  });

  it("names the row of a missing or non-binary label", async () => {
    const reward = loadReward(exactSpec);
    await expect(reward.evaluate([{ completion: "4", reference: "4" }], { label: "label" })).rejects.toThrow(
      /row 1: no field 'label'/,
    );
    await expect(
      reward.evaluate(
        [
          { completion: "4", reference: "4", label: 1 },
          { completion: "4", reference: "4", label: 0.5 },
        ],
        { label: "label", mode: "binary" },
      ),
    ).rejects.toThrow(/row 2: the label 'label' is 0.5; binary labels/);
    await expect(reward.evaluate([{ completion: "4", label: "yes" }], { label: "label" })).rejects.toThrow(
      EvalInputError,
    );
  });

  it("the math preset on the math corpus beats exact matching, and McNemar says so", async () => {
    const rows = read("fixtures/eval/math-labelled.jsonl");
    const r = await loadReward("math").evaluate(rows, { label: "label", against: loadReward(exactSpec) });
    const positives = rows.filter((x) => x.label === 1).length;
    expect(r.rows).toBe(rows.length);
    expect(r.binary!.confusion.tp + r.binary!.confusion.fn + r.binary!.not_ok_by_label.positive).toBe(
      positives,
    );
    expect(r.binary!.accuracy.value!).toBeGreaterThan(0.95);
    expect(r.against!.binary!.accuracy.value!).toBeLessThan(r.binary!.accuracy.value!);
    const m = r.against!.mcnemar!;
    expect(m.b).toBeGreaterThan(m.c);
    expect(m.p_exact).toBeLessThan(0.001);
    // Every disagreement carries both explanations; their count is the report's.
    expect(r.disagreements.length).toBe(r.against!.disagreements);
    for (const d of r.disagreements.slice(0, 20)) {
      expect(d.b).toBeDefined();
      expect((d.a as { explanation: string }).explanation).toMatch(/^math/);
    }
  });

  it("with --against, each spec is thresholded at the middle of its own range", async () => {
    // The second spec's rewards are 0 or 10: its threshold is 5, not the first spec's 0.5.
    const scaled = { type: "weighted", terms: [{ type: "exact", name: "e", weight: 10 }] };
    const rows = [
      { completion: "4", reference: "4", label: 1 },
      { completion: "5", reference: "4", label: 0 },
    ];
    const r = await loadReward(exactSpec).evaluate(rows, { label: "label", against: loadReward(scaled) });
    expect(loadReward(scaled).range).toEqual([0, 10]);
    expect(r.against!.threshold).toBe(5);
    expect(r.against!.binary!.accuracy.value).toBe(1);
    expect(r.against!.disagreements).toBe(0);
  });
});

describe("graded labels", () => {
  it("correlates rewards with numeric labels", async () => {
    const spec = {
      type: "weighted",
      terms: [
        { type: "think_answer", name: "format", weight: 0.5 },
        { type: "exact", name: "answer", weight: 0.5, input: "{{completion|tag:answer}}" },
      ],
    };
    const rows = [
      { completion: "<think>a</think><answer>4</answer>", reference: "4", grade: 10 },
      { completion: "<think>a</think><answer>5</answer>", reference: "4", grade: 4 },
      { completion: "4", reference: "4", grade: 3 },
      { completion: "5", reference: "4", grade: 0 },
    ];
    const r = await loadReward(spec).evaluate(rows, { label: "grade" });
    expect(r.mode).toBe("graded");
    expect(r.graded!.n).toBe(4);
    expect(r.graded!.spearman).toBeGreaterThan(0.7);
    expect(r.graded!.kendall_tau_b).toBeGreaterThan(0.5);
    expect(r.graded!.mae).not.toBeNull();
  });
});

describe("preference pairs", () => {
  it("scores TRL {prompt, chosen, rejected} rows, text and conversational, ties as half", async () => {
    const rows = [
      { prompt: "2+2?", chosen: "4", rejected: "5", reference: "4" },
      { prompt: "2+2?", chosen: "5", rejected: "4", reference: "4" },
      { prompt: "2+2?", chosen: "5", rejected: "6", reference: "4" }, // a tie: both 0
      {
        prompt: [{ role: "user", content: "2+2?" }],
        chosen: [{ role: "assistant", content: "4" }],
        rejected: [{ role: "assistant", content: "22" }],
        reference: "4",
      },
    ];
    const r = await loadReward("math").evaluate(rows);
    expect(r.mode).toBe("preference");
    expect(r.preference).toMatchObject({ n: 4, wins: 2, ties: 1, losses: 1 });
    expect(r.preference!.accuracy.value).toBe(2.5 / 4);
  });

  it("pairs rows by an id, the higher label preferred", async () => {
    const rows = [
      { pair: "p1", completion: "4", reference: "4", pref: 1 },
      { pair: "p1", completion: "5", reference: "4", pref: 0 },
      { pair: "p2", completion: "4", reference: "4", pref: 0 },
      { pair: "p2", completion: "7", reference: "4", pref: 1 },
    ];
    const r = await loadReward("math").evaluate(rows, { pairBy: "pair", label: "pref" });
    expect(r.preference).toMatchObject({ n: 2, wins: 1, losses: 1 });
    await expect(
      loadReward("math").evaluate(rows.slice(0, 3), { pairBy: "pair", label: "pref" }),
    ).rejects.toThrow(/row 3: pair "p2" has only one row/);
  });

  it("a side that errors makes the pair not ok, never a loss", async () => {
    const r = await loadReward("math").evaluate([{ prompt: "p", chosen: "4", rejected: "5" }]);
    expect(r.status.ok).toBe(0);
    expect(r.preference!.n).toBe(0);
    expect(r.preference!.accuracy.value).toBeNull();
  });

  it("the math preset orders the corpus pairs", async () => {
    const rows = read("fixtures/eval/math-pairs.jsonl");
    const r = await loadReward("math").evaluate(rows, { by: "category" });
    expect(r.preference!.n + r.status.abstain + r.status.error).toBe(rows.length);
    expect(r.preference!.accuracy.value!).toBeGreaterThan(0.95);
    expect(Object.values(r.by!.groups).reduce((a, g) => a + g.rows, 0)).toBe(rows.length);
  });
});
