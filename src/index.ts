/**
 * rewardkit as a library: load a spec, score samples.
 *
 *   import { loadReward } from "rewardkit";
 *   const reward = loadReward({ type: "think_answer" });
 *   const result = await reward.score({ completion: "<think>...</think><answer>4</answer>" });
 */

import { lazyNamespace, loadForSources, loadNow } from "./lazy.js";
import type * as Lint from "./lint/index.js";
import type * as Server from "./server/index.js";
import type * as MathCheck from "./verifiers/math/check.js";

export * from "./core/index.js";
export {
  type Disagreement,
  EvalInputError,
  type EvalOptions,
  type EvalReport,
  evalReportText,
  evaluate,
  type Scorer,
} from "./eval/index.js";
export * as evalMetrics from "./eval/metrics.js";
export * from "./rewards/index.js";
export {
  aggregate as aggregateRubric,
  type Criterion,
  clearJudgeCache,
  DEFAULT_CATEGORY_WEIGHTS,
  judgeCacheStats,
  LlmJudge,
  normalizeRubric,
  type Rubric,
  RubricNode,
  resolveJudgeConfig,
} from "./rubrics/index.js";
export {
  type PairOptions,
  preferencePairs,
  RewardEnsembleNode,
  rewardModelVerifier,
} from "./rubrics/reward-model/index.js";
export * from "./spec/index.js";
export { builtinVerifiers, extractChoice, extractJson } from "./verifiers/index.js";
export type { CheckResult } from "./verifiers/math/check.js";
export type { MathOptions } from "./verifiers/math/options.js";
export { mathClasses } from "./verifiers/math/verifier.js";

// Lint and the server load at their first use (src/lazy.ts): scoring needs neither. Not so when the
// TypeScript sources run as they are (a test runner): require() cannot load them.
if (import.meta.url.endsWith(".ts")) await loadForSources();
const lintNow = () => loadNow<typeof Lint>("./lint/index.js");
const serverNow = () => loadNow<typeof Server>("./server/index.js");

export type { CheckReport, LintCheck, LintContext, LintOptions, LintReport } from "./lint/index.js";
/** Lint's checks, mutations and helpers to write more (see docs/lint.md); loads lint at the first use. */
export const lint: typeof Lint = lazyNamespace(lintNow);
/** Lints a spec on seed samples (see docs/lint.md). */
export const lintSpec: typeof Lint.lintSpec = async (spec, samples, opts) =>
  (await import("./lint/index.js")).lintSpec(spec, samples, opts);
/** Adds an attack to every later lint run. */
export const registerLintAttack: typeof Lint.registerLintAttack = (check) =>
  lintNow().registerLintAttack(check);
/** Adds a law to every later lint run. */
export const registerLintLaw: typeof Lint.registerLintLaw = (check) => lintNow().registerLintLaw(check);

export type { ServeOptions, ServerOptions } from "./server/index.js";
export { isLoopback } from "./server/loopback.js";
export { DEFAULT_STRIP_TOKENS, responseOf, stripTrailingTokens } from "./server/protocols/openrlhf-text.js";
/** The reward server as a fastify instance, not listening (see docs/server.md). */
export const buildServer: typeof Server.buildServer = (reward, opts) => serverNow().buildServer(reward, opts);
/** Starts the server (see docs/server.md). */
export const startServer: typeof Server.startServer = async (reward, opts) =>
  (await import("./server/index.js")).startServer(reward, opts);
/** `serve --workers N`: N processes share the port. */
export const startCluster: typeof Server.startCluster = async (load, opts, workers, cores) =>
  (await import("./server/index.js")).startCluster(load, opts, workers, cores);
/** The chat message of a NeMo Gym response. */
export const responseMessage: typeof Server.responseMessage = (response) =>
  serverNow().responseMessage(response);

// The math check in-process (the verifier runs it in the worker pool): its parser and rules load at the first call.
const mathNow = () => loadNow<typeof MathCheck>("./verifiers/math/check.js");
/** A canonical key of an answer: equal keys mean equal answers. */
export const answerKey: typeof MathCheck.answerKey = (answer, options) =>
  mathNow().answerKey(answer, options);
/** The whole math check: extract the final answer from a completion and compare it with the gold answer(s). */
export const checkMath: typeof MathCheck.checkMath = (completion, golds, options) =>
  mathNow().checkMath(completion, golds, options);
/** Compares one predicted answer text with one gold answer text (no extraction). */
export const compareAnswers: typeof MathCheck.compareAnswers = (pred, gold, options) =>
  mathNow().compareAnswers(pred, gold, options);
/** Clusters answers into equivalence classes, for majority voting. */
export const groupEquivalent: typeof MathCheck.groupEquivalent = (answers, options) =>
  mathNow().groupEquivalent(answers, options);
/** True, false, or null (unknown): is `pred` the same answer as `gold`? */
export const mathEqual: typeof MathCheck.mathEqual = (pred, gold, options) =>
  mathNow().mathEqual(pred, gold, options);
