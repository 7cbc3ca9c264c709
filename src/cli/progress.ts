/**
 * A progress bar on stderr while `rewardkit score` runs: rows done, the total when known (counted from the
 * input file in the background), rate and ETA. Only on a terminal, and only when stdout is not that same
 * terminal (rows or --explain trees printed there would be torn by the bar); never in pipes or CI logs.
 * The bar is cleared before anything else is written, so later output starts on a clean line.
 */
import { createReadStream } from "node:fs";

const WIDTH = 24;
const CLEAR = "\r\x1b[K";

export interface ProgressOptions {
  /** Whether stdout carries output (rows or explanations). */
  stdoutBusy?: boolean;
}

export class Progress {
  private last = Number.NEGATIVE_INFINITY;
  private readonly start: number;
  private total: number | undefined;
  private shown = false;

  constructor(
    private readonly stream: { write(s: string): unknown },
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = now();
  }

  static forStderr(opts: ProgressOptions = {}): Progress | null {
    if (!process.stderr.isTTY) return null;
    if (opts.stdoutBusy && process.stdout.isTTY) return null;
    return new Progress(process.stderr);
  }

  setTotal(total: number): void {
    this.total = total;
  }

  tick(rows: number): void {
    const t = this.now();
    if (t - this.last < 100) return;
    this.last = t;
    this.stream.write(`${CLEAR}${this.line(rows, t)}`);
    this.shown = true;
  }

  /** Clears the bar: the summary that follows says how many rows were scored. */
  done(_rows?: number): void {
    if (this.shown) this.stream.write(CLEAR);
    this.shown = false;
  }

  line(rows: number, t = this.now()): string {
    const secs = Math.max(0.001, (t - this.start) / 1000);
    const rate = rows / secs;
    const n = rows.toLocaleString("en-US");
    const rateText = `${rate >= 100 ? Math.round(rate).toLocaleString("en-US") : rate.toFixed(1)} rows/s`;
    if (this.total === undefined || this.total === 0) return `scored ${n} rows  ${rateText}`;
    const frac = Math.min(1, rows / this.total);
    const filled = Math.round(frac * WIDTH);
    const bar = `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}]`;
    const eta = rate > 0 ? clock((this.total - rows) / rate) : "?";
    return `${bar} ${n}/${this.total.toLocaleString("en-US")} (${Math.floor(frac * 100)}%)  ${rateText}  ETA ${eta}`;
  }
}

function clock(secs: number): string {
  const s = Math.max(0, Math.round(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * The rows `rewardkit score` will read from a file: lines that are not blank (as the reader skips them).
 * Streams the file in chunks, so a large input never blocks the event loop.
 */
export async function countRows(path: string): Promise<number> {
  let rows = 0;
  let content = false;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 10) {
        if (content) rows++;
        content = false;
      } else if (b !== 32 && b !== 9 && b !== 13) content = true;
    }
  }
  return content ? rows + 1 : rows;
}
