/**
 * Monotonicity in what the reward counts, where a node declares it: a rubric (shared criteria, explicit
 * aggregation) never pays less when one more criterion is met, and never more when one more pitfall is;
 * a code verifier never pays less when one more test passes.
 *
 * Criteria: the rubric node is loaded alone with every judge replaced by a regex over a field the law
 * sets (`lint_met`), so fast-check chooses which criteria are met and the rubric's own aggregation,
 * weights, categories and gate do the rest. Tests: the sample's own mode and test weights (from its
 * reference, under the node's config) turn random verdict vectors into rewards.
 */
import { RewardkitError, type Sample } from "../../core/index.js";
import type { VerifierNode } from "../../rewards/index.js";
import { isPitfall, RubricNode } from "../../rubrics/index.js";
import { jsonPath } from "../../spec/index.js";
import { type CodeCompiled, testRewardShape } from "../../verifiers/code/code.js";
import { rewardOf } from "../../verifiers/code/score.js";
import { brief, EPS } from "../compare.js";
import { pick } from "../mutate.js";
import { clone, subSpec } from "../spec-walk.js";
import { type Fc, type LintCheck, PASS, VACUOUS, violation } from "../types.js";

/** Which node, which outcomes hold (cycled to the node's size), which missing one to add. */
interface Params {
  target: number;
  held: boolean[];
  flip: number;
}

const params = (fc: Fc) =>
  fc.record({
    target: fc.nat(),
    held: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
    flip: fc.nat(),
  });

/** n outcomes drawn from p, and the same with one that did not hold made to hold (null: all held). */
function oneMore(p: Params, n: number): { before: boolean[]; after: boolean[]; added: number } | null {
  const before = Array.from({ length: n }, (_, k) => p.held[k % p.held.length]!);
  const missing = before.flatMap((x, k) => (x ? [] : [k]));
  if (missing.length === 0) return null;
  const added = pick(missing, p.flip / 2 ** 31)!;
  return { before, after: before.map((x, k) => x || k === added), added };
}

export const criteriaMonotonicity: LintCheck<Params> = {
  name: "monotonicity.criteria",
  kind: "law",
  description:
    "On each rubric, checked alone with scripted verdicts: meeting one more criterion never lowers the reward; meeting one more pitfall never raises it.",
  requirement: "more met never pays less (pitfalls: never more)",
  applies: (ctx) =>
    ctx.laws.rubrics.length
      ? true
      : "no rubric with shared criteria and an explicit aggregation (not pairwise)",
  seeds: (ctx) => ctx.valid,
  noSeeds: "no valid seed sample",
  params,
  async run(ctx, seed, p) {
    const at = ctx.laws.rubrics[p.target % ctx.laws.rubrics.length]!;
    const spec = clone(subSpec(ctx.spec, at.path));
    const criteria = spec.criteria as Record<string, unknown>[];
    criteria.forEach((c, i) => {
      c.judge = { type: "regex", pattern: "^1$", mode: "full", input: `{{lint_met[${i}]}}` };
      delete c.threshold;
    });
    const node = ctx.load(spec);
    const rubric = node.root instanceof RubricNode ? node.root.opts.rubric : undefined;
    if (!rubric || !("shared" in rubric)) return VACUOUS;
    const step = oneMore(p, criteria.length);
    if (!step) return VACUOUS;
    const { before: met, after: more, added: i } = step;
    const id = criteria[i]!.id as string;
    const criterion = rubric.shared.criteria.find((c) => c.id === id);
    if (!criterion || criterion.weight === 0) return VACUOUS;
    const sample = (m: boolean[]) => ({
      ...(ctx.samples[seed] as Sample),
      lint_met: m.map((x) => (x ? "1" : "0")),
    });
    const r1 = await ctx.score(sample(met), node);
    const r2 = await ctx.score(sample(more), node);
    if (r1.status !== "ok" || r2.status !== "ok") return VACUOUS;
    const pitfall = isPitfall(criterion);
    const x1 = r1.reward as number;
    const x2 = r2.reward as number;
    if (pitfall ? x2 <= x1 + EPS : x2 >= x1 - EPS) return PASS;
    const metIds = (m: boolean[]) => criteria.filter((_, k) => m[k]).map((c) => c.id);
    return violation(
      `on the rubric at ${jsonPath(at.path)}: criterion '${id}' met as well (met before: ${metIds(met).join(", ") || "none"})`,
      sample(more),
      [
        { label: "without it", result: brief(r1) },
        { label: `with '${id}' met`, result: brief(r2) },
      ],
      pitfall
        ? "meeting a pitfall must not raise the reward"
        : "meeting a criterion must not lower the reward",
    );
  },
};

export const testsMonotonicity: LintCheck<Params> = {
  name: "monotonicity.tests",
  kind: "law",
  description:
    "On each code verifier, with each sample's own reward mode and test weights: one more passing test never lowers the reward.",
  requirement: "more tests passed never pays less",
  applies: (ctx) => (ctx.laws.testSuites.length ? true : "no code verifier"),
  seeds: (ctx) => ctx.valid,
  noSeeds: "no valid seed sample",
  params,
  async run(ctx, seed, p) {
    const at = ctx.laws.testSuites[p.target % ctx.laws.testSuites.length]!;
    let shape: ReturnType<typeof testRewardShape>;
    try {
      shape = testRewardShape((at.node as VerifierNode).config as CodeCompiled, ctx.samples[seed] as Sample);
    } catch (e) {
      if (e instanceof RewardkitError) return VACUOUS; // no tests in this sample: nothing to count
      throw e;
    }
    const step = oneMore(p, shape.tests);
    if (!step) return VACUOUS;
    const { before: pass, after: more, added: i } = step;
    const verdicts = (v: boolean[]) => v.map((x) => (x ? ("pass" as const) : ("wrong_answer" as const)));
    const x1 = rewardOf(shape.mode, verdicts(pass), shape.weights);
    const x2 = rewardOf(shape.mode, verdicts(more), shape.weights);
    if (x2 >= x1 - EPS) return PASS;
    const show = (v: boolean[]) => v.map((x) => (x ? "P" : "F")).join("");
    return violation(
      `on the code verifier at ${jsonPath(at.path)} (mode ${shape.mode}): test ${i} passes as well (${show(pass)} -> ${show(more)})`,
      ctx.samples[seed],
      [
        { label: show(pass), result: { status: "ok", reward: x1 } },
        { label: show(more), result: { status: "ok", reward: x2 } },
      ],
      "passing one more test must not lower the reward",
    );
  },
};
