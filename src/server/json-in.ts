/**
 * JSON bodies parsed as they arrive, in bounded steps. JSON.parse of a 64 MiB body held the event loop
 * for hundreds of ms, and even assembling the body into one string took tens. Here each chunk of the
 * body is scanned as it comes (its nesting depth checked on the way), and the arrays that are members of
 * the top-level object (`samples`, `query`, ...) are parsed a piece at a time as soon as a piece has
 * arrived; the rest of the object (its "skeleton") is parsed at the end. No single parse is longer than
 * one piece plus one element, and an element (a sample) or the skeleton longer than `maxItem` is a 413:
 * parse time grows with size, so the size of what is parsed in one go is what bounds the time the event
 * loop is held. What parses is what JSON.parse accepts, to the same value.
 */
import { randomBytes } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import { nextSlice, sliceDue } from "../core/index.js";
import { depthError, Refused } from "./limits.js";

/** Bodies up to this size are parsed in one go at the end (a few ms at most). */
export const SLICED_ABOVE = 1 << 20;
/** Text of one piece of a top-level array. */
const PIECE_CHARS = 128 * 1024;
/** Text handed to the scanner at once when a whole text is parsed (parseJsonSliced). */
const FEED_CHARS = 64 * 1024;

export interface FeedSizes {
  /** Texts up to this length are parsed in one go. */
  above: number;
  /** Cut a top-level array into pieces of about this many characters. */
  piece: number;
  /** Longest array element, and longest skeleton, in characters (longer: 413). */
  maxItem: number;
  /**
   * The batch arrays of the body (top-level field -> what its items are called) and the most items one may
   * hold: more is a 413 as soon as the item past the limit starts, before the rest is read or parsed.
   */
  batch?: { fields: Readonly<Record<string, string>>; max: number };
}

const DEFAULT_SIZES: FeedSizes = {
  above: SLICED_ABOVE,
  piece: PIECE_CHARS,
  maxItem: Number.POSITIVE_INFINITY,
};

/**
 * An incremental parser of one JSON text: `push` each decoded chunk (each call does a bounded amount of
 * work: a scan of the chunk and at most the pieces it completes), then `end` for the value.
 * `parse` is the parser of the pieces (fastify's, with its checks against prototype poisoning): it
 * throws what it throws for text it refuses.
 */
export class JsonFeed {
  private readonly sizes: FeedSizes;
  /** The whole text, kept while it is short enough to be parsed in one go at the end. */
  private raw: string[] | undefined = [];
  private total = 0;
  private depth = 0;
  private inString = false;
  /** The last chunk ended inside a string on an odd run of backslashes: the next character is escaped. */
  private escaped = false;
  private topIsObject = false;
  private readonly tag = `\u0000rk-${randomBytes(6).toString("hex")}-`;
  private readonly skeleton: string[] = [];
  private skeletonLen = 0;
  private readonly arrays = new Map<string, unknown[]>();
  /** The top-level array being read, with the text of its current piece. */
  private span:
    | { out: unknown[]; parts: string[]; len: number; cut: boolean; what: string | undefined; items: number }
    | undefined;
  /** The last string closed at depth 1 (a key, when an array follows it), when it fitted in one chunk. */
  private lastKey: string | undefined;
  /** Absolute position where the current element of the span started. */
  private elementStart = 0;

  constructor(
    private readonly maxDepth: number,
    private readonly parse: (text: string) => unknown,
    sizes: Partial<FeedSizes> = {},
    private readonly where = "request body",
  ) {
    this.sizes = { ...DEFAULT_SIZES, ...sizes };
  }

