import { describe, expect, it } from "vitest";
import { reward, score } from "../helpers.js";

describe("exact", () => {
  it("compares after the configured normalisation", async () => {
    expect(await reward({ type: "exact" }, { completion: "  Paris \n", reference: "Paris" })).toBe(1);
    expect(await reward({ type: "exact" }, { completion: "paris", reference: "Paris" })).toBe(0);
    expect(
      await reward({ type: "exact", ignore_case: true }, { completion: "paris", reference: "Paris" }),
    ).toBe(1);
    expect(
      await reward({ type: "exact", ignore_punctuation: true }, { completion: "Paris.", reference: "Paris" }),
    ).toBe(1);
    expect(
      await reward(
        { type: "exact", ignore_articles: true, ignore_case: true },
        { completion: "The Eiffel tower", reference: "eiffel tower" },
      ),
    ).toBe(1);
    expect(await reward({ type: "exact" }, { completion: "４２", reference: "42" })).toBe(1);
    expect(await reward({ type: "exact" }, { completion: "42", reference: 42 })).toBe(1);
    expect(await reward({ type: "exact" }, { completion: "b", reference: ["a", "b"] })).toBe(1);
  });

  it("is an input error without a reference", async () => {
    const r = await score({ type: "exact" }, { completion: "x" });
    expect(r.error?.kind).toBe("invalid_input");
  });
});

describe("contains", () => {
  it("finds the reference on word boundaries", async () => {
    expect(await reward({ type: "contains" }, { completion: "The answer is 4.", reference: "4" })).toBe(1);
    expect(await reward({ type: "contains" }, { completion: "The answer is 14.", reference: "4" })).toBe(0);
    expect(await reward({ type: "contains" }, { completion: "42", reference: "4" })).toBe(0);
    expect(
      await reward({ type: "contains", word_boundary: false }, { completion: "42", reference: "4" }),
    ).toBe(1);
    expect(await reward({ type: "contains" }, { completion: "x = -3", reference: "-3" })).toBe(1);
  });

  it("an empty answer contains nothing, and an empty reference is an error", async () => {
    expect(await reward({ type: "contains" }, { completion: "", reference: "Paris" })).toBe(0);
    const r = await score({ type: "contains" }, { completion: "anything", reference: "" });
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("invalid_input");
  });

  it("any or all of several references", async () => {
    const sample = { completion: "red and blue", reference: ["red", "green"] };
    expect(await reward({ type: "contains" }, sample)).toBe(1);
    expect(await reward({ type: "contains", mode: "all" }, sample)).toBe(0);
  });
});

describe("token_f1", () => {
  it("computes SQuAD-style F1", async () => {
    expect(
      await reward({ type: "token_f1" }, { completion: "The Eiffel Tower!", reference: "eiffel tower" }),
    ).toBe(1);
    const r = await reward(
      { type: "token_f1" },
      { completion: "eiffel tower in paris", reference: "the eiffel tower" },
    );
    // precision 2/4, recall 2/2
    expect(r).toBeCloseTo((2 * 0.5 * 1) / 1.5);
    expect(await reward({ type: "token_f1" }, { completion: "", reference: "paris" })).toBe(0);
    expect(await reward({ type: "token_f1" }, { completion: "lyon", reference: ["paris", "lyon"] })).toBe(1);
  });

  it("counts repeated tokens once each", async () => {
    const r = await reward({ type: "token_f1" }, { completion: "paris paris paris", reference: "paris" });
    expect(r).toBeCloseTo((2 * (1 / 3) * 1) / (1 / 3 + 1));
  });
});

describe("length", () => {
  it("checks bounds in chars, words and lines", async () => {
    expect(await reward({ type: "length", max: 5 }, { completion: "héllo" })).toBe(1);
    expect(await reward({ type: "length", max: 4 }, { completion: "héllo" })).toBe(0);
    expect(await reward({ type: "length", unit: "words", min: 3 }, { completion: " one two  three " })).toBe(
      1,
    );
    expect(await reward({ type: "length", unit: "lines", max: 2 }, { completion: "a\nb\nc" })).toBe(0);
  });

  it("ramps linearly outside the bounds", async () => {
    expect(
      await reward({ type: "length", unit: "words", max: 10, ramp: 10 }, { completion: "w ".repeat(15) }),
    ).toBe(0.5);
    expect(
      await reward({ type: "length", unit: "words", max: 10, ramp: 10 }, { completion: "w ".repeat(30) }),
    ).toBe(0);
  });
});
