/**
 * Reads a spec file: a regular file of at most MAX_SPEC_BYTES, parsed as JSON. Problems are SpecErrors
 * that quote at most a short, escaped excerpt of the file (it may be anything: binary, a secret).
 */
import { SpecError } from "./errors.js";

// node:fs as CommonJS exports: an ES import builds its namespace, which loads fs streams and promises (ms at start-up).
const { closeSync, constants, fstatSync, openSync, readFileSync } = process.getBuiltinModule(
  "node:fs",
) as typeof import("node:fs");

export const MAX_SPEC_BYTES = 4 * 1024 * 1024;

const refuse = (message: string) => new SpecError([{ path: "$", message }]);

export function readSpecFile(path: string): unknown {
  let text: string;
  let fd: number | undefined;
  try {
    // Opened without blocking, then checked: a FIFO or device (/dev/zero) is refused, never read.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) throw refuse(`${path} is not a regular file`);
    if (st.size > MAX_SPEC_BYTES) {
      throw refuse(`${path} is ${st.size} bytes; a spec file may have at most ${MAX_SPEC_BYTES}`);
    }
    text = readFileSync(fd, "utf8");
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw refuse(`cannot read ${path}: ${(e as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (text.length > MAX_SPEC_BYTES) throw refuse(`${path} grew past ${MAX_SPEC_BYTES} bytes while read`);
  try {
    return JSON.parse(text.replace(/^\uFEFF/, "")); // a byte order mark is not part of the JSON
  } catch (e) {
    throw refuse(`${path} is not valid JSON: ${jsonProblem((e as Error).message, text)}`);
  }
}

/** V8's reason without the source text it quotes, and an escaped excerpt at the place it names. */
export function jsonProblem(message: string, text: string): string {
  const reason = message.replace(/, ".*$/s, "").replace(/'([^']*)'/g, (_, t: string) => escaped(t));
  const at = /at position (\d+)/.exec(message);
  const pos = at ? Number(at[1]) : 0;
  const from = Math.max(0, pos - 16);
  const excerpt = text.slice(from, from + 32);
  return `${reason} (near ${from > 0 ? "..." : ""}${escaped(excerpt)}${from + 32 < text.length ? "..." : ""})`;
}

/** A JSON string literal with every non-printable or non-ASCII character escaped. */
function escaped(s: string): string {
  return JSON.stringify(s).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
