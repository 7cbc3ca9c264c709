/**
 * JSONL input of the commands that need whole rows (eval, pairs, report): each non-blank line's JSON
 * value with its line number, through the bounded line reader. A line over the limit or not JSON throws
 * InputError naming it (the commands exit 2).
 */
import type { Readable } from "node:stream";
import { DEFAULT_MAX_LINE_BYTES, isBlank, readLines } from "../core/index.js";

export class InputError extends Error {}

export async function* jsonlValues(
  input: Readable,
  where: string,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<{ value: unknown; line: number }> {
  for await (const l of readLines(input, maxLineBytes)) {
    if (l.text === undefined)
      throw new InputError(
        `${where} line ${l.line}: ${l.bytes} bytes, over the limit of ${maxLineBytes} (--max-line-bytes)`,
      );
    if (isBlank(l.text)) continue;
    try {
      yield { value: JSON.parse(l.text), line: l.line };
    } catch (e) {
      throw new InputError(`${where} line ${l.line}: not JSON (${(e as Error).message})`);
    }
  }
}
