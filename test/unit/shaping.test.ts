import { describe, expect, it } from "vitest";
import { cosineLength, loadReward, overlongPenalty, repetitionPenalty } from "../../src/index.js";

describe("overlong (DAPO)", () => {
  it("is 0 before the buffer, linear inside it, -1 beyond", () => {
    expect(overlongPenalty(100, 1000, 200)).toBe(0);
    expect(overlongPenalty(800, 1000, 200)).toBe(0);
    expect(overlongPenalty(900, 1000, 200)).toBeCloseTo(-0.5);
    expect(overlongPenalty(1000, 1000, 200)).toBeCloseTo(-1);
    expect(overlongPenalty(1001, 1000, 200)).toBe(-1);
  });

  it("measures chars, words, or a length given by the sample", async () => {
    const spec = { type: "overlong", max_length: 10, buffer: 4, unit: "words" };
    expect((await loadReward(spec).score({ completion: "w ".repeat(8) })).reward).toBeCloseTo(-0.5);
    const tok = { type: "overlong", max_length: 100, buffer: 50, length: "{{num_tokens}}" };
    expect((await loadReward(tok).score({ completion: "x", num_tokens: 75 })).reward).toBeCloseTo(-0.5);
    const bad = await loadReward(tok).score({ completion: "x", num_tokens: "many" });
    expect(bad.error?.kind).toBe("invalid_input");
  });
});

describe("cosine_length", () => {
  const v = { correct: [0.5, 1] as [number, number], wrong: [-1, -0.5] as [number, number] };

  it("follows open-r1's formula", () => {
    expect(cosineLength(0, 1000, true, v)).toBeCloseTo(1);
    expect(cosineLength(1000, 1000, true, v)).toBeCloseTo(0.5);
    expect(cosineLength(500, 1000, true, v)).toBeCloseTo(0.75);
    expect(cosineLength(0, 1000, false, v)).toBeCloseTo(-1);
    expect(cosineLength(1000, 1000, false, v)).toBeCloseTo(-0.5);
    expect(cosineLength(5000, 1000, true, v)).toBeCloseTo(0.5);
  });

  it("is gated on its correct child", async () => {
    const spec = {
      type: "cosine_length",
      max_length: 100,
      correct: { type: "exact", input: "{{completion|tag:answer}}" },
    };
    const short = await loadReward(spec).score({ completion: "<answer>4</answer>", reference: "4" });
    expect(short.reward!).toBeGreaterThan(0.9);
    const wrong = await loadReward(spec).score({ completion: "<answer>5</answer>", reference: "4" });
    expect(wrong.reward!).toBeLessThan(-0.9);
    const err = await loadReward(spec).score({ completion: "<answer>5</answer>" });
    expect(err.status).toBe("error");
  });
});

describe("repetition", () => {
  it("penalises repeated n-grams only", () => {
    expect(repetitionPenalty("the cat sat on the mat today", 3, -1)).toBe(0);
    expect(repetitionPenalty("a b c a b c a b c", 3, -1)).toBeCloseTo(-(1 - 3 / 7));
    expect(repetitionPenalty("too short", 3, -1)).toBe(0);
  });
});

describe("length_budget", () => {
  it("rewards closeness to a per-sample budget, optionally only past it", async () => {
    const spec = { type: "length_budget", budget: "{{prompt|tag:budget}}", unit: "words", alpha: 0.1 };
    const prompt = "Think for <budget>10</budget> words.";
    expect((await loadReward(spec).score({ prompt, completion: "w ".repeat(10) })).reward).toBeCloseTo(0);
    expect((await loadReward(spec).score({ prompt, completion: "w ".repeat(13) })).reward).toBeCloseTo(-0.3);
    expect((await loadReward(spec).score({ prompt, completion: "w ".repeat(7) })).reward).toBeCloseTo(-0.3);
    const max = { ...spec, mode: "max" };
    expect((await loadReward(max).score({ prompt, completion: "w ".repeat(7) })).reward).toBeCloseTo(0);
    expect((await loadReward(spec).score({ prompt, completion: "w ".repeat(100) })).reward).toBe(-1);
  });

  it("adds to correctness, and refuses a missing budget", async () => {
    const spec = {
      type: "length_budget",
      budget: "{{budget}}",
      unit: "words",
      alpha: 0.1,
      correct: { type: "contains" },
    };
    expect(
      (await loadReward(spec).score({ completion: "so 4", budget: 2, reference: "4" })).reward,
    ).toBeCloseTo(1);
    expect(
      (await loadReward(spec).score({ completion: "so it is 4", budget: 2, reference: "4" })).reward,
    ).toBeCloseTo(0.8);
    const none = await loadReward(spec).score({ completion: "4", budget: "none", reference: "4" });
    expect(none.error?.kind).toBe("invalid_input");
  });
});
