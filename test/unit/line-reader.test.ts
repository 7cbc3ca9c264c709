/**
 * The bounded line reader: lines split on "\n" however the bytes arrive, a line over the limit reported
 * with its number and size (never held whole), and reading goes on after it.
 */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type Line, readLines } from "../../src/core/index.js";

async function all(chunks: (string | Buffer)[], max?: number): Promise<Line[]> {
  const out: Line[] = [];
  for await (const l of readLines(Readable.from(chunks.map((c) => Buffer.from(c))), max)) out.push(l);
  return out;
}

/** Every way of cutting `s` into chunks of `n` bytes. */
const cut = (s: string, n: number) => {
  const b = Buffer.from(s);
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
  return out;
};

describe("readLines", () => {
  it("splits lines whatever the chunks, CRLF and a first-line byte order mark included", async () => {
    const text = '\uFEFF{"a":"é€😀"}\r\n\n{"b":2}\nlast';
    for (const n of [1, 2, 3, 5, 64]) {
      expect(await all(cut(text, n))).toEqual([
        { line: 1, text: '{"a":"é€😀"}' },
        { line: 2, text: "" },
        { line: 3, text: '{"b":2}' },
        { line: 4, text: "last" },
      ]);
    }
  });

  it("reports a line over the limit with its number and size, and goes on after it", async () => {
    const long = "x".repeat(250);
    for (const n of [7, 100, 1000]) {
      const lines = await all(cut(`ok\n${long}\nnext\n${long}`, n), 100);
      expect(lines).toEqual([
        { line: 1, text: "ok" },
        { line: 2, tooLong: true, bytes: 250 },
        { line: 3, text: "next" },
        { line: 4, tooLong: true, bytes: 250 },
      ]);
    }
    // Exactly at the limit is fine.
    expect(await all(["y".repeat(100)], 100)).toEqual([{ line: 1, text: "y".repeat(100) }]);
  });

  it("a 64 MB line with no newline, in 1 MB chunks, then a row", async () => {
    const mb = Buffer.alloc(1 << 20, 97);
    const chunks = [...Array.from({ length: 64 }, () => mb), Buffer.from("\n{}\n")];
    const out: Line[] = [];
    for await (const l of readLines(Readable.from(chunks), 4 << 20)) out.push(l);
    expect(out).toEqual([
      { line: 1, tooLong: true, bytes: 64 << 20 },
      { line: 2, text: "{}" },
    ]);
  });
});
