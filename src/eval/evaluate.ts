/**
 * Measuring a reward against labelled rows: binary labels (accuracy, precision, recall, specificity, F1
 * with Wilson intervals), graded labels (Pearson, Spearman, Kendall, MAE) and preference pairs (pairwise
 * accuracy, ties = 1/2), optionally broken down by a category and compared with a second reward
 * (McNemar). Results that are not ok are counted apart and never read as 0 or 1.
 *
 * It depends on a `Scorer` (what `Reward` provides), not on the spec layer, so `Reward.evaluate` can call
 * it from below.
 */
import type { Result } from "../core/index.js";
import {
  type BinaryMetrics,
  binaryMetrics,
  confusion,
  type GradedMetrics,
  gradedMetrics,
  type McNemar,
  mcnemar,
  type PairwiseMetrics,
  pairwiseAccuracy,
} from "./metrics.js";

export interface Scorer {
  scoreBatch(
    samples: readonly unknown[],
    opts?: { concurrency?: number; signal?: AbortSignal },
  ): Promise<Result[]>;
  explain(r: Result): string;
  readonly range?: readonly [number, number];
}

export type EvalMode = "binary" | "graded" | "preference";
export const EVAL_MODES: readonly (EvalMode | "auto")[] = ["auto", "binary", "graded", "preference"];

export interface EvalOptions {
  /** The row field (a dotted path) holding the label; not needed for `{prompt, chosen, rejected}` rows. */
  label?: string;
  /** Default `auto`: preference when rows have `chosen` and `rejected` (or `pairBy` is set), binary when
   * every label is true/false/0/1, graded when every label is a number. */
  mode?: EvalMode | "auto";
  /** Break the metrics down by this row field (a dotted path). */
  by?: string;
  /** Binary: a reward at or above this is a positive prediction (default: the middle of the range). */
  threshold?: number;
  /** Preference from pairs of rows sharing this field; the row with the higher label is the chosen one. */
  pairBy?: string;
  /** A second reward scored on the same rows: disagreements and McNemar's test. */
  against?: Scorer;
  concurrency?: number;
  signal?: AbortSignal;
  /** How a row is named in errors and disagreements (default `row N`, 1-based). */
  where?: (index: number) => string;
}

export class EvalInputError extends Error {}

export interface StatusCounts {
  ok: number;
  abstain: number;
  error: number;
  error_kinds: Record<string, number>;
}

export interface EvalBlock {
  /** Rows (pairs in preference mode). */
  rows: number;
  /** Statuses of the scored results; in preference mode a pair is ok when both sides are. */
  status: StatusCounts;
  binary?: BinaryMetrics & { not_ok_by_label: { positive: number; negative: number } };
  graded?: GradedMetrics;
  preference?: PairwiseMetrics;
}

export interface Side {
  status: Result["status"];
  reward: number | null;
  error: Result["error"] | null;
  explanation: string;
}

export interface Disagreement {
  where: string;
  index: number;
  label: number | null;
  row: unknown;
  a: Side | { chosen: Side; rejected: Side };
  b?: Side | { chosen: Side; rejected: Side };
}

export interface EvalReport extends EvalBlock {
  mode: EvalMode;
  label: string | null;
  threshold?: number;
  by?: { field: string; groups: Record<string, EvalBlock> };
  against?: EvalBlock & { threshold?: number; mcnemar?: McNemar; disagreements: number };
  /** With `against`: rows the rewards disagree on. Without: rows the reward gets wrong, or cannot judge. */
  disagreements: Disagreement[];
}

/** One evaluated unit: a row (binary, graded) or a pair (preference). */
interface Unit {
  index: number;
  row: unknown;
  label: number | null;
  category?: string;
  samples: unknown[];
}

