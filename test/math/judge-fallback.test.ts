/**
 * The math verifier's model fallback (src/rubrics/math-judge.ts) against a local HTTP server speaking the
 * OpenAI chat completions protocol exactly (test/rubrics/judge-server.ts): no real model runs here, so the
 * server plays a deterministic judge that reads the prompt rewardkit builds and answers in its JSON
 * format. Only pairs the rules leave unknown reach it; every result says which stage decided.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeSharedPool, loadReward } from "../../src/index.js";
import { clearJudgeCache } from "../../src/rubrics/index.js";
import {
  type ChatBody,
  criteriaOf,
  type JudgeServer,
  startJudgeServer,
  userPrompt,
} from "../rubrics/judge-server.js";

let server: JudgeServer;

const between = (s: string, open: string, close: string) => {
  const i = s.indexOf(open);
  const j = s.indexOf(close, i + open.length);
  return i < 0 || j < 0 ? "" : s.slice(i + open.length, j);
};

/** A stand-in judge: equivalent when the candidate's digits are the reference's digits. */
function digitJudge(b: ChatBody): string {
  const p = userPrompt(b);
  const ref = between(p, "<reference>\n", "\n</reference>").replace(/\D/g, "");
  const cand = between(p, "<response>\n", "\n</response>").replace(/\D/g, "");
  return JSON.stringify({
    verdicts: criteriaOf(p).map((c) => ({ id: c.id, reason: "digits compared", verdict: ref === cand })),
  });
}

beforeEach(async () => {
  clearJudgeCache();
  server = await startJudgeServer((b) => ({ content: digitJudge(b) }));
});
afterEach(async () => {
  await server.close();
});
afterAll(async () => {
  await closeSharedPool();
});

const spec = (extra: Record<string, unknown> = {}) => ({
  type: "math",
  judge: { base_url: server.baseUrl, model: "stand-in-judge", backoff_ms: 1, max_backoff_ms: 5, ...extra },
});

describe("math: judge fallback for unknown pairs only", () => {
  it("a gold the rules cannot read goes to the judge, which decides (stage judge)", async () => {
    const r = await loadReward(spec()).score({
      completion: "The answer is $\\boxed{3}$.",
      reference: "\\foo{3}",
    });
    expect(r.status).toBe("ok");
    expect(r.reward).toBe(1);
    expect(r.details?.stage).toBe("judge");
    expect(server.requests).toHaveLength(1);
    // The request is a real chat completion with the pair in it.
    expect(server.requests[0]!.model).toBe("stand-in-judge");
    expect(userPrompt(server.requests[0]!)).toContain("\\foo{3}");
    const wrong = await loadReward(spec()).score({ completion: "$\\boxed{4}$", reference: "\\foo{3}" });
    expect(wrong.reward).toBe(0);
    expect(wrong.details?.stage).toBe("judge");
  });

  it("pairs the rules decide never reach the judge, and say which stage decided", async () => {
    const reward = loadReward(spec());
    const cases: [string, string, number, string][] = [
      ["$\\boxed{\\frac{1}{2}}$", "0.5", 1, "exact"],
      ["$\\boxed{x^2+2x+1}$", "(x+1)^2", 1, "numeric"],
      ["$\\boxed{\\sqrt2 + 10^{-20} - \\sqrt2}$", "0", 0, "precise"],
      ["$\\boxed{\\{1,2\\}}$", "\\{2,1\\}", 1, "rules"],
      ["$\\boxed{\\text{Monday}}$", "\\text{Tuesday}", 0, "rules"],
    ];
    for (const [completion, reference, want, stage] of cases) {
      const r = await reward.score({ completion, reference });
      expect([r.reward, r.details?.stage], completion).toEqual([want, stage]);
    }
    expect(server.requests).toHaveLength(0);
  });

  it("the judge's answers are cached: the same pair twice is one request", async () => {
    const reward = loadReward(spec());
    for (let k = 0; k < 3; k++) {
      const r = await reward.score({ completion: "$\\boxed{7}$", reference: "\\foo{7}" });
      expect(r.reward).toBe(1);
    }
    expect(server.requests).toHaveLength(1);
  });

  it("a failing judge is an error, never a 0; a malformed reply is corrected by a retry", async () => {
    server.handler = () => ({ status: 500 });
    const r = await loadReward(spec({ max_retries: 1 })).score({
      completion: "$\\boxed{3}$",
      reference: "\\foo{3}",
    });
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("judge_error");
    expect(r.reward).toBeNull();

    clearJudgeCache();
    let n = 0;
    server.handler = (b) => ({ content: n++ === 0 ? "I think they are equal." : digitJudge(b) });
    const fixed = await loadReward(spec({ max_retries: 2 })).score({
      completion: "$\\boxed{3}$",
      reference: "\\foo{3}",
    });
    expect(fixed.reward).toBe(1);
    expect(n).toBe(2);
  });

  it("without a judge the unknown pair abstains, as before; a bad judge config is a spec error", async () => {
    const r = await loadReward({ type: "math" }).score({ completion: "$\\boxed{3}$", reference: "\\foo{3}" });
    expect(r.status).toBe("abstain");
    expect(() => loadReward({ type: "math", judge: { base_url: "nope", model: "m" } })).toThrow(/base_url/);
  });
});
