/**
 * The prior estimate of a spec's cost per sample, in seconds of the server's capacity, from the node
 * types of its tree: what admission control uses before it has measured anything (admission.ts). Rough on
 * purpose; the measured average replaces it after the first few dozen samples.
 */
import { availableParallelism } from "node:os";
import { type RewardNode, VerifierNode } from "../rewards/index.js";
import { codeLimiter } from "../verifiers/code/limiter.js";

/** Programs: a typical run of a sample's tests, shared by the code slots. */
const CODE_RUN_S = 0.25;
/** Work handed to the worker pool (CAS calls, user regexes): a task and its hand-off, shared by the threads. */
const POOL_TASK_S = 0.0001;
/** A judge model: an HTTP round trip, many at once. */
const JUDGE_S = 0.05;
/** Inline checks (format, text): tens of microseconds. */
const INLINE_S = 0.00003;

const RUNS_PROGRAMS = new Set(["code", "python_grader"]);
const JUDGES = new Set(["rubric", "openai_score_model", "openai_label_model"]);

export function priorCostSeconds(root: RewardNode): number {
  const cores = Math.max(1, availableParallelism());
  const walk = (n: RewardNode): number => {
    let own = 0;
    if (JUDGES.has(n.type)) own = JUDGE_S;
    else if (n instanceof VerifierNode) {
      if (RUNS_PROGRAMS.has(n.type)) own = CODE_RUN_S / codeLimiter().size;
      else if (n.verifier.managesDeadline) own = POOL_TASK_S / cores;
      else own = INLINE_S;
    }
    return own + n.children.reduce((s, c) => s + walk(c), 0);
  };
  return walk(root);
}
