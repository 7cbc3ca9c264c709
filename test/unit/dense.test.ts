import { describe, expect, it } from "vitest";
import { loadReward, projectSpans, RewardkitError } from "../../src/index.js";

const spans = [
  { start: 0, end: 5, value: 1, source: "a" },
  { start: 6, end: 11, value: -0.5, source: "b" },
];
// "hello world": tokens "hello", " world" (GPT-2 style, the space belongs to the next token)
const offsets = [
  [0, 5],
  [5, 11],
] as const;

describe("projection onto tokens", () => {
  it("places each span's value on the token holding its last character (span_end)", () => {
    expect(projectSpans(spans, offsets, "span_end")).toEqual([1, -0.5]);
    const fine = [
      [0, 2],
      [2, 5],
      [5, 8],
      [8, 11],
    ] as const;
    expect(projectSpans(spans, fine, "span_end")).toEqual([0, 1, 0, -0.5]);
  });

  it("spreads each span over its tokens (uniform), preserving the sum", () => {
    const fine = [
      [0, 2],
      [2, 5],
      [5, 8],
      [8, 11],
    ] as const;
    const t = projectSpans(spans, fine, "uniform");
    expect(t).toEqual([0.5, 0.5, -0.25, -0.25]);
  });

  it("refuses offsets that do not cover a span", () => {
    expect(() => projectSpans(spans, [[0, 5]], "span_end")).toThrow(RewardkitError);
    expect(() => projectSpans(spans, [[0, 5]], "span_end")).toThrow(/do not cover/);
  });
});

describe("per_segment", () => {
  const spec = {
    type: "per_segment",
    segmenter: "sentences",
    term: { type: "regex", pattern: "\\d" },
  };

  it("scores each segment and makes spans, with a reduced reward", async () => {
    const completion = "First 1 thing. No digits here. Then 2.";
    const r = await loadReward(spec).score({ completion });
    expect(r.reward).toBeCloseTo(2 / 3);
    expect(r.spans?.map((s) => [completion.slice(s.start, s.end), s.value])).toEqual([
      ["First 1 thing.", 1],
      ["No digits here.", 0],
      ["Then 2.", 1],
    ]);
    expect(Object.keys(r.components ?? {})).toEqual(["regex[0]", "regex[1]", "regex[2]"]);
  });

  it("reduces by min, sum or last, and abstains on an empty completion", async () => {
    const completion = "a 1. b. c 3.";
    expect((await loadReward({ ...spec, reduce: "min" }).score({ completion })).reward).toBe(0);
    expect((await loadReward({ ...spec, reduce: "sum" }).score({ completion })).reward).toBe(2);
    expect((await loadReward({ ...spec, reduce: "last" }).score({ completion })).reward).toBe(1);
    expect((await loadReward(spec).score({ completion: "   " })).status).toBe("abstain");
  });

  it("scales spans by a weighted parent, and projects them onto tokens", async () => {
    const reward = loadReward({ type: "weighted", terms: [{ ...spec, weight: 2 }] } as object);
    const completion = "x 1. y.";
    const r = await reward.score({ completion });
    expect(r.spans?.map((s) => s.value)).toEqual([2, 0]);
    const withTokens = reward.withTokenRewards({ completion }, r, [
      [0, 2],
      [2, 4],
      [4, 7],
    ]);
    expect(withTokens.token_rewards).toEqual([0, 2, 0]);
    const bad = reward.withTokenRewards({ completion }, r, [[0, 3]]);
    expect(bad.status).toBe("error");
    expect(bad.error?.kind).toBe("invalid_input");
  });

  it("puts a sequence-level reward on the last token", async () => {
    const reward = loadReward({ type: "regex", pattern: "ok" });
    const r = await reward.score({ completion: "ok go" });
    expect(
      reward.withTokenRewards({ completion: "ok go" }, r, [
        [0, 2],
        [2, 5],
      ]).token_rewards,
    ).toEqual([0, 1]);
  });

  it("refuses empty token offsets when there is a reward to carry, instead of dropping it", async () => {
    const reward = loadReward({
      type: "affine",
      scale: 1,
      offset: -1,
      term: { type: "regex", pattern: "ok" },
    });
    const r = await reward.score({ completion: "" });
    expect(r.reward).toBe(-1);
    const t = reward.withTokenRewards({ completion: "" }, r, []);
    expect(t).toMatchObject({ status: "error", error: { kind: "invalid_input" } });
    expect(t.error?.message).toMatch(/no tokens to carry the reward -1/);
    const zero = await reward.score({ completion: "ok" });
    expect(zero.reward).toBe(0);
    expect(reward.withTokenRewards({ completion: "  " }, { ...zero }, []).token_rewards).toEqual([]);
  });

  it("uses the sample's own steps with segmenter 'given'", async () => {
    const completion = "a 1\nb\nc 3";
    const r = await loadReward({ ...spec, segmenter: "given" }).score({
      completion,
      steps: [
        { start: 0, end: 3 },
        { start: 4, end: 5 },
        { start: 6, end: 9 },
      ],
    });
    expect(r.spans?.map((s) => s.value)).toEqual([1, 0, 1]);
    const bad = await loadReward({ ...spec, segmenter: "given" }).score({
      completion,
      steps: [{ start: 0, end: 99 }],
    });
    expect(bad.error?.kind).toBe("invalid_input");
  });

  it("scores a completion of 130,000 lines (min, max, weighted spans, arithmetic) without a stack overflow", async () => {
    const completion = "1 + 1 = 2\n".repeat(130_000);
    const seg = (reduce: string) => ({ type: "per_segment", segmenter: "lines", reduce, term: spec.term });
    for (const s of [
      seg("min"),
      seg("max"),
      { type: "weighted", terms: [seg("mean")] },
      { type: "arithmetic", segmenter: "lines" },
    ]) {
      const r = await loadReward(s).score({ completion });
      expect(r.error?.message).toBeUndefined();
      expect(r).toMatchObject({ status: "ok", reward: 1 });
    }
  }, 60_000);
});
