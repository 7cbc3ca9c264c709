/**
 * score_model and label_model against a local HTTP server started by the test that speaks the real OpenAI
 * chat completions protocol (test/rubrics/judge-server.ts: POST /v1/chat/completions, answers
 * {"choices": [{"message": {"role": "assistant", "content"}}], "usage"}). The test scripts its replies
 * and reads back every request, so what the grader sends (model, templated messages, sampling
 * parameters) and what it makes of each kind of reply are both checked. No network, no model, no key.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadReward } from "../../src/spec/index.js";
import { type ChatBody, type JudgeServer, type Reply, startJudgeServer } from "../rubrics/judge-server.js";
import { fixture, flagsOf, grade } from "./helpers.js";

let server: JudgeServer;
let judge: Record<string, unknown>;

/** A chat completion body with token usage, as OpenAI-compatible servers send it. */
function completion(body: ChatBody, content: string, usage = { prompt: 11, completion: 5 }): Reply {
  return {
    rawBody: JSON.stringify({
      id: "chatcmpl-test",
      object: "chat.completion",
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: {
        prompt_tokens: usage.prompt,
        completion_tokens: usage.completion,
        total_tokens: usage.prompt + usage.completion,
      },
    }),
  };
}

/** The default judge: 9 when the answer line contains the reference line, else 2. */
function scorer(body: ChatBody): Reply {
  const user = body.messages.find((m) => m.role === "user")?.content ?? "";
  const ref = /Reference: (.*)/.exec(user)?.[1] ?? "\u0000";
  const ans = /Answer: (.*)/.exec(user)?.[1] ?? "";
  const result = ans.toLowerCase().includes(ref.toLowerCase()) ? 9 : 2;
  return completion(
    body,
    JSON.stringify({ steps: [{ description: "compare", conclusion: "done" }], result }),
  );
}

beforeAll(async () => {
  server = await startJudgeServer(scorer);
  judge = { base_url: server.baseUrl, max_retries: 1, backoff_ms: 0, max_backoff_ms: 0, timeout_ms: 5000 };
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  server.handler = scorer;
  server.requests.length = 0;
});

const scoreModel = (extra: Record<string, unknown> = {}) => ({
  ...fixture("score-model.json"),
  judge,
  ...extra,
});
const row = { question: "Capital of France?", reference_answer: "Paris" };

