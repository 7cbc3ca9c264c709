/**
 * `rewardkit score`: JSONL in, JSONL out, in input order, with bounded concurrency. A line that is not
 * JSON, or not a sample, becomes an error row naming its line number; the other rows still score.
 *
 * A row goes through three steps: `parseLine` (JSON, and for step-labelled formats the conversion to a
 * sample), scoring, and `finish` (token rewards, step labels written back, group statistics).
 */
import { once } from "node:events";
import { createReadStream, createWriteStream, openSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fail, type Result } from "../core/index.js";
import {
  type GroupOptions,
  type Placement,
  readSteps,
  type StepFormat,
  type StepSample,
  stepValues,
  writeSteps,
} from "../rewards/index.js";
import type { Reward } from "../spec/index.js";
import { checkGroupKey } from "./group-key.js";
import type { Progress } from "./progress.js";
import { type ComponentsMode, outputRow, Summary } from "./rows.js";

export interface ScoreJob {
  reward: Reward;
  input: Readable;
  output: Writable;
  /** Where --explain trees go (null: no explanation). */
  explain: Writable | null;
  /** Whether JSONL rows are written (false when --explain took stdout). */
  writeRows: boolean;
  concurrency: number;
  components: ComponentsMode;
  progress: Progress | null;
  /** Called with each row's final result (the summary's distributions). */
  onResult?: (r: Result) => void;
  /** Score groups of samples (reads the whole input first). */
  group?: GroupOptions;
  /** The row field holding token character offsets; adds `token_rewards` to each row. */
  tokenOffsets?: string;
  placement?: Placement;
  /** Rows are step-labelled data in this format; step rewards are written back as its labels. */
  stepFormat?: StepFormat;
}

/** One input line, parsed: the row as read and the sample that is scored (the same unless converted). */
interface Row {
  line: number;
  row: Record<string, unknown> | null;
  sample: Record<string, unknown> | null;
  steps?: StepSample;
  error?: string;
}

function parseLine(job: ScoreJob, text: string, line: number): Row {
  try {
    const row = JSON.parse(text);
    if (row === null || typeof row !== "object" || Array.isArray(row))
      throw new Error("a row must be a JSON object");
    if (!job.stepFormat) return { line, row, sample: row };
    const steps = readSteps(row, job.stepFormat);
    const { labels: _labels, ...fields } = steps;
    return { line, row, sample: { ...row, ...fields }, steps };
  } catch (e) {
    return { line, row: null, sample: null, error: (e as Error).message };
  }
}

async function scoreRow(job: ScoreJob, r: Row): Promise<Result> {
  if (!r.sample) return { ...fail("invalid_input", `line ${r.line}: ${r.error}`), ms: 0 };
  const res = await job.reward.score(r.sample);
  // A sample-level input problem names the line; component errors already name their component.
  return res.status === "error" && res.error?.kind === "invalid_input" && !res.components
    ? { ...res, error: { kind: res.error.kind, message: `line ${r.line}: ${res.error.message}` } }
    : res;
}

/** The output row for a scored row. */
function finish(job: ScoreJob, r: Row, scored: Result): { out: Record<string, unknown>; result: Result } {
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

async function emit(job: ScoreJob, summary: Summary, r: Row, scored: Result): Promise<void> {
  const { out, result } = finish(job, r, scored);
  summary.add(result);
  job.onResult?.(result);
  job.progress?.tick(summary.rows);
  if (job.writeRows) await write(job.output, `${JSON.stringify(out)}\n`);
  if (job.explain)
    await write(job.explain, `# line ${r.line}${rowId(r.row)}\n${job.reward.explain(result)}\n\n`);
}

export async function runScore(job: ScoreJob): Promise<Summary> {
  if (job.group) return runGrouped(job, job.group);
  const summary = new Summary();
  // Rows are written in order; up to `maxWindow` may be in flight or finished-but-waiting, and at most
  // `concurrency` are being scored.
  const window: { row: Row; result: Promise<Result> }[] = [];
  const maxWindow = Math.max(64, job.concurrency * 4);
  let running = 0;
  const waiters: (() => void)[] = [];
  const slot = async () => {
    while (running >= job.concurrency) await new Promise<void>((r) => waiters.push(r));
    running++;
  };
  const free = () => {
    running--;
    waiters.shift()?.();
  };
  const flushHead = async () => {
    const p = window.shift()!;
    await emit(job, summary, p.row, await p.result);
  };

  for await (const row of readRows(job)) {
    await slot();
    window.push({ row, result: scoreRow(job, row).finally(free) });
    while (window.length >= maxWindow) await flushHead();
  }
  while (window.length) await flushHead();
  job.progress?.done(summary.rows);
  return summary;
}

/**
 * Group mode: a group's rows may be anywhere in the file, so the whole input is read, scored as one batch,
 * grouped, and written back in input order.
 */
async function runGrouped(job: ScoreJob, group: GroupOptions): Promise<Summary> {
  const summary = new Summary();
  const rows: Row[] = [];
  for await (const r of readRows(job)) rows.push(r);
  const valid = rows.filter((r) => r.sample);
  checkGroupKey(group.by, valid[0]?.sample);
  const { results, groups } = await job.reward.scoreGroups(
    valid.map((r) => r.sample),
    group,
    { concurrency: job.concurrency, onResult: (i) => job.progress?.tick(i + 1) },
  );
  let k = 0;
  for (const r of rows) await emit(job, summary, r, r.sample ? results[k++]! : await scoreRow(job, r));
  summary.groups = groups;
  job.progress?.done(summary.rows);
  return summary;
}

async function* readRows(job: ScoreJob): AsyncGenerator<Row> {
  let line = 0;
  for await (const text of createInterface({ input: job.input, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    // A byte order mark (editors on Windows write one) is not part of the first row.
    const t = line === 1 ? text.replace(/^\uFEFF/, "") : text;
    if (t.trim() !== "") yield parseLine(job, t, line);
  }
}

function rowId(row: Record<string, unknown> | null): string {
  return row && row.id !== undefined ? ` (id ${JSON.stringify(row.id)})` : "";
}

async function write(stream: Writable, s: string): Promise<void> {
  if (!stream.write(s)) await once(stream, "drain");
}

export function openInput(path: string | undefined): Readable {
  return path && path !== "-" ? createReadStream(path) : process.stdin;
}

/**
 * The output stream. A file is opened at once, so an unwritable path fails (exit 1, with the reason)
 * before anything is scored; a write that fails later ends the process the same way, not with a crash.
 */
export function openOutput(path: string | undefined): Writable {
  if (!path || path === "-") return process.stdout;
  const out = createWriteStream(path, { fd: openSync(path, "w") });
  out.on("error", (e) => {
    process.stderr.write(`rewardkit: ${path}: ${e.message}\n`);
    process.exit(1);
  });
  return out;
}
