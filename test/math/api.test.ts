/** The in-process API (for benchmarks and majority voting) and the extraction rules, on real inputs. */
import { describe, expect, it } from "vitest";
import { DEFAULT_RULES, extractAnswer, findBoxes, findMathEnvs } from "../../src/verifiers/math/extract.js";
import {
  answerKey,
  checkMath,
  compareAnswers,
  groupEquivalent,
  mathEqual,
} from "../../src/verifiers/math/index.js";
import { parseAnswer } from "../../src/verifiers/math/parser.js";

const extract = (text: string, rules = DEFAULT_RULES, think = true) => extractAnswer(text, { rules, think });

describe("mathEqual and compareAnswers", () => {
  it("is three-valued", () => {
    expect(mathEqual("\\frac{2}{4}", "0.5")).toBe(true);
    expect(mathEqual("0.6", "0.5")).toBe(false);
    expect(mathEqual("x^{10^9}", "x")).toBeNull();
  });

  it("explains its verdict", () => {
    const j = compareAnswers("(2, 5)", "(2, 5]");
    expect(j.verdict).toBe("not_equal");
    expect(j.reason).toMatch(/right end is closed/);
    expect(j.gold).toBe("(2, 5]");
  });

  it("applies the options", () => {
    expect(mathEqual("0.5", "50\\%", { percent: "strip" })).toBe(false);
    expect(mathEqual("50", "50\\%", { percent: "divide" })).toBe(false);
    expect(mathEqual("3.1", "3.14", { relTol: 0.02 })).toBe(true);
    expect(mathEqual("\\pi", "3.14", { goldPrecision: "exact" })).toBe(false);
    expect(mathEqual("x>2", "(2,\\infty)", { inequalityInterval: "both" })).toBe(true);
    expect(mathEqual("3, 2", "2, 3", { orderedLists: true })).toBe(false);
    // Equal on the reals; as complex functions sqrt(z^2) is not |z|.
    expect(mathEqual("\\sqrt{x^2}", "|x|")).toBe(true);
    expect(mathEqual("\\sqrt{x^2}", "|x|", { partialDomain: false })).toBe(false);
    expect(mathEqual("\\ln(x^2)", "2\\ln x", { partialDomain: false })).toBe(false);
    expect(mathEqual("i", "i", { imaginaryUnit: false })).toBe(true);
  });
});

describe("equivalence classes for majority voting", () => {
  it("groups equal answers however they are written", () => {
    const answers = ["\\frac12", "0.5", "1/2", "\\dfrac{2}{4}", "3", "x=3", "\\sqrt{9}", "4"];
    expect(groupEquivalent(answers)).toEqual([[0, 1, 2, 3], [4, 5, 6], [7]]);
  });

  it("gives equal keys to equal exact numbers", () => {
    expect(answerKey("\\frac{2}{4}")).toBe(answerKey("0.5"));
    expect(answerKey("0.5")).not.toBe(answerKey("0.25"));
    expect(answerKey("Monday")).toBe(answerKey("\\text{monday}"));
  });
});

describe("extraction", () => {
  it("prefers the last box, joins boxes that form one answer", () => {
    expect(extract("a \\boxed{1} then \\boxed{2}")).toEqual({ text: "2", how: "boxed" });
    expect(extract("$x=\\boxed{2}$ or $x=\\boxed{3}$")).toMatchObject({ text: "2, 3" });
    expect(extract("\\boxed{\\frac{1}{\\boxed{2}}}")).toMatchObject({ text: "\\frac{1}{\\boxed{2}}" });
  });

  it("reads only after </think>, and nothing from an unclosed think block", () => {
    expect(extract("<think>\\boxed{1}</think> so \\boxed{2}")).toMatchObject({ text: "2" });
    expect(extract("<think>\\boxed{1}")).toEqual({ none: "the <think> block is never closed" });
    expect(extract("<think>\\boxed{1}", DEFAULT_RULES, false)).toMatchObject({ text: "1" });
  });

  it("follows the configured rule order and strict mode", () => {
    const text = "The answer is 4. Check: $2+2$ is \\boxed{4}";
    expect(extract(text, ["phrase", "boxed"])).toMatchObject({
      text: "4",
      how: expect.stringMatching(/phrase/),
    });
    expect(extract("The answer is 4.", ["boxed"])).toEqual({ none: "no \\boxed{} answer (strict mode)" });
    expect(checkMath("The answer is 4.", "4", { strict: true }).verdict).toBe("no_answer");
  });

  it("never picks a stray number out of a formula that does not parse", () => {
    const r = checkMath("The answer is $1 - \\frac{1}{e} \\foo$.", "1");
    expect(r.verdict).toBe("not_equal");
    expect(r.details.reason).toMatch(/could not be parsed/);
  });

  it("finds balanced boxes and math environments in one pass", () => {
    expect(findBoxes("\\boxed{a{b}c} \\fbox{d}").map((b) => b.content)).toEqual(["a{b}c", "d"]);
    expect(findMathEnvs("cost \\$5, $x$ and $$y$$ and \\(z\\) \\[w\\]").map((e) => e.content)).toEqual([
      "x",
      "y",
      "z",
      "w",
    ]);
  });
});

describe("parser", () => {
  it("refuses unknown commands instead of reading them as variables", () => {
    expect(() => parseAnswer("\\foo{1}{2}")).toThrow(/unknown command/);
  });

  it("marks limit violations so they become invalid_input", () => {
    try {
      parseAnswer(`${"(".repeat(400)}1${")".repeat(400)}`);
      expect.unreachable();
    } catch (e) {
      expect((e as { limit: boolean }).limit).toBe(true);
    }
  });
});
