/**
 * `rewardkit score`: JSONL in, JSONL out, in input order, with bounded concurrency. A line that is not
 * JSON, not a sample, or longer than the line limit becomes an error row naming its line number; the
 * other rows still score. A row goes through row-pipeline.ts: parse, score, render.
 *
 * Shard the batch, not the check: when the spec is pure (spec/shard.ts), the main thread only reads blocks
 * of lines and writes output; each block goes whole to a pool worker, which parses, scores and renders its
 * rows (their checks run inline there) and sends back one output text and the summary's few fields per
 * row. The row's deadline is held by the pool's watchdog; a row that overruns it (or whose worker dies) is
 * scored again on the main thread's per-check path, so its result is exactly the unsharded one.
 */
import { once } from "node:events";
import { createReadStream, createWriteStream, openSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import {
  blockLines,
  DEFAULT_MAX_LINE_BYTES,
  isBlank,
  type Result,
  readLineBlocks,
  readLines,
  sharedPool,
  type TaskRef,
} from "../core/index.js";
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
import {
  type BlockOutput,
  type PackedRows,
  type ShardContext,
  scoreBlock,
  unpackRows,
} from "./score-task.js";

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
   * Score pure specs in blocks of whole rows on pool workers (default true; false: every row on the
   * per-check path, as group mode does). Output is the same either way.
   */
  shard?: boolean;
  /**
   * Rows scored on the per-check path before sharding starts (default: SHARD_AFTER_ROWS for specs that
   * use the pool, SHARD_AFTER_ROWS_NO_POOL for the others).
   */
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

async function emit(job: ScoreJob, summary: Summary, out: RowWriter, o: BlockOutput): Promise<void> {
  for (const f of o.facts) {
    summary.addFacts(f);
    job.onResult?.(f);
  }
  job.progress?.tick(summary.rows);
  if (o.text) await out.add(o.text);
  if (job.explain && o.explain) {
    // Explanations interleave with rows when both go to stdout: the rows go first.
    if (job.explain === job.output) await out.flush();
    await write(job.explain, o.explain);
  }
}

/** One row's output as a block of one. */
const single = (o: RowOutput): BlockOutput => ({
  text: o.text ?? "",
  explain: o.explain ?? "",
  facts: [o.facts],
});

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
/**
 * Lines per pool task when sharded: the pool's cost per task (~8 µs) is paid once for them all, and the
 * main thread handles a block, not a row (a promise, a message and a write per row cost it 10 µs of CPU).
 */
const ROWS_PER_TASK = 16;
/**
 * Rows scored on the per-check path before sharding starts (docs/performance.md, "Whole rows on workers").
 * Workers that load the whole spec stack cost ~0.1 s of CPU each and a JIT warm-up of the whole pipeline:
 * math rows cost the same wall time either way up to 20k rows, and sharded are 1.6x as fast at 1M. Specs
 * that never use the pool (format, text) are cheaper on the main thread (sharded: 1.3x the CPU or more,
 * twice the memory) and faster up to ~100k rows; at 1M rows sharded they take 0.7x the time.
 */
const SHARD_AFTER_ROWS = 20_000;
const SHARD_AFTER_ROWS_NO_POOL = 100_000;

/** How rows are sharded for this job, or null (group mode, impure spec, shard: false). */
function shardingOf(job: ScoreJob, rj: RowJob): { task: TaskRef; deadlineMs: number; after: number } | null {
  if (job.shard === false || job.group) return null;
  // Rows and explanations on one stream interleave row by row: only the per-check path keeps that order.
  if (job.explain && job.explain === job.output && job.writeRows) return null;
  const plan = shardPlan(job.reward);
  if (!plan) return null;
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
    after: job.shardAfterRows ?? (plan.usesPool ? SHARD_AFTER_ROWS : SHARD_AFTER_ROWS_NO_POOL),
  };
}

export async function runScore(job: ScoreJob): Promise<Summary> {
  if (job.group) return runGrouped(job, job.group);
  const summary = new Summary();
  const out = new RowWriter(job.output);
  const rj = rowJob(job);
  const shard = shardingOf(job, rj);
  const maxBytes = job.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let seen = 0;
  // A block of lines goes to the pool as one task (the pool's cost is paid per task, not per row): the
  // worker parses, scores and renders its rows and sends back one text. The deadline still holds per row
  // (score-task.ts). A task that fails (a row overran its deadline, or the worker died) has its rows
  // scored again on the per-check path: the rows it had finished give the same result again.
  const sharded = (b: { text: string; line: number; count: number }): Promise<BlockOutput> =>
    sharedPool()
      .run<PackedRows>(shard!.task, [b.text, b.line], { timeoutMs: shard!.deadlineMs })
      .then(
        (packed) => {
          const o = unpackRows(packed);
          summary.shardedRows += o.facts.length;
          return o;
        },
        // One row after another: a pool that keeps failing must not turn the window into that many
        // rows scored at once on this thread.
        () => scoreBlock(rj, b.text, b.line),
      );
  // Output is written in input order; up to `maxWindow` rows may be in flight or finished-but-waiting,
  // and at most `concurrency` rows are being scored on the per-check path (sharded blocks are bounded by
  // the window alone: a worker scores one row at a time). Memory is bounded by the window, whatever the
  // input.
  const window: { result: Promise<BlockOutput>; rows: number; done: boolean }[] = [];
  const maxWindow = Math.max(64, job.concurrency * 4);
  let windowRows = 0;
  let running = 0;
  const waiters: (() => void)[] = [];
  const slot = async (n: number) => {
    while (n > 0 && running > 0 && running + n > job.concurrency)
      await new Promise<void>((r) => waiters.push(r));
    running += n;
  };
  const free = (n: number) => {
    if (n === 0) return; // a sharded block held no slot: nobody waits on it
    running -= n;
    waiters.shift()?.();
  };
  const flushHead = async () => {
    const p = window.shift()!;
    windowRows -= p.rows;
    // About to wait for a result: what is written so far goes out first.
    if (!p.done) await out.flush();
    await emit(job, summary, out, await p.result);
  };
  /** `slots`: rows it counts against `concurrency` (none for a sharded block: a worker scores one row at a time). */
  const add = async (rows: number, slots: number, start: () => Promise<BlockOutput>) => {
    await slot(slots);
    const entry = { result: start(), rows, done: false };
    entry.result = entry.result.finally(() => {
      entry.done = true;
      free(slots);
    });
    window.push(entry);
    windowRows += rows;
    while (windowRows >= maxWindow || (window.length && window[0]!.done)) await flushHead();
  };

  for await (const b of readLineBlocks(
    job.input,
    maxBytes,
    shard ? ROWS_PER_TASK : Number.POSITIVE_INFINITY,
  )) {
    if (b.tooLong) await add(1, 1, async () => single(await scoreHere(rj, tooLong(job, b))));
    else if (shard && seen >= shard.after) {
      seen += b.count;
      await add(b.count, 0, () => sharded(b));
    } else {
      const lines = blockLines(b.text);
      for (let i = 0; i < lines.length; i++) {
        if (isBlank(lines[i]!)) continue;
        seen++;
        const row = parseLine(rj, lines[i]!, b.line + i);
        await add(1, 1, async () => single(await scoreHere(rj, row)));
      }
    }
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
      await emit(
        job,
        summary,
        out,
        single(renderRow(rj, r, r.sample ? results[k++]! : await scoreRow(rj, r))),
      );
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
    if (l.text === undefined || !isBlank(l.text)) yield l;
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
