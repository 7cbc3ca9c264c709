/**
 * The math verifier with a model fallback for the pairs its rules cannot decide. With a `judge` object in
 * its config, a `math` node whose check ends `unknown` (a gold the parser does not read, values float64
 * and the high-precision pass cannot separate) asks the rubric judge one binary criterion, "the candidate's
 * final answer is mathematically equivalent to the reference", through the same client as rubrics: judge
 * cache, retries with corrections, strict JSON verdicts. Every other verdict (equal, not equal, no answer,
 * invalid input) is the rules' and the judge is never called for it.
 *
 * So the cascade is rules -> exact -> numeric -> high precision -> judge, and `details.stage` says which
 * stage decided. A failed judge call is an error result (judge_error, judge_parse_error, timeout), never 0.
 *
 * It lives here, not in src/verifiers/math, because verifiers do not import the rubric judge; the spec
 * registers it as the `math` type (without `judge` it is the plain math verifier).
 */
import {
  fail,
  type JsonSchema,
  type Outcome,
  ok,
  RewardkitError,
  renderTextList,
  type Verifier,
} from "../core/index.js";
import { math } from "../verifiers/math/verifier.js";
import { JUDGE_SCHEMA, LlmJudge, resolveJudgeConfig } from "./judge.js";
import type { Criterion } from "./model.js";

type MathConfig = Parameters<NonNullable<typeof math.compile>>[0];
type MathCompiled = ReturnType<NonNullable<typeof math.compile>>;

interface Config extends MathConfig {
  judge?: Record<string, unknown>;
}

interface Compiled {
  inner: MathCompiled;
  judge: LlmJudge | null;
}

/** Part of the judge cache key: change it when the criterion's wording changes. */
const VERSION = "math-equivalence-1";

const CRITERION: Criterion = {
  id: "equivalent",
  text:
    "The candidate's final answer is mathematically equivalent to the reference answer: the same number, " +
    "expression, set, interval or choice, however it is written (forms, order of a set, notation). A " +
    "different value, a partial answer or several conflicting answers is not equivalent.",
  kind: "binary",
  weight: 1,
  judge: { kind: "llm" },
};

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export const mathWithJudge: Verifier<Config, Compiled> = {
  ...math,
  description: `${math.description} With 'judge', pairs the rules cannot decide go to a model judge.`,
  // Without a judge it only computes; a judge calls a model.
  pure: (c) => c.judge === null,
  configSchema: {
    ...math.configSchema,
    properties: {
      ...(math.configSchema.properties as Record<string, JsonSchema>),
      judge: {
        ...JUDGE_SCHEMA,
        description:
          "A model judge (OpenAI-compatible chat completions) for the pairs the rules leave unknown only; default: none.",
      },
    },
  },
  compile(c) {
    const { judge, ...rest } = c;
    const inner = math.compile!(rest);
    if (!judge) return { inner, judge: null };
    const r = resolveJudgeConfig(judge);
    if (!r.config) {
      const [path, message] = r.problems[0]!;
      throw new RewardkitError("config_error", `judge.${path.join(".")}: ${message}`);
    }
    return { inner, judge: new LlmJudge(r.config) };
  },
  async verify(sample, c, ctx): Promise<Outcome> {
    const out = await math.verify(sample, c.inner, ctx);
    if (!c.judge || out.status !== "abstain" || out.details?.verdict !== "unknown") return out;
    const golds = renderTextList(c.inner.reference, sample, "reference");
    const extracted = String(out.details.extracted ?? "");
    const prompt = typeof sample.prompt === "string" ? clip(sample.prompt, 4000) : undefined;
    const texts = {
      ...(prompt ? { prompt } : {}),
      response: `Candidate's final answer: ${clip(extracted, 2000)}`,
      reference: clip(golds.join("  OR  "), 2000),
    };
    const j = (await c.judge.judgeCriteria([CRITERION], texts, VERSION, ctx.signal)).get(CRITERION.id)!;
    const details = { ...out.details, rules: out.feedback, stage: "judge" };
    if (!j.ok)
      return fail(j.kind, `the rules could not decide and the judge failed: ${j.message}`, { details });
    const equal = j.verdict === true;
    return ok(equal ? 1 : 0, {
      feedback: `judge (${c.judge.model}): ${equal ? "equivalent" : "not equivalent"}, ${j.reason} (rules: ${out.feedback})`,
      details: {
        ...details,
        verdict: equal ? "equal" : "not_equal",
        judge: { reason: j.reason, ...j.details },
      },
    });
  },
};
