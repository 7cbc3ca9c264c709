/** Step-labelled data: each reader and writer, and the round trip of the labels on fixture rows. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readSteps, type StepFormat, writeSteps } from "../../src/index.js";

const rows = (f: string) =>
  readFileSync(new URL(`../../fixtures/steps/${f}`, import.meta.url), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

const FIXTURES: [StepFormat, string][] = [
  ["prm800k", "prm800k-sample.jsonl"],
  ["math-shepherd", "math-shepherd-sample.jsonl"],
  ["trl-stepwise", "trl-stepwise-sample.jsonl"],
];

describe("step-labelled formats", () => {
  it.each(FIXTURES)("%s: writing the labels read gives the row back", (format, file) => {
    for (const row of rows(file)) {
      const s = readSteps(row, format);
      expect(s.steps.length).toBe(s.labels.length);
      for (const st of s.steps) expect(s.completion.slice(st.start, st.end).trim()).not.toBe("");
      expect(writeSteps(row, format, s.labels)).toEqual(row);
    }
  });

  it("reads PRM800K's chosen or human completion for each step", () => {
    const [, second, third] = rows("prm800k-sample.jsonl");
    const s = readSteps(second, "prm800k");
    expect(s.completion).toBe("First, $12/5 = 2.5$.\nThen $2.5 + 1 = 3.5$.");
    expect(s.labels).toEqual([-1, 1]);
    expect(s.reference).toBe("3.4");
    expect(readSteps(third, "prm800k").completion).toContain("Then $49 - 9 = 40$.");
  });

  it("reads Math-Shepherd's question, steps and +/- labels", () => {
    const [, second] = rows("math-shepherd-sample.jsonl");
    const s = readSteps(second, "math-shepherd");
    expect(s.prompt).toBe("A pen costs 4 dollars. How much do 6 pens cost?");
    expect(s.completion).toBe("Step 1: 6 * 4 = <<6*4=26>>26 dollars.\nStep 2: The answer is: 26");
    expect(s.labels).toEqual([-1, -1]);
  });

  it("writes new labels from step rewards", () => {
    const [row] = rows("trl-stepwise-sample.jsonl");
    expect(writeSteps(row, "trl-stepwise", [-1, 0.5]).labels).toEqual([false, true]);
    const [shep] = rows("math-shepherd-sample.jsonl");
    expect(writeSteps(shep, "math-shepherd", [1, -1, 1]).label).toMatch(
      /15 apples\. \+\nStep 2: .* remain\. -\nStep 3: The answer is: 13 \+$/,
    );
    const [prm] = rows("prm800k-sample.jsonl");
    const out = writeSteps(prm, "prm800k", [-2, 0, 0.3]) as {
      label: { steps: { completions: { rating: number }[] }[] };
    };
    expect(out.label.steps.map((s) => s.completions[0]!.rating)).toEqual([-1, 0, 1]);
  });

  it("refuses rows that are not in the format", () => {
    expect(() => readSteps({ completions: "x" }, "trl-stepwise")).toThrow(/not a TRL stepwise row/);
    expect(() => readSteps({ question: {} }, "prm800k")).toThrow(/not a PRM800K row/);
  });
});
