/** The score command's progress bar (src/cli/progress.ts) and summary distributions (src/cli/summary.ts). */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { countRows, Progress } from "../../src/cli/progress.js";
import { Distributions, distribution, quantile, sparkline } from "../../src/cli/summary.js";
import { ok } from "../../src/core/index.js";

function fakeTerminal() {
  const writes: string[] = [];
  let t = 0;
  return {
    writes,
    stream: { write: (s: string) => writes.push(s) },
    clock: () => t,
    advance: (ms: number) => (t += ms),
  };
}

describe("Progress", () => {
  it("shows count, total, percentage, rate and ETA, and clears itself when done", () => {
    const f = fakeTerminal();
    const p = new Progress(f.stream, f.clock);
    p.setTotal(1000);
    f.advance(2000);
    p.tick(250);
    expect(f.writes.at(-1)).toBe("\r\x1b[K[######------------------] 250/1,000 (25%)  125 rows/s  ETA 0:06");
    p.done(250);
    expect(f.writes.at(-1)).toBe("\r\x1b[K");
  });

  it("without a total shows count and rate; throttles to one redraw per 100 ms", () => {
    const f = fakeTerminal();
    const p = new Progress(f.stream, f.clock);
    f.advance(1000);
    p.tick(5);
    p.tick(6);
    expect(f.writes).toEqual(["\r\x1b[Kscored 5 rows  5.0 rows/s"]);
    f.advance(100);
    p.tick(7);
    expect(f.writes).toHaveLength(2);
  });

  it("never writes anything when nothing was shown", () => {
    const f = fakeTerminal();
    new Progress(f.stream, f.clock).done(0);
    expect(f.writes).toEqual([]);
  });

  it("counts the rows of a file as the reader does (blank lines skipped, last line without newline)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-count-"));
    const file = join(dir, "rows.jsonl");
    writeFileSync(file, '{"a":1}\n\n  \n{"a":2}\r\n{"a":3}');
    expect(await countRows(file)).toBe(3);
    rmSync(dir, { recursive: true });
  });
});

describe("summary distributions", () => {
  it("quantiles interpolate between closest ranks", () => {
    expect(quantile([0, 1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([0, 10], 0.05)).toBeCloseTo(0.5);
    expect(quantile([0, 10], 0.95)).toBeCloseTo(9.5);
  });

  it("histograms from min to max, the top bin holding the maximum", () => {
    const d = distribution([0, 0, 0, 0.5, 1]);
    expect(d.histogram).toEqual([3, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(sparkline(d.histogram)).toBe("█    ▃   ▃");
  });

  it("collects the reward and each component over ok values only", () => {
    const ds = new Distributions();
    ds.add({ ...ok(1, { components: { a: { ...ok(1), ms: 0 } } }), ms: 0 });
    ds.add({ status: "error", reward: null, error: { kind: "timeout", message: "x" }, ms: 0 });
    ds.add({ ...ok(0, { components: { a: { ...ok(0), ms: 0 } } }), ms: 0 });
    const j = ds.toJSON();
    expect(Object.keys(j)).toEqual(["reward", "a"]);
    expect(j.reward).toMatchObject({ n: 2, min: 0, max: 1, p50: 0.5 });
    expect(ds.toText()).toMatch(
      /^ {2}reward {2}0\.0500 \/ 0\.5000 \/ 0\.9500 {2}0\.0000 \|█ {8}█\| 1\.0000 {2}\(n=2\)$/m,
    );
  });

  it("keeps a bounded, reproducible sample past 10,000 values and says so", () => {
    const run = () => {
      const ds = new Distributions();
      for (let i = 0; i < 50_000; i++) ds.add({ ...ok((i % 100) / 100), ms: 0 });
      return ds;
    };
    const a = run().toJSON().reward!;
    expect(a.n).toBe(50_000);
    expect(a.sampled).toBe(10_000);
    expect(Math.abs(a.p50 - 0.5)).toBeLessThan(0.03);
    expect(run().toJSON().reward).toEqual(a);
    expect(run().toText()).toContain("(n=50000, from a sample of 10000)");
  });
});
