/**
 * Scoring samples with a reward tree: one at a time or as a batch with bounded concurrency. A sample
 * that is not a sample becomes an invalid_input error result at its position; nothing throws.
 *
 * A batch gives way to the event loop every few milliseconds (core/slice.ts), so a server scoring a big
 * batch of cheap checks still answers its other requests, and checks the caller's signal before each
 * sample: once it aborts (a deadline, a client gone), the samples not yet started are timeout errors at
 * once instead of being scored for nobody.
 */
import { setMaxListeners } from "node:events";
import type { Sample } from "../core/index.js";
import {
  fail,
  fromThrown,
  NEVER_ABORTED,
  nextSlice,
  type Result,
  sampleProblem,
  sliceDue,
} from "../core/index.js";
import type { RewardNode } from "./node.js";

export interface ScoreOptions {
  signal?: AbortSignal;
}

export interface BatchOptions extends ScoreOptions {
  /** How many samples are evaluated at once (default 64). */
  concurrency?: number;
  /** Called as each result is ready, with the sample's index. */
  onResult?: (index: number, result: Result) => void;
}

const NEVER = NEVER_ABORTED;
// Every in-flight async verification listens on the caller's signal: many at once is normal, not a leak.
setMaxListeners(0, NEVER);

export async function scoreSample(
  root: RewardNode,
  sample: unknown,
  opts: ScoreOptions = {},
): Promise<Result> {
  const problem = sampleProblem(sample);
  if (problem) return { ...fail("invalid_input", problem), ms: 0 };
  return root.evaluate(sample as Sample, { signal: opts.signal ?? NEVER });
}

export async function scoreBatch(
  root: RewardNode,
  samples: readonly unknown[],
  opts: BatchOptions = {},
): Promise<Result[]> {
  if (opts.signal) setMaxListeners(0, opts.signal);
  const out = new Array<Result>(samples.length);
  const signal = opts.signal;
  await forEachLimit(samples.length, opts.concurrency ?? 64, async (i) => {
    const r = signal?.aborted ? notStarted(signal) : await scoreSample(root, samples[i], opts);
    out[i] = r;
    opts.onResult?.(i, r);
  });
  return out;
}

/** The result of a sample whose batch was aborted before it started. */
function notStarted(signal: AbortSignal): Result {
  return { ...fromThrown(signal.reason ?? new Error("the evaluation was aborted"), "timeout"), ms: 0 };
}

/** Runs task(0..n-1) with at most `limit` in flight, giving way to the event loop between time slices. */
export async function forEachLimit(
  n: number,
  limit: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      await task(next++);
      if (sliceDue()) await nextSlice();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, n)) }, worker));
}
