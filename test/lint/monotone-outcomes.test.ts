/**
 * monotonicity.criteria and monotonicity.tests: they hold on the project's rubrics (HealthBench points,
 * the all-essential gate, a weighted mean with a pitfall) and on the code preset with the lint fixtures;
 * and they catch an aggregation that is not monotone. For that, the rubric aggregation and the code
 * verifier's reward function are wrapped (vi.mock) so that one case pays less for more: the laws must
 * find it and name the criterion or the test.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { closeSharedPool } from "../../src/index.js";
import { check } from "./helpers.js";

const broken = vi.hoisted(() => ({ on: false }));

vi.mock("../../src/rubrics/aggregate.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/rubrics/aggregate.js")>();
  return {
    ...real,
    aggregate: (...args: Parameters<typeof real.aggregate>) => {
      const out = real.aggregate(...args);
      // Broken: meeting every positive criterion is worth less than missing one.
      if (!broken.on || !out.ok) return out;
      const allMet = args[0].every((c) => c.weight < 0 || c.score === 1);
      return allMet ? { ok: true as const, value: { ...out.value, reward: 0 } } : out;
    },
  };
});

vi.mock("../../src/verifiers/code/score.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/verifiers/code/score.js")>();
  return {
    ...real,
    rewardOf: (...args: Parameters<typeof real.rewardOf>) => {
      const r = real.rewardOf(...args);
      // Broken: all tests passing pays nothing.
      return broken.on && r === 1 ? 0 : r;
    },
  };
});

afterAll(async () => {
  await closeSharedPool();
});

const ROOT = new URL("../../", import.meta.url);
const json = (p: string) => JSON.parse(readFileSync(new URL(p, ROOT), "utf8")) as object;
const jsonl = (p: string) =>
  readFileSync(new URL(p, ROOT), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const rubricSeeds = jsonl("fixtures/rubrics/cases.jsonl").map((c) => c.sample as object);
const RUBRICS = ["healthbench.json", "json-gate.json", "capital-answer.json"];

describe("monotonicity.criteria", () => {
  for (const file of RUBRICS) {
    it(`holds on fixtures/rubrics/${file}`, async () => {
      broken.on = false;
      const r = await check("monotonicity.criteria", json(`fixtures/rubrics/${file}`), rubricSeeds, {
        runs: 80,
      });
      expect(r.status).toBe("pass");
      expect(r.runs - r.vacuous).toBeGreaterThan(0);
    });
  }

  it("catches an aggregation that pays less when one more criterion is met, and names it", async () => {
    broken.on = true;
    try {
      const r = await check("monotonicity.criteria", json("fixtures/rubrics/healthbench.json"), rubricSeeds, {
        runs: 200,
      });
      expect(r.status).toBe("fail");
      expect(r.counterexample?.change).toMatch(/criterion '(see_doctor|max_dose|liver)' met as well/);
      expect(r.counterexample?.message).toMatch(/must not lower the reward/);
    } finally {
      broken.on = false;
    }
  });

  it("does not apply to a spec without a rubric", async () => {
    const r = await check("monotonicity.criteria", "think-answer", rubricSeeds);
    expect(r.status).toBe("n/a");
  });
});

describe("monotonicity.tests", () => {
  const codeSeeds = jsonl("fixtures/lint/code.jsonl");

  it("holds on the code preset with each sample's own tests, in every reward mode", async () => {
    broken.on = false;
    for (const mode of ["binary", "fraction", "first_failure", "weighted"]) {
      const r = await check("monotonicity.tests", { type: "code", mode }, codeSeeds, { runs: 80 });
      expect(r.status, mode).toBe("pass");
      expect(r.runs - r.vacuous).toBeGreaterThan(0);
    }
  });

  it("catches a reward that drops when the last failing test passes", async () => {
    broken.on = true;
    try {
      const r = await check("monotonicity.tests", { type: "code", mode: "fraction" }, codeSeeds, {
        runs: 200,
      });
      expect(r.status).toBe("fail");
      expect(r.counterexample?.change).toMatch(/mode fraction\): test \d+ passes as well/);
    } finally {
      broken.on = false;
    }
  });
});