  push(s: string): void {
    if (!s) return;
    const base = this.total;
    this.total += s.length;
    if (this.raw) {
      this.raw.push(s);
      if (this.total > this.sizes.above) this.raw = undefined;
    }
    let from = 0; // start of the text of this chunk not yet given to the skeleton or the current piece
    let i = 0;
    if (this.inString) {
      i = this.closeString(s, this.escaped ? 1 : 0);
      if (i < 0) {
        this.keep(s, from, base);
        return;
      }
      i++;
    }
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        const close = this.closeString(s, i + 1);
        if (this.depth === 1) this.lastKey = close < 0 ? undefined : s.slice(i + 1, close);
        if (close < 0) break;
        i = close;
      } else if (c === 123 || c === 91) {
        if (++this.depth > this.maxDepth) throw depthError(this.maxDepth, this.where);
        if (this.depth === 1) this.topIsObject = c === 123;
        else if (this.depth === 2 && this.topIsObject && c === 91) {
          this.toSkeleton(s.slice(from, i));
          this.toSkeleton(JSON.stringify(`${this.tag}${this.arrays.size}`));
          const out: unknown[] = [];
          this.arrays.set(`${this.tag}${this.arrays.size}`, out);
          const what = this.lastKey === undefined ? undefined : this.sizes.batch?.fields[this.lastKey];
          this.span = { out, parts: [], len: 0, cut: false, what, items: 1 };
          this.elementStart = base + i + 1;
          from = i + 1;
        }
      } else if (c === 125 || c === 93) {
        if (this.depth === 2 && this.span && c === 93) {
          this.checkElement(base + i);
          this.parsePiece(s.slice(from, i), true);
          this.span = undefined;
          from = i + 1;
        }
        this.depth--;
      } else if (c === 44 && this.depth === 2 && this.span) {
        this.checkElement(base + i);
        if (this.span.what !== undefined && ++this.span.items > this.sizes.batch!.max) {
          const max = this.sizes.batch!.max;
          throw new Refused(
            413,
            `more than ${max} ${this.span.what} in one request; the limit is ${max} (--max-batch)`,
          );
        }
        this.elementStart = base + i + 1;
        if (this.span.len + i - from > this.sizes.piece) {
          this.parsePiece(s.slice(from, i), false);
          from = i + 1;
        }
      }
    }
    this.keep(s, from, base);
  }

  end(): unknown {
    if (this.inString || this.span || this.raw || !this.arrays.size) {
      // Short, or not an object with arrays, or not complete: parsed in one go (JSON.parse says where
      // incomplete text ends).
      const text = this.raw ? this.raw.join("") : this.wholeText();
      return this.parse(text);
    }
    const top = this.parse(this.skeleton.join("")) as Record<string, unknown>;
    for (const [key, v] of Object.entries(top)) {
      if (typeof v === "string" && this.arrays.has(v)) {
        Object.defineProperty(top, key, {
          value: this.arrays.get(v),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    return top;
  }

  /** The text when the pieces were not kept: only reached for text that is not valid JSON. */
  private wholeText(): string {
    return this.skeleton.join("") + (this.span ? `[${this.span.parts.join("")}` : "");
  }

  /** Position of the quote closing the string that runs from `from`, or -1 (state kept for the next chunk). */
  private closeString(s: string, from: number): number {
    this.escaped = false;
    for (let j = from; ; ) {
      const q = s.indexOf('"', j);
      if (q < 0) {
        let slashes = 0;
        while (s.length - 1 - slashes >= from && s.charCodeAt(s.length - 1 - slashes) === 92) slashes++;
        this.inString = true;
        this.escaped = slashes % 2 === 1;
        return -1;
      }
      let slashes = 0;
      while (q - 1 - slashes >= from && s.charCodeAt(q - 1 - slashes) === 92) slashes++;
      if (slashes % 2 === 0) {
        this.inString = false;
        return q;
      }
      j = q + 1;
    }
  }

  /** The rest of a chunk goes to the current piece or the skeleton; the limits are checked. */
  private keep(s: string, from: number, base: number): void {
    const rest = from ? s.slice(from) : s;
    if (this.span) {
      this.span.parts.push(rest);
      this.span.len += rest.length;
      this.checkElement(base + s.length);
    } else this.toSkeleton(rest);
  }

  private toSkeleton(text: string): void {
    if (!text) return;
    this.skeleton.push(text);
    this.skeletonLen += text.length;
    if (this.skeletonLen > this.sizes.maxItem) {
      throw new Refused(
        413,
        `the request body outside its top-level arrays is longer than ${this.sizes.maxItem} characters; the limit is ${this.sizes.maxItem} (--max-line)`,
      );
    }
  }

  private checkElement(at: number): void {
    if (at - this.elementStart > this.sizes.maxItem) {
      throw new Refused(
        413,
        `an array element of the request body (a sample) is longer than ${this.sizes.maxItem} characters; the limit is ${this.sizes.maxItem} (--max-line)`,
      );
    }
  }

  private parsePiece(last: string, closing: boolean): void {
    const span = this.span!;
    const piece = span.parts.length ? span.parts.join("") + last : last;
    span.parts = [];
    span.len = 0;
    // A blank piece after a cut would hide a missing element ("[1,]" parses as "[1]" plus "[]").
    if (piece.trim() === "") {
      if (!closing || span.cut) {
        throw new Refused(400, "request body is not valid JSON: an empty array element");
      }
      return;
    }
    span.cut ||= !closing;
    for (const x of this.parse(`[${piece}]`) as unknown[]) span.out.push(x);
  }
}

/**
 * Parses JSON text in time slices (a whole text at hand: an NDJSON line, tests). Nesting deeper than
 * `maxDepth` is a Refused 400.
 */
export async function parseJsonSliced(
  text: string,
  maxDepth: number,
  parse: (text: string) => unknown,
  sizes: Partial<FeedSizes> = {},
  where?: string,
): Promise<unknown> {
  const feed = new JsonFeed(maxDepth, parse, sizes, where);
  for (let i = 0; i < text.length; i += FEED_CHARS) {
    feed.push(text.slice(i, i + FEED_CHARS));
    if (sliceDue()) await nextSlice();
  }
  return feed.end();
}

/**
 * Reads a JSON request body from its stream and parses it as it arrives (see JsonFeed), pausing the
 * stream between time slices. Rejects with a Refused 413 past `limit` bytes.
 */
export function readJsonBody(
  payload: NodeJS.ReadableStream & { receivedEncodedLength?: number },
  opts: {
    limit: number;
    contentLength: number;
    maxDepth: number;
    maxItem: number;
    batch?: FeedSizes["batch"];
  },
  parse: (text: string) => unknown,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new Refused(
        413,
        `the request body is larger than ${opts.limit} bytes; the limit is ${opts.limit} (--body-limit)`,
      );
    if (opts.contentLength > opts.limit) return reject(tooLarge());
    const feed = new JsonFeed(opts.maxDepth, parse, {
      maxItem: opts.maxItem,
      ...(opts.batch ? { batch: opts.batch } : {}),
    });
    const decoder = new StringDecoder("utf8");
    let received = 0;
    const stop = (err: unknown) => {
      payload.removeListener("data", onData);
      payload.removeListener("end", onEnd);
      payload.removeListener("error", onError);
      reject(err);
    };
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      received += buf.length;
      if (received > opts.limit || (payload.receivedEncodedLength ?? 0) > opts.limit) return stop(tooLarge());
      try {
        feed.push(decoder.write(buf));
      } catch (e) {
        return stop(e);
      }
      if (sliceDue()) {
        payload.pause();
        void nextSlice().then(() => payload.resume());
      }
    };
    const onEnd = () => {
      payload.removeListener("data", onData);
      payload.removeListener("error", onError);
      if (!Number.isNaN(opts.contentLength) && received !== opts.contentLength) {
        return reject(new Refused(400, "the request body's length does not match its content-length"));
      }
      try {
        feed.push(decoder.end());
        resolve(feed.end());
      } catch (e) {
        reject(e);
      }
    };
    const onError = (err: Error & { statusCode?: number }) => {
      if (!(typeof err.statusCode === "number" && err.statusCode >= 400)) err.statusCode = 400;
      stop(err);
    };
    payload.on("data", onData);
    payload.on("end", onEnd);
    payload.on("error", onError);
    payload.resume();
  });
}
