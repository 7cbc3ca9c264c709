/**
 * rewardkit as a library: load a spec, score samples.
 *
 *   import { loadReward } from "rewardkit";
 *   const reward = loadReward({ type: "think_answer" });
 *   const result = await reward.score({ completion: "<think>...</think><answer>4</answer>" });
 */
export * from "./core/index.js";
export * from "./rewards/index.js";
export * from "./spec/index.js";
export { builtinVerifiers, extractChoice, extractJson } from "./verifiers/index.js";
export * from "./server/index.js";
export {
  DEFAULT_CATEGORY_WEIGHTS,
  LlmJudge,
  RubricNode,
  aggregate as aggregateRubric,
  clearJudgeCache,
  judgeCacheStats,
  normalizeRubric,
  resolveJudgeConfig,
  type Criterion,
  type Rubric,
} from "./rubrics/index.js";
