/**
 * Projection of span rewards onto a trainer's tokens. Given each token's character offsets in the
 * completion, every span's value goes to tokens by a placement policy:
 *   span_end  all of it on the token holding the span's last character (the Fine-Grained RLHF convention);
 *   uniform   split equally over the tokens that overlap the span.
 * Both preserve the sum: sum(token rewards) = sum(span values). Offsets that do not cover a span, or that
 * are not well formed, are refused (invalid_input), never guessed.
 */
import { RewardkitError, type Span } from "../../core/index.js";

export type Placement = "span_end" | "uniform";
export type Offsets = readonly (readonly [number, number])[];

/**
 * Checks a trainer's token offsets against the completion: integer pairs, in order, within the text, and
 * covering every non-whitespace character (a tokenizer never drops text; offsets that miss some belong
 * to another text or were truncated).
 */
export function checkOffsets(offsets: unknown, text: string): Offsets {
  const textLength = text.length;
  if (!Array.isArray(offsets))
    throw new RewardkitError("invalid_input", "token offsets must be an array of [start, end] pairs");
  let prevStart = 0;
  offsets.forEach((o, i) => {
    if (!Array.isArray(o) || o.length !== 2 || !Number.isInteger(o[0]) || !Number.isInteger(o[1])) {
      throw new RewardkitError("invalid_input", `token offset ${i} must be a pair of integers [start, end]`);
    }
    const [s, e] = o as [number, number];
    if (s < 0 || e < s || e > textLength) {
      throw new RewardkitError(
        "invalid_input",
        `token offset ${i} [${s}, ${e}] is outside the completion (length ${textLength})`,
      );
    }
    if (s < prevStart)
      throw new RewardkitError("invalid_input", `token offsets are not in order at token ${i}`);
    prevStart = s;
  });
  let covered = 0;
  for (const [s, e] of offsets as [number, number][]) {
    const gap = text.slice(covered, s);
    if (s > covered && /\S/.test(gap)) return uncovered(covered + gap.search(/\S/));
    covered = Math.max(covered, e);
  }
  const rest = text.slice(covered);
  if (/\S/.test(rest)) return uncovered(covered + rest.search(/\S/));
  return offsets as Offsets;
}

function uncovered(at: number): never {
  throw new RewardkitError(
    "invalid_input",
    `the token offsets do not cover the completion: character ${at} is in no token`,
  );
}

/** Index of the first token whose end is after `pos` (binary search over non-decreasing offsets). */
function firstEndingAfter(offsets: Offsets, pos: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid]![1] <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Tokens overlapping [start, end). */
function overlapping(offsets: Offsets, start: number, end: number): [number, number] {
  let i = firstEndingAfter(offsets, start);
  // The first token from i starting at or after `end` (starts are in order): a binary search, so that a
  // span over a long completion does not cost a walk over its tokens.
  let lo = i;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid]![0] < end) lo = mid + 1;
    else hi = mid;
  }
  const j = lo;
  // Zero-width tokens inside the range count too, but a range must hit a token of positive width.
  while (i < j && offsets[i]![1] === offsets[i]![0] && offsets[i]![0] < start) i++;
  return [i, j];
}

export function projectSpans(
  spans: readonly Span[],
  offsets: Offsets,
  placement: Placement = "span_end",
): number[] {
  const out = new Array<number>(offsets.length).fill(0);
  for (const s of spans) {
    if (s.value === 0) continue;
    const [i, j] = overlapping(offsets, s.start, Math.max(s.end, s.start + 1));
    if (i >= j) {
      throw new RewardkitError(
        "invalid_input",
        `no token covers the span [${s.start}, ${s.end}) from '${s.source}': the offsets do not cover the completion`,
      );
    }
    if (placement === "span_end") out[j - 1]! += s.value;
    else {
      const share = s.value / (j - i);
      for (let k = i; k < j; k++) out[k]! += share;
    }
  }
  return out;
}

export type Reduction = "sum" | "mean" | "min" | "max" | "last";

/** One number from a list of span or step rewards, for sequence-level trainers. */
export function reduce(values: readonly number[], how: Reduction): number {
  if (values.length === 0) return 0;
  switch (how) {
    case "sum":
      return values.reduce((a, b) => a + b, 0);
    case "mean":
      return values.reduce((a, b) => a + b, 0) / values.length;
    // Not Math.min(...values): spreading hundreds of thousands of segments overflows the stack.
    case "min":
      return values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    case "max":
      return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    case "last":
      return values[values.length - 1]!;
  }
}

/**
 * Token rewards for one result: its spans projected onto the offsets; a result without spans puts its
 * whole reward on the last token (the usual sequence-level convention). Null for results that are not ok.
 */
export function tokenRewards(
  r: { status: string; reward: number | null; spans?: Span[] },
  offsets: unknown,
  text: string,
  placement: Placement,
): number[] | null {
  const o = checkOffsets(offsets, text);
  if (r.status !== "ok") return null;
  if (r.spans?.length) return projectSpans(r.spans, o, placement);
  if (o.length === 0 && r.reward !== 0) {
    throw new RewardkitError(
      "invalid_input",
      `no tokens to carry the reward ${r.reward}: the token offsets are empty (send at least the end-of-sequence token)`,
    );
  }
  const out = new Array<number>(o.length).fill(0);
  if (o.length) out[o.length - 1] = r.reward as number;
  return out;
}
