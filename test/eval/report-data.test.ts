/** The report's summary from scored rows: counts, bounds, signals and group statistics by hand. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { histogram, ReportBuilder, resultOf } from "../../src/eval/report-data.js";
import { renderReport } from "../../src/eval/report-html.js";
import { passAtK } from "../../src/index.js";
import { runCli } from "../e2e/run.js";

const row = (reward: number | null, extra: Record<string, unknown> = {}) => ({
  completion: "x".repeat(Math.round((reward ?? 0) * 10)),
  reward,
  status: reward === null ? "error" : "ok",
  error: reward === null ? { kind: "timeout", message: "too slow" } : null,
  ...extra,
});

describe("histogram", () => {
  it("counts every value once", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1 }),
        fc.integer({ min: 1, max: 50 }),
        (xs, bins) => {
          const h = histogram(xs, bins);
          expect(h.counts.reduce((a, b) => a + b, 0)).toBe(xs.length);
          expect(h.edges.length).toBe(h.counts.length + 1);
        },
      ),
    );
  });
});

describe("ReportBuilder", () => {
  it("counts statuses apart and bounds what it keeps", async () => {
    const b = new ReportBuilder({ samplesPerSet: 5, scatterPoints: 10 });
    for (let i = 0; i < 1000; i++) b.add(row(i % 10 === 0 ? null : (i % 7) / 6), i + 1);
    const d = await b.finish();
    expect(d.rows).toBe(1000);
    expect(d.status).toEqual({ ok: 900, abstain: 0, error: 100 });
    expect(d.error_kinds).toEqual({ timeout: 100 });
    expect(d.reward_histogram.counts.reduce((a, c) => a + c, 0)).toBe(900);
    expect(d.length.scatter.length).toBe(10);
    expect(d.samples.length).toBe(20);
    expect(d.samples.filter((s) => s.set === "top").every((s) => s.reward === 1)).toBe(true);
    expect(d.samples.filter((s) => s.set === "bottom").every((s) => s.reward === 0)).toBe(true);
    // Rewards were built to grow with length: the signal says so.
    expect(d.length.spearman).toBeCloseTo(1, 6);
    expect(d.signals.map((s) => s.kind)).toContain("length_correlation");
  });

  it("reads tree and flat components, and flags components that never fire or never vary", async () => {
    const b = new ReportBuilder();
    for (let i = 0; i < 20; i++) {
      b.add(
        row(i % 2, {
          components:
            i % 2
              ? { answer: { status: "ok", reward: 1 }, format: 0, style: 1 }
              : { answer: 0, format: 0, style: 1 },
        }),
        i + 1,
      );
    }
    const d = await b.finish();
    const kinds = Object.fromEntries(
      d.signals.map((s) => [s.message.match(/'([^']+)'/)?.[1] ?? s.kind, s.kind]),
    );
    expect(kinds.format).toBe("never_fires");
    expect(kinds.style).toBe("constant");
    expect(d.components.find((c) => c.path === "answer")!.corr_total).toBeCloseTo(1, 12);
    expect(resultOf({ status: "ok" }).status).toBe("error"); // no reward: never read as 0
  });

  it("computes pass@k and zero variance per group, for many groups", async () => {
    const b = new ReportBuilder({ groupBy: "g" });
    const groups = 200_000;
    for (let g = 0; g < groups; g++)
      for (let k = 0; k < 2; k++) b.add(row(g % 3 === 0 ? 1 : k, { g }), 2 * g + k + 1);
    const d = await b.finish();
    expect(d.groups!.count).toBe(groups);
    // A third of the groups are all 1 (zero variance); the others have one pass out of two.
    const third = Math.ceil(groups / 3) / groups;
    expect(d.groups!.zero_variance_share).toBeCloseTo(third, 10);
    expect(d.groups!.pass_at_k["1"]).toBeCloseTo(third * 1 + (1 - third) * passAtK(2, 1, 1)!, 10);
    expect(d.groups!.pass_at_k["2"]).toBeCloseTo(1, 10);
  });

  it("escapes row text in the page: a completion cannot close the script element", async () => {
    const b = new ReportBuilder();
    b.add(row(1, { completion: "</script><script>alert(1)</script><!--" }), 1);
    const html = renderReport(await b.finish());
    expect(html).not.toContain("<script>alert(1)");
    expect(html.match(/<\/script>/g)!.length).toBe(3);
  });
});

describe("rewardkit report input errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "rk-report-in-"));
  it("names the line of a row that is not scored or not JSON, and needs an input", async () => {
    const p = join(dir, "raw.jsonl");
    writeFileSync(p, `${JSON.stringify(row(1))}\n${JSON.stringify({ completion: "4", reference: "4" })}\n`);
    const r = await runCli(["report", "-i", p, "-o", join(dir, "r.html")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/raw\.jsonl line 2: not a scored row \(no 'status'\)/);
    writeFileSync(p, `${JSON.stringify(row(1))}\n{oops\n`);
    const bad = await runCli(["report", "-i", p, "-o", join(dir, "r.html")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 2: not JSON/);
    const none = await runCli(["report", "-o", join(dir, "r.html")]);
    expect(none.code).toBe(2);
  });

  it("scores raw rows with --spec", async () => {
    const r = await runCli([
      "report",
      "-s",
      "math",
      "-i",
      "fixtures/eval/math-labelled.jsonl",
      "-l",
      "label",
      "-o",
      join(dir, "m.html"),
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.rows).toBe(887);
    expect(d.eval.binary.n).toBe(d.status.ok);
  });
});
