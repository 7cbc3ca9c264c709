/**
 * rewardkit as a library: load a spec, score samples.
 *
 *   import { loadReward } from "rewardkit";
 *   const reward = loadReward({ type: "think_answer" });
 *   const result = await reward.score({ completion: "<think>...</think><answer>4</answer>" });
 */
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
export * as lint from "./lint/index.js";
export {
  type CheckReport,
  type LintCheck,
  type LintContext,
  type LintOptions,
  type LintReport,
  lintSpec,
  registerLintAttack,
  registerLintLaw,
} from "./lint/index.js";
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
export * from "./server/index.js";
export * from "./spec/index.js";
export { builtinVerifiers, extractChoice, extractJson } from "./verifiers/index.js";
export {
  answerKey,
  type CheckResult,
  checkMath,
  compareAnswers,
  groupEquivalent,
  type MathOptions,
  mathClasses,
  mathEqual,
} from "./verifiers/math/index.js";