describe("score_model", () => {
  it("sends the templated messages, the model and the sampling parameters; the result is the reward", async () => {
    const r = await grade(scoreModel(), { ...row, completion: "It is Paris." });
    expect(r).toMatchObject({ status: "ok", reward: 9 });
    expect(r.details).toMatchObject({
      model: "gpt-4o-2024-08-06",
      passed: true,
      token_usage: { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 },
    });
    const req = server.requests[0]!;
    expect(req.model).toBe("gpt-4o-2024-08-06");
    expect(req).toMatchObject({ temperature: 0, seed: 7, max_tokens: 256, top_p: 1, stream: false });
    expect(req.messages[0]!.role).toBe("system");
    expect(req.messages[0]!.content).toMatch(/^You grade answers to questions\.\n\nReply with a JSON object/);
    expect(req.messages[0]!.content).toContain('"result" is a number from 0 to 10');
    expect(req.messages[1]).toEqual({
      role: "user",
      content:
        "Question: Capital of France?\nReference: Paris\nAnswer: It is Paris.\nScore the answer from 0 to 10.",
    });
    const low = await grade(scoreModel(), { ...row, completion: "Lyon" });
    expect(low).toMatchObject({ status: "ok", reward: 2, details: { passed: false } });
  });

  it("takes the endpoint from the environment and judge.model overrides the grader's model", async () => {
    const before = process.env.REWARDKIT_JUDGE_BASE_URL;
    process.env.REWARDKIT_JUDGE_BASE_URL = server.baseUrl;
    try {
      const g = { ...fixture("score-model.json"), judge: { model: "local-judge" } };
      const r = await grade(g, { ...row, completion: "Paris" });
      expect(r.reward).toBe(9);
      expect(server.requests[0]!.model).toBe("local-judge");
    } finally {
      if (before === undefined) delete process.env.REWARDKIT_JUDGE_BASE_URL;
      else process.env.REWARDKIT_JUDGE_BASE_URL = before;
    }
  });

  it("without an endpoint the grader does not load", () => {
    const before = process.env.REWARDKIT_JUDGE_BASE_URL;
    delete process.env.REWARDKIT_JUDGE_BASE_URL;
    try {
      expect(() => loadReward(fixture("score-model.json"))).toThrow(/REWARDKIT_JUDGE_BASE_URL/);
    } finally {
      if (before !== undefined) process.env.REWARDKIT_JUDGE_BASE_URL = before;
    }
  });

  it("a reply that does not parse is sent back once with the problem, then accepted", async () => {
    server.handler = (b, i) =>
      i === 0 ? completion(b, "I'd say about seven.") : completion(b, '{"result": 7}');
    const r = await grade(scoreModel(), { ...row, completion: "Paris" });
    expect(r).toMatchObject({ status: "ok", reward: 7 });
    expect(server.requests).toHaveLength(2);
    const retry = server.requests[1]!.messages;
    expect(retry[retry.length - 1]!.content).toMatch(/no numeric "result"/);
    // Tokens of both answered attempts count.
    expect(r.details?.token_usage).toEqual({ prompt_tokens: 22, completion_tokens: 10, total_tokens: 32 });
  });

  it("a bare number is accepted; an out-of-range result is not", async () => {
    server.handler = (b) => completion(b, " 4 ");
    expect((await grade(scoreModel(), { ...row, completion: "x" })).reward).toBe(4);
    server.handler = (b) => completion(b, '{"result": 11}');
    const r = await grade(scoreModel(), { ...row, completion: "x" });
    expect(r).toMatchObject({ status: "error", error: { kind: "judge_parse_error" } });
    expect(r.error?.message).toMatch(/outside the range \[0, 10\]/);
    expect(flagsOf(r)).toEqual(["model_grader_parse_error"]);
  });

  it("server errors, refusals and timeouts are flagged, never scored", async () => {
    server.handler = () => ({ status: 500 });
    const e500 = await grade(scoreModel(), { ...row, completion: "x" });
    expect(e500).toMatchObject({ status: "error", reward: null, error: { kind: "judge_error" } });
    expect(e500.error?.message).toMatch(/HTTP 500/);
    expect(flagsOf(e500)).toEqual(["model_grader_server_error"]);

    server.handler = () => ({ content: null, refusal: "I can't help with that." });
    const refused = await grade(scoreModel(), { ...row, completion: "x" });
    expect(flagsOf(refused)).toEqual(["model_grader_refusal_error"]);

    server.handler = (b) => ({ ...completion(b, '{"result": 1}'), delayMs: 2000 });
    const slow = await grade(scoreModel({ judge: { ...judge, timeout_ms: 200, max_retries: 0 } }), {
      ...row,
      completion: "x",
    });
    expect(slow.error?.kind).toBe("timeout");
    expect(flagsOf(slow)).toEqual(["model_grader_server_error", "unresponsive_reward_error"]);
  });

  it("a missing item field fails before any request", async () => {
    const r = await grade(scoreModel(), { question: "q", completion: "x" });
    expect(flagsOf(r)).toEqual(["invalid_variable_error"]);
    expect(server.requests).toHaveLength(0);
  });

  it("content parts and developer messages are accepted", async () => {
    const g = scoreModel({
      input: [
        { role: "developer", content: "Grade it." },
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "Reference: {{item.reference_answer}}\n" },
            { type: "input_text", text: "Answer: {{sample.output_text}}" },
          ],
        },
      ],
    });
    expect((await grade(g, { ...row, completion: "paris" })).reward).toBe(9);
    expect(server.requests[0]!.messages[0]!.role).toBe("system");
    expect(() =>
      loadReward(scoreModel({ input: [{ role: "user", content: [{ type: "input_image" }] }] })),
    ).toThrow(/only text parts/);
  });
});

describe("label_model", () => {
  const labeler = (extra: Record<string, unknown> = {}) => ({
    type: "label_model",
    name: "sentiment",
    model: "gpt-4o-mini",
    input: [{ role: "user", content: "Classify the sentiment of: {{sample.output_text}}" }],
    labels: ["positive", "neutral", "negative"],
    passing_labels: ["positive"],
    judge,
    ...extra,
  });

  it("the label decides: 1 for a passing label, 0 otherwise", async () => {
    server.handler = (b) => {
      const text = b.messages.find((m) => m.role === "user")!.content;
      return completion(b, JSON.stringify({ result: text.includes("love") ? "positive" : "negative" }));
    };
    const good = await grade(labeler(), { completion: "I love it" });
    expect(good).toMatchObject({ status: "ok", reward: 1, details: { label: "positive", passed: true } });
    const bad = await grade(labeler(), { completion: "I hate it" });
    expect(bad).toMatchObject({ status: "ok", reward: 0, details: { label: "negative", passed: false } });
    expect(server.requests[0]!.messages[0]!.content).toContain(
      'exactly one of "positive", "neutral", "negative"',
    );
  });

  it("a bare label is accepted, an unknown one is a parse error", async () => {
    server.handler = (b) => completion(b, "Positive");
    expect((await grade(labeler(), { completion: "x" })).reward).toBe(1);
    server.handler = (b) => completion(b, '{"result": "ecstatic"}');
    const r = await grade(labeler(), { completion: "x" });
    expect(flagsOf(r)).toEqual(["model_grader_parse_error"]);
  });

  it("passing_labels must be labels", () => {
    expect(() => loadReward(labeler({ passing_labels: ["great"] }))).toThrow(/"great" not among the labels/);
  });
});
