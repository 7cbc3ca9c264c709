/**
 * What an LLM-judged rubric gives on plain cases: criteria met and unmet, a pitfall, an ordinal scale,
 * batching, the Prometheus format, pairwise and implicit modes, and the cache.
 *
 * By default these tests run against a local stand-in started by the test (judge-server.ts): a real HTTP
 * server speaking the OpenAI chat completions protocol, answering with a deterministic rule-based judge.
 * No network, no model, no key.
 *
 * The same tests run against a real OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp's server, TGI, a
 * hosted API) when REWARDKIT_JUDGE_BASE_URL is set:
 *
 *   REWARDKIT_JUDGE_BASE_URL=http://localhost:8000/v1 \
 *   REWARDKIT_JUDGE_MODEL=Qwen/Qwen2.5-7B-Instruct \
 *   REWARDKIT_JUDGE_API_KEY=sk-...            # only if the endpoint needs one
 *   npx vitest run test/rubrics/llm-judge.test.ts
 *
 * The criteria are written so that any competent judge agrees with the rule-based one. The fault tests
 * (malformed replies, 429s, timeouts, ...) are in llm-faults.test.ts and always use the stand-in.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadReward, type Result } from "../../src/index.js";
import { clearJudgeCache } from "../../src/rubrics/index.js";
import { type JudgeServer, startJudgeServer } from "./judge-server.js";

const REAL_URL = process.env.REWARDKIT_JUDGE_BASE_URL;
let server: JudgeServer | undefined;
let judge: Record<string, unknown>;

beforeAll(async () => {
  if (REAL_URL) {
    const model = process.env.REWARDKIT_JUDGE_MODEL;
    if (!model) throw new Error("REWARDKIT_JUDGE_BASE_URL is set: set REWARDKIT_JUDGE_MODEL too");
    judge = { base_url: REAL_URL, model, timeout_ms: 120_000 };
  } else {
    server = await startJudgeServer();
    judge = { base_url: server.baseUrl, model: "stand-in-judge" };
  }
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  clearJudgeCache();
});

const PROMPT = "What is the capital of France?";
const RIGHT = "The capital of France is Paris.";
const WRONG = "The capital of France is Lyon.";

const comp = (r: Result, id: string) => r.components![id]!;

const rubric = (criteria: unknown[], extra: Record<string, unknown> = {}) => ({
  type: "rubric",
  criteria,
  judge: { ...judge, ...((extra.judge as object) ?? {}) },
  ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "judge")),
});

const NAMES_PARIS = {
  id: "paris",
  text: "The response names 'Paris' as the capital of France.",
  category: "essential",
};
const DONT_KNOW = { id: "unsure", text: "The response says 'I don't know'.", category: "pitfall" };

describe.each(["json", "prometheus"] as const)("LLM-judged rubric (%s format)", (format) => {
  const spec = (criteria: unknown[], extra: Record<string, unknown> = {}) =>
    rubric(criteria, { ...extra, judge: { format } });

  it("meets a criterion the response satisfies and not one it does not", async () => {
    const reward = loadReward(spec([NAMES_PARIS]));
    const good = await reward.score({ prompt: PROMPT, completion: RIGHT });
    const bad = await reward.score({ prompt: PROMPT, completion: WRONG });
    expect(good.status).toBe("ok");
    expect(good.reward).toBe(1);
    expect(comp(good, "paris").details).toMatchObject({ met: true, verdict: true });
    expect(bad.reward).toBe(0);
    expect(comp(bad, "paris").details).toMatchObject({ met: false, verdict: false });
    expect(typeof comp(bad, "paris").details!.reason).toBe("string");
  });

  it("counts a pitfall the response falls into against it", async () => {
    const reward = loadReward(spec([NAMES_PARIS, DONT_KNOW]));
    const clean = await reward.score({ prompt: PROMPT, completion: RIGHT });
    const hedged = await reward.score({ prompt: PROMPT, completion: "I don't know. Maybe it is Paris?" });
    expect(clean.reward).toBe(1);
    expect(comp(hedged, "unsure").details!.met).toBe(true);
    expect(hedged.reward!).toBeLessThan(clean.reward!);
  });

  it("places the response on an ordinal scale", async () => {
    const reward = loadReward(
      spec([
        {
          id: "clarity",
          text: "How clearly does the response name 'Paris'?",
          choices: ["not at all", "vaguely", "clearly"],
        },
      ]),
    );
    const clear = await reward.score({ prompt: PROMPT, completion: RIGHT });
    const none = await reward.score({ prompt: PROMPT, completion: "I like bread." });
    expect(comp(clear, "clarity").details!.verdict).toBe("clearly");
    expect(clear.reward).toBe(1);
    expect(comp(none, "clarity").details!.verdict).toBe("not at all");
    expect(none.reward).toBe(0);
  });

  it("pairwise: prefers the better response whichever order it is shown in", async () => {
    const reward = loadReward(spec([NAMES_PARIS], { pairwise: { baseline: "{{baseline}}" } }));
    const win = await reward.score({ prompt: PROMPT, completion: RIGHT, baseline: WRONG });
    const loss = await reward.score({ prompt: PROMPT, completion: WRONG, baseline: RIGHT });
    expect(win.reward).toBe(1);
    expect(comp(win, "paris").details).toMatchObject({ consistent: true });
    expect(loss.reward).toBe(0);
  });

  it("implicit: one holistic judgment ranks a right answer above a wrong one", async () => {
    const reward = loadReward(spec([NAMES_PARIS, DONT_KNOW], { aggregation: "implicit" }));
    const good = await reward.score({ prompt: PROMPT, completion: RIGHT });
    const bad = await reward.score({ prompt: PROMPT, completion: "I don't know." });
    expect(good.status).toBe("ok");
    expect(bad.status).toBe("ok");
    expect(good.reward!).toBeGreaterThan(bad.reward!);
    expect(comp(good, "holistic").details).toHaveProperty("score");
  });
});

describe("LLM-judged rubric: batching and cache", () => {
  it("judges every criterion of a batched rubric", async () => {
    const words = ["Paris", "Seine", "Louvre", "Eiffel", "Montmartre"];
    const criteria = words.map((w) => ({ id: w.toLowerCase(), text: `The response mentions '${w}'.` }));
    const reward = loadReward(rubric(criteria, { judge: { batch_size: 2 } }));
    const r = await reward.score({
      prompt: "Describe Paris in one sentence.",
      completion: "Paris lies on the Seine and is home to the Louvre.",
    });
    expect(r.status).toBe("ok");
    const met = Object.fromEntries(words.map((w) => [w, comp(r, w.toLowerCase()).details!.met]));
    expect(met).toEqual({ Paris: true, Seine: true, Louvre: true, Eiffel: false, Montmartre: false });
    expect(r.reward).toBeCloseTo(3 / 5, 12);
    if (server) expect(server.requests.length).toBeGreaterThanOrEqual(3);
  });

  it("answers a repeated judgment from the cache, with the same reward", async () => {
    const reward = loadReward(rubric([NAMES_PARIS, DONT_KNOW]));
    const first = await reward.score({ prompt: PROMPT, completion: RIGHT });
    const n = server?.requests.length;
    const second = await reward.score({ prompt: PROMPT, completion: RIGHT });
    expect(comp(first, "paris").details!.cache).toBe("miss");
    expect(comp(second, "paris").details!.cache).toBe("hit");
    expect(second.reward).toBe(first.reward);
    if (server) expect(server.requests.length).toBe(n);
  });
});
