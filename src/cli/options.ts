/** Parsers for numeric command-line options: a bad value is a usage error naming the option. */
import { InvalidArgumentError } from "commander";

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
