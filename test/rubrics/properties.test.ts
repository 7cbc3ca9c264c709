/**
 * Property tests of rubric aggregation, through the real loader and node: criteria of every kind and
 * category are judged by `value` nodes (test/helpers.ts) whose rewards the sample sets, so fast-check
 * controls every verdict. For every aggregation:
 *   - the reward lies in [0, 1];
 *   - satisfying one more positive criterion (or adding a satisfied one) never lowers the reward;
 *   - making one more pitfall (or adding a pitfall that is made) never raises it;
 *   - permuting the criteria does not change it, not even in the last bit.
 * The implicit (holistic) and pairwise LLM modes are checked against the local stand-in judge.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadReward, type Result, SpecError } from "../../src/index.js";
import { aggregate, clearJudgeCache } from "../../src/rubrics/index.js";
import { testRegistry } from "../helpers.js";
import { type JudgeServer, ruleGrader, startJudgeServer } from "./judge-server.js";

const registry = testRegistry();
const CATEGORIES = ["essential", "important", "optional", "pitfall"] as const;
const AGGREGATIONS = ["weighted_mean", "healthbench", "all_essential"] as const;

interface Gen {
  kind: "binary" | "ordinal" | "points";
  category: (typeof CATEGORIES)[number] | undefined;
  weight: number | undefined;
  points: number;
  choices: number;
  level: number;
}

const genArb: fc.Arbitrary<Gen> = fc.record({
  kind: fc.constantFrom("binary", "ordinal", "points"),
  category: fc.option(fc.constantFrom(...CATEGORIES), { nil: undefined }),
  weight: fc.option(fc.double({ min: 0, max: 10, noNaN: true, noDefaultInfinity: true }), { nil: undefined }),
  points: fc.integer({ min: -10, max: 10 }).filter((p) => p !== 0),
  choices: fc.integer({ min: 2, max: 5 }),
  level: fc.nat({ max: 20 }),
});

const aggArb = fc.record({
  aggregation: fc.constantFrom(...AGGREGATIONS),
  base: fc.constantFrom("weighted_mean", "healthbench"),
  cap: fc.double({ min: 0, max: 1, noNaN: true }),
});

type Agg = { aggregation: (typeof AGGREGATIONS)[number]; base: string; cap: number };

function criterion(g: Gen, id: string): Record<string, unknown> {
  const c: Record<string, unknown> = { id, text: `criterion ${id}`, judge: { type: "value", key: id } };
  if (g.kind === "points") {
    c.points = g.points;
    if (g.category && g.points < 0 === (g.category === "pitfall")) c.category = g.category;
    return c;
  }
  if (g.category) c.category = g.category;
  if (g.weight !== undefined) c.weight = g.weight;
  if (g.kind === "ordinal") c.choices = Array.from({ length: g.choices }, (_, i) => `level ${i}`);
  return c;
}

/** The judge's reward for a criterion at a level: 0/1, or an ordinal choice's position in [0, 1]. */
function value(g: Gen, level: number): number {
  if (g.kind === "ordinal") return (level % g.choices) / (g.choices - 1);
  return level % 2;
}

function spec(gens: Gen[], ids: string[], a: Agg): Record<string, unknown> {
  const s: Record<string, unknown> = {
    type: "rubric",
    aggregation: a.aggregation,
    criteria: gens.map((g, i) => criterion(g, ids[i]!)),
  };
  if (a.aggregation === "all_essential") s.gate = { base: a.base, cap: a.cap };
  return s;
}

/** Loads the spec, or undefined when the generated rubric is one the loader rightly refuses. */
function load(s: Record<string, unknown>) {
  try {
    return loadReward(s, { registry });
  } catch (e) {
    if (e instanceof SpecError) return undefined;
    throw e;
  }
}

async function run(gens: Gen[], ids: string[], a: Agg, levels: number[]): Promise<Result | undefined> {
  const reward = load(spec(gens, ids, a));
  if (!reward) return undefined;
  const v = Object.fromEntries(gens.map((g, i) => [ids[i]!, value(g, levels[i]!)]));
  return reward.score({ completion: "", v });
}

