/**
 * JSON answers serialised in time slices. A 65,536-result answer is ~15 MB of JSON: one JSON.stringify
 * held the event loop for 100+ ms, during which /health and every other request waited. Large arrays (at
 * the top level, or one level down as in OpenRLHF's extra_logs) are serialised a piece at a time, and
 * the text encoded to bytes a piece at a time, with turns of the event loop between pieces; the bytes
 * are those of JSON.stringify.
 */
import type { FastifyReply } from "fastify";
import { nextSlice, sliceDue } from "../core/index.js";

const PIECE = 256;

async function pieces(value: unknown, levels: number, out: string[]): Promise<void> {
  if (Array.isArray(value) && value.length > PIECE) {
    out.push("[");
    for (let i = 0; i < value.length; i += PIECE) {
      const text = JSON.stringify(value.slice(i, i + PIECE));
      out.push(i ? `,${text.slice(1, -1)}` : text.slice(1, -1));
      if (sliceDue()) await nextSlice();
    }
    out.push("]");
    return;
  }
  if (levels > 0 && value && typeof value === "object" && !Array.isArray(value) && !("toJSON" in value)) {
    out.push("{");
    let first = true;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
      out.push(`${first ? "" : ","}${JSON.stringify(k)}:`);
      first = false;
      await pieces(v, levels - 1, out);
    }
    out.push("}");
    return;
  }
  out.push(JSON.stringify(value) ?? "null");
}

/** The JSON text of `value` (as JSON.stringify writes it), built in time slices. */
export async function stringifySliced(value: unknown): Promise<string> {
  const out: string[] = [];
  await pieces(value, 2, out);
  return out.join("");
}

/**
 * Sends `value` as JSON, serialised and encoded in time slices (see above). An answer of at most `items`
 * results is returned as is, for fastify to serialise in one go (a few µs; slicing would only cost).
 */
export async function sendJson(reply: FastifyReply, value: unknown, items = Infinity): Promise<unknown> {
  if (items <= PIECE) return value;
  const out: string[] = [];
  await pieces(value, 2, out);
  const bufs: Buffer[] = [];
  for (const p of out) {
    bufs.push(Buffer.from(p));
    if (sliceDue()) await nextSlice();
  }
  return reply.type("application/json; charset=utf-8").send(Buffer.concat(bufs));
}
