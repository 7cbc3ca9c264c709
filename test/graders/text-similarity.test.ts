/**
 * text_similarity: BLEU and GLEU against NLTK's own values (fixtures/graders/nltk-metrics.jsonl, written by
 * nltk_metrics.py beside it), ROUGE and fuzzy_match against values worked out by hand from their
 * definitions (rouge_score's F-measure, rapidfuzz's ratio), and the metrics that are refused.
 */
import { describe, expect, it } from "vitest";
import { peekSharedPool } from "../../src/core/index.js";
import { loadReward } from "../../src/spec/index.js";
import { fixtureRows, grade, OUT } from "./helpers.js";

const sim = (metric: string, extra: Record<string, unknown> = {}) => ({
  type: "text_similarity",
  name: metric,
  input: OUT,
  reference: "{{item.reference}}",
  evaluation_metric: metric,
  ...extra,
});

async function score(metric: string, input: string, reference: string): Promise<number> {
  const r = await grade(sim(metric), { completion: input, reference });
  if (r.status !== "ok") throw new Error(JSON.stringify(r));
  return r.reward as number;
}

describe("text_similarity: bleu and gleu match NLTK", () => {
  const rows = fixtureRows("nltk-metrics.jsonl") as {
    input: string;
    reference: string;
    bleu: number;
    gleu: number;
  }[];
  it.each(rows.map((r) => [r.input, r.reference, r] as const))("%j vs %j", async (_i, _r, row) => {
    const bleu = await score("bleu", row.input, row.reference);
    const gleu = await score("gleu", row.input, row.reference);
    // Relative agreement (some of NLTK's values are tiny but not zero: a missing n-gram order).
    expect(Math.abs(bleu - row.bleu)).toBeLessThanOrEqual(
      1e-12 * Math.max(1, Math.abs(row.bleu)) + row.bleu * 1e-9,
    );
    expect(gleu).toBeCloseTo(row.gleu, 12);
  });
});

describe("text_similarity: rouge", () => {
  const ref = "The cat sat on the mat.";
  const out = "the cat LAY on the mat";
  // rouge_score's tokenizer: lower-case, [a-z0-9] runs. Unigrams: the x2, cat, on, mat shared of 6 each.
  it("rouge_1 is the unigram F-measure", async () => {
    expect(await score("rouge_1", out, ref)).toBeCloseTo(5 / 6, 12);
  });
  it("rouge_2 is the bigram F-measure", async () => {
    // the cat, on the, the mat shared of 5 bigrams each.
    expect(await score("rouge_2", out, ref)).toBeCloseTo(3 / 5, 12);
  });
  it("rouge_3, rouge_4 and rouge_5", async () => {
    expect(await score("rouge_3", out, ref)).toBeCloseTo(1 / 4, 12); // "on the mat" of 4
    expect(await score("rouge_4", out, ref)).toBe(0);
    expect(await score("rouge_5", "a b c d e f", "a b c d e")).toBeCloseTo(
      (2 * (1 / 2) * 1) / (1 / 2 + 1),
      12,
    );
  });
  it("rouge_l uses the longest common subsequence", async () => {
    // LCS = the cat on the mat (5); P = 5/6, R = 5/6.
    expect(await score("rouge_l", out, ref)).toBeCloseTo(5 / 6, 12);
    // Out of order: LCS of (d c b a) and (a b c d) is 1.
    expect(await score("rouge_l", "d c b a", "a b c d")).toBeCloseTo(1 / 4, 12);
  });
  it("non-ASCII words are dropped by rouge_score's tokenizer", async () => {
    expect(await score("rouge_1", "café au lait", "au lait")).toBeCloseTo(
      (2 * (2 / 3) * 1) / (2 / 3 + 1),
      12,
    );
  });
  it("is 0 when either side has no tokens", async () => {
    expect(await score("rouge_l", "", "something")).toBe(0);
    expect(await score("rouge_1", "...", "something")).toBe(0);
  });
});

describe("text_similarity: fuzzy_match", () => {
  it("is rapidfuzz's ratio: 2 LCS / total length", async () => {
    // kitten / sitting: LCS "ittn" = 4 characters of 13.
    expect(await score("fuzzy_match", "kitten", "sitting")).toBeCloseTo(8 / 13, 12);
    expect(await score("fuzzy_match", "Paris", "Paris")).toBe(1);
    expect(await score("fuzzy_match", "abc", "xyz")).toBe(0);
    expect(await score("fuzzy_match", "", "")).toBe(1);
  });
  it("counts code points, not UTF-16 units", async () => {
    expect(await score("fuzzy_match", "😀a", "😀b")).toBeCloseTo(2 / 4, 12);
  });
  it("large inputs run in the worker pool and give the same value", async () => {
    const a = "ab".repeat(1500);
    const b = "ba".repeat(1500);
    const before = peekSharedPool()?.stats().completed ?? 0;
    // Both are 3000 characters; the LCS drops one character: 2999.
    expect(await score("fuzzy_match", a, b)).toBeCloseTo((2 * 2999) / 6000, 12);
    expect(peekSharedPool()!.stats().completed).toBe(before + 1);
  });
});

describe("text_similarity: options", () => {
  it("pass_threshold is reported, the reward stays the score", async () => {
    const r = await grade(sim("rouge_1", { pass_threshold: 0.8 }), {
      completion: "the cat lay on the mat",
      reference: "the cat sat on the mat",
    });
    expect(r.reward).toBeCloseTo(5 / 6, 12);
    expect(r.details).toMatchObject({ metric: "rouge_1", passed: true });
  });

  it("cosine and meteor are refused at load with the reason", () => {
    expect(() => loadReward(sim("cosine"))).toThrow(/embedding model/);
    expect(() => loadReward(sim("meteor"))).toThrow(/WordNet/);
    expect(() => loadReward(sim("jaccard"))).toThrow(/evaluation_metric: must be one of/);
  });
});
