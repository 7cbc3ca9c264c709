/**
 * POST /v1/graders/validate and /v1/graders/run over real HTTP: the real `rewardkit serve` process on a
 * free port. Its model graders reach a local server started by this test that speaks the real OpenAI chat
 * completions protocol (test/rubrics/judge-server.ts), configured through the server's environment.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraderCache } from "../../src/server/protocols/openai-graders.js";
import { startServe } from "../e2e/run.js";
import { type ChatBody, type JudgeServer, startJudgeServer } from "../rubrics/judge-server.js";
import { fixture, OUT } from "./helpers.js";

let url = "";
let stop: () => Promise<void>;
let judge: JudgeServer;

beforeAll(async () => {
  judge = await startJudgeServer((b: ChatBody) => ({
    rawBody: JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion",
      model: b.model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: JSON.stringify({ result: b.messages.some((m) => m.content.includes("Paris")) ? 8 : 1 }),
          },
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 40, completion_tokens: 6, total_tokens: 46 },
    }),
  }));
  const before = process.env.REWARDKIT_JUDGE_BASE_URL;
  process.env.REWARDKIT_JUDGE_BASE_URL = judge.baseUrl;
  try {
    const s = await startServe(["--spec", "think-format"]);
    url = s.url;
    stop = s.stop;
  } finally {
    if (before === undefined) delete process.env.REWARDKIT_JUDGE_BASE_URL;
    else process.env.REWARDKIT_JUDGE_BASE_URL = before;
  }
});
afterAll(async () => {
  await stop?.();
  await judge?.close();
});

async function post(path: string, body: unknown, raw = false) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in the tests
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const check = {
  type: "string_check",
  name: "Exact",
  input: OUT,
  reference: "{{item.answer}}",
  operation: "eq",
};
const NO_ERRORS = {
  formula_parse_error: false,
  sample_parse_error: false,
  truncated_observation_error: false,
  unresponsive_reward_error: false,
  invalid_variable_error: false,
  other_error: false,
  python_grader_server_error: false,
  python_grader_server_error_type: null,
  python_grader_runtime_error: false,
  python_grader_runtime_error_details: null,
  model_grader_server_error: false,
  model_grader_refusal_error: false,
  model_grader_parse_error: false,
  model_grader_server_error_details: null,
};

describe("POST /v1/graders/validate", () => {
  it("returns a valid grader as given", async () => {
    const grader = fixture("multi.json");
    const { status, body } = await post("/v1/graders/validate", { grader });
    expect(status).toBe(200);
    expect(body).toEqual({ grader });
  });

  it("answers 400 with every problem and its path in the request", async () => {
    const { status, body } = await post("/v1/graders/validate", {
      grader: {
        ...fixture("invalid.json"),
        graders: { ...fixture<{ graders: object }>("invalid.json").graders, c: check },
      },
    });
    expect(status).toBe(400);
    expect(body.error.kind).toBe("invalid_grader");
    expect(body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      "$.grader.calculate_output",
      "$.grader.graders.a.operation",
      "$.grader.graders.b",
    ]);
    const missing = await post("/v1/graders/validate", { grader: { type: "string_check" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.issues).toEqual([
      { path: "$.grader", message: "missing required property 'name'" },
    ]);
  });

  it("compiles python sources in the sandbox (without running them) and reports syntax errors", async () => {
    const broken = { type: "python", name: "broken", source: "def grade(sample, item)\n    return 1.0\n" };
    const grader = {
      type: "multi",
      name: "m",
      graders: { ok: check, broken },
      calculate_output: "ok + broken",
    };
    const { status, body } = await post("/v1/graders/validate", { grader });
    expect(status).toBe(400);
    expect(body.error.issues).toEqual([
      { path: "$.grader.graders.broken.source", message: expect.stringMatching(/^SyntaxError: .*line 1/) },
    ]);
    // A source that would loop for ever when run is only compiled: valid.
    const loops = {
      type: "python",
      name: "loops",
      source: "while True:\n    pass\ndef grade(s, i):\n    return 1\n",
    };
    expect((await post("/v1/graders/validate", { grader: loops })).status).toBe(200);
  });

  it("refuses a request that points a model grader's judge elsewhere", async () => {
    const grader = { ...fixture("score-model.json"), judge: { base_url: "http://example.invalid/v1" } };
    const { status, body } = await post("/v1/graders/validate", { grader });
    expect(status).toBe(400);
    expect(body.error.issues[0].path).toBe("$.grader.judge.base_url");
  });

  it("refuses a timeout_ms longer than the server's request deadline", () => {
    const cache = new GraderCache(4, 60_000);
    const slow = {
      type: "python",
      name: "p",
      source: "def grade(s, i):\n    return 1\n",
      timeout_ms: 120_000,
    };
    expect(cache.get(slow)).toEqual({
      issues: [
        {
          path: "$.grader.timeout_ms",
          message: "120000 ms is over this server's request deadline (60000 ms)",
        },
      ],
    });
    expect("reward" in cache.get({ ...slow, timeout_ms: 30_000 })).toBe(true);
  });

  it("answers 400 for malformed bodies", async () => {
    expect((await post("/v1/graders/validate", "{", true)).status).toBe(400);
    expect((await post("/v1/graders/validate", { grader: "x" })).status).toBe(400);
    expect((await post("/v1/graders/validate", {})).status).toBe(400);
  });
});

describe("POST /v1/graders/run", () => {
  it("runs a string_check in OpenAI's response shape", async () => {
    const { status, body } = await post("/v1/graders/run", {
      grader: check,
      item: { answer: "Paris" },
      model_sample: "Paris",
    });
    expect(status).toBe(200);
    expect(body.reward).toBe(1);
    expect(body.metadata).toMatchObject({
      name: "Exact",
      type: "string_check",
      errors: NO_ERRORS,
      scores: {},
      token_usage: null,
      sampled_model_name: null,
    });
    expect(typeof body.metadata.execution_time).toBe("number");
    expect(body.sub_rewards).toEqual({});
    expect(body.result).toMatchObject({ status: "ok", reward: 1 });
  });

  it("runs a multi grader with a Pyodide python sub-grader: sub_rewards and scores", async () => {
    const { body } = await post("/v1/graders/run", {
      grader: fixture("multi.json"),
      item: { reference_answer: "Paris", max_chars: 5 },
      model_sample: "Paris is the capital",
    });
    // mentions 1, rouge_1 (1 of 4 tokens: F = 2/5), short 0 (20 characters > 5).
    expect(body.reward).toBeCloseTo(0.6 + 0.3 * (2 / 5), 12);
    expect(body.sub_rewards).toEqual({ mentions: 1, overlap: body.sub_rewards.overlap, short: 0 });
    expect(body.sub_rewards.overlap).toBeCloseTo(2 / 5, 12);
    expect(body.metadata.scores).toEqual(body.sub_rewards);
    expect(body.metadata.errors).toEqual(NO_ERRORS);
  });

  it("a python grader that raises sets python_grader_runtime_error, with the details", async () => {
    const { status, body } = await post("/v1/graders/run", {
      grader: {
        type: "python",
        name: "boom",
        source: "def grade(sample, item):\n    raise ValueError('bad item')\n",
      },
      item: {},
      model_sample: "x",
    });
    expect(status).toBe(200);
    expect(body.reward).toBe(0);
    expect(body.metadata.errors).toEqual({
      ...NO_ERRORS,
      python_grader_runtime_error: true,
      python_grader_runtime_error_details: expect.stringContaining("ValueError"),
    });
    expect(body.result).toMatchObject({ status: "error", error: { kind: "grader_error" } });
  });

  it("a python grader that never returns sets the timeout flags", async () => {
    const { body } = await post("/v1/graders/run", {
      grader: {
        type: "python",
        name: "loop",
        source: "def grade(s, i):\n    while True: pass\n",
        timeout_ms: 1000,
      },
      model_sample: "x",
    });
    expect(body.metadata.errors).toMatchObject({
      python_grader_runtime_error: true,
      unresponsive_reward_error: true,
    });
    expect(body.result.error.kind).toBe("timeout");
  });

  it("a missing item field sets invalid_variable_error; a multi reports which sub-grader failed", async () => {
    const { body } = await post("/v1/graders/run", {
      grader: { type: "multi", name: "m", graders: { check }, calculate_output: "check" },
      item: {},
      model_sample: "Paris",
    });
    expect(body.reward).toBe(0);
    expect(body.metadata.errors.invalid_variable_error).toBe(true);
    expect(body.metadata.scores).toEqual({ check: null });
    expect(body.result.components.check.error.message).toContain("item.answer");
  });

  it("runs score_model through the server's judge: token usage and the model", async () => {
    const { body } = await post("/v1/graders/run", {
      grader: fixture("score-model.json"),
      item: { question: "Capital of France?", reference_answer: "Paris" },
      model_sample: "Lyon",
    });
    expect(body.reward).toBe(8);
    expect(body.metadata).toMatchObject({
      errors: NO_ERRORS,
      token_usage: { prompt_tokens: 40, completion_tokens: 6, total_tokens: 46 },
      sampled_model_name: "gpt-4o-2024-08-06",
    });
    expect(body.model_grader_token_usage_per_model).toEqual({
      "gpt-4o-2024-08-06": { prompt_tokens: 40, completion_tokens: 6, total_tokens: 46 },
    });
  });

  it("keeps an item's own 'completion' field and reads OpenAI sample objects", async () => {
    const g = { ...check, input: "{{item.completion}}|{{sample.output_json.a}}", reference: "mine|1" };
    const { body } = await post("/v1/graders/run", {
      grader: g,
      item: { completion: "mine" },
      model_sample: { output_json: { a: 1 } },
    });
    expect(body.reward).toBe(1);
  });

  it("answers 400 for an invalid grader or model sample", async () => {
    const bad = await post("/v1/graders/run", { grader: { ...check, operation: "nope" }, model_sample: "x" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe("$.grader.operation");
    expect((await post("/v1/graders/run", { grader: check })).status).toBe(400);
    const noAssistant = await post("/v1/graders/run", {
      grader: check,
      model_sample: [{ role: "user", content: "hi" }],
    });
    expect(noAssistant.status).toBe(400);
  });

  it("answers 400 for a model_sample object it cannot read, rather than grading an empty output", async () => {
    for (const [ms, msg] of [
      [{}, /needs one of output_text, output_json, output_tools, choices/],
      [{ text: "Paris" }, /found text/],
      [{ output_text: 5 }, /output_text must be a string/],
      [{ choices: [null] }, /choices\[0\]\.message/],
      [{ choices: "x" }, /choices must be an array/],
    ] as const) {
      const r = await post("/v1/graders/run", { grader: { ...check, reference: "" }, model_sample: ms });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(msg);
    }
  });
});

describe("the compiled-grader cache", () => {
  it("compiles each distinct grader once, whatever its key order", () => {
    const cache = new GraderCache(2);
    const a = cache.get({ ...check });
    const reordered = Object.fromEntries(Object.entries(check).reverse());
    expect(cache.get(reordered)).toBe(a);
    expect(cache.compiled).toBe(1);
    cache.get({ ...check, operation: "ne" });
    cache.get({ ...check, operation: "like" });
    expect(cache.compiled).toBe(3);
    // The least recently used one was dropped.
    expect(cache.get(check)).not.toBe(a);
    expect(cache.compiled).toBe(4);
  });
});
