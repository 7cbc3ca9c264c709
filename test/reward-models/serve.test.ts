/**
 * The production path: `rewardkit serve` (the real binary) with a reward_model spec, called like a trainer
 * calls it, scoring through a served reward model (the local TEI-protocol server of rm-server.ts). A
 * request's samples reach the model batched, and a failing model gives error results, not zeros.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe } from "../e2e/run.js";
import {
  type BradleyTerryModel,
  type RmServer,
  startRmServer,
  toyPreferences,
  trainToyModel,
} from "./rm-server.js";

let model: BradleyTerryModel;
let rm: RmServer;
let serve: Awaited<ReturnType<typeof startServe>>;

beforeAll(async () => {
  model = trainToyModel();
  rm = await startRmServer(model);
  const dir = mkdtempSync(join(tmpdir(), "rk-rm-serve-"));
  const spec = join(dir, "rm.json");
  writeFileSync(
    spec,
    JSON.stringify({
      type: "reward_model",
      protocol: "tei_predict",
      base_url: rm.baseUrl,
      range: [-50, 50],
      batch_size: 32,
      batch_wait_ms: 20,
      max_retries: 0,
    }),
  );
  serve = await startServe(["--spec", spec]);
});
afterAll(async () => {
  await serve?.stop();
  await rm?.close();
});

const post = async (body: unknown) => {
  const res = await fetch(`${serve.url}/v1/score`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { results: Record<string, unknown>[] } };
};

describe("rewardkit serve with a reward_model spec", () => {
  it("scores a request's samples in batches of the model's requests, with the model's own scores", async () => {
    const pairs = toyPreferences(40, 5);
    const samples = pairs.flatMap((p) => [
      { prompt: p.prompt, completion: p.chosen },
      { prompt: p.prompt, completion: p.rejected },
    ]);
    const { status, body } = await post({ samples });
    expect(status).toBe(200);
    body.results.forEach((r, i) => {
      expect(r.status).toBe("ok");
      expect(r.reward).toBe(model.score(`${samples[i]!.prompt} ${samples[i]!.completion}`));
    });
    const sizes = rm.requests.map((q) => (q.body as { inputs: unknown[] }).inputs.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(32);
    expect(rm.requests.length).toBeLessThan(samples.length / 4);
  });

  it("a model that fails gives error results (judge_error), never a reward of 0", async () => {
    rm.fault = () => ({ status: 503, body: '{"error":"unhealthy","error_type":"unhealthy"}' });
    const { status, body } = await post({
      samples: [{ prompt: "How do I bake bread?", completion: "knead it" }],
    });
    rm.fault = undefined;
    expect(status).toBe(200);
    expect(body.results[0]).toMatchObject({ status: "error", reward: null, error: { kind: "judge_error" } });
  });
});
