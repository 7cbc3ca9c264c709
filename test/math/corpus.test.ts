/**
 * The labelled corpus (fixtures/math/*.jsonl), every case through the real verifier and the worker pool:
 * any wrong verdict fails.
 */
import { afterAll, describe, expect, it } from "vitest";
import { closeSharedPool, loadReward } from "../../src/index.js";
import { accepts, completionOf, loadCorpus, outcomeOf } from "./corpus.js";

afterAll(async () => {
  await closeSharedPool();
});

const corpus = loadCorpus();

describe("math corpus", () => {
  it("has at least 500 cases, a third of them must-not-match", () => {
    const all = [...corpus.values()].flat();
    expect(all.length).toBeGreaterThanOrEqual(500);
    const noMatch = all.filter((c) => c.expected === "no_match").length;
    expect(noMatch * 3).toBeGreaterThanOrEqual(all.length);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
  });

  for (const [file, cases] of corpus) {
    it(`${file}: every verdict is right`, async () => {
      const wrong: string[] = [];
      for (const c of cases) {
        const reward = loadReward({ type: "math", ...(c.config ?? {}) });
        const r = await reward.score({ completion: completionOf(c), reference: c.gold });
        const got = outcomeOf(r.status, r.reward, r.error?.kind);
        if (!accepts(c, got)) {
          wrong.push(
            `${c.id} (${c.note}): expected ${JSON.stringify(c.expected)}, got ${got}: ${r.feedback ?? r.error?.message}`,
          );
        }
        // Every verdict explains itself.
        expect(r.feedback ?? r.error?.message).toBeTruthy();
      }
      expect(wrong).toEqual([]);
    });
  }
});
