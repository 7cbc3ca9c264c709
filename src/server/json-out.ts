/**
 * JSON answers serialised and written in bounded steps. A 65,536-result answer is ~15 MB of JSON: one
 * JSON.stringify held the event loop for 100+ ms, and writing it to the socket in one piece held it
 * 40 ms more. Large arrays (at the top level, or one level down as in OpenRLHF's extra_logs) are
 * serialised a piece at a time, and the answer is sent as a stream of ~64 KB chunks produced as the
 * socket takes them, with turns of the event loop between pieces; the bytes are those of JSON.stringify.
 */
import { Readable } from "node:stream";
import type { FastifyReply } from "fastify";
import { nextSlice, sliceDue } from "../core/index.js";

const PIECE = 256;
/** Bytes (about) of one chunk written to the socket. */
const CHUNK_CHARS = 64 * 1024;

async function* pieces(value: unknown, levels: number): AsyncGenerator<string> {
  if (Array.isArray(value) && value.length > PIECE) {
    yield "[";
    for (let i = 0; i < value.length; i += PIECE) {
      const text = JSON.stringify(value.slice(i, i + PIECE));
      yield i ? `,${text.slice(1, -1)}` : text.slice(1, -1);
      if (sliceDue()) await nextSlice();
    }
    yield "]";
    return;
  }
  if (levels > 0 && value && typeof value === "object" && !Array.isArray(value) && !("toJSON" in value)) {
    yield "{";
    let first = true;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
      yield `${first ? "" : ","}${JSON.stringify(k)}:`;
      first = false;
      yield* pieces(v, levels - 1);
    }
    yield "}";
    return;
  }
  yield JSON.stringify(value) ?? "null";
}

/** The JSON text of `value` (as JSON.stringify writes it), built in time slices. */
export async function stringifySliced(value: unknown): Promise<string> {
  const out: string[] = [];
  for await (const p of pieces(value, 2)) out.push(p);
  return out.join("");
}

/** The answer's bytes in chunks of about CHUNK_CHARS, each encoded on its own. */
async function* chunks(value: unknown): AsyncGenerator<Buffer> {
  let parts: string[] = [];
  let len = 0;
  for await (const p of pieces(value, 2)) {
    parts.push(p);
    len += p.length;
    if (len >= CHUNK_CHARS) {
      yield Buffer.from(parts.join(""));
      parts = [];
      len = 0;
    }
  }
  if (len) yield Buffer.from(parts.join(""));
}

/**
 * Sends `value` as JSON, serialised, encoded and written in steps (see above). An answer of at most
 * `items` results is returned as is, for fastify to serialise in one go (a few µs; streaming would only
 * cost).
 */
export async function sendJson(reply: FastifyReply, value: unknown, items = Infinity): Promise<unknown> {
  if (items <= PIECE) return value;
  return reply
    .type("application/json; charset=utf-8")
    .send(Readable.from(chunks(value), { objectMode: false }));
}
