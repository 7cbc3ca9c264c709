/**
 * Which rewards may score a whole row at a time on a pool worker ("shard the batch, not the check"), and
 * under what deadline. Such a reward is pure: every node only computes (CPU-bound, deterministic, no I/O,
 * no model, no process or slot of its own), so the worker rebuilds the same tree from the spec document
 * and gets the same results. Code runtimes, judges, reward models and verifiers that are not built in
 * (the worker could not rebuild them) keep the per-check path.
 */
import type { AnyVerifier } from "../core/index.js";
import { type RewardNode, VerifierNode } from "../rewards/index.js";
import { mathWithJudge } from "../rubrics/math-judge.js";
import { builtinVerifiers } from "../verifiers/index.js";
import type { Reward } from "./reward.js";

/** Composition nodes that only combine their children's results (rubrics and ensembles call models). */
const PURE_COMPOSITES = new Set([
  "weighted",
  "min",
  "max",
  "product",
  "gate",
  "sequence",
  "clip",
  "affine",
  "formula",
  "per_segment",
  "overlong",
  "cosine_length",
  "repetition",
  "length_budget",
]);

const BUILTIN = new Set<AnyVerifier>([...builtinVerifiers, mathWithJudge]);

const DEFAULT_ROW_DEADLINE_MS = 10_000;

export interface ShardPlan {
  /** The spec document a worker rebuilds the reward from. */
  spec: unknown;
  /**
   * A row's deadline on a worker: the shortest deadline of its checks. A row that finishes within it had
   * every check finish within its own deadline, so its result is the per-check path's; a row that does
   * not is killed and scored again on the per-check path, whose deadlines then decide.
   */
  deadlineMs: number;
  /**
   * Some check already uses the worker pool (its workers start anyway): the CLI shards such specs past
   * its first 20,000 rows; specs whose checks all run in-process only past 100,000 (score.ts).
   */
  usesPool: boolean;
}

/** The plan for scoring `reward` in blocks of whole rows on workers, or null when it must not be. */
export function shardPlan(reward: Reward): ShardPlan | null {
  let deadlineMs = Number.POSITIVE_INFINITY;
  let usesPool = false;
  const pure = (n: RewardNode): boolean => {
    if (n instanceof VerifierNode) {
      const v = n.verifier;
      if (!BUILTIN.has(v)) return false;
      const p = typeof v.pure === "function" ? v.pure(n.config) : v.pure === true;
      if (!p) return false;
      deadlineMs = Math.min(deadlineMs, n.timeoutMs);
      if (v.managesDeadline) usesPool = true;
      return true;
    }
    return PURE_COMPOSITES.has(n.type) && n.children.every(pure);
  };
  if (!pure(reward.root)) return null;
  return {
    spec: reward.spec,
    deadlineMs: Number.isFinite(deadlineMs) ? deadlineMs : DEFAULT_ROW_DEADLINE_MS,
    usesPool,
  };
}
