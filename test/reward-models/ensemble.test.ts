/**
 * reward_ensemble over two reward models served by two local servers (each a Bradley-Terry model trained
 * here on a different toy preference set), combined by mean, min and mean - k * std.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadReward, SpecError } from "../../src/index.js";
import { clearJudgeCache } from "../../src/rubrics/index.js";
import {
  BradleyTerryModel,
  type RmServer,
  startRmServer,
  toyPreferences,
  trainToyModel,
} from "./rm-server.js";

let a: BradleyTerryModel;
let b: BradleyTerryModel;
let sa: RmServer;
let sb: RmServer;

beforeAll(async () => {
  a = trainToyModel();
  // A second, weaker model: fewer pairs, noisier labels.
  b = new BradleyTerryModel().train(toyPreferences(120, 7, 0.3));
  [sa, sb] = await Promise.all([startRmServer(a), startRmServer(b)]);
});
afterAll(async () => {
  await Promise.all([sa.close(), sb.close()]);
});
beforeEach(() => {
  clearJudgeCache();
  sa.fault = sb.fault = undefined;
});

const member = (srv: RmServer, name: string) => ({
  type: "reward_model",
  name,
  protocol: "tei_predict",
  base_url: srv.baseUrl,
  normalize: "sigmoid",
  max_retries: 0,
});

const ensemble = (extra: Record<string, unknown>) =>
  // Options under test are built at run time (some invalid on purpose): the loader checks them.
  loadReward({
    type: "reward_ensemble",
    members: [member(sa, "rm_a"), member(sb, "rm_b")],
    ...extra,
  } as object);

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const sample = {
  prompt: "How do I back up my laptop?",
  completion: "first check that the drive is plugged in then copy it",
};
const text = `${sample.prompt} ${sample.completion}`;

describe("reward_ensemble", () => {
  it("mean, with the disagreement in details", async () => {
    const r = await ensemble({}).score(sample);
    const [va, vb] = [sig(a.score(text)), sig(b.score(text))];
    expect(r.reward).toBeCloseTo((va + vb) / 2, 12);
    expect(r.details?.std).toBeCloseTo(Math.abs(va - vb) / 2, 12);
    expect(r.details?.spread).toBeCloseTo(Math.abs(va - vb), 12);
    expect(r.components?.rm_a?.reward).toBeCloseTo(va, 12);
  });

  it("min is the worst case", async () => {
    const r = await ensemble({ combine: "min" }).score(sample);
    expect(r.reward).toBeCloseTo(Math.min(sig(a.score(text)), sig(b.score(text))), 12);
  });

  it("mean - k * std penalises disagreement; its range allows the penalty", async () => {
    const rw = ensemble({ combine: "mean_minus_std", k: 2 });
    const r = await rw.score(sample);
    const [va, vb] = [sig(a.score(text)), sig(b.score(text))];
    expect(r.reward).toBeCloseTo((va + vb) / 2 - 2 * (Math.abs(va - vb) / 2), 12);
    expect(rw.range).toEqual([-1, 1]);
  });

  it("a member that fails makes the ensemble an error (by default), not a smaller mean", async () => {
    sb.fault = () => ({ status: 500, body: "{}" });
    const r = await ensemble({}).score(sample);
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("judge_error");
    expect(r.error?.message).toMatch(/rm_b/);
    const skipping = await ensemble({ on_error: "skip" }).score(sample);
    expect(skipping.reward).toBeCloseTo(sig(a.score(text)), 12);
    expect(skipping.details?.members).toBe(1);
  });

  it("pairwise accuracy of the ensemble on held-out pairs is measured, not assumed", async () => {
    const held = toyPreferences(80, 2);
    const rw = ensemble({ combine: "mean_minus_std", k: 1 });
    const rs = await rw.scoreBatch(
      held.flatMap((p) => [
        { prompt: p.prompt, completion: p.chosen },
        { prompt: p.prompt, completion: p.rejected },
      ]),
    );
    let right = 0;
    held.forEach((p, i) => {
      const ea = (t: string) => {
        const x = sig(a.score(`${p.prompt} ${t}`));
        const y = sig(b.score(`${p.prompt} ${t}`));
        return (x + y) / 2 - Math.abs(x - y) / 2;
      };
      const mine = (rs[2 * i]!.reward as number) > (rs[2 * i + 1]!.reward as number);
      expect(mine).toBe(ea(p.chosen) > ea(p.rejected));
      if (mine) right++;
    });
    expect(right / held.length).toBeGreaterThan(0.6);
  });

  it("needs two members; k only with mean_minus_std", () => {
    expect(() => loadReward({ type: "reward_ensemble", members: [member(sa, "x")] } as object)).toThrow(
      SpecError,
    );
    expect(() => ensemble({ k: 2 })).toThrow(/'k' applies to combine mean_minus_std only/);
  });
});
