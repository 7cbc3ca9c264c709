/**
 * OpenRLHF's extra_logs against a real `rewardkit serve`: the same keys for every request of a spec,
 * because OpenRLHF indexes every shard's logs by the first shard's keys. Keys come from the spec tree,
 * so they are there when a node did not run (a closed gate), when no sample is ok, and for one query.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe } from "./run.js";

const spec = {
  type: "weighted",
  terms: [
    {
      type: "gate",
      name: "structured",
      condition: { type: "think_answer", name: "format" },
      term: {
        type: "weighted",
        name: "quality",
        terms: [
          { type: "exact", name: "correct", input: "{{completion|tag:answer}}" },
          { type: "regex", name: "numeric", pattern: "^\\d+$", input: "{{completion|tag:answer}}" },
        ],
      },
    },
    { type: "length", name: "brevity", unit: "chars", max: 2000, ramp: 2000, weight: 0.2 },
  ],
};

const KEYS = [
  "rk/brevity",
  "rk/structured",
  "rk/structured.format",
  "rk/structured.quality",
  "rk/structured.quality.correct",
  "rk/structured.quality.numeric",
  "rk_abstain",
  "rk_error",
  "rk_ok",
];

describe("OpenRLHF extra_logs keys", () => {
  let srv: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    const path = join(mkdtempSync(join(tmpdir(), "rk-logs-")), "spec.json");
    writeFileSync(path, JSON.stringify(spec));
    srv = await startServe(["--spec", path, "--abstain-value", "-0.5"]);
  });
  afterAll(() => srv.stop());

  const getReward = async (body: unknown) => {
    const res = await fetch(`${srv.url}/get_reward`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { rewards: number[]; extra_logs: Record<string, number[]> };
  };

  it("are the same for every request, whichever nodes ran", async () => {
    const requests = {
      // one query, well-formed: every node runs
      one: { query: ["<think>t</think><answer>4</answer>"], labels: ["4"] },
      // the gate is closed: 'quality' and its children never run
      gateClosed: { query: ["no tags at all"], labels: ["4"] },
      // no ok sample: the query does not start with its prompt
      noneOk: { query: ["other text", "more"], prompts: ["P", "P"], labels: ["4", "4"] },
      empty: { query: [] },
    };
    for (const [name, body] of Object.entries(requests)) {
      const out = await getReward(body);
      expect(Object.keys(out.extra_logs).sort(), name).toEqual(KEYS);
      for (const k of KEYS) expect(out.extra_logs[k], `${name} ${k}`).toHaveLength(out.rewards.length);
    }
  });

  it("log a node that did not run as --abstain-value, beside rk_ok", async () => {
    const out = await getReward({ query: ["no tags at all"], labels: ["4"] });
    expect(out.extra_logs.rk_ok).toEqual([1]);
    expect(out.extra_logs["rk/structured.format"]).toEqual([0]);
    expect(out.extra_logs["rk/structured.quality"]).toEqual([-0.5]);
    expect(out.extra_logs["rk/structured.quality.correct"]).toEqual([-0.5]);
  });
});
