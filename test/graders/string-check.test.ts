/** string_check: eq, ne, like, ilike on real outputs, through the grader import and the loader. */
import { describe, expect, it } from "vitest";
import { loadReward, SpecError } from "../../src/spec/index.js";
import { FIXTURES, fixture, flagsOf, grade, OUT } from "./helpers.js";

const check = (operation: string, reference = "{{item.answer}}") => ({
  type: "string_check",
  name: `check ${operation}`,
  input: OUT,
  reference,
  operation,
});

describe("string_check", () => {
  it("eq is exact and case-sensitive", async () => {
    expect((await grade(check("eq"), { completion: "Paris", answer: "Paris" })).reward).toBe(1);
    expect((await grade(check("eq"), { completion: "paris", answer: "Paris" })).reward).toBe(0);
    expect((await grade(check("eq"), { completion: "Paris ", answer: "Paris" })).reward).toBe(0);
  });

  it("ne is the negation of eq", async () => {
    expect((await grade(check("ne"), { completion: "Lyon", answer: "Paris" })).reward).toBe(1);
    expect((await grade(check("ne"), { completion: "Paris", answer: "Paris" })).reward).toBe(0);
  });

  it("like is case-sensitive containment, ilike ignores case", async () => {
    const s = { completion: "I think the answer is Paris, France.", answer: "Paris" };
    expect((await grade(check("like"), s)).reward).toBe(1);
    expect((await grade(check("like"), { ...s, answer: "paris" })).reward).toBe(0);
    expect((await grade(check("ilike"), { ...s, answer: "PARIS" })).reward).toBe(1);
    expect((await grade(check("ilike"), { ...s, answer: "Lyon" })).reward).toBe(0);
  });

  it("reads the last assistant message of a chat completion", async () => {
    const completion = [
      { role: "user", content: "Capital of France?" },
      { role: "assistant", content: [{ type: "text", text: "Paris" }] },
    ];
    expect((await grade(check("eq"), { completion, answer: "Paris" })).reward).toBe(1);
  });

  it("an empty reference for like/ilike is an error, not a free match", async () => {
    const r = await grade(check("ilike"), { completion: "anything", answer: "" });
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("invalid_input");
    expect(flagsOf(r)).toEqual(["invalid_variable_error"]);
    // eq with an empty reference is an ordinary comparison.
    expect((await grade(check("eq"), { completion: "", answer: "" })).reward).toBe(1);
  });

  it("a missing item field is an invalid_variable_error, never 0", async () => {
    const r = await grade(check("eq"), { completion: "Paris" });
    expect(r).toMatchObject({ status: "error", reward: null, error: { kind: "invalid_input" } });
    expect(r.error?.message).toContain("item.answer");
    expect(flagsOf(r)).toEqual(["invalid_variable_error"]);
  });

  it("a numeric item field is compared as text", async () => {
    expect((await grade(check("eq"), { completion: "42", answer: 42 })).reward).toBe(1);
  });

  it("loads the fixture file and {grader: ...} documents alike", async () => {
    const g = fixture("string-check.json");
    const sample = { completion: "4", reference_answer: "4" };
    expect((await loadReward(`${FIXTURES}string-check.json`).score(sample)).reward).toBe(1);
    expect((await loadReward({ grader: g }).score(sample)).reward).toBe(1);
    // The root component is named after the grader.
    expect(loadReward(g).root.name).toBe("Exact_answer");
  });

  it("rejects an unknown operation at load with the grader's path", () => {
    expect(() => loadReward(check("equals"))).toThrow(SpecError);
    try {
      loadReward(check("equals"));
    } catch (e) {
      expect((e as SpecError).issues).toEqual([
        { path: "$.operation", message: 'must be one of "eq", "ne", "like", "ilike"' },
      ]);
    }
  });

  it("rejects a template outside sample.* and item.*", () => {
    expect(() => loadReward(check("eq", "{{reference}}"))).toThrow(/unknown namespace 'reference'/);
    expect(() => loadReward(check("eq", "{{sample.output}}"))).toThrow(/'sample' has no field 'output'/);
  });
});
