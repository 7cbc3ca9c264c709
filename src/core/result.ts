/**
 * The result model. Every evaluation ends in exactly one of three states so that a trainer can never
 * mistake a broken verifier for a wrong answer: `ok` carries a finite number, `abstain` and `error` carry
 * `reward: null`.
 */

export type Status = "ok" | "abstain" | "error";

/** Error kinds used by rewardkit. Verifiers may add their own (a string); these are the shared ones. */
export type ErrorKind =
  | "timeout"
  | "parse_error"
  | "invalid_input"
  | "sandbox_error"
  | "config_error"
  | "numeric_error"
  | "judge_error"
  | "judge_parse_error"
  | "internal"
  | (string & {});

export interface RewardError {
  kind: ErrorKind;
  message: string;
}

/** A dense reward on a character range `[start, end)` of the completion. */
export interface Span {
  start: number;
  end: number;
  value: number;
  source: string;
  label?: string;
}

interface ResultFields {
  error?: RewardError;
  /** Named child results, in evaluation order: the whole tree, so a user sees why. */
  components?: Record<string, Result>;
  spans?: Span[];
  feedback?: string;
  /** The factor the parent node applied to this result (present where the parent is linear in it). */
  weight?: number;
  /** Verifier-specific structured facts (what was extracted, which test failed, ...). */
  details?: Record<string, unknown>;
  /** Wall time of this evaluation in milliseconds. */
  ms: number;
}

/** An ok result: its reward is a finite number. */
export interface OkResultOf extends ResultFields {
  status: "ok";
  reward: number;
}

/** An abstain or error result: no reward. */
export interface NoRewardResult extends ResultFields {
  status: "abstain" | "error";
  reward: null;
}

/** A result: `ok` with a number, or `abstain` / `error` with `reward: null` (narrow on `status`). */
export type Result = OkResultOf | NoRewardResult;

/** What a verifier or node returns; the evaluator adds the timing. */
export type Outcome = Result extends infer R
  ? R extends Result
    ? Omit<R, "ms"> & { ms?: number }
    : never
  : never;

type Extra = Partial<Pick<Result, "components" | "spans" | "feedback" | "details">>;

export function ok(reward: number, extra: Extra = {}): Outcome {
  if (typeof reward !== "number" || !Number.isFinite(reward)) {
    return fail("numeric_error", `reward is not a finite number: ${String(reward)}`, extra);
  }
  // Normalise -0 so that JSON round trips and equality checks agree.
  return { status: "ok", reward: reward === 0 ? 0 : reward, ...extra };
}

export function abstain(feedback: string, extra: Extra = {}): Outcome {
  return { status: "abstain", reward: null, feedback, ...extra };
}

export function fail(kind: ErrorKind, message: string, extra: Extra = {}): Outcome {
  return { status: "error", reward: null, error: { kind, message }, ...extra };
}

/** The ok branch of any result type (Result, Outcome, GroupedResult, ...): reward is a number. */
export type OkResult<R extends Outcome = Result> = R & { status: "ok"; reward: number };

/** Narrows any result type, so `results.filter(isOk)` has `reward: number`. */
export function isOk<R extends Outcome>(r: R): r is OkResult<R> {
  return r.status === "ok";
}

/** Turns anything thrown into an `internal` (or more specific) error outcome; never rethrows. */
export function fromThrown(e: unknown, kind: ErrorKind = "internal"): Outcome {
  if (e instanceof RewardkitError) return fail(e.kind, e.message);
  const message = e instanceof Error ? e.message : String(e);
  return fail(kind, message);
}

/** An error with a kind, for code paths that throw rather than return an outcome. */
export class RewardkitError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "RewardkitError";
  }
}
