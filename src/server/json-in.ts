/**
 * JSON bodies parsed in time slices. JSON.parse of a 64 MiB body holds the event loop for hundreds of
 * ms; here a large body is scanned in slices (its nesting depth checked on the way) and the arrays that
 * are members of the top-level object (`samples`, `query`, ...) are parsed a piece at a time, with turns
 * of the event loop between pieces. What parses is what JSON.parse accepts, to the same value.
 */
import { randomBytes } from "node:crypto";
import { nextSlice, sliceDue } from "../core/index.js";
import { depthError, nestedDeeperThan, Refused } from "./limits.js";

/** Bodies up to this size are parsed in one go (a few ms at most). */
export const SLICED_ABOVE = 1 << 20;
/** Text of one piece of a top-level array. */
const PIECE_CHARS = 256 * 1024;

interface Span {
  start: number;
  end: number;
  /** Positions of the commas that separate the array's pieces. */
  cuts: number[];
}

/**
 * Parses JSON text whose nesting must not exceed `maxDepth` (deeper: Refused, 400). `parse` is the
 * parser of the pieces (fastify's, with its checks against prototype poisoning): it throws what it
 * throws for text it refuses.
 */
export async function parseJsonSliced(
  text: string,
  maxDepth: number,
  parse: (text: string) => unknown,
  sizes = { above: SLICED_ABOVE, piece: PIECE_CHARS },
): Promise<unknown> {
  const parseWhole = () => {
    if (nestedDeeperThan(text, maxDepth)) throw depthError(maxDepth);
    return parse(text);
  };
  if (text.length <= sizes.above) return parseWhole();
  const spans: Span[] = [];
  let depth = 0;
  let topIsObject = false;
  let span: Span | undefined;
  let pieceStart = 0;
  for (let i = 0; i < text.length; i++) {
    if ((i & 0xffff) === 0 && sliceDue()) await nextSlice();
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i < 0) return parseWhole(); // unterminated: JSON.parse says where
        let slashes = 0;
        while (text.charCodeAt(i - 1 - slashes) === 92) slashes++;
        if (slashes % 2 === 0) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > maxDepth) throw depthError(maxDepth);
      if (depth === 1) topIsObject = c === 123;
      else if (depth === 2 && topIsObject && c === 91) {
        span = { start: i, end: -1, cuts: [] };
        pieceStart = i + 1;
      }
    } else if (c === 125 || c === 93) {
      if (depth === 2 && span && c === 93) {
        span.end = i;
        spans.push(span);
        span = undefined;
      }
      depth--;
    } else if (c === 44 && depth === 2 && span && i - pieceStart > sizes.piece) {
      span.cuts.push(i);
      pieceStart = i + 1;
    }
  }
  if (!spans.length) return parseWhole();
  // The skeleton: the text with each top-level array replaced by a placeholder string.
  const tag = `\u0000rk-${randomBytes(6).toString("hex")}-`;
  let skeleton = "";
  let from = 0;
  spans.forEach((s, k) => {
    skeleton += text.slice(from, s.start) + JSON.stringify(`${tag}${k}`);
    from = s.end + 1;
  });
  skeleton += text.slice(from);
  const top = parse(skeleton) as Record<string, unknown>;
  const arrays = new Map<string, unknown[]>();
  for (const [k, s] of spans.entries()) {
    const out: unknown[] = [];
    const bounds = [s.start, ...s.cuts, s.end];
    for (let j = 0; j + 1 < bounds.length; j++) {
      const piece = text.slice(bounds[j]! + 1, bounds[j + 1]);
      // A blank piece between cuts would hide a missing element ("[1,]" parses as "[1]" plus "[]").
      if (piece.trim() === "" && s.cuts.length) {
        throw new Refused(400, `request body is not valid JSON: an empty array element at ${bounds[j]}`);
      }
      for (const x of parse(`[${piece}]`) as unknown[]) out.push(x);
      if (sliceDue()) await nextSlice();
    }
    arrays.set(`${tag}${k}`, out);
  }
  for (const [key, v] of Object.entries(top)) {
    if (typeof v === "string" && arrays.has(v)) {
      Object.defineProperty(top, key, {
        value: arrays.get(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return top;
}
