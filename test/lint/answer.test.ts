/** The building blocks: finding and changing the final answer, and the text mutations. */
import { describe, expect, it } from "vitest";
import {
  changeAnswer,
  codeFences,
  equivalentRewrites,
  locateAnswer,
  spacingPositions,
  withChangedAnswer,
} from "../../src/lint/answer.js";
import { promptInequalities } from "../../src/lint/attacks/inequality.js";
import { optionLetters } from "../../src/lint/attacks/options.js";
import { insertAt, lineEndings, whitespace } from "../../src/lint/mutate.js";

const at = (text: string) => {
  const s = locateAnswer(text);
  return s && { answer: text.slice(s.start, s.end), how: s.how, math: Boolean(s.math) };
};

describe("locateAnswer", () => {
  it("finds the answer where the built-in extractors read it", () => {
    expect(at("<think>x = 41</think>\n<answer>42</answer>")).toMatchObject({
      answer: "42",
      how: "answer_tag",
    });
    expect(at("So $x = \\boxed{\\frac{1}{2}}$.")).toEqual({
      answer: "\\frac{1}{2}",
      how: "boxed",
      math: true,
    });
    expect(at("The answer is (C).")).toMatchObject({ answer: "(C)" });
    expect(at("We get $3^{100}$, whose remainder mod 7 is 2.")).toMatchObject({ answer: "2" });
    expect(at("Counting gives 40 + 33 = 73.\n\n**73**")).toMatchObject({ answer: "73" });
    expect(at("<think>\\boxed{5}</think>")).toBeNull();
  });

  it("never reads inside a fenced code block, and terminates when the block starts the text", () => {
    const text = "```\nprint(42)\n```";
    expect(codeFences(text)).toEqual([[0, text.length]]);
    expect(at(text)).toBeNull();
  });
});

describe("changing an answer", () => {
  it("changes one digit of the value, after the last = of a chain", () => {
    expect(changeAnswer("42", 0)).toBe("43");
    expect(changeAnswer("4! = 24", 0)).toBe("4! = 25");
    expect(changeAnswer("\\frac{1}{2}", 0)).toBe("\\frac{2}{2}");
  });

  it("changes an option letter, the option label for a letter reference, a word", () => {
    expect(changeAnswer("B", 0)).toBe("A");
    expect(changeAnswer("\\textbf{(B) }12", 0, ["B"])).toBe("\\textbf{(A) }12");
    expect(changeAnswer("Paris", 0, ["paris"])).toBe("London");
    expect(changeAnswer("x", 0)).toBe("x+1");
  });

  it("never gives a reference", () => {
    expect(changeAnswer("42", 0, ["43"])).toBe("44");
  });

  it("replaces the answer everywhere after </think>, not inside longer numbers", () => {
    const t = "<think>42?</think> 42 and 142; so \\boxed{42}";
    const span = locateAnswer(t)!;
    expect(withChangedAnswer(t, span, 0)!.text).toBe("<think>42?</think> 43 and 142; so \\boxed{43}");
  });
});

describe("rewrites and spacing", () => {
  it("rewrites with the math printer only when the engine agrees both ways", () => {
    expect(equivalentRewrites("\\frac{1}{2}")).toContain("1/2");
    expect(equivalentRewrites("\\sqrt[3]{8}")).not.toContain("root(8, 3)");
    expect(equivalentRewrites("Paris")).toEqual([]);
  });

  it("puts LaTeX spacing next to operators, never in a number, a command or before an argument", () => {
    const s = "x = \\frac{1}{2} + 1,000";
    const ps = spacingPositions(s, 0, s.length).map((p) => `${s.slice(0, p)}|${s.slice(p)}`);
    expect(ps).toContain("x |= \\frac{1}{2} + 1,000");
    expect(ps.some((p) => p.includes("\\fr|ac") || p.includes("}|{") || p.includes("1,|000"))).toBe(false);
    expect(insertAt("a+b", [1, 2], [{ at: 0, s: "\\," }])).toBe("a\\,+b");
  });
});

describe("mutations", () => {
  it("whitespace edits touch only horizontal runs (never a LaTeX control space)", () => {
    expect(whitespace("a b\\ c", [{ kind: 0, at: 0.9, ws: "\t" }])).toBe("a\tb\\ c");
    expect(whitespace("a\nb", [{ kind: 1, at: 0, ws: "  " }])).toBe("a  \nb");
    expect(whitespace("a", [{ kind: 2, at: 0.9, ws: " " }])).toBe("a ");
  });

  it("line endings: all or some LF become CRLF, CRLF stays", () => {
    expect(lineEndings("a\nb\r\nc\n", [], true)).toBe("a\r\nb\r\nc\r\n");
    expect(lineEndings("a\nb\nc", [true, false], false)).toBe("a\r\nb\nc");
  });

  it("finds option letters and inequalities in prompts", () => {
    expect(optionLetters("Which?\n(A) x\n(B) y\n(C) z", "B")).toEqual(["A", "B", "C"]);
    expect(optionLetters("Pick one.", "E")).toEqual(["A", "B", "C", "D", "E"]);
    expect(promptInequalities("Solve $2x - 6 > 0$ for $x$.")).toEqual(["2x - 6 > 0"]);
    expect(promptInequalities("For which x is x^2 - 4 <= 0?")).toEqual(["x^2 - 4 <= 0"]);
  });
});

describe("guarded scoring", () => {
  it("a scoring that never returns becomes a lint:hung error; one that throws, lint:threw", async () => {
    const { guarded, synthetic } = await import("../../src/lint/context.js");
    const hung = await guarded(() => new Promise<never>(() => {}), 20, synthetic);
    expect(hung.error?.kind).toBe("lint:hung");
    const threw = await guarded(() => Promise.reject(new Error("boom")), 1000, synthetic);
    expect(threw.error).toMatchObject({ kind: "lint:threw", message: "threw: boom" });
  });
});
