/**
 * The shapes of lint checks (laws, attacks, JSON mutations) and of the context they run in. A check is
 * a fast-check property over (seed sample, mutation parameters): `params` gives the arbitrary, `run`
 * scores one variation and says whether it holds.
 */
import type * as FastCheck from "fast-check";
import type { Result, Sample, VerifierRegistry } from "../core/index.js";
import type { Range } from "../rewards/index.js";
import type { Reward } from "../spec/index.js";
import type { Brief } from "./compare.js";
import type { TreeLaws } from "./declared.js";

export type Fc = typeof FastCheck;
export type Arbitrary<T> = FastCheck.Arbitrary<T>;

export interface LintContext {
  reward: Reward;
  /** The spec as JSON (a preset is resolved to its JSON). */
  spec: unknown;
  registry: VerifierRegistry;
  /** The seed samples, as given (some may not be valid samples: they are left out of `valid`). */
  samples: Sample[];
  /** The result of each seed, scored once at the start. */
  base: Result[];
  /** The root's declared range. */
  range: Range;
  laws: TreeLaws;
  /** Indices of valid seeds; of those with an ok result; of those in the top half of the range; at the max. */
  valid: number[];
  okSeeds: number[];
  high: number[];
  top: number[];
  /**
   * Whether the reward depends on the sample's reference (or other fields): false for a format-only
   * reward, to which the attacks on the answer's content do not apply.
   */
  judgesAnswer: boolean;
  /** Longest a scoring may take before it counts as hanging. */
  deadlineMs: number;
  /** Scores with the spec under test (or another compiled reward); never throws, never hangs. */
  score(sample: unknown, reward?: Reward): Promise<Result>;
  /** Compiles another spec with the same registry (cached by its JSON). */
  load(spec: unknown): Reward;
  isTop(r: Result): boolean;
}

export interface Evidence {
  /** What was changed, in words. */
  change: string;
  /** The sample that was scored (the mutated one). */
  sample: unknown;
  /** The results compared, labelled ("original", "hacked", ...). */
  results: { label: string; result: Brief }[];
  /** Which requirement failed. */
  message: string;
}

export type Verdict = { pass: true; vacuous?: boolean } | { pass: false; evidence: Evidence };

export const PASS: Verdict = { pass: true };
export const VACUOUS: Verdict = { pass: true, vacuous: true };

export interface LintCheck<P = unknown> {
  /** e.g. "totality", "invariance.whitespace", "attack.empty_completion". */
  name: string;
  kind: "law" | "attack" | "mutation";
  description: string;
  /** The requirement in a few words: "hacked < original". */
  requirement: string;
  /** true, or why the check does not apply to this spec. */
  applies(ctx: LintContext): true | string;
  /** The seeds the check varies (indices into ctx.samples); empty: not applicable (say why in `noSeeds`). */
  seeds(ctx: LintContext): number[];
  noSeeds?: string;
  /** The mutation parameters, as a fast-check arbitrary. */
  params(fc: Fc, ctx: LintContext): Arbitrary<P>;
  /** Scores one variation. */
  run(ctx: LintContext, seed: number, params: P): Promise<Verdict>;
}

/** A failed verdict with its evidence. */
export function violation(
  change: string,
  sample: unknown,
  results: { label: string; result: Brief }[],
  message: string,
): Verdict {
  return { pass: false, evidence: { change, sample, results, message } };
}
