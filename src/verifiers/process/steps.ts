/**
 * What the process verifiers share: the step ranges of a completion (from a segmenter, or the sample's
 * own `steps`), the pool task that checks them, and turning per-step values into spans.
 */
import {
  completionText,
  poolTask,
  RewardkitError,
  type Sample,
  SEGMENT_KINDS,
  type Segment,
  type SegmentKind,
  type Span,
  segment,
  sharedPool,
  type VerifyContext,
} from "../../core/index.js";
import type { checkSteps } from "./process-task.js";

const TASK = poolTask(new URL("./process-task.js", import.meta.url), "checkSteps");

export const SEGMENTER_PROP = {
  enum: [...SEGMENT_KINDS.filter((k) => k !== "delimiter"), "given"],
  default: "steps",
  description: "How the completion is cut into steps; 'given' uses the sample's own 'steps' ranges.",
};

export function stepsOf(sample: Sample, segmenter: SegmentKind | "given"): Segment[] {
  const text = completionText(sample);
  if (segmenter !== "given") return segment(text, segmenter);
  const steps = sample.steps;
  if (!Array.isArray(steps))
    throw new RewardkitError("invalid_input", "segmenter 'given' needs the sample's 'steps' ranges");
  return steps.map((s, i) => {
    const { start, end } = (s ?? {}) as { start?: number; end?: number };
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      start! < 0 ||
      end! > text.length ||
      start! > end!
    ) {
      throw new RewardkitError(
        "invalid_input",
        `steps[${i}] is not a range {start, end} within the completion`,
      );
    }
    return { start: start!, end: end!, text: text.slice(start, end) };
  });
}

export function runCheck(
  arg: Parameters<typeof checkSteps>[0],
  ctx: VerifyContext,
): Promise<ReturnType<typeof checkSteps>> {
  return sharedPool().run(TASK, arg, ctx);
}

export function stepSpans(steps: Segment[], values: number[], source: string): Span[] {
  return steps.map((s, i) => ({
    start: s.start,
    end: s.end,
    value: values[i]!,
    source,
    label: `step ${i + 1}`,
  }));
}
