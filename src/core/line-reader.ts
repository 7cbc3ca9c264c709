/**
 * Lines of a byte stream with a bound on their length (JSONL input of the CLI). readline holds a line
 * whole however long it is: a 600 MB file with no newline became one 600 MB string. Here a line over
 * `maxBytes` is dropped as it arrives and reported as too long (with its number), and reading goes on
 * after its newline. Lines end at "\n"; a "\r" before it is dropped; a byte order mark opening the first
 * line is not part of it.
 *
 * Lines come in blocks (readLineBlocks): the complete lines of a chunk are decoded in one piece, and a
 * consumer that hands rows on whole (sharded `score`) never makes a string per line on its own thread.
 */
import type { Readable } from "node:stream";

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

export type Line =
  | { line: number; text: string; tooLong?: undefined }
  /** Over the limit: `bytes` is how much of it was read (all of it, or up to the end of the input). */
  | { line: number; text?: undefined; tooLong: true; bytes: number };

/**
 * `count` consecutive lines from line number `line`, in `text` each ended by "\n" (read them with
 * blockLines), or one line over the limit.
 */
export type LineBlock =
  | { line: number; count: number; text: string; tooLong?: undefined }
  | { line: number; text?: undefined; tooLong: true; bytes: number };

/** A blank line (whitespace only): JSONL readers skip it; it is never a row. */
export function isBlank(text: string): boolean {
  return text.trim() === "";
}

/** A block's lines, each without its "\n" and a "\r" before it. */
export function blockLines(text: string): string[] {
  const lines = text.split("\n");
  lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

export async function* readLines(input: Readable, maxBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<Line> {
  for await (const b of readLineBlocks(input, maxBytes)) {
    if (b.tooLong) yield b;
    else {
      const lines = blockLines(b.text);
      for (let i = 0; i < lines.length; i++) yield { line: b.line + i, text: lines[i]! };
    }
  }
}

/** A block ends past this many bytes too: one huge chunk of short lines never becomes one huge string. */
const BLOCK_BYTES = 1 << 20;

/**
 * The input's lines in blocks of at most `maxLines` (and about a megabyte). A block never waits for more
 * input: what a chunk completes is yielded at once (a trainer writing rows one by one gets each scored as
 * it arrives).
 */
export async function* readLineBlocks(
  input: Readable,
  maxBytes = DEFAULT_MAX_LINE_BYTES,
  maxLines = Number.POSITIVE_INFINITY,
): AsyncGenerator<LineBlock> {
  /** Lines ended so far. */
  let line = 0;
  /** Pieces of the current line not yet ended, and their total size. */
  let parts: Buffer[] = [];
  let size = 0;
  /** Bytes of the current line when it is over the limit (its text is not kept). */
  let over = -1;
  const decode = (b: Buffer, from: number, to: number, first: number): string => {
    const s = b.toString("utf8", from, to);
    return first === 1 && s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  };
  for await (const chunk of input) {
    const b: Buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let from = 0;
    /** The run of complete lines of this chunk not yet yielded: `runCount` lines from line `runFirst`, byte `runFrom`. */
    let runFrom = 0;
    let runFirst = 0;
    let runCount = 0;
    const run = (to: number): LineBlock => {
      const block = { line: runFirst, count: runCount, text: decode(b, runFrom, to, runFirst) };
      runCount = 0;
      return block;
    };
    for (let nl = b.indexOf(10, from); nl >= 0; nl = b.indexOf(10, from)) {
      line++;
      if (over >= 0 || parts.length) {
        // The line began in an earlier chunk: a block of its own.
        const bytes = (over >= 0 ? over : size) + nl - from;
        if (over >= 0 || bytes > maxBytes) yield { line, tooLong: true, bytes };
        else {
          const whole = Buffer.concat([...parts, b.subarray(from, nl + 1)]);
          yield { line, count: 1, text: decode(whole, 0, whole.length, line) };
        }
        over = -1;
        parts = [];
        size = 0;
      } else if (nl - from > maxBytes) {
        if (runCount) yield run(from);
        yield { line, tooLong: true, bytes: nl - from };
      } else {
        if (runCount === 0) {
          runFrom = from;
          runFirst = line;
        }
        runCount++;
        if (runCount >= maxLines || nl + 1 - runFrom >= BLOCK_BYTES) yield run(nl + 1);
      }
      from = nl + 1;
    }
    if (runCount) yield run(from);
    if (from < b.length) {
      const rest = b.subarray(from);
      if (over >= 0) over += rest.length;
      else if (size + rest.length > maxBytes) {
        over = size + rest.length;
        parts = [];
        size = 0;
      } else {
        // A copy: the stream may reuse its chunk's memory.
        parts.push(Buffer.from(rest));
        size += rest.length;
      }
    }
  }
  if (over >= 0 || size > 0) {
    line++;
    if (over >= 0) yield { line, tooLong: true, bytes: over };
    else {
      const whole = Buffer.concat([...parts, Buffer.from("\n")]);
      yield { line, count: 1, text: decode(whole, 0, whole.length, line) };
    }
  }
}
