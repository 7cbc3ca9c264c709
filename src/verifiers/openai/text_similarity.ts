/**
 * openai_text_similarity: OpenAI's `text_similarity` grader. The reward is the similarity of the rendered
 * `input` and `reference` by `evaluation_metric` (see metrics.ts), in [0, 1]. `pass_threshold` (the Evals
 * API's) does not change the reward: `details.passed` says whether it was reached. `cosine` and `meteor`
 * are refused at load with the reason (they need an embedding model or WordNet).
 *
 * Quadratic metrics on long texts run in the worker pool under the node's deadline.
 */
import { ok, RewardkitError, sharedPool, type Verifier } from "../../core/index.js";
import { graderOutcome } from "./errors.js";
import { cost, METRICS, type Metric, similarity, UNSUPPORTED_METRICS } from "./metrics.js";
import { OPENAI_TEMPLATE } from "./string_check.js";
import { compileGraderTemplate, type GraderTemplate } from "./template.js";

interface Config {
  input: string;
  reference: string;
  evaluation_metric: string;
  pass_threshold?: number;
}

interface Compiled {
  input: GraderTemplate;
  reference: GraderTemplate;
  metric: Metric;
  passThreshold?: number;
}

const TASK = { module: new URL("./similarity-task.js", import.meta.url), fn: "similarityTask" };
/** Above this many units of work a metric runs in the worker pool (a few milliseconds inline). */
const INLINE_COST = 2_000_000;

export const openaiTextSimilarity: Verifier<Config, Compiled> = {
  type: "openai_text_similarity",
  pure: true,
  description:
    "OpenAI text_similarity grader: fuzzy_match, bleu, gleu, rouge_1..rouge_5 or rouge_l between input and reference.",
  managesDeadline: true,
  configSchema: {
    required: ["input", "reference", "evaluation_metric"],
    properties: {
      input: OPENAI_TEMPLATE("The text to score"),
      reference: OPENAI_TEMPLATE("The reference text"),
      evaluation_metric: {
        enum: [...METRICS, ...Object.keys(UNSUPPORTED_METRICS)],
        description: `One of ${METRICS.join(", ")} (cosine and meteor are not supported).`,
      },
      pass_threshold: { type: "number", description: "Reported as details.passed; the reward is the score." },
    },
  },
  compile(c) {
    const why = UNSUPPORTED_METRICS[c.evaluation_metric];
    if (why) throw new RewardkitError("config_error", `evaluation_metric: ${why}`);
    const out: Compiled = {
      input: compileGraderTemplate(c.input),
      reference: compileGraderTemplate(c.reference),
      metric: c.evaluation_metric as Metric,
    };
    if (c.pass_threshold !== undefined) out.passThreshold = c.pass_threshold;
    return out;
  },
  async verify(sample, c, ctx) {
    try {
      const input = c.input.renderText(sample);
      const reference = c.reference.renderText(sample);
      const score =
        cost(c.metric, input, reference) <= INLINE_COST
          ? similarity(c.metric, input, reference)
          : await sharedPool().run<number>(TASK, { metric: c.metric, input, reference }, ctx);
      const details: Record<string, unknown> = { metric: c.metric };
      if (c.passThreshold !== undefined) details.passed = score >= c.passThreshold;
      return ok(score, { details });
    } catch (e) {
      return graderOutcome(e);
    }
  },
};
