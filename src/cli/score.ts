/**
 * `rewardkit score`: JSONL in, JSONL out, in input order, with bounded concurrency. A line that is not
 * JSON, not a sample, or longer than the line limit becomes an error row naming its line number; the
 * other rows still score. A row goes through row-pipeline.ts: parse, score, render.
 *
 * Shard the batch, not the check: when the spec is pure (spec/shard.ts), the main thread only reads lines
 * and writes output; each line goes whole to a pool worker, which parses, scores and renders it (its
 * checks run inline there) and sends back the output line and the summary's few fields. The row's
 * deadline is held by the pool's watchdog; a row that overruns it (or whose worker dies) is scored again
 * on the main thread's per-check path, so its result is exactly the unsharded one.
 */
import { once } from "node:events";
import { createReadStream, createWriteStream, openSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { DEFAULT_MAX_LINE_BYTES, type Result, readLines, sharedPool, type TaskRef } from "../core/index.js";
import {
  compileGroupOptions,
  type GroupOptions,
  type GroupSummary,
  groupKey,
  type Placement,
  type StepFormat,
} from "../rewards/index.js";
import { type Reward, shardPlan } from "../spec/index.js";
import { checkGroupKey } from "./group-key.js";
import type { Progress } from "./progress.js";
import {
  badRow,
  parseLine,
  type Row,
  type RowJob,
  type RowOutput,
  renderRow,
  scoreRow,
} from "./row-pipeline.js";
import { type ComponentsMode, type RowFacts, Summary } from "./rows.js";
import { type PackedRows, type ShardContext, unpackRows } from "./score-task.js";

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
  /** Called with each row's final result, as the summary sees it (the distributions). */
  onResult?: (r: RowFacts) => void;
  /** Score groups of samples (reads the whole input first). */
  group?: GroupOptions;
  /** The row field holding token character offsets; adds `token_rewards` to each row. */
  tokenOffsets?: string;
  placement?: Placement;
  /** Rows are step-labelled data in this format; step rewards are written back as its labels. */
  stepFormat?: StepFormat;
  /** Longest input line in bytes (longer: an error row). Default 64 MiB. */
  maxLineBytes?: number;
  /**
   * Score pure specs a row at a time on pool workers (default true; false: every row on the per-check
   * path, as group mode does). Output is the same either way.
   */
  shard?: boolean;
  /** Rows scored on the per-check path before sharding starts (default: see SHARD_AFTER_ROWS). */
  shardAfterRows?: number;
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

async function emit(job: ScoreJob, summary: Summary, out: RowWriter, o: RowOutput): Promise<void> {
  summary.addFacts(o.facts);
  job.onResult?.(o.facts);
  job.progress?.tick(summary.rows);
  if (o.text !== null) await out.add(o.text);
  if (job.explain && o.explain !== null) {
    // Explanations interleave with rows when both go to stdout: the rows go first.
    if (job.explain === job.output) await out.flush();
    await write(job.explain, o.explain);
  }
}

function rowJob(job: ScoreJob): RowJob {
  return {
    reward: job.reward,
    components: job.components,
    writeRows: job.writeRows,
    explain: job.explain !== null,
    ...(job.tokenOffsets ? { tokenOffsets: job.tokenOffsets } : {}),
    ...(job.placement ? { placement: job.placement } : {}),
    ...(job.stepFormat ? { stepFormat: job.stepFormat } : {}),
  };
}

/** A line on the main thread: parsed, scored on the per-check path, rendered. */
async function scoreHere(rj: RowJob, r: Row): Promise<RowOutput> {
  return renderRow(rj, r, await scoreRow(rj, r));
}

const SCORE_LINE = new URL("./score-task.js", import.meta.url);
const shardTasks = new Map<string, TaskRef>();
/** Rows per pool task when sharded: the pool's cost per task (~8 µs) is paid once for them all. */
const ROWS_PER_TASK = 16;
/**
 * Rows scored on the per-check path before sharding starts. Measured (docs/performance.md): workers that
 * load the whole spec stack cost ~0.1 s of CPU each and a JIT warm-up of the whole pipeline, so math rows
 * sharded from the start cost ~15% more CPU at 20k rows and the same at 1M; specs that never use the
 * pool (format, text) cost 1.7x the CPU sharded, with twice the memory, and are never sharded unless
 * asked (shardAfterRows).
 */
const SHARD_AFTER_ROWS = 20_000;

/** How rows are sharded for this job, or null (group mode, impure spec, shard: false). */
function shardingOf(job: ScoreJob, rj: RowJob): { task: TaskRef; deadlineMs: number; after: number } | null {
  if (job.shard === false || job.group) return null;
  const plan = shardPlan(job.reward);
  if (!plan || (!plan.usesPool && job.shardAfterRows === undefined)) return null;
  const { reward: _reward, ...options } = rj;
  const context: ShardContext = { spec: plan.spec, options };
  // One task kind per spec and options, whatever the number of runs in this process (each kind is set
  // up and kept by every worker).
  const key = JSON.stringify(context);
  let task = shardTasks.get(key);
  if (!task) {
    task = { module: SCORE_LINE, fn: "scoreLines", context: { prepare: "prepareRows", value: context } };
    if (shardTasks.size >= 16) shardTasks.delete(shardTasks.keys().next().value!);
    shardTasks.set(key, task);
  }
  return {
    task,
    deadlineMs: plan.deadlineMs,
    after: job.shardAfterRows ?? SHARD_AFTER_ROWS,
  };
}

export async function runScore(job: ScoreJob): Promise<Summary> {
  if (job.group) return runGrouped(job, job.group);
  const summary = new Summary();
  const out = new RowWriter(job.output);
  const rj = rowJob(job);
  const shard = shardingOf(job, rj);
  let seen = 0;
  // Rows read in the same turn of the event loop go to the pool in tasks of ROWS_PER_TASK (the pool's own
  // cost is paid per task, not per row); the deadline still holds per row (score-task.ts).
  let batch: { text: string; line: number; done: (o: Promise<RowOutput>) => void }[] = [];
  const send = () => {
    const all = batch;
    batch = [];
    for (let i = 0; i < all.length; i += ROWS_PER_TASK) {
      const part = all.slice(i, i + ROWS_PER_TASK);
      const arg = [part.map((p) => p.text), part.map((p) => p.line)];
      sharedPool()
        .run<PackedRows>(shard!.task, arg, { timeoutMs: shard!.deadlineMs })
        .then(
          (packed) => {
            const outs = unpackRows(packed);
            summary.shardedRows += part.length;
            for (let k = 0; k < part.length; k++) part[k]!.done(Promise.resolve(outs[k]!));
          },
          // A row overran its deadline, or the worker died: the task's rows are scored again, one by one,
          // on the per-check path (the rows it had finished give the same result again).
          () => {
            for (const p of part) p.done(scoreHere(rj, parseLine(rj, p.text, p.line)));
          },
        );
    }
  };
  const score = (text: string, line: number): Promise<RowOutput> => {
    if (!shard || ++seen <= shard.after) return scoreHere(rj, parseLine(rj, text, line));
    if (batch.length === 0) setImmediate(send);
    return new Promise<RowOutput>((resolve) => batch.push({ text, line, done: resolve }));
  };
  // Rows are written in order; up to `maxWindow` may be in flight or finished-but-waiting, and at most
  // `concurrency` are being scored. Memory is bounded by the window, whatever the number of rows.
  const window: { result: Promise<RowOutput>; done: boolean }[] = [];
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
    await emit(job, summary, out, await p.result);
  };

  for await (const l of lines(job)) {
    await slot();
    const result = l.text === undefined ? scoreHere(rj, tooLong(job, l)) : score(l.text, l.line);
    const entry = { result, done: false };
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
  const rj = rowJob(job);
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
      await emit(job, summary, out, renderRow(rj, r, r.sample ? results[k++]! : await scoreRow(rj, r)));
    summary.groups!.push(...groups);
  };

  try {
    let checked = false;
    for await (const l of lines(job)) {
      const r = l.text === undefined ? tooLong(job, l) : parseLine(rj, l.text, l.line);
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

/** The input's lines that are not blank (a line over the limit is kept: it becomes an error row). */
async function* lines(job: ScoreJob) {
  for await (const l of readLines(job.input, job.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES))
    if (l.text === undefined || l.text.trim() !== "") yield l;
}

function tooLong(job: ScoreJob, l: { line: number; bytes?: number }): Row {
  const max = job.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  return badRow(l.line, `the line is ${l.bytes} bytes, over the limit of ${max} (--max-line-bytes)`);
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
