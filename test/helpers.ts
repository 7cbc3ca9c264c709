import { type Result, type Sample, loadReward } from "../src/index.js";

/** Scores one sample with a spec (object or preset name). */
export async function score(spec: object | string, sample: Partial<Sample> & Record<string, unknown>): Promise<Result> {
  return loadReward(spec).score(sample);
}

/** The reward of an ok result; fails the test with the result when it is not ok. */
export async function reward(spec: object | string, sample: Partial<Sample> & Record<string, unknown>): Promise<number> {
  const r = await score(spec, sample);
  if (r.status !== "ok") throw new Error(`expected an ok result, got ${JSON.stringify(r)}`);
  return r.reward as number;
}