const idsFor = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
const rubricArb = fc.array(genArb, { minLength: 1, maxLength: 8 });
const isPit = (r: Result, id: string) => (r.components![id]!.details!.weight as number) < 0;

describe("rubric properties", () => {
  it("the reward lies in [0, 1] for every aggregation", async () => {
    await fc.assert(
      fc.asyncProperty(rubricArb, aggArb, async (gens, a) => {
        const r = await run(
          gens,
          idsFor(gens.length),
          a,
          gens.map((g) => g.level),
        );
        fc.pre(r !== undefined);
        expect(r!.status).toBe("ok");
        expect(r!.reward).toBeGreaterThanOrEqual(0);
        expect(r!.reward).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it("satisfying a positive criterion more never lowers the reward; making a pitfall never raises it", async () => {
    await fc.assert(
      fc.asyncProperty(
        rubricArb,
        aggArb,
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        async (gens, a, pick, step) => {
          const ids = idsFor(gens.length);
          const k = pick % gens.length;
          const g = gens[k]!;
          const levels = gens.map((x) => x.level);
          // Start k low and raise it: 0 -> 1 for binary and points, a lower -> a higher choice for ordinal.
          const n = g.kind === "ordinal" ? g.choices : 2;
          const lo = levels[k]! % n;
          fc.pre(lo < n - 1);
          const before = await run(gens, ids, a, levels);
          fc.pre(before !== undefined);
          const raised = [...levels];
          raised[k] = Math.min(n - 1, lo + step);
          const after = (await run(gens, ids, a, raised))!;
          expect(before!.status).toBe("ok");
          expect(after.status).toBe("ok");
          if (isPit(before!, ids[k]!)) expect(after.reward!).toBeLessThanOrEqual(before!.reward!);
          else expect(after.reward!).toBeGreaterThanOrEqual(before!.reward!);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("adding a satisfied positive criterion never lowers the reward; adding a made pitfall never raises it", async () => {
    await fc.assert(
      fc.asyncProperty(rubricArb, aggArb, genArb, async (gens, a, extra) => {
        const ids = idsFor(gens.length + 1);
        const levels = gens.map((g) => g.level);
        const before = await run(gens, ids.slice(0, -1), a, levels);
        fc.pre(before !== undefined);
        // The extra criterion fully "met": top level (for a pitfall, the mistake fully made).
        const top = extra.kind === "ordinal" ? extra.choices - 1 : 1;
        const after = await run([...gens, extra], ids, a, [...levels, top]);
        fc.pre(after !== undefined);
        expect(after!.status).toBe("ok");
        if (isPit(after!, ids.at(-1)!)) expect(after!.reward!).toBeLessThanOrEqual(before!.reward!);
        else expect(after!.reward!).toBeGreaterThanOrEqual(before!.reward!);
      }),
      { numRuns: 300 },
    );
  });

  it("permuting the criteria does not change the reward", async () => {
    const withPerm = rubricArb.chain((gens) =>
      fc.tuple(
        fc.constant(gens),
        fc.shuffledSubarray(idsFor(gens.length), { minLength: gens.length, maxLength: gens.length }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(withPerm, aggArb, async ([gens, perm], a) => {
        const ids = idsFor(gens.length);
        const r1 = await run(
          gens,
          ids,
          a,
          gens.map((g) => g.level),
        );
        fc.pre(r1 !== undefined);
        // The same criteria (same ids, same verdicts) listed in another order.
        const order = perm.map((id) => ids.indexOf(id));
        const r2 = await run(
          order.map((i) => gens[i]!),
          order.map((i) => ids[i]!),
          a,
          order.map((i) => gens[i]!.level),
        );
        expect(r2!.reward).toBe(r1!.reward);
      }),
      { numRuns: 300 },
    );
  });

  it("aggregate(): the same laws on fractional scores, with skipped criteria", () => {
    const item = fc.record({
      weight: fc.double({ min: -10, max: 10, noNaN: true }),
      essential: fc.boolean(),
      score: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    });
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 12 }),
        aggArb,
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, a, pick, bump) => {
          const items = xs.map((x, i) => ({
            id: `c${i}`,
            weight: x.weight,
            score: x.score,
            ...(x.essential && x.weight > 0 ? { category: "essential" as const } : {}),
          }));
          const gate = { base: a.base as "weighted_mean" | "healthbench", cap: a.cap, threshold: 1 };
          const r = aggregate(items, a.aggregation, gate);
          if (!r.ok) return;
          expect(r.value.reward).toBeGreaterThanOrEqual(0);
          expect(r.value.reward).toBeLessThanOrEqual(1);
          const reversed = aggregate([...items].reverse(), a.aggregation, gate);
          expect(reversed.ok && reversed.value.reward).toBe(r.value.reward);
          const k = pick % items.length;
          const s = items[k]!.score;
          if (s === null) return;
          const up = items.map((it, i) => (i === k ? { ...it, score: s + (1 - s) * bump } : it));
          const r2 = aggregate(up, a.aggregation, gate);
          expect(r2.ok).toBe(true);
          if (!r2.ok) return;
          if (items[k]!.weight < 0) expect(r2.value.reward).toBeLessThanOrEqual(r.value.reward);
          else expect(r2.value.reward).toBeGreaterThanOrEqual(r.value.reward);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("rubric properties with an LLM judge (local stand-in)", () => {
  let server: JudgeServer;
  beforeAll(async () => {
    server = await startJudgeServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("implicit: any in-scale score normalises into [0, 1]; an out-of-scale one is an error, never a number", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -5, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: -20, max: 30 }),
        async (lo, span, score) => {
          clearJudgeCache();
          server.handler = () => ({ content: JSON.stringify({ reason: "scripted", score }) });
          const reward = loadReward({
            type: "rubric",
            aggregation: "implicit",
            scale: [lo, lo + span],
            criteria: [{ text: "Is 'good'." }],
            judge: { base_url: server.baseUrl, model: "m", max_retries: 0 },
          });
          const r = await reward.score({ completion: "x" });
          if (score >= lo && score <= lo + span) {
            expect(r.status).toBe("ok");
            expect(r.reward).toBeCloseTo((score - lo) / span, 12);
            expect(r.reward).toBeGreaterThanOrEqual(0);
            expect(r.reward).toBeLessThanOrEqual(1);
          } else {
            expect(r.status).toBe("error");
            expect(r.error!.kind).toBe("judge_parse_error");
            expect(r.reward).toBeNull();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("pairwise: a judge that reads content, not position, gives r(X vs Y) + r(Y vs X) = 1", async () => {
    server.handler = (b) => ({ content: ruleGrader(b) });
    const words = ["alpha", "beta", "gamma", "delta"];
    const crit = fc.record({
      word: fc.constantFrom(...words),
      pitfall: fc.boolean(),
      weight: fc.double({ min: 0.1, max: 5, noNaN: true }),
    });
    const text = fc.subarray(words).map((ws) => `response with ${ws.join(" ")}`);
    await fc.assert(
      fc.asyncProperty(fc.array(crit, { minLength: 1, maxLength: 4 }), text, text, async (cs, x, y) => {
        const criteria = cs.map((c, i) => ({
          id: `p${i}`,
          text: `Mentions '${c.word}'.`,
          weight: c.weight,
          ...(c.pitfall ? { category: "pitfall" } : {}),
        }));
        const reward = loadReward({
          type: "rubric",
          criteria,
          pairwise: { baseline: "{{baseline}}" },
          judge: { base_url: server.baseUrl, model: "m", batch_size: 2 },
        });
        const xy = await reward.score({ completion: x, baseline: y });
        const yx = await reward.score({ completion: y, baseline: x });
        expect(xy.status).toBe("ok");
        expect(xy.reward! + yx.reward!).toBeCloseTo(1, 12);
        expect(xy.reward).toBeGreaterThanOrEqual(0);
        expect(xy.reward).toBeLessThanOrEqual(1);
      }),
      { numRuns: 40 },
    );
  });
});
