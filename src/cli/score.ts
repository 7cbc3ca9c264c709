/**
 * `rewardkit score`: JSONL in, JSONL out, in input order, with bounded concurrency. A line that is not
 * JSON, or not a sample, becomes an error row naming its line number; the other rows still score.
 */

import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fail, type Result } from "../core/index.js";
import type { Reward } from "../spec/index.js";
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
}

interface Pending {
  line: number;
  row: Record<string, unknown> | null;
  result: Promise<Result>;
}

export async function runScore(job: ScoreJob): Promise<Summary> {
  const summary = new Summary();
  const lines = createInterface({ input: job.input, crlfDelay: Number.POSITIVE_INFINITY });
  const window: Pending[] = [];
  // Rows are written in order; up to `maxWindow` may be in flight or finished-but-waiting.
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
    const r = await p.result;
    summary.add(r);
    job.progress?.tick(summary.rows);
    const row = p.row ?? { line: p.line };
    if (job.writeRows) await write(job.output, `${JSON.stringify(outputRow(row, r, job.components))}\n`);
    if (job.explain) await write(job.explain, `# line ${p.line}${rowId(row)}\n${job.reward.explain(r)}\n\n`);
  };

  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    if (text.trim() === "") continue;
    const line = lineNo;
    let row: Record<string, unknown> | null = null;
    let result: Promise<Result>;
    try {
      const parsed = JSON.parse(text);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error("a row must be a JSON object");
      row = parsed;
      await slot();
      result = job.reward
        .score(row)
        .then((r) =>
          r.status === "error" && r.error?.kind === "invalid_input" && !r.components ? withLine(r, line) : r,
        )
        .finally(free);
    } catch (e) {
      result = Promise.resolve({ ...fail("invalid_input", `line ${line}: ${(e as Error).message}`), ms: 0 });
    }
    window.push({ line, row, result });
    while (window.length >= maxWindow) await flushHead();
  }
  while (window.length) await flushHead();
  job.progress?.done(summary.rows);
  return summary;
}

function withLine(r: Result, line: number): Result {
  return { ...r, error: { kind: r.error!.kind, message: `line ${line}: ${r.error!.message}` } };
}

function rowId(row: Record<string, unknown>): string {
  return row.id !== undefined ? ` (id ${JSON.stringify(row.id)})` : "";
}

async function write(stream: Writable, s: string): Promise<void> {
  if (!stream.write(s)) await once(stream, "drain");
}

export function openInput(path: string | undefined): Readable {
  return path && path !== "-" ? createReadStream(path) : process.stdin;
}

export function openOutput(path: string | undefined): Writable {
  return path && path !== "-" ? createWriteStream(path) : process.stdout;
}
