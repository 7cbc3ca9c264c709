/** `rewardkit score --spec <grader json>` and `rewardkit validate` end to end, with the real binary. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonl, runCli } from "../e2e/run.js";
import { type ChatBody, type JudgeServer, startJudgeServer } from "../rubrics/judge-server.js";
import { FIXTURES } from "./helpers.js";

/** rouge_1 F-measure of one shared token between a 1-token reference and an n-token output. */
const rouge1 = (n: number) => (2 * (1 / n) * 1) / (1 / n + 1);

describe("rewardkit score --spec <multi grader>", () => {
  it("scores JSONL rows through string_check, text_similarity and a Pyodide python grader", async () => {
    const run = await runCli([
      "score",
      "--spec",
      `${FIXTURES}multi.json`,
      "--input",
      `${FIXTURES}rows.jsonl`,
      "--components",
      "flat",
    ]);
    expect(run.code).toBe(0);
    const rows = jsonl(run.stdout);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    // 1: mentions "paris" (any case), rouge_1 over 6 tokens, 31 characters <= 100.
    expect(rows[0]!.reward).toBeCloseTo(0.6 + 0.3 * rouge1(6) + 0.1, 12);
    expect(rows[0]!.components).toMatchObject({ mentions: 1, short: 1 });
    // 2: "Lyon" vs "Paris": only short (default limit 100).
    expect(rows[1]!.reward).toBeCloseTo(0.1, 12);
    // 3: no reference_answer: an error, not 0.
    expect(rows[2]).toMatchObject({ status: "error", reward: null, error: { kind: "invalid_input" } });
    // 4: a chat completion; the last assistant message has 6 tokens and is over max_chars 10.
    expect(rows[3]!.reward).toBeCloseTo(0.6 + 0.3 * rouge1(6), 12);
    expect(run.stderr).toMatch(/status: ok 3, abstain 0, error 1/);
  });

  it("accepts a {grader: ...} document", async () => {
    const input = `${JSON.stringify({ completion: '{"answer": "B"}', label: "B" })}\n${JSON.stringify({ completion: "B", label: "B" })}\n`;
    const run = await runCli(["score", "--spec", `${FIXTURES}wrapped-python.json`, "--quiet"], input);
    expect(run.code).toBe(0);
    expect(jsonl(run.stdout).map((r) => r.reward)).toEqual([1, 0]);
  });

  it("validate prints the translated tree; an invalid grader exits 2 with its paths", async () => {
    const ok = await runCli(["validate", `${FIXTURES}multi.json`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^valid\n/);
    expect(ok.stdout).toContain("mentions (openai_string_check)");
    expect(ok.stdout).toContain("short (openai_python)");
    const bad = await runCli(["validate", `${FIXTURES}invalid.json`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("$.graders.c.type: unknown grader type");
  });
});

describe("rewardkit score --spec <score_model grader>", () => {
  let server: JudgeServer;
  beforeAll(async () => {
    // A real HTTP server speaking the OpenAI chat completions protocol, started by this test.
    server = await startJudgeServer((b: ChatBody) => {
      const user = b.messages.find((m) => m.role === "user")!.content;
      return { content: JSON.stringify({ result: user.includes("Answer: Paris") ? 10 : 3 }) };
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("reaches the judge configured by the environment", async () => {
    const before = process.env.REWARDKIT_JUDGE_BASE_URL;
    process.env.REWARDKIT_JUDGE_BASE_URL = server.baseUrl;
    try {
      const input = [
        { completion: "Paris", question: "Capital of France?", reference_answer: "Paris" },
        { completion: "Lyon", question: "Capital of France?", reference_answer: "Paris" },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n");
      const run = await runCli(["score", "--spec", `${FIXTURES}score-model.json`, "--quiet"], input);
      expect(run.code).toBe(0);
      expect(jsonl(run.stdout).map((r) => r.reward)).toEqual([10, 3]);
      expect(server.requests.map((r) => r.model)).toEqual(["gpt-4o-2024-08-06", "gpt-4o-2024-08-06"]);
    } finally {
      if (before === undefined) delete process.env.REWARDKIT_JUDGE_BASE_URL;
      else process.env.REWARDKIT_JUDGE_BASE_URL = before;
    }
  });
});
