/**
 * The LLM judge against a local stand-in server (judge-server.ts) that speaks the real OpenAI chat
 * completions protocol over HTTP. These tests script the server's misbehaviour (malformed replies, 429s,
 * 5xx, refusals, slow answers) and check retries, batching, the cache key and the error kinds. They
 * always use the stand-in: a real endpoint cannot be made to misbehave on cue. The behavioural tests
 * that can also run against a real model are in llm-judge.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadReward, type Result } from "../../src/index.js";
import { cacheKey, clearJudgeCache, promptHash } from "../../src/rubrics/index.js";
import {
  type ChatBody,
  criteriaOf,
  type JudgeServer,
  ruleGrader,
  startJudgeServer,
  userPrompt,
} from "./judge-server.js";

let server: JudgeServer;

beforeEach(async () => {
  clearJudgeCache();
  server = await startJudgeServer();
});

afterEach(async () => {
  await server.close();
});

const judge = (extra: Record<string, unknown> = {}) => ({
  base_url: server.baseUrl,
  model: "stand-in-judge",
  backoff_ms: 1,
  max_backoff_ms: 20,
  timeout_ms: 10_000,
  ...extra,
});

const CRITERIA = [
  { id: "capital", text: "The response names 'Paris' as the capital.", category: "essential" },
  { id: "river", text: "The response mentions the 'Seine'.", category: "optional" },
  { id: "unsure", text: "The response says 'not sure'.", category: "pitfall" },
  { id: "tone", text: "The response is 'polite'.", kind: "ordinal", choices: ["rude", "neutral", "polite"] },
];

const rubric = (extra: Record<string, unknown> = {}) => ({
  type: "rubric",
  criteria: CRITERIA,
  judge: judge(),
  ...extra,
});

const GOOD = "The capital of France is Paris, on the Seine. Hope this is polite enough.";

const comp = (r: Result, id: string) => r.components![id]!;

describe("LLM judge: verdicts", () => {
  it("scores canned verdicts into the weighted mean and reports each criterion", async () => {
    const r = await loadReward(rubric()).score({
      prompt: "What is the capital of France?",
      completion: GOOD,
    });
    expect(r.status).toBe("ok");
    // One request for four criteria (batch_size 8), temperature 0 and a seed by default.
    expect(server.requests).toHaveLength(1);
    const body = server.requests[0]!;
    expect(body.model).toBe("stand-in-judge");
    expect(body.temperature).toBe(0);
    expect(typeof body.seed).toBe("number");
    expect(criteriaOf(userPrompt(body)).map((c) => c.id)).toEqual(["capital", "river", "unsure", "tone"]);
    expect(userPrompt(body)).toContain("What is the capital of France?");
    // All positive criteria met, the pitfall avoided: the weighted mean is 1.
    expect(r.reward).toBe(1);
    expect(comp(r, "capital").details).toMatchObject({
      verdict: true,
      met: true,
      judge: "llm",
      model: "stand-in-judge",
    });
    expect(comp(r, "unsure").details).toMatchObject({ verdict: false, met: false });
    expect(comp(r, "tone").details).toMatchObject({ verdict: "polite" });
    expect(typeof comp(r, "capital").feedback).toBe("string");
  });

  it("computes partial credit from the verdicts with the category weights", async () => {
    const r = await loadReward(rubric()).score({ completion: "Paris. I'm not sure though." });
    // capital met (essential, 1), river not (optional, 0.3), the pitfall made (0.9, lost), tone 'rude'
    // (uncategorised: weight 1, score 0).
    const w = { capital: 1, river: 0.3, unsure: 0.9, tone: 1 };
    const expected =
      (w.capital * 1 + w.river * 0 + w.unsure * 0 + w.tone * 0) / (w.capital + w.river + w.unsure + w.tone);
    expect(r.reward).toBeCloseTo(expected, 12);
    expect(comp(r, "unsure").details).toMatchObject({ verdict: true, met: true });
  });

  it("batches k criteria per call and judges every criterion exactly once", async () => {
    const criteria = Array.from({ length: 7 }, (_, i) => ({ id: `k${i}`, text: `Mentions 'word${i}'.` }));
    const completion = "word0 word2 word4 word6";
    const r = await loadReward({ type: "rubric", criteria, judge: judge({ batch_size: 3 }) }).score({
      completion,
    });
    expect(r.status).toBe("ok");
    const batches = server.requests.map((b) => criteriaOf(userPrompt(b)).map((c) => c.id));
    expect(batches.map((b) => b.length).sort()).toEqual([1, 3, 3]);
    expect(batches.flat().sort()).toEqual(criteria.map((c) => c.id).sort());
    expect(r.reward).toBeCloseTo(4 / 7, 12);
    expect(comp(r, "k1").details!.batch).toHaveLength(3);
  });

  it("sends the API key from the configured environment variable", async () => {
    process.env.RUBRIC_TEST_KEY = "sk-test-123";
    try {
      const r = await loadReward(rubric({ judge: judge({ api_key_env: "RUBRIC_TEST_KEY" }) })).score({
        completion: GOOD,
      });
      expect(r.status).toBe("ok");
      expect(server.headers[0]!.authorization).toBe("Bearer sk-test-123");
    } finally {
      delete process.env.RUBRIC_TEST_KEY;
    }
    clearJudgeCache();
    const r2 = await loadReward(rubric({ judge: judge({ api_key_env: "RUBRIC_TEST_KEY" }) })).score({
      completion: GOOD,
    });
    expect(r2.status).toBe("error");
    expect(r2.error!.kind).toBe("judge_error");
    expect(r2.error!.message).toContain("RUBRIC_TEST_KEY");
  });
});

describe("LLM judge: retries and error kinds", () => {
  it("retries a malformed reply, showing the model its mistake", async () => {
    server.handler = (b, i) => ({ content: i === 0 ? "All criteria look met to me!" : ruleGrader(b) });
    const r = await loadReward(rubric()).score({ completion: GOOD });
    expect(r.status).toBe("ok");
    expect(r.reward).toBe(1);
    expect(server.requests).toHaveLength(2);
    const retry = server.requests[1]!.messages;
    expect(retry.at(-2)).toEqual({ role: "assistant", content: "All criteria look met to me!" });
    expect(retry.at(-1)!.role).toBe("user");
    expect(retry.at(-1)!.content).toMatch(/could not be used/);
    expect(comp(r, "capital").details!.attempts).toBe(2);
  });

  it("retries a reply that misses a criterion or gives a wrong verdict type", async () => {
    server.handler = (b, i) => {
      if (i === 0) {
        const ids = criteriaOf(userPrompt(b)).map((c) => c.id);
        return { content: JSON.stringify({ verdicts: [{ id: ids[0], reason: "x", verdict: true }] }) };
      }
      if (i === 1) {
        const verdicts = criteriaOf(userPrompt(b)).map((c) => ({ id: c.id, reason: "x", verdict: "yes" }));
        return { content: JSON.stringify({ verdicts }) };
      }
      return { content: ruleGrader(b) };
    };
    const r = await loadReward(rubric()).score({ completion: GOOD });
    expect(r.status).toBe("ok");
    expect(server.requests).toHaveLength(3);
    expect(server.requests[1]!.messages.at(-1)!.content).toMatch(/no verdict for/);
    expect(server.requests[2]!.messages.at(-1)!.content).toMatch(/must be true or false/);
  });

  it("accepts a fenced JSON reply", async () => {
    server.handler = (b) => ({ content: `Here you go:\n\`\`\`json\n${ruleGrader(b)}\n\`\`\`` });
    const r = await loadReward(rubric()).score({ completion: GOOD });
    expect(r.reward).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it("a reply that never parses is judge_parse_error, not 0", async () => {
    server.handler = () => ({ content: '{"verdicts": "all good"}' });
    const r = await loadReward(rubric({ judge: judge({ max_retries: 2 }) })).score({ completion: GOOD });
    expect(r.status).toBe("error");
    expect(r.reward).toBeNull();
    expect(r.error!.kind).toBe("judge_parse_error");
    expect(server.requests).toHaveLength(3);
    expect(comp(r, "capital").error!.kind).toBe("judge_parse_error");
  });

  it("backs off and retries on 429 and 5xx, honouring Retry-After", async () => {
    server.handler = (b, i) =>
      i === 0
        ? { status: 429, headers: { "retry-after": "0" } }
        : i === 1
          ? { status: 500 }
          : i === 2
            ? { status: 503 }
            : { content: ruleGrader(b) };
    const r = await loadReward(rubric()).score({ completion: GOOD });
    expect(r.status).toBe("ok");
    expect(r.reward).toBe(1);
    expect(server.requests).toHaveLength(4);
    // A server error is retried with the same request (no correction appended).
    expect(server.requests[3]!.messages).toEqual(server.requests[0]!.messages);
  });

  it("gives judge_error when the server keeps failing, after max_retries + 1 requests", async () => {
    server.handler = () => ({ status: 502 });
    const r = await loadReward(rubric({ judge: judge({ max_retries: 2 }) })).score({ completion: GOOD });
    expect(r.status).toBe("error");
    expect(r.error!.kind).toBe("judge_error");
    expect(r.error!.message).toContain("HTTP 502");
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry a client error such as 400 or 404", async () => {
    server.handler = () => ({ status: 400 });
    const r = await loadReward(rubric()).score({ completion: GOOD });
    expect(r.error!.kind).toBe("judge_error");
    expect(server.requests).toHaveLength(1);
  });

  it("retries a response body that is not JSON", async () => {
    server.handler = (b, i) =>
      i === 0 ? { rawBody: "<html>bad gateway</html>" } : { content: ruleGrader(b) };
    const r = await loadReward(rubric()).score({ completion: GOOD });
    expect(r.reward).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it("a refusal is judge_error, without retrying", async () => {
    server.handler = () => ({ content: null, refusal: "I can't help with grading this." });
    const r = await loadReward(rubric()).score({ completion: GOOD });
    expect(r.status).toBe("error");
    expect(r.error!.kind).toBe("judge_error");
    expect(r.error!.message).toMatch(/refused/);
    expect(server.requests).toHaveLength(1);
    server.handler = () => ({ content: "", finishReason: "content_filter" });
    clearJudgeCache();
    const r2 = await loadReward(rubric()).score({ completion: "Paris!" });
    expect(r2.error!.kind).toBe("judge_error");
  });

  it("a refusal written as prose is retried as malformed, then judge_parse_error", async () => {
    server.handler = () => ({ content: "I'm sorry, but I can't assist with that request." });
    const r = await loadReward(rubric({ judge: judge({ max_retries: 1 }) })).score({ completion: GOOD });
    expect(r.error!.kind).toBe("judge_parse_error");
    expect(server.requests).toHaveLength(2);
  });

  it("a slow judge times out (timeout), and a retry that answers in time succeeds", async () => {
    server.handler = () => ({ content: "{}", delayMs: 3_000 });
    const r = await loadReward(rubric({ judge: judge({ timeout_ms: 100, max_retries: 1 }) })).score({
      completion: GOOD,
    });
    expect(r.status).toBe("error");
    expect(r.error!.kind).toBe("timeout");
    expect(server.requests).toHaveLength(2);

    clearJudgeCache();
    const before = server.requests.length;
    server.handler = (b, i) =>
      i === before ? { content: "{}", delayMs: 3_000 } : { content: ruleGrader(b) };
    const r2 = await loadReward(rubric({ judge: judge({ timeout_ms: 1_000, max_retries: 1 }) })).score({
      completion: GOOD,
    });
    expect(r2.status).toBe("ok");
    expect(r2.reward).toBe(1);
  });

  it("a connection refused is judge_error", async () => {
    const url = server.baseUrl;
    await server.close();
    const r = await loadReward(rubric({ judge: judge({ base_url: url, max_retries: 1 }) })).score({
      completion: GOOD,
    });
    expect(r.status).toBe("error");
    expect(r.error!.kind).toBe("judge_error");
    server = await startJudgeServer();
  });

  it("on_error turns a failed criterion into the chosen score only when the spec says so", async () => {
    // Criteria split over two batches; the batch holding 'river' fails for good.
    server.handler = (b) =>
      criteriaOf(userPrompt(b)).some((c) => c.id === "river") ? { status: 500 } : { content: ruleGrader(b) };
    const spec = rubric({ judge: judge({ batch_size: 2, max_retries: 0 }) });
    const propagated = await loadReward(spec).score({ completion: GOOD });
    expect(propagated.status).toBe("error");
    const skipped = await loadReward({ ...spec, on_error: "skip" }).score({ completion: GOOD });
    expect(skipped.status).toBe("ok");
    expect(skipped.components!.river!.status).toBe("error");
    expect(skipped.components!.river!.weight).toBe(0);
    expect(skipped.reward).toBe(1);
    const zero = await loadReward({ ...spec, on_error: 0 }).score({ completion: GOOD });
    // river (0.3) and capital (1) share the failed batch: both count as 0.
    expect(zero.reward).toBeCloseTo((0.9 + 1) / (1 + 0.3 + 0.9 + 1), 12);
  });

  it("never has more requests in flight than max_concurrency", async () => {
    server.handler = (b) => ({ content: ruleGrader(b), delayMs: 20 });
    const criteria = Array.from({ length: 6 }, (_, i) => ({ id: `m${i}`, text: `Mentions 'w${i}'.` }));
    const reward = loadReward({
      type: "rubric",
      criteria,
      judge: judge({ batch_size: 1, max_concurrency: 2 }),
    });
    const samples = Array.from({ length: 5 }, (_, i) => ({ completion: `w${i} sample ${i}` }));
    const results = await reward.scoreBatch(samples, { concurrency: 5 });
    expect(results.every((r) => r.status === "ok")).toBe(true);
    expect(server.requests).toHaveLength(30);
    expect(server.maxInFlight).toBeLessThanOrEqual(2);
    expect(server.maxInFlight).toBeGreaterThanOrEqual(1);
  });
});

describe("LLM judge: cache", () => {
  const keyOf = (body: ChatBody, version: string) =>
    cacheKey({
      baseUrl: server.baseUrl,
      model: body.model,
      promptHash: promptHash({
        messages: body.messages,
        temperature: body.temperature,
        seed: body.seed,
        max_tokens: body.max_tokens,
      }),
      rubricVersion: version,
    });

  it("is keyed by (base URL, model, prompt hash, rubric version) and answers repeats from memory", async () => {
    const reward = loadReward(rubric({ version: "v1" }));
    const first = await reward.score({ completion: GOOD });
    expect(server.requests).toHaveLength(1);
    const d = comp(first, "capital").details!;
    expect(d.cache).toBe("miss");
    expect(d.key).toBe(keyOf(server.requests[0]!, "v1"));

    const again = await reward.score({ completion: GOOD });
    expect(server.requests).toHaveLength(1);
    expect(comp(again, "capital").details!.cache).toBe("hit");
    expect(again.reward).toBe(first.reward);

    // A new rubric version, a new model or another response is a new key.
    await loadReward(rubric({ version: "v2" })).score({ completion: GOOD });
    expect(server.requests).toHaveLength(2);
    await loadReward(rubric({ version: "v1", judge: judge({ model: "other-judge" }) })).score({
      completion: GOOD,
    });
    expect(server.requests).toHaveLength(3);
    await reward.score({ completion: `${GOOD} ` });
    expect(server.requests).toHaveLength(4);
    // The default version is a hash of the criteria: the same rubric in another spec shares the cache.
    await loadReward(rubric()).score({ completion: GOOD });
    await loadReward(rubric()).score({ completion: GOOD });
    expect(server.requests).toHaveLength(5);
  });

  it("shares one request between concurrent identical judgments", async () => {
    server.handler = (b) => ({ content: ruleGrader(b), delayMs: 20 });
    const results = await loadReward(rubric()).scoreBatch([
      { completion: GOOD },
      { completion: GOOD },
      { completion: GOOD },
    ]);
    expect(results.map((r) => r.reward)).toEqual([1, 1, 1]);
    expect(server.requests).toHaveLength(1);
    const kinds = results.map((r) => comp(r, "capital").details!.cache).sort();
    expect(kinds).toEqual(["miss", "shared", "shared"]);
  });

  it("a caller that gives up stops waiting without cancelling the call it shares with another", async () => {
    const ac = new AbortController();
    server.handler = (b) => {
      ac.abort();
      return { content: ruleGrader(b), delayMs: 30 };
    };
    const reward = loadReward(rubric());
    const [gaveUp, waited] = await Promise.all([
      reward.score({ completion: GOOD }, { signal: ac.signal }),
      reward.score({ completion: GOOD }),
    ]);
    expect(gaveUp.status).toBe("error");
    expect(waited.status).toBe("ok");
    expect(waited.reward).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it("keeps answers on disk across processes (memory cleared), one file per key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-judge-cache-"));
    try {
      const spec = rubric({ version: "disk", judge: judge({ cache_dir: dir }) });
      const r1 = await loadReward(spec).score({ completion: GOOD });
      const key = comp(r1, "capital").details!.key as string;
      const file = join(dir, key.slice(0, 2), `${key}.json`);
      expect(existsSync(file)).toBe(true);
      const entry = JSON.parse(readFileSync(file, "utf8"));
      expect(entry).toMatchObject({
        key,
        baseUrl: server.baseUrl,
        model: "stand-in-judge",
        rubricVersion: "disk",
      });
      expect(typeof entry.promptHash).toBe("string");
      expect(entry.content).toBe(ruleGrader(server.requests[0]!));

      clearJudgeCache();
      const r2 = await loadReward(spec).score({ completion: GOOD });
      expect(server.requests).toHaveLength(1);
      expect(comp(r2, "capital").details!.cache).toBe("hit");
      expect(r2.reward).toBe(r1.reward);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("does not cache a failed judgment", async () => {
    server.handler = (b, i) => (i === 0 ? { status: 500 } : { content: ruleGrader(b) });
    const spec = rubric({ judge: judge({ max_retries: 0 }) });
    expect((await loadReward(spec).score({ completion: GOOD })).status).toBe("error");
    expect((await loadReward(spec).score({ completion: GOOD })).status).toBe("ok");
    expect(server.requests).toHaveLength(2);
  });

  it("can be turned off", async () => {
    const reward = loadReward(rubric({ judge: judge({ cache: false }) }));
    await reward.score({ completion: GOOD });
    await reward.score({ completion: GOOD });
    expect(server.requests).toHaveLength(2);
  });
});

describe("LLM judge: formats and modes", () => {
  it("parses the Prometheus format, one criterion per call", async () => {
    const spec = rubric({ judge: judge({ format: "prometheus" }) });
    const r = await loadReward(spec).score({ completion: GOOD });
    expect(r.status).toBe("ok");
    expect(server.requests).toHaveLength(CRITERIA.length);
    expect(userPrompt(server.requests[0]!)).toMatch(/^###Task Description:/);
    expect(r.reward).toBe(1);
    expect(comp(r, "tone").details).toMatchObject({ verdict: "polite", result: 3 });
    expect(comp(r, "capital").details).toMatchObject({ verdict: true, result: 5 });
    expect(comp(r, "unsure").details).toMatchObject({ verdict: false });

    clearJudgeCache();
    const bad = await loadReward(spec).score({ completion: "Lyon, I'm not sure." });
    expect(bad.reward).toBe(0);
    expect(comp(bad, "unsure").details).toMatchObject({ verdict: true, met: true });
  });

  it("retries a Prometheus reply without [RESULT], and rejects an out-of-range score", async () => {
    server.handler = (b, i) =>
      i === 0
        ? { content: "Feedback: looks fine." }
        : i === 1
          ? { content: "Feedback: ok [RESULT] 9" }
          : { content: ruleGrader(b) };
    const spec = { type: "rubric", criteria: [CRITERIA[0]], judge: judge({ format: "prometheus" }) };
    const r = await loadReward(spec).score({ completion: GOOD });
    expect(r.reward).toBe(1);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]!.messages.at(-1)!.content).toMatch(/from 1 to 5/);
  });

  it("pairwise: judges both orders and reconciles them", async () => {
    const spec = rubric({ pairwise: { baseline: "{{baseline}}" } });
    const r = await loadReward(spec).score({
      completion: GOOD,
      baseline: "Lyon is the capital. Not sure, though.",
    });
    expect(r.status).toBe("ok");
    expect(server.requests).toHaveLength(2);
    const [p1, p2] = server.requests.map(userPrompt);
    expect(p1).toContain(`<response_a>\n${GOOD}\n</response_a>`);
    expect(p2).toContain(`<response_b>\n${GOOD}\n</response_b>`);
    expect(comp(r, "capital").details).toMatchObject({ preference: 1, consistent: true });
    expect(comp(r, "capital").details!.verdict).toMatchObject({
      candidate_first: "A",
      baseline_first: "B",
      preferred: "candidate",
    });
    // The candidate wins every criterion and avoids the pitfall the baseline makes.
    expect(r.reward).toBe(1);
  });

  it("pairwise: a judge that always prefers the first position gives ties, flagged inconsistent", async () => {
    server.handler = (b) => ({
      content: JSON.stringify({
        verdicts: criteriaOf(userPrompt(b)).map((c) => ({
          id: c.id,
          reason: "first is better",
          verdict: "A",
        })),
      }),
    });
    const r = await loadReward(rubric({ pairwise: { baseline: "{{baseline}}" } })).score({
      completion: GOOD,
      baseline: "Lyon.",
    });
    expect(r.reward).toBe(0.5);
    for (const c of CRITERIA) {
      expect(comp(r, c.id).details).toMatchObject({ preference: 0.5, consistent: false });
      expect((comp(r, c.id).details!.verdict as { preferred: string }).preferred).toBe("inconsistent");
    }
  });

  it("implicit: one holistic call over the whole rubric, normalised from its scale", async () => {
    const spec = rubric({ aggregation: "implicit", scale: [1, 5] });
    const r = await loadReward(spec).score({ completion: "Paris." });
    expect(server.requests).toHaveLength(1);
    // The rule grader satisfies capital and the pitfall (avoided) of four lines: 1 + round(0.5 * 4) = 3.
    expect(comp(r, "holistic").details).toMatchObject({ score: 3, scale: [1, 5] });
    expect(r.reward).toBe(0.5);
  });

  it("implicit: an out-of-range score is retried, then judge_parse_error", async () => {
    server.handler = () => ({ content: JSON.stringify({ reason: "great", score: 11 }) });
    const r = await loadReward(rubric({ aggregation: "implicit", judge: judge({ max_retries: 1 }) })).score({
      completion: GOOD,
    });
    expect(r.status).toBe("error");
    expect(r.error!.kind).toBe("judge_parse_error");
    expect(server.requests).toHaveLength(2);
  });

  it("implicit with the Prometheus format and pairwise", async () => {
    const prom = await loadReward(
      rubric({ aggregation: "implicit", judge: judge({ format: "prometheus" }) }),
    ).score({ completion: GOOD });
    expect(prom.reward).toBe(1);
    const pw = await loadReward(
      rubric({ aggregation: "implicit", pairwise: { baseline: "{{baseline}}" } }),
    ).score({
      completion: GOOD,
      baseline: "No idea.",
    });
    expect(pw.reward).toBe(1);
    expect(comp(pw, "holistic").details).toMatchObject({ consistent: true });
  });

  it("mixes programmatic and LLM criteria: only the LLM ones cost a call", async () => {
    const spec = {
      type: "rubric",
      judges: { short: { type: "length", unit: "words", max: 30 } },
      criteria: [
        { id: "short", text: "At most 30 words.", judge: "short" },
        { id: "capital", text: "Names 'Paris'." },
      ],
      judge: judge(),
    };
    const r = await loadReward(spec).score({ completion: GOOD });
    expect(r.reward).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(criteriaOf(userPrompt(server.requests[0]!)).map((c) => c.id)).toEqual(["capital"]);
  });

  it("per-sample rubrics reach the judge with the sample", async () => {
    const reward = loadReward({ type: "rubric", criteria: "{{rubric}}", judge: judge() });
    const r = await reward.score({
      completion: GOOD,
      rubric: [
        { criterion: "Mentions the 'Eiffel Tower'.", points: 5 },
        { criterion: "Names 'Paris'.", points: 5 },
      ],
    });
    expect(criteriaOf(userPrompt(server.requests[0]!)).map((c) => c.criterion)).toEqual([
      "Mentions the 'Eiffel Tower'.",
      "Names 'Paris'.",
    ]);
    expect(r.reward).toBe(0.5);
  });
});
