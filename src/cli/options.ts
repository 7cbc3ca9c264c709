/** Parsers for numeric command-line options: a bad value is a usage error naming the option. */
import { InvalidArgumentError, Option } from "commander";
import { DEFAULT_MAX_LINE_BYTES } from "../core/index.js";

export function int(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        `${name} must be an integer >= ${min}${max < Number.MAX_SAFE_INTEGER ? ` and <= ${max}` : ""}`,
      );
    return n;
  };
}

export function num(name: string, opts: { positive?: boolean } = {}) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || (opts.positive && n <= 0))
      throw new InvalidArgumentError(`${name} must be a ${opts.positive ? "positive " : ""}number`);
    return n;
  };
}

/** Node's strings stop at about 512 MiB: a longer line could not be held anyway. */
const MAX_LINE_LIMIT = 256 * 1024 * 1024;

/** --max-line-bytes, shared by the commands that read JSONL input (score, eval, pairs). */
export function maxLineBytesOption(): Option {
  return new Option("--max-line-bytes <n>", "longest input line in bytes (longer: an error naming the line)")
    .argParser(int("--max-line-bytes", 1, MAX_LINE_LIMIT))
    .default(DEFAULT_MAX_LINE_BYTES);
}
