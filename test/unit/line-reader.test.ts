/**
 * The bounded line reader: lines split on "\n" however the bytes arrive, a line over the limit reported
 * with its number and size (never held whole), and reading goes on after it.
 */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { blockLines, type Line, type LineBlock, readLineBlocks, readLines } from "../../src/core/index.js";

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

describe("readLineBlocks", () => {
  async function blocks(chunks: Buffer[], max: number, maxLines: number): Promise<LineBlock[]> {
    const out: LineBlock[] = [];
    for await (const b of readLineBlocks(Readable.from(chunks), max, maxLines)) out.push(b);
    return out;
  }
  /** Blocks back to lines, to compare with readLines. */
  const asLines = (bs: LineBlock[]): Line[] =>
    bs.flatMap((b): Line[] =>
      b.tooLong ? [b] : blockLines(b.text).map((text, i) => ({ line: b.line + i, text })),
    );

  /** The lines of a whole text, split the plain way (an independent reference for both readers). */
  function reference(text: string, max: number): Line[] {
    const b = Buffer.from(text);
    const out: Line[] = [];
    for (let start = 0, line = 1; start < b.length; line++) {
      const nl = b.indexOf(10, start);
      const end = nl < 0 ? b.length : nl;
      if (end - start > max) out.push({ line, tooLong: true, bytes: end - start });
      else {
        let t = b.toString("utf8", start, end);
        if (t.endsWith("\r")) t = t.slice(0, -1);
        if (line === 1 && t.startsWith("\uFEFF")) t = t.slice(1);
        out.push({ line, text: t });
      }
      if (nl < 0) break;
      start = nl + 1;
    }
    return out;
  }

  it("gives the lines of a plain split, in blocks of at most maxLines, whatever the chunks", async () => {
    const long = "z".repeat(150);
    const atLimit = "y".repeat(98);
    const text = `\uFEFF{"a":"é€😀"}\r\n\n${long}\n{"b":2}\n\uFEFF{"c":3}\n${long}\n${atLimit}\r\n{"d":4}\r\n\nlast`;
    const expected = reference(text, 100);
    expect(expected.filter((l) => l.tooLong)).toHaveLength(2);
    for (const n of [1, 2, 3, 7, 64, 1000]) {
      expect(await all(cut(text, n), 100)).toEqual(expected);
      for (const maxLines of [1, 2, 3, 16]) {
        const bs = await blocks(cut(text, n), 100, maxLines);
        expect(asLines(bs)).toEqual(expected);
        for (const b of bs)
          if (!b.tooLong) {
            expect(b.count).toBeLessThanOrEqual(maxLines);
            expect(blockLines(b.text)).toHaveLength(b.count);
          }
      }
    }
  });

  it("a single 8 MB chunk of short lines comes in blocks of about a megabyte", async () => {
    const line = `${JSON.stringify({ completion: "x".repeat(90) })}\n`;
    const n = Math.ceil((8 << 20) / line.length);
    const bs = await blocks([Buffer.from(line.repeat(n))], 1000, Number.POSITIVE_INFINITY);
    expect(bs.reduce((a, b) => a + (b.tooLong ? 1 : b.count), 0)).toBe(n);
    expect(bs.length).toBeGreaterThanOrEqual(8);
    for (const b of bs) expect(Buffer.byteLength(b.text ?? "")).toBeLessThanOrEqual((1 << 20) + line.length);
  });

  it("yields what a chunk completes at once, without waiting for more input", async () => {
    // The reader is pulled one block at a time while the next chunk has not been written yet.
    const input = new Readable({ read() {} });
    const it = readLineBlocks(input, 1000, 16)[Symbol.asyncIterator]();
    input.push(Buffer.from('{"a":1}\n{"b":2}\n{"c":'));
    expect(await it.next()).toEqual({
      done: false,
      value: { line: 1, count: 2, text: '{"a":1}\n{"b":2}\n' },
    });
    input.push(Buffer.from("3}\n"));
    expect(await it.next()).toEqual({ done: false, value: { line: 3, count: 1, text: '{"c":3}\n' } });
    input.push(null);
    expect((await it.next()).done).toBe(true);
  });
});
