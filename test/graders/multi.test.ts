/** multi: calculate_output over named sub-graders, as a formula node (policies, ranges, paths). */
import { describe, expect, it } from "vitest";
import { loadReward, SpecError } from "../../src/spec/index.js";
import { fixture, flagsOf, grade, OUT } from "./helpers.js";

const eq = { type: "string_check", name: "eq", input: OUT, reference: "{{item.answer}}", operation: "eq" };
const rouge = {
  type: "text_similarity",
  name: "rouge",
  input: OUT,
  reference: "{{item.answer}}",
  evaluation_metric: "rouge_1",
};

describe("multi", () => {
  it("computes calculate_output over the sub-graders' rewards, each reported by name", async () => {
    const g = {
      type: "multi",
      name: "mix",
      graders: { eq, rouge },
      calculate_output: "0.5 * eq + 0.5 * rouge",
    };
    const r = await grade(g, { completion: "paris is nice", answer: "paris" });
    // eq 0; rouge_1: 1 shared unigram, P = 1/3, R = 1, F = 1/2.
    expect(r.reward).toBeCloseTo(0.25, 12);
    expect(r.components?.eq?.reward).toBe(0);
    expect(r.components?.rouge?.reward).toBeCloseTo(0.5, 12);
    expect(loadReward(g).root.type).toBe("formula");
  });

  it("supports the formula language of calculate_output: functions, powers, parentheses", async () => {
    const g = {
      type: "multi",
      name: "f",
      graders: { a: eq, b: rouge },
      calculate_output: "max(a, b) ^ 2 - min(a, b) / 2 + abs(-1) * floor(1.5) + sqrt(4) - 2",
    };
    const r = await grade(g, { completion: "paris is nice", answer: "paris" });
    expect(r.reward).toBeCloseTo(0.5 ** 2 - 0 / 2 + 1, 12);
  });

  it("accepts graders as an array, named by their names", async () => {
    const g = { type: "multi", name: "arr", graders: [eq, rouge], calculate_output: "eq + rouge" };
    const r = await grade(g, { completion: "paris", answer: "paris" });
    expect(r.reward).toBe(2);
  });

  it("a sub-grader that errors makes the grader an error with its flags, never a silent 0", async () => {
    const g = { type: "multi", name: "m", graders: { eq, rouge }, calculate_output: "eq + rouge" };
    const r = await grade(g, { completion: "paris" });
    expect(r.status).toBe("error");
    expect(r.reward).toBeNull();
    expect(flagsOf(r)).toEqual(["invalid_variable_error"]);
  });

  it("division by zero is a numeric_error (other_error)", async () => {
    const g = { type: "multi", name: "div", graders: { eq }, calculate_output: "1 / eq" };
    const r = await grade(g, { completion: "x", answer: "y" });
    expect(r.error?.kind).toBe("numeric_error");
    expect(flagsOf(r)).toEqual(["other_error"]);
  });

  it("nests", async () => {
    const inner = { type: "multi", name: "inner", graders: { eq }, calculate_output: "2 * eq" };
    const g = { type: "multi", name: "outer", graders: { inner, rouge }, calculate_output: "inner + rouge" };
    expect((await grade(g, { completion: "paris", answer: "paris" })).reward).toBe(3);
  });

  it("reports every problem of an invalid grader at its path in the grader", () => {
    let issues: { path: string; message: string }[] = [];
    try {
      loadReward(fixture("invalid.json"));
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      issues = (e as SpecError).issues;
    }
    expect(issues.map((i) => i.path).sort()).toEqual(["$.graders.c.type"]);
    expect(issues[0]!.message).toMatch(/unknown grader type "string_chek" \(did you mean 'string_check'\?\)/);
    // With the type fixed, the loader's problems come back at the grader's paths too.
    const fixed = fixture<{ graders: Record<string, Record<string, unknown>> }>("invalid.json");
    fixed.graders.c = { ...eq, name: "c" };
    try {
      loadReward(fixed);
      expect.unreachable();
    } catch (e) {
      const byPath = Object.fromEntries((e as SpecError).issues.map((i) => [i.path, i.message]));
      expect(Object.keys(byPath).sort()).toEqual([
        "$.calculate_output",
        "$.graders.a.operation",
        "$.graders.b",
      ]);
      expect(byPath["$.calculate_output"]).toMatch(/unexpected end of formula/);
      expect(byPath["$.graders.b"]).toMatch(/embedding model/);
    }
  });

  it("checks the shape of multi itself", () => {
    const problems = (g: unknown) => {
      try {
        loadReward(g as object);
        return [];
      } catch (e) {
        return (e as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
      }
    };
    expect(problems({ type: "multi", name: "m", graders: { eq } })).toEqual([
      "$: missing required property 'calculate_output'",
    ]);
    expect(problems({ type: "multi", name: "m", graders: {}, calculate_output: "1" })).toEqual([
      "$.graders: needs at least one grader",
    ]);
    expect(
      problems({ type: "multi", name: "m", graders: { "my-grader": eq }, calculate_output: "1" })[0],
    ).toMatch(/^\$\.graders\["my-grader"\]: the name 'my-grader' cannot be a variable/);
    expect(problems({ type: "multi", name: "m", graders: { eq }, calculate_output: "eq + nope" })).toEqual([
      "$.calculate_output: unknown variable 'nope' (graders: eq)",
    ]);
    expect(problems({ type: "multi", name: "m", graders: { eq }, calculate_output: "eq", extra: 1 })).toEqual(
      ["$: unknown property 'extra'"],
    );
    expect(problems({ type: "string_check", input: OUT, reference: "x", operation: "eq" })).toEqual([
      "$: missing required property 'name'",
    ]);
  });
});
