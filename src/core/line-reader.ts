/**
 * Lines of a byte stream with a bound on their length (JSONL input of the CLI). readline holds a line
 * whole however long it is: a 600 MB file with no newline became one 600 MB string. Here a line over
 * `maxBytes` is dropped as it arrives and reported as too long (with its number), and reading goes on
 * after its newline. Lines end at "\n"; a "\r" before it is dropped; a byte order mark opening the first
 * line is not part of it.
 */
import type { Readable } from "node:stream";

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

export type Line =
  | { line: number; text: string; tooLong?: undefined }
  /** Over the limit: `bytes` is how much of it was read (all of it, or up to the end of the input). */
  | { line: number; text?: undefined; tooLong: true; bytes: number };

export async function* readLines(input: Readable, maxBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<Line> {
  let line = 0;
  /** Pieces of the current line not yet ended, and their total size. */
  let parts: Buffer[] = [];
  let size = 0;
  /** Bytes of the current line when it is over the limit (its text is not kept). */
  let over = -1;
  const text = (b: Buffer): string => {
    const end = b.length > 0 && b[b.length - 1] === 13 ? b.length - 1 : b.length;
    const s = b.toString("utf8", 0, end);
    return line === 1 && s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  };
  const ended = (rest: Buffer): Line => {
    line++;
    if (over >= 0) {
      const bytes = over + rest.length;
      over = -1;
      return { line, tooLong: true, bytes };
    }
    const whole = parts.length ? Buffer.concat([...parts, rest]) : rest;
    parts = [];
    size = 0;
    if (whole.length > maxBytes) return { line, tooLong: true, bytes: whole.length };
    return { line, text: text(whole) };
  };
  for await (const chunk of input) {
    const b: Buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let from = 0;
    for (let nl = b.indexOf(10, from); nl >= 0; nl = b.indexOf(10, from)) {
      yield ended(b.subarray(from, nl));
      from = nl + 1;
    }
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
  if (over >= 0 || size > 0) yield ended(Buffer.alloc(0));
}
