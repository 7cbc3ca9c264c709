/**
 * Scored groups -> preference pairs in TRL's preference format (trl docs/source/dataset_formats.md,
 * "Preference" type, explicit prompt):
 *
 *   standard        {"prompt": "The sky is", "chosen": " blue.", "rejected": " green."}
 *   conversational  {"prompt": [{"role": "user", "content": ...}],
 *                    "chosen": [{"role": "assistant", "content": ...}], "rejected": [...]}
 *
 * Rows are grouped by their prompt (or a field); only rows whose status is ok take part (an abstain or an
 * error is not a low reward). Pairing modes:
 *
 *   best_worst  the highest- against the lowest-rewarded row, when they differ by more than `margin`
 *   margin      every pair whose rewards differ by more than `margin` (highest margins first)
 *   threshold   rows at or above `threshold` (e.g. a verifier passed) against rows below it
 *
 * Each group gives at most `maxPerGroup` pairs.
 */
import { type ChatMessage, canonicalJson, completionText, type Sample } from "../../core/index.js";

export const PAIR_MODES = ["best_worst", "margin", "threshold"] as const;
export type PairMode = (typeof PAIR_MODES)[number];
export type PairFormat = "standard" | "conversational" | "auto";

export interface PairOptions {
  mode: PairMode;
  margin: number;
  threshold?: number;
  /** Row field that groups rows (default: the prompt). */
  groupBy?: string;
  format: PairFormat;
  maxPerGroup: number;
  /** Adds chosen_reward / rejected_reward columns (TRL ignores unknown columns only in some trainers). */
  withRewards: boolean;
}

export interface PairStats {
  rows: number;
  groups: number;
  pairs: number;
  /** Rows left out because they were not ok (abstain, error) or had no usable completion. */
  skipped: number;
  /** Groups that gave no pair (one row, all tied, all on one side of the threshold). */
  groups_without_pairs: number;
}

type Row = Record<string, unknown>;
type Scored = { row: Row; reward: number };

export function preferencePairs(rows: readonly Row[], o: PairOptions): { pairs: Row[]; stats: PairStats } {
  if (o.mode === "threshold" && o.threshold === undefined)
    throw new Error("mode threshold needs a threshold");
  const groups = new Map<string, Scored[]>();
  let skipped = 0;
  for (const row of rows) {
    if (row.status !== "ok" || typeof row.reward !== "number" || !Number.isFinite(row.reward)) {
      skipped++;
      continue;
    }
    const k = o.groupBy ? row[o.groupBy] : row.prompt;
    if (k === undefined) {
      skipped++;
      continue;
    }
    const key = canonicalJson(k);
    const g = groups.get(key) ?? [];
    g.push({ row, reward: row.reward });
    groups.set(key, g);
  }
  const pairs: Row[] = [];
  let empty = 0;
  for (const g of groups.values()) {
    const made = pairGroup(g, o).slice(0, o.maxPerGroup);
    if (made.length === 0) empty++;
    for (const [c, r] of made) pairs.push(toTrl(c, r, o));
  }
  return {
    pairs,
    stats: {
      rows: rows.length,
      groups: groups.size,
      pairs: pairs.length,
      skipped,
      groups_without_pairs: empty,
    },
  };
}

function pairGroup(g: Scored[], o: PairOptions): [Scored, Scored][] {
  const sorted = [...g].sort((a, b) => b.reward - a.reward);
  if (o.mode === "best_worst") {
    const best = sorted[0]!;
    const worst = sorted[sorted.length - 1]!;
    return best.reward - worst.reward > o.margin ? [[best, worst]] : [];
  }
  const out: [Scored, Scored][] = [];
  const maxCandidates = o.maxPerGroup;
  if (o.mode === "margin") {
    // Pairs by decreasing margin without listing all n^2: the widest pairs pair the top with the bottom.
    for (let i = 0; i < sorted.length; i++)
      for (let j = sorted.length - 1; j > i; j--) {
        if (sorted[i]!.reward - sorted[j]!.reward <= o.margin) break;
        out.push([sorted[i]!, sorted[j]!]);
        if (out.length >= maxCandidates * 4) break;
      }
  } else {
    const t = o.threshold!;
    const chosen = sorted.filter((s) => s.reward >= t);
    const rejected = sorted.filter((s) => s.reward < t);
    for (const c of chosen)
      for (let j = rejected.length - 1; j >= 0; j--) {
        if (c.reward - rejected[j]!.reward <= o.margin) continue;
        out.push([c, rejected[j]!]);
        if (out.length >= maxCandidates * 4) break;
      }
  }
  return out.sort((a, b) => b[0].reward - b[1].reward - (a[0].reward - a[1].reward));
}

function toTrl(c: Scored, r: Scored, o: PairOptions): Row {
  const prompt = c.row.prompt;
  const conversational =
    o.format === "conversational" ||
    (o.format === "auto" &&
      (Array.isArray(prompt) || Array.isArray(c.row.completion) || Array.isArray(r.row.completion)));
  const out: Row = conversational
    ? {
        prompt: typeof prompt === "string" ? [{ role: "user", content: prompt }] : (prompt ?? []),
        chosen: assistantTurns(c.row),
        rejected: assistantTurns(r.row),
      }
    : {
        prompt: promptString(prompt),
        chosen: completionText(c.row as unknown as Sample),
        rejected: completionText(r.row as unknown as Sample),
      };
  if (o.withRewards) {
    out.chosen_reward = c.reward;
    out.rejected_reward = r.reward;
  }
  return out;
}

function assistantTurns(row: Row): ChatMessage[] {
  const c = row.completion;
  return typeof c === "string" ? [{ role: "assistant", content: c }] : (c as ChatMessage[]);
}

function promptString(p: unknown): string {
  if (p === undefined) return "";
  if (typeof p === "string") return p;
  throw new Error("the prompt is chat messages: write the pairs in the conversational format");
}
