/**
 * What `rewardkit score` does to one input line, wherever the line is scored (the main thread, or a pool
 * worker when the rows are sharded: score-task.ts): `parseLine` (JSON, and for step-labelled formats the
 * conversion to a sample), scoring, and `renderRow` (token rewards, step labels written back, the output
 * line and what the summary needs). One code path for both, so sharded output is the same bytes.
 */
import { fail, type Result } from "../core/index.js";
import {
  type Placement,
  readSteps,
  type StepFormat,
  type StepSample,
  stepValues,
  writeSteps,
} from "../rewards/index.js";
import type { Reward } from "../spec/index.js";
import { type ComponentsMode, outputRow, type RowFacts, rowFacts } from "./rows.js";

/** The options of `score` that decide a row's output. */
export interface RowOptions {
  components: ComponentsMode;
  /** Whether JSONL rows are written (false when --explain took stdout). */
  writeRows: boolean;
  /** Whether each row's explanation is rendered (--explain). */
  explain: boolean;
  /** The row field holding token character offsets; adds `token_rewards` to each row. */
  tokenOffsets?: string;
  placement?: Placement;
  /** Rows are step-labelled data in this format; step rewards are written back as its labels. */
  stepFormat?: StepFormat;
}

export interface RowJob extends RowOptions {
  reward: Reward;
}

/** One input line, parsed: the row as read and the sample that is scored (the same unless converted). */
export interface Row {
  line: number;
  row: Record<string, unknown> | null;
  sample: Record<string, unknown> | null;
  steps?: StepSample;
  error?: string;
}

/** A row's output: its JSONL line (null when rows are not written), explanation, and summary facts. */
export interface RowOutput {
  text: string | null;
  explain: string | null;
  facts: RowFacts;
}

export function parseLine(job: RowOptions, text: string, line: number): Row {
  try {
    const row = JSON.parse(text);
    if (row === null || typeof row !== "object" || Array.isArray(row))
      throw new Error("a row must be a JSON object");
    if (!job.stepFormat) return { line, row, sample: row };
    const steps = readSteps(row, job.stepFormat);
    const { labels: _labels, ...fields } = steps;
    return { line, row, sample: { ...row, ...fields }, steps };
  } catch (e) {
    return badRow(line, (e as Error).message);
  }
}

/** A line that is not a row (not JSON, too long): scored as an error naming its line. */
export function badRow(line: number, error: string): Row {
  return { line, row: null, sample: null, error };
}

export async function scoreRow(job: RowJob, r: Row): Promise<Result> {
  if (!r.sample) return { ...fail("invalid_input", `line ${r.line}: ${r.error}`), ms: 0 };
  const res = await job.reward.score(r.sample);
  // A sample-level input problem names the line; component errors already name their component.
  return res.status === "error" && res.error?.kind === "invalid_input" && !res.components
    ? { ...res, error: { kind: res.error.kind, message: `line ${r.line}: ${res.error.message}` } }
    : res;
}

/** The output row for a scored row. */
function finish(job: RowJob, r: Row, scored: Result): { out: Record<string, unknown>; result: Result } {
  let res = scored;
  let row = r.row ?? { line: r.line };
  const extra: Record<string, unknown> = {};
  if ("group" in res) extra.group = (res as { group?: unknown }).group;
  if (job.tokenOffsets && r.sample && r.sample[job.tokenOffsets] === undefined) {
    // Asked for dense rewards: a row without its offsets is an error, never a row silently without them.
    res = {
      ...fail("invalid_input", `line ${r.line}: the row has no '${job.tokenOffsets}' (--token-offsets)`),
      ...(res.components ? { components: res.components } : {}),
      ms: res.ms,
    };
    extra.token_rewards = null;
  } else if (job.tokenOffsets && r.sample) {
    const t = job.reward.withTokenRewards(r.sample, res, r.sample[job.tokenOffsets], job.placement);
    if (t.token_rewards !== undefined) extra.token_rewards = t.token_rewards;
    res = t;
  }
  if (job.stepFormat && r.steps && r.row) {
    try {
      const values = stepValues(res, r.steps.steps);
      extra.step_rewards = values;
      if (values) row = writeSteps(r.row, job.stepFormat, values);
    } catch (e) {
      res = { ...fail("invalid_input", (e as Error).message), ms: res.ms };
    }
  }
  return { out: outputRow(row, res, job.components, extra), result: res };
}

export function renderRow(job: RowJob, r: Row, scored: Result): RowOutput {
  const { out, result } = finish(job, r, scored);
  return {
    text: job.writeRows ? `${JSON.stringify(out)}\n` : null,
    explain: job.explain ? `# line ${r.line}${rowId(r.row)}\n${job.reward.explain(result)}\n\n` : null,
    facts: rowFacts(result),
  };
}

function rowId(row: Record<string, unknown> | null): string {
  return row && row.id !== undefined ? ` (id ${JSON.stringify(row.id)})` : "";
}