export function getPath(row: unknown, path: string): unknown {
  let v: unknown = row;
  for (const k of path.split(".")) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export async function evaluate(
  scorer: Scorer,
  rows: readonly unknown[],
  opts: EvalOptions = {},
): Promise<EvalReport> {
  const where = opts.where ?? ((i: number) => `row ${i + 1}`);
  const bad = (i: number, msg: string) => new EvalInputError(`${where(i)}: ${msg}`);
  rows.forEach((r, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r)) throw bad(i, "a row must be a JSON object");
  });
  const mode = pickMode(rows, opts, bad);
  const units = mode === "preference" ? preferenceUnits(rows, opts, bad) : labelUnits(rows, mode, opts, bad);
  if (units.length === 0) throw new EvalInputError("no rows to evaluate");
  // Each reward's own default threshold: the second spec may have another range.
  const thresholdOf = (s: Scorer) => {
    const range = s.range ?? [0, 1];
    return opts.threshold ?? (range[0] + range[1]) / 2;
  };
  const threshold = thresholdOf(scorer);
  const score = async (s: Scorer) => {
    const flat = await s.scoreBatch(
      units.flatMap((u) => u.samples),
      { concurrency: opts.concurrency ?? 32, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    let k = 0;
    return units.map((u) => u.samples.map(() => flat[k++]!));
  };
  const a = await score(scorer);
  const b = opts.against ? await score(opts.against) : null;

  const ctx: BlockCtx = { mode, threshold };
  const report: EvalReport = {
    mode,
    label: opts.label ?? null,
    ...(mode === "binary" ? { threshold } : {}),
    ...block(ctx, units, a),
    disagreements: [],
  };
  if (opts.by) {
    const groups: Record<string, number[]> = {};
    units.forEach((u, k) => {
      groups[u.category!] ??= [];
      groups[u.category!]!.push(k);
    });
    report.by = {
      field: opts.by,
      groups: Object.fromEntries(
        Object.keys(groups)
          .sort()
          .map((c) => {
            const ks = groups[c]!;
            return [
              c,
              block(
                ctx,
                ks.map((k) => units[k]!),
                ks.map((k) => a[k]!),
              ),
            ];
          }),
      ),
    };
  }
  const side = (s: Scorer, rs: Result[]) =>
    rs.length === 1 ? sideOf(s, rs[0]!) : { chosen: sideOf(s, rs[0]!), rejected: sideOf(s, rs[1]!) };
  const record = (u: Unit, k: number): Disagreement => ({
    where: where(u.index),
    index: u.index,
    label: u.label,
    row: u.row,
    a: side(scorer, a[k]!),
    ...(b ? { b: side(opts.against!, b[k]!) } : {}),
  });
  if (b) {
    const ctxB: BlockCtx = { mode, threshold: thresholdOf(opts.against!) };
    const against: EvalReport["against"] = {
      ...(mode === "binary" ? { threshold: ctxB.threshold } : {}),
      ...block(ctxB, units, b),
      disagreements: 0,
    };
    let bc = 0;
    let cc = 0;
    units.forEach((u, k) => {
      const oa = outcome(ctx, u, a[k]!);
      const ob = outcome(ctxB, u, b[k]!);
      if (oa.key !== ob.key) report.disagreements.push(record(u, k));
      if (oa.correct !== null && ob.correct !== null && mode !== "graded") {
        if (oa.correct && !ob.correct) bc++;
        else if (!oa.correct && ob.correct) cc++;
      }
    });
    against.disagreements = report.disagreements.length;
    if (mode !== "graded") against.mcnemar = mcnemar(bc, cc);
    report.against = against;
  } else {
    units.forEach((u, k) => {
      // Graded labels have no right answer per row: only results that are not ok are listed.
      const o = outcome(ctx, u, a[k]!);
      const ok = a[k]!.every((r) => r.status === "ok");
      if (mode === "graded" ? !ok : o.correct !== true) report.disagreements.push(record(u, k));
    });
  }
  return report;
}

function sideOf(s: Scorer, r: Result): Side {
  return { status: r.status, reward: r.reward, error: r.error ?? null, explanation: s.explain(r) };
}

interface BlockCtx {
  mode: EvalMode;
  threshold: number;
}

/**
 * What a reward said on a unit, reduced to what is compared: `key` (equal keys agree) and `correct`
 * (null when the result is not ok, or the mode has no right answer per row).
 */
function outcome(ctx: BlockCtx, u: Unit, rs: Result[]): { key: string; correct: boolean | null } {
  const notOk = rs.find((r) => r.status !== "ok");
  if (notOk) return { key: `${notOk.status}:${notOk.error?.kind ?? ""}`, correct: null };
  if (ctx.mode === "binary") {
    const pred = rs[0]!.reward! >= ctx.threshold;
    return { key: String(pred), correct: pred === (u.label === 1) };
  }
  if (ctx.mode === "graded") return { key: String(rs[0]!.reward), correct: null };
  const [c, r] = [rs[0]!.reward!, rs[1]!.reward!];
  const key = c > r ? "win" : c === r ? "tie" : "loss";
  return { key, correct: key === "win" };
}

function block(ctx: BlockCtx, units: readonly Unit[], results: readonly Result[][]): EvalBlock {
  const status: StatusCounts = { ok: 0, abstain: 0, error: 0, error_kinds: {} };
  const okUnits: number[] = [];
  const notOkByLabel = { positive: 0, negative: 0 };
  results.forEach((rs, k) => {
    const notOk = rs.find((r) => r.status !== "ok");
    if (!notOk) {
      status.ok++;
      okUnits.push(k);
      return;
    }
    status[notOk.status as "abstain" | "error"]++;
    if (notOk.error) status.error_kinds[notOk.error.kind] = (status.error_kinds[notOk.error.kind] ?? 0) + 1;
    if (ctx.mode === "binary") notOkByLabel[units[k]!.label === 1 ? "positive" : "negative"]++;
  });
  const out: EvalBlock = { rows: units.length, status };
  const reward = (k: number, j = 0) => results[k]![j]!.reward!;
  if (ctx.mode === "binary") {
    const c = confusion(
      okUnits.map((k) => reward(k) >= ctx.threshold),
      okUnits.map((k) => units[k]!.label === 1),
    );
    out.binary = { ...binaryMetrics(c), not_ok_by_label: notOkByLabel };
  } else if (ctx.mode === "graded") {
    out.graded = gradedMetrics(
      okUnits.map((k) => reward(k)),
      okUnits.map((k) => units[k]!.label!),
    );
  } else {
    out.preference = pairwiseAccuracy(
      okUnits.map((k) => reward(k, 0)),
      okUnits.map((k) => reward(k, 1)),
    );
  }
  return out;
}

type Bad = (i: number, msg: string) => EvalInputError;

function isPrefRow(r: unknown): boolean {
  return Object.hasOwn(r as object, "chosen") && Object.hasOwn(r as object, "rejected");
}

function pickMode(rows: readonly unknown[], opts: EvalOptions, bad: Bad): EvalMode {
  const m = opts.mode ?? "auto";
  if (!EVAL_MODES.includes(m)) throw new EvalInputError(`unknown mode '${m}' (${EVAL_MODES.join(", ")})`);
  if (m !== "auto") return m;
  if (opts.pairBy || (rows.length > 0 && isPrefRow(rows[0]))) return "preference";
  if (!opts.label)
    throw new EvalInputError(
      "a label field is needed (rows without 'chosen' and 'rejected' are labelled rows)",
    );
  let binary = true;
  rows.forEach((r, i) => {
    const v = getPath(r, opts.label!);
    if (v === undefined) throw bad(i, `no field '${opts.label}' (the label)`);
    if (!isBinaryLabel(v)) binary = false;
  });
  return binary ? "binary" : "graded";
}

function isBinaryLabel(v: unknown): boolean {
  return v === true || v === false || v === 0 || v === 1;
}

function labelUnits(rows: readonly unknown[], mode: EvalMode, opts: EvalOptions, bad: Bad): Unit[] {
  if (!opts.label) throw new EvalInputError(`${mode} mode needs a label field`);
  return rows.map((row, i) => {
    const v = getPath(row, opts.label!);
    if (v === undefined) throw bad(i, `no field '${opts.label}' (the label)`);
    let label: number;
    if (mode === "binary") {
      if (!isBinaryLabel(v))
        throw bad(
          i,
          `the label '${opts.label}' is ${JSON.stringify(v)}; binary labels are true/false or 1/0 (graded labels need mode graded)`,
        );
      label = v === true || v === 1 ? 1 : 0;
    } else {
      if (typeof v === "boolean") label = v ? 1 : 0;
      else if (typeof v === "number" && Number.isFinite(v)) label = v;
      else throw bad(i, `the label '${opts.label}' is ${JSON.stringify(v)}; graded labels must be numbers`);
    }
    return { index: i, row, label, samples: [row], ...category(row, opts) };
  });
}

function category(row: unknown, opts: EvalOptions): { category?: string } {
  if (!opts.by) return {};
  const v = getPath(row, opts.by);
  return {
    category: v === undefined || v === null ? "(none)" : typeof v === "string" ? v : JSON.stringify(v),
  };
}

function completionLike(v: unknown): boolean {
  return typeof v === "string" || Array.isArray(v);
}

/**
 * Preference units: `{prompt, chosen, rejected}` rows (TRL's format; text or conversational: each side a
 * string or a messages array) become two samples that share every other field; with `pairBy`, two rows
 * sharing that field form a pair and the one with the higher label is the chosen one.
 */
function preferenceUnits(rows: readonly unknown[], opts: EvalOptions, bad: Bad): Unit[] {
  if (opts.pairBy) return pairByUnits(rows, opts, bad);
  return rows.map((row, i) => {
    if (!isPrefRow(row)) throw bad(i, "a preference row needs 'chosen' and 'rejected' (or use a pair field)");
    const { chosen, rejected, ...rest } = row as Record<string, unknown>;
    for (const [k, v] of [
      ["chosen", chosen],
      ["rejected", rejected],
    ] as const) {
      if (!completionLike(v)) throw bad(i, `'${k}' must be a string or an array of chat messages`);
    }
    return {
      index: i,
      row,
      label: null,
      samples: [
        { ...rest, completion: chosen },
        { ...rest, completion: rejected },
      ],
      ...category(row, opts),
    };
  });
}

function pairByUnits(rows: readonly unknown[], opts: EvalOptions, bad: Bad): Unit[] {
  const where = opts.where ?? ((i: number) => `row ${i + 1}`);
  if (!opts.label)
    throw new EvalInputError("pairs by a field need a label field: the higher label is preferred");
  const pairs = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const id = getPath(r, opts.pairBy!);
    if (id === undefined || id === null) throw bad(i, `no field '${opts.pairBy}' (the pair id)`);
    const key = JSON.stringify(id);
    const list = pairs.get(key) ?? [];
    if (list.length === 2)
      throw bad(i, `pair ${key} has more than two rows (the first two: ${list.map(where).join(", ")})`);
    list.push(i);
    pairs.set(key, list);
  });
  const units: Unit[] = [];
  for (const [key, [i, j]] of pairs) {
    if (j === undefined) throw bad(i!, `pair ${key} has only one row`);
    const li = getPath(rows[i!], opts.label);
    const lj = getPath(rows[j], opts.label);
    for (const [k, v] of [
      [i!, li],
      [j, lj],
    ] as const) {
      if (typeof v !== "number" && typeof v !== "boolean")
        throw bad(k, `the label '${opts.label}' must be a number or a boolean`);
    }
    if (Number(li) === Number(lj))
      throw bad(j, `both rows of pair ${key} have the label ${JSON.stringify(lj)}: no preference`);
    const [c, r] = Number(li) > Number(lj) ? [i!, j] : [j, i!];
    units.push({
      index: c,
      row: rows[c],
      label: null,
      samples: [rows[c], rows[r]],
      ...category(rows[c], opts),
    });
  }
  return units;
}
