import { describe, expect, it } from "vitest";
import { segment } from "../../src/index.js";

const texts = (t: string, k: Parameters<typeof segment>[1], d?: string) =>
  segment(t, k, { delimiter: d }).map((s) => s.text);

const solution = [
  "Step 1: Compute 3 \\times 4 = 12.",
  "Then add 1.",
  "",
  "Step 2: 12/5 = 2.4. So e.g. Dr. Smith said 3.14 is close to pi!",
  "",
  "1. first item",
  "2. second item",
  "",
  "Final answer: 2.4",
].join("\n");

describe("segmenters", () => {
  it("splits reasoning steps at Step k:, numbered items and blank lines", () => {
    expect(texts(solution, "steps")).toEqual([
      "Step 1: Compute 3 \\times 4 = 12.\nThen add 1.",
      "Step 2: 12/5 = 2.4. So e.g. Dr. Smith said 3.14 is close to pi!",
      "1. first item",
      "2. second item",
      "Final answer: 2.4",
    ]);
    expect(texts("## Step 1\nx\n## Step 2\ny", "steps")).toEqual(["## Step 1\nx", "## Step 2\ny"]);
    expect(texts("**Step 1:** a\n**Step 2:** b", "steps")).toEqual(["**Step 1:** a", "**Step 2:** b"]);
  });

  it("splits sentences without breaking numbers, abbreviations or list numbers", () => {
    expect(texts("It is 3.14 here. Dr. Who came! Did he? Yes.", "sentences")).toEqual([
      "It is 3.14 here.",
      "Dr. Who came!",
      "Did he?",
      "Yes.",
    ]);
    expect(texts("中文句子。第二句！", "sentences")).toEqual(["中文句子。", "第二句！"]);
  });

  it("splits lines, paragraphs, code blocks, tool calls and a custom delimiter", () => {
    expect(texts("a\r\nb\n\n c ", "lines")).toEqual(["a", "b", "c"]);
    expect(texts("p1 line\nstill p1\n\n\np2", "paragraphs")).toEqual(["p1 line\nstill p1", "p2"]);
    expect(texts("x\n```py\nprint(1)\n```\ny\n```\nz\n```", "code_blocks")).toEqual([
      "```py\nprint(1)\n```",
      "```\nz\n```",
    ]);
    expect(
      texts('a <tool_call>{"name":"f"}</tool_call> b <tool_call>{}</tool_call>', "tool_calls"),
    ).toHaveLength(2);
    expect(texts("a ## b ##c", "delimiter", "##")).toEqual(["a", "b", "c"]);
  });

  it("gives ranges that point at the text and never overlap", () => {
    for (const kind of ["sentences", "lines", "paragraphs", "steps"] as const) {
      let prev = 0;
      for (const s of segment(solution, kind)) {
        expect(solution.slice(s.start, s.end)).toBe(s.text);
        expect(s.start).toBeGreaterThanOrEqual(prev);
        prev = s.end;
      }
    }
  });
});
