import {
  abstain,
  createRegistry,
  fail,
  loadReward,
  ok,
  type Result,
  type Sample,
  type Verifier,
  type VerifierRegistry,
} from "../src/index.js";

type SampleLike = Partial<Sample> & Record<string, unknown>;

/** Scores one sample with a spec (object or preset name). */
export async function score(
  spec: object | string,
  sample: SampleLike,
  registry?: VerifierRegistry,
): Promise<Result> {
  // Specs here are often invalid on purpose: the loader, not the compiler, checks them.
  return loadReward(spec as object, registry ? { registry } : {}).score(sample);
}

/** The reward of an ok result; fails the test with the result when it is not ok. */
export async function reward(
  spec: object | string,
  sample: SampleLike,
  registry?: VerifierRegistry,
): Promise<number> {
  const r = await score(spec, sample, registry);
  if (r.status !== "ok") throw new Error(`expected an ok result, got ${JSON.stringify(r)}`);
  return r.reward as number;
}

/**
 * A verifier for composition tests: its result is read from the sample, `sample.v[key]`, where a number
 * means ok with that reward, "abstain" means abstain and anything else an error. It stands for any real
 * verifier whose output a test needs to control exactly.
 */
export const valueVerifier: Verifier<{ key: string; lo?: number; hi?: number }> = {
  type: "value",
  description: "test: reward read from sample.v[key]",
  configSchema: {
    required: ["key"],
    properties: { key: { type: "string" }, lo: { type: "number" }, hi: { type: "number" } },
  },
  range: (c) => [c.lo ?? 0, c.hi ?? 1],
  verify(sample, c) {
    const v = (sample.v as Record<string, unknown> | undefined)?.[c.key];
    if (typeof v === "number") return ok(v);
    if (v === "abstain") return abstain("asked to abstain");
    return fail("internal", `asked to fail (${String(v)})`);
  },
};

export function testRegistry(): VerifierRegistry {
  const r = createRegistry();
  r.register(valueVerifier);
  return r;
}

/** A leaf node of the value verifier, named after its key. */
export const val = (key: string, extra: Record<string, unknown> = {}) => ({
  type: "value",
  key,
  name: key,
  ...extra,
});

/** Scores `v` (the per-key values) with a spec built from value leaves. */
export async function scoreValues(spec: object, v: Record<string, number | string>): Promise<Result> {
  return loadReward(spec, { registry: testRegistry() }).score({ completion: "", v });
}
