/**
 * The reward_model node against a real HTTP server speaking each protocol (rm-server.ts: shapes from the
 * vLLM and TEI sources), backed by a Bradley-Terry model trained here on a toy preference set. Pairwise
 * accuracy on held-out pairs is measured through rewardkit and must equal the model's own.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadReward, type Result, RewardkitError, SpecError } from "../../src/index.js";
import { clearJudgeCache } from "../../src/rubrics/index.js";
import {
  type BradleyTerryModel,
  type PrefPair,
  type RmServer,
  startRmServer,
  toyPreferences,
  trainToyModel,
} from "./rm-server.js";

let model: BradleyTerryModel;
let srv: RmServer;
let heldOut: PrefPair[];

beforeAll(async () => {
  model = trainToyModel();
  srv = await startRmServer(model);
  heldOut = toyPreferences(120, 2);
});
afterAll(() => srv.close());
beforeEach(() => {
  clearJudgeCache();
  srv.requests.length = 0;
  srv.fault = undefined;
});

const samplesOf = (pairs: PrefPair[]) =>
  pairs.flatMap((p) => [
    { prompt: p.prompt, completion: p.chosen },
    { prompt: p.prompt, completion: p.rejected },
  ]);

function accuracy(results: Result[]): number {
  let right = 0;
  for (let i = 0; i < results.length; i += 2) {
    expect(results[i]!.status).toBe("ok");
    expect(results[i + 1]!.status).toBe("ok");
    if ((results[i]!.reward as number) > (results[i + 1]!.reward as number)) right++;
  }
  return right / (results.length / 2);
}

const direct = (pairs: PrefPair[]) =>
  pairs.filter((p) => model.score(`${p.prompt} ${p.chosen}`) > model.score(`${p.prompt} ${p.rejected}`))
    .length / pairs.length;

const RANGE = [-50, 50];

const PROTOCOL_SPECS: [string, Record<string, unknown>][] = [
  ["vLLM /classify, chat messages", { protocol: "vllm_classify" }],
  ["vLLM /classify, text", { protocol: "vllm_classify", format: "text", text: "{{prompt}} {{completion}}" }],
  ["vLLM /pooling, text", { protocol: "vllm_pooling", format: "text", text: "{{prompt}} {{completion}}" }],
  ["vLLM /pooling, chat messages", { protocol: "vllm_pooling" }],
  ["vLLM /score", { protocol: "vllm_score" }],
  ["TEI /predict, pairs", { protocol: "tei_predict" }],
  ["TEI /rerank", { protocol: "tei_rerank" }],
  [
    "OpenAI-compatible chat with a reward path",
    { protocol: "openai_chat", reward_path: "choices.0.logprobs.content.0.logprob" },
  ],
];

describe("reward_model: every protocol measures the model's own pairwise accuracy", () => {
  for (const [what, extra] of PROTOCOL_SPECS) {
    it(what, async () => {
      const base = extra.protocol === "openai_chat" ? `${srv.baseUrl}/v1` : srv.baseUrl;
      const reward = loadReward({
        type: "reward_model",
        base_url: base,
        model: "toy-bt",
        range: RANGE,
        ...extra,
      } as object);
      const samples = samplesOf(heldOut);
      const results = await reward.scoreBatch(samples);
      // The raw score is the model's, exactly (logits: raw_scores / use_activation false).
      results.forEach((r, i) => {
        const s = samples[i]!;
        expect(r.details?.raw).toBe(model.score(`${s.prompt} ${s.completion}`));
      });
      const acc = accuracy(results);
      expect(acc).toBe(direct(heldOut));
      expect(acc).toBeGreaterThan(0.7);
    });
  }

  it("a token reward model on /pooling: the last token's row is the sequence's reward", async () => {
    const reward = loadReward({
      type: "reward_model",
      protocol: "vllm_pooling",
      task: "token_classify",
      format: "text",
      text: "{{prompt}} {{completion}}",
      base_url: srv.baseUrl,
      range: RANGE,
    });
    const s = { prompt: "How do I plant tomatoes?", completion: "first dig a hole then water it" };
    const r = await reward.score(s);
    expect(r.reward).toBe(model.score(`${s.prompt} ${s.completion}`));
    expect(srv.requests[0]!.body).toMatchObject({ task: "token_classify", use_activation: false });
  });
});

describe("batching, cache and limits", () => {
  it("texts of samples scored together go in requests of at most batch_size", async () => {
    const reward = loadReward({
      type: "reward_model",
      protocol: "tei_predict",
      base_url: srv.baseUrl,
      range: RANGE,
      batch_size: 16,
      batch_wait_ms: 50,
    });
    const samples = samplesOf(heldOut.slice(0, 50)); // 100 texts
    const results = await reward.scoreBatch(samples, { concurrency: 100 });
    expect(results.every((r) => r.status === "ok")).toBe(true);
    const sizes = srv.requests.map((q) => (q.body as { inputs: unknown[] }).inputs.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(16);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(
      new Set(samples.map((s) => `${s.prompt}|${s.completion}`)).size,
    );
    expect(srv.requests.length).toBe(Math.ceil(100 / 16));
  });

  it("a chat format sends one conversation per request, within max_concurrency", async () => {
    const reward = loadReward({
      type: "reward_model",
      protocol: "vllm_classify",
      base_url: srv.baseUrl,
      range: RANGE,
      max_concurrency: 3,
    });
    srv.fault = () => ({ delayMs: 5 });
    const samples = samplesOf(heldOut.slice(0, 10));
    await reward.scoreBatch(samples);
    expect(srv.requests.length).toBe(20);
    expect(srv.requests[0]!.body).toMatchObject({
      messages: [
        { role: "user", content: heldOut[0]!.prompt },
        { role: "assistant", content: heldOut[0]!.chosen },
      ],
    });
    expect(srv.maxInFlight).toBeLessThanOrEqual(3);
  });

  it("answers are cached: scoring again makes no request", async () => {
    const reward = loadReward({
      type: "reward_model",
      protocol: "vllm_score",
      base_url: srv.baseUrl,
      range: RANGE,
    });
    const samples = samplesOf(heldOut.slice(0, 8));
    const first = await reward.scoreBatch(samples);
    const n = srv.requests.length;
    const again = await reward.scoreBatch(samples);
    expect(srv.requests.length).toBe(n);
    expect(again.map((r) => r.reward)).toEqual(first.map((r) => r.reward));
    expect(again.every((r) => r.details?.cache === "hit")).toBe(true);
  });

  it("with cache_dir, scores survive the process's memory (a later run makes no request)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-rm-cache-"));
    const spec = {
      type: "reward_model",
      protocol: "tei_predict",
      base_url: srv.baseUrl,
      range: RANGE,
      cache_dir: dir,
    };
    const samples = samplesOf(heldOut.slice(0, 5));
    const first = await loadReward(spec).scoreBatch(samples);
    const n = srv.requests.length;
    clearJudgeCache();
    const again = await loadReward(spec).scoreBatch(samples);
    expect(srv.requests.length).toBe(n);
    expect(again.map((r) => r.reward)).toEqual(first.map((r) => r.reward));
  });

  it("TEI's max_client_batch_size (422) is an error for those samples, never a 0", async () => {
    const reward = loadReward({
      type: "reward_model",
      protocol: "tei_rerank",
      base_url: srv.baseUrl,
      range: RANGE,
      batch_size: 64,
      batch_wait_ms: 50,
    });
    const samples = Array.from({ length: 40 }, (_, i) => ({
      prompt: "How do I learn to juggle?",
      completion: `try ${i}`,
    }));
    const results = await reward.scoreBatch(samples);
    expect(results.every((r) => r.status === "error" && r.error?.kind === "judge_error")).toBe(true);
    expect(results[0]!.error?.message).toMatch(/422.*maximum allowed batch size 32/);
    expect(srv.requests.length).toBe(1); // 422 is not retried
  });
});

describe("failures are errors", () => {
  const spec = (extra: Record<string, unknown> = {}) =>
    loadReward({
      type: "reward_model",
      protocol: "vllm_classify",
      format: "text",
      text: "{{prompt}} {{completion}}",
      base_url: srv.baseUrl,
      range: RANGE,
      max_retries: 1,
      backoff_ms: 0,
      ...extra,
    });

  it("5xx after the retries: judge_error", async () => {
    srv.fault = () => ({ status: 503, body: '{"error":"overloaded"}' });
    const r = await spec().score({ prompt: "p", completion: "c" });
    expect(r.status).toBe("error");
    expect(r.reward).toBeNull();
    expect(r.error?.kind).toBe("judge_error");
    expect(srv.requests.length).toBe(2);
  });

  it("a transient 429 is retried and then scores", async () => {
    srv.fault = (_p, i) => (i === 0 ? { status: 429, body: "{}" } : undefined);
    const r = await spec().score({ prompt: "p", completion: "first check that" });
    expect(r.status).toBe("ok");
    expect(r.reward).toBe(model.score("p first check that"));
  });

  it("no answer within request_timeout_ms: timeout, after the retries", async () => {
    srv.fault = () => ({ delayMs: 400 });
    const r = await spec({ request_timeout_ms: 40 }).score({ prompt: "p", completion: "slow one" });
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("timeout");
    expect(r.error?.message).toMatch(/did not answer within 40 ms.*up to 2 attempts/);
    expect(srv.requests.filter((q) => JSON.stringify(q.body).includes("slow one")).length).toBe(2);
  });

  it("the node's own deadline (timeout_ms of the node) bounds the wait for a batched answer", async () => {
    srv.fault = () => ({ delayMs: 400 });
    const reward = loadReward({
      type: "reward_model",
      protocol: "vllm_score",
      base_url: srv.baseUrl,
      range: RANGE,
      timeout_ms: 60,
      request_timeout_ms: 5000,
    });
    const r = await reward.score({ prompt: "p", completion: "c" });
    expect(r.error?.kind).toBe("timeout");
    expect(r.error?.message).toMatch(/deadline of 60 ms/);
  });

  it("a caller that gives up stops every waiting sample at once (one shared signal)", async () => {
    srv.fault = () => ({ delayMs: 300 });
    const reward = spec({ max_retries: 0 });
    const ac = new AbortController();
    const p = reward.scoreBatch(samplesOf(heldOut.slice(0, 20)), { signal: ac.signal });
    setTimeout(() => ac.abort(new RewardkitError("timeout", "the trainer gave up")), 30);
    const rs = await p;
    expect(rs.every((r) => r.status === "error" && /the trainer gave up/.test(r.error?.message ?? ""))).toBe(
      true,
    );
  });

  it("a response without scores: judge_error naming the problem", async () => {
    srv.fault = () => ({ body: '{"object":"list","data":[]}' });
    const r = await spec().score({ prompt: "p", completion: "c" });
    expect(r.error?.kind).toBe("judge_error");
    expect(r.error?.message).toMatch(/no score for input 0/);
  });

  it("a server that refuses connections: judge_error", async () => {
    const r = await spec({ base_url: "http://127.0.0.1:1" }).score({ prompt: "p", completion: "c" });
    expect(r.error?.kind).toBe("judge_error");
  });

  it("a sample without a prompt is invalid_input, not a score of the answer alone", async () => {
    const r = await spec({ format: "chat", text: undefined }).score({ completion: "c" });
    expect(r.error?.kind).toBe("invalid_input");
    expect(r.error?.message).toMatch(/no 'prompt'/);
    // A conversation in the completion carries its own question.
    const conv = await spec({ format: "chat", text: undefined }).score({
      completion: [
        { role: "user", content: "How do I plant tomatoes?" },
        { role: "assistant", content: "first dig a hole" },
      ],
    });
    expect(conv.reward).toBe(model.score("How do I plant tomatoes? first dig a hole"));
  });

  it("an openai_chat reward path that finds nothing: judge_error", async () => {
    const reward = loadReward({
      type: "reward_model",
      protocol: "openai_chat",
      base_url: `${srv.baseUrl}/v1`,
      reward_path: "choices.0.message.reward",
      model: "toy-bt",
      range: RANGE,
      max_retries: 0,
    });
    const r = await reward.score({ prompt: "p", completion: "c" });
    expect(r.error?.kind).toBe("judge_error");
    expect(r.error?.message).toMatch(/choices\.0\.message\.reward/);
  });
});

describe("scores as rewards", () => {
  const rm = (extra: Record<string, unknown>) =>
    loadReward({
      type: "reward_model",
      protocol: "vllm_score",
      base_url: srv.baseUrl,
      batch_wait_ms: 30,
      ...extra,
    });
  const s = {
    prompt: "How do I fix a leaking tap?",
    completion: "here is how: first check that the valve is shut",
  };
  const raw = () => model.score(`${s.prompt} ${s.completion}`);

  it("sigmoid: in [0, 1] without declaring a range", async () => {
    const r = await rm({ normalize: "sigmoid" }).score(s);
    expect(r.reward).toBeCloseTo(1 / (1 + Math.exp(-raw())), 12);
    expect(
      loadReward({
        type: "reward_model",
        protocol: "vllm_score",
        base_url: srv.baseUrl,
        normalize: "sigmoid",
      }).range,
    ).toEqual([0, 1]);
  });

  it("affine, clipped to the declared range (reported), or an error with clip false", async () => {
    const r = await rm({ normalize: "affine", scale: 10, offset: 1, range: [-1, 1] }).score(s);
    const v = 10 * raw() + 1;
    expect(Math.abs(v)).toBeGreaterThan(1);
    expect(r.reward).toBe(Math.sign(v));
    expect(r.details?.unclipped).toBeCloseTo(v, 12);
    const e = await rm({ normalize: "affine", scale: 10, offset: 1, range: [-1, 1], clip: false }).score(s);
    expect(e.status).toBe("error");
  });

  it("zscore over the samples scored together; a lone sample abstains", async () => {
    const samples = samplesOf(heldOut.slice(0, 10));
    const rs = await rm({ normalize: "zscore", range: [-10, 10] }).scoreBatch(samples);
    const vals = rs.map((r) => r.reward as number);
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1));
    expect(mean).toBeCloseTo(0, 9);
    expect(sd).toBeCloseTo(1, 9);
    expect(rs[0]!.details?.batch).toBe(20);
    const lone = await rm({ normalize: "zscore", range: [-10, 10] }).score(s);
    expect(lone.status).toBe("abstain");
  });

  it("running mean/std: abstains during warm-up, then normalises with the running statistics", async () => {
    const reward = rm({ normalize: "running", warmup: 8, range: [-10, 10] });
    const first = await reward.scoreBatch(samplesOf(heldOut.slice(0, 2)));
    expect(first.every((r) => r.status === "abstain" && /warming up \(4\/8/.test(r.feedback ?? ""))).toBe(
      true,
    );
    const later = await reward.scoreBatch(samplesOf(heldOut.slice(2, 6)));
    expect(later.every((r) => r.status === "ok")).toBe(true);
    const seen = samplesOf(heldOut.slice(0, 6)).map((x) => model.score(`${x.prompt} ${x.completion}`));
    const mean = seen.reduce((a, b) => a + b, 0) / seen.length;
    const sd = Math.sqrt(seen.reduce((a, b) => a + (b - mean) ** 2, 0) / (seen.length - 1));
    expect(later[0]!.reward).toBeCloseTo((seen[4]! - mean) / sd, 9);
  });

  it("reference mode: r(completion) - r(reference), and a missing reference is an error", async () => {
    const reward = rm({ reference: true, range: [-40, 40] });
    const ref = "no idea just google it";
    const r = await reward.score({ ...s, reference: ref });
    expect(r.reward).toBeCloseTo(raw() - model.score(`${s.prompt} ${ref}`), 12);
    expect(r.details?.reference_raw).toBe(model.score(`${s.prompt} ${ref}`));
    const missing = await reward.score(s);
    expect(missing.status).toBe("error");
    expect(missing.error?.kind).toBe("invalid_input");
  });
});

describe("spec errors name the problem", () => {
  const bad = (spec: Record<string, unknown>, re: RegExp) => {
    expect(() =>
      loadReward({ type: "reward_model", base_url: "http://127.0.0.1:9", ...spec } as object),
    ).toThrow(SpecError);
    expect(() =>
      loadReward({ type: "reward_model", base_url: "http://127.0.0.1:9", ...spec } as object),
    ).toThrow(re);
  };
  it("unbounded scores need a range", () => bad({ protocol: "vllm_score" }, /declare the reward's 'range'/));
  it("format text needs a template", () =>
    bad({ protocol: "tei_predict", format: "text", range: RANGE }, /needs a 'text' template/));
  it("a format the protocol lacks", () =>
    bad({ protocol: "tei_rerank", format: "chat", range: RANGE }, /not available with tei_rerank/));
  it("openai_chat needs a reward path and a model", () => {
    bad({ protocol: "openai_chat", model: "m", range: RANGE }, /reward_path/);
    bad({ protocol: "openai_chat", reward_path: "a.b", range: RANGE }, /needs 'model'/);
  });
  it("an unknown protocol", () => bad({ protocol: "grpc", range: RANGE }, /protocol/));
  it("reference_template without reference mode", () =>
    bad(
      { protocol: "vllm_score", normalize: "sigmoid", reference_template: "{{gold}}" },
      /needs 'reference: true'/,
    ));
  it("warmup without running", () =>
    bad({ protocol: "vllm_score", normalize: "sigmoid", warmup: 3 }, /warmup/));
});
