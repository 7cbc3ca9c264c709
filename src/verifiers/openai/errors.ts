/**
 * OpenAI's grader error flags (`metadata.errors` of a graders run response) and how rewardkit results carry
 * them. A grader that cannot grade is an error result with a rewardkit kind (timeout, invalid_input,
 * grader_error, judge_error, ...) whose `details.openai_errors` lists the OpenAI flags it amounts to; the
 * run endpoint turns the flags of every failed node into `metadata.errors`.
 */
import { type ErrorKind, fail, type Outcome, RewardkitError } from "../../core/index.js";

export const OPENAI_FLAGS = [
  "formula_parse_error",
  "sample_parse_error",
  "truncated_observation_error",
  "unresponsive_reward_error",
  "invalid_variable_error",
  "other_error",
  "python_grader_server_error",
  "python_grader_runtime_error",
  "model_grader_server_error",
  "model_grader_refusal_error",
  "model_grader_parse_error",
] as const;

export type OpenAIFlag = (typeof OPENAI_FLAGS)[number];

/** A RewardkitError that also names the OpenAI error flags it sets. */
export class GraderError extends RewardkitError {
  constructor(
    kind: ErrorKind,
    readonly flags: readonly OpenAIFlag[],
    message: string,
  ) {
    super(kind, message);
    this.name = "GraderError";
  }
}

export function graderError(kind: ErrorKind, flag: OpenAIFlag | OpenAIFlag[], message: string): GraderError {
  return new GraderError(kind, Array.isArray(flag) ? flag : [flag], message);
}

/** An error outcome carrying its OpenAI flags in `details.openai_errors`. */
export function graderFail(
  kind: ErrorKind,
  flags: OpenAIFlag | readonly OpenAIFlag[],
  message: string,
  details: Record<string, unknown> = {},
): Outcome {
  return fail(kind, message, {
    details: { ...details, openai_errors: typeof flags === "string" ? [flags] : [...flags] },
  });
}

/** Turns anything a grader threw into an error outcome with flags (other_error when it has none). */
export function graderOutcome(e: unknown, fallback: OpenAIFlag = "other_error"): Outcome {
  if (e instanceof GraderError) return graderFail(e.kind, e.flags, e.message);
  if (e instanceof RewardkitError) {
    const flag: OpenAIFlag = e.kind === "timeout" ? "unresponsive_reward_error" : fallback;
    return graderFail(e.kind, flag, e.message);
  }
  return graderFail("internal", fallback, e instanceof Error ? e.message : String(e));
}
