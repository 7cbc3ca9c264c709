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
  compileGroupOptions,
  type GroupOptions,
  type GroupSummary,
  groupKey,
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

/**
 * Where output rows go: buffered and written in blocks (a write per row cost more than scoring a math row),
 * with the stream's backpressure respected at every block.
 */
class RowWriter {
  private buf = "";
  constructor(private readonly stream: Writable) {}

  async add(s: string): Promise<void> {
    this.buf += s;
    if (this.buf.length >= OUT_BLOCK) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.buf) return;
    const s = this.buf;
    this.buf = "";
    await write(this.stream, s);
  }
}

const OUT_BLOCK = 64 * 1024;

async function emit(job: ScoreJob, summary: Summary, out: RowWriter, r: Row, scored: Result): Promise<void> {
  const { out: row, result } = finish(job, r, scored);
  summary.add(result);
  job.onResult?.(result);
  job.progress?.tick(summary.rows);
  if (job.writeRows) await out.add(`${JSON.stringify(row)}\n`);
  if (job.explain) {
    // Explanations interleave with rows when both go to stdout: the rows go first.
    if (job.explain === job.output) await out.flush();
    await write(job.explain, `# line ${r.line}${rowId(r.row)}\n${job.reward.explain(result)}\n\n`);
  }
}

export async function runScore(job: ScoreJob): Promise<Summary> {
  if (job.group) return runGrouped(job, job.group);
  const summary = new Summary();
  const out = new RowWriter(job.output);
  // Rows are written in order; up to `maxWindow` may be in flight or finished-but-waiting, and at most
  // `concurrency` are being scored. Memory is bounded by the window, whatever the number of rows.
  const window: { row: Row; result: Promise<Result>; done: boolean }[] = [];
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
    // About to wait for a result: what is written so far goes out first.
    if (!p.done) await out.flush();
    await emit(job, summary, out, p.row, await p.result);
  };

  for await (const row of readRows(job)) {
    await slot();
    const entry = { row, result: scoreRow(job, row), done: false };
    entry.result = entry.result.finally(() => {
      entry.done = true;
      free();
    });
    window.push(entry);
    while (window.length >= maxWindow || (window.length && window[0]!.done)) await flushHead();
  }
  while (window.length) await flushHead();
  await out.flush();
  job.progress?.done(summary.rows);
  return summary;
}

/**
 * Group mode, streaming: the rows of a group must be contiguous (as trainers write them: a prompt's
 * samples together). A group is scored once its last row is read, so memory is bounded by the largest
 * group and the rows in flight, not by the input. A group key seen again after its group closed is an
 * error naming both lines (sort the input by the group field first). Several groups score at once.
 */
async function runGrouped(job: ScoreJob, group: GroupOptions): Promise<Summary> {
  const summary = new Summary();
  summary.groups = [];
  const out = new RowWriter(job.output);
  const { keyT } = compileGroupOptions(group);
  const by = group.by;
  /** Closed groups: key -> the line of its last row (one entry per group, not per row). */
  const closed = new Map<string, number>();
  const scoring: { rows: Row[]; done: Promise<{ results: Result[]; groups: GroupSummary[] }> }[] = [];
  let inFlight = 0;
  let cur: { key: string | undefined; rows: Row[] } = { key: undefined, rows: [] };
  let done = 0;

  const close = () => {
    if (cur.rows.length === 0) return;
    if (cur.key !== undefined) closed.set(cur.key, cur.rows[cur.rows.length - 1]!.line);
    const rows = cur.rows;
    let n = done;
    done += rows.length;
    const samples = rows.filter((r) => r.sample).map((r) => r.sample);
    inFlight += rows.length;
    scoring.push({
      rows,
      done: job.reward.scoreGroups(samples, group, {
        concurrency: job.concurrency,
        onResult: () => job.progress?.tick(++n),
      }),
    });
    cur = { key: undefined, rows: [] };
  };
  const flushHead = async () => {
    const g = scoring.shift()!;
    const { results, groups } = await g.done;
    inFlight -= g.rows.length;
    let k = 0;
    for (const r of g.rows)
      await emit(job, summary, out, r, r.sample ? results[k++]! : await scoreRow(job, r));
    summary.groups!.push(...groups);
  };

  try {
    let checked = false;
    for await (const r of readRows(job)) {
      if (!checked && r.sample) {
        checkGroupKey(group.by, r.sample);
        checked = true;
      }
      let key: string | undefined;
      try {
        key = r.sample ? groupKey(keyT, r.sample) : undefined;
      } catch {
        key = undefined; // scored with its neighbours; applyGroups makes it a 'cannot group' error
      }
      if (key !== undefined && cur.key !== undefined && key !== cur.key) close();
      if (key !== undefined && closed.has(key)) {
        throw new Error(
          `line ${r.line}: group ${JSON.stringify(key)} (--group-by ${by}) appeared again after its rows ended at line ${closed.get(key)}: the rows of a group must be contiguous; sort the input by ${by} first`,
        );
      }
      cur.key ??= key;
      cur.rows.push(r);
      while (inFlight >= job.concurrency && scoring.length) await flushHead();
    }
    close();
    while (scoring.length) await flushHead();
  } catch (e) {
    // Groups still being scored are dropped with the error: their failures must not surface later as
    // unhandled rejections in place of this message.
    for (const g of scoring) g.done.catch(() => {});
    throw e;
  }
  await out.flush();
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
