/**
 * The report page in a real browser (Debian's chromium through playwright-core): no console error, no
 * network request, every chart drawn, the page's numbers equal to the CLI's (`score --summary-json`,
 * `eval --json` and the report's own summary), search and sort working; saves docs/img/report.png.
 * Without chromium the suite is skipped with the command that installs it.
 */
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { num } from "../../src/eval/report-html.js";
import { CHROMIUM, hasChromium as hasChromiumAt, launchChromium } from "../chromium.js";
import { ROOT, runCli } from "../e2e/run.js";

// biome-ignore lint/suspicious/noExplicitAny: JSON answers read field by field
type Json = Record<string, any>;

const hasChromium = hasChromiumAt();
if (!hasChromium)
  console.warn(
    `test/eval/report-browser.test.ts SKIPPED: no browser at ${CHROMIUM}. Install Debian's chromium (as root: apt-get install -y chromium) or set CHROMIUM_PATH.`,
  );

interface Canvas {
  id: string;
  width: number;
  height: number;
  getContext(
    kind: "2d",
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
interface PageGlobals {
  Chart: { getChart(c: Canvas): unknown };
  scrollTo(x: number, y: number): void;
}

const dir = mkdtempSync(join(tmpdir(), "rk-report-"));
const at = (obj: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], obj);

describe.skipIf(!hasChromium)("the report page in chromium", () => {
  let browser: BrowserContext;
  const html = join(dir, "report.html");
  let scoreSummary: Json;
  let evalJson: Json;
  let summary: Json;

  beforeAll(async () => {
    const scored = join(dir, "scored.jsonl");
    const s = await runCli([
      "score",
      "-s",
      "think-answer",
      "-i",
      "fixtures/eval/run.jsonl",
      "-o",
      scored,
      "-q",
      "--summary-json",
      join(dir, "score.json"),
    ]);
    expect(s.code, s.stderr).toBe(0);
    scoreSummary = JSON.parse(readFileSync(join(dir, "score.json"), "utf8"));
    const e = await runCli([
      "eval",
      "-s",
      "think-answer",
      "-i",
      "fixtures/eval/run.jsonl",
      "-l",
      "label",
      "--json",
    ]);
    expect(e.code, e.stderr).toBe(0);
    evalJson = JSON.parse(e.stdout);
    const r = await runCli([
      "report",
      "-i",
      scored,
      "-o",
      html,
      "--label",
      "label",
      "--group-by",
      "prompt_id",
      "--json",
      "--title",
      "think-answer on fixtures/eval/run.jsonl",
    ]);
    expect(r.code, r.stderr).toBe(0);
    summary = JSON.parse(r.stdout);
    browser = await launchChromium("rk-chromium-");
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("renders every chart with no console error and no network, numbers equal to the CLI's", async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    const requests: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector("body[data-rendered='1']", { timeout: 30_000 });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);

    // Every chart canvas has a Chart and painted pixels.
    const charts = await page.$$eval("canvas.chart", (cs) =>
      cs.map((c) => {
        // The project compiles without the DOM library: the canvas and the page's globals, as they are used.
        const canvas = c as unknown as Canvas;
        const g = canvas.getContext("2d")!;
        const px = g.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) painted++;
        return {
          id: canvas.id,
          chart: Boolean((globalThis as unknown as PageGlobals).Chart.getChart(canvas)),
          w: canvas.width,
          painted,
        };
      }),
    );
    const expected = ["reward-hist", "status", "error-kinds", "length-scatter", "advantages", "passk"];
    for (const id of expected) expect(charts.map((c) => c.id)).toContain(id);
    expect(charts.filter((c) => c.id.startsWith("comp-")).length).toBe(summary.components.length);
    for (const c of charts) {
      expect(c.chart, c.id).toBe(true);
      expect(c.w, c.id).toBeGreaterThan(0);
      expect(c.painted, c.id).toBeGreaterThan(50);
    }

    // Every number on the page is its summary field; the headline ones equal score's and eval's.
    const shown = await page.$$eval("[data-k]", (es) =>
      es.map((e) => [e.getAttribute("data-k")!, e.textContent!]),
    );
    expect(shown.length).toBeGreaterThan(20);
    for (const [k, text] of shown) expect(text, k).toBe(num(at(summary, k) as number | null));
    const byKey = Object.fromEntries(shown);
    expect(byKey.rows).toBe(String(scoreSummary.rows));
    expect(byKey.mean_reward).toBe(num(scoreSummary.mean_reward));
    for (const s of ["ok", "abstain", "error"])
      expect(byKey[`status.${s}`]).toBe(String(scoreSummary.status[s]));
    expect(byKey["eval.binary.accuracy.value"]).toBe(num(evalJson.binary.accuracy.value));
    expect(byKey["eval.binary.f1"]).toBe(num(evalJson.binary.f1));
    for (const c of ["tp", "fp", "tn", "fn"])
      expect(byKey[`eval.binary.confusion.${c}`]).toBe(String(evalJson.binary.confusion[c]));
    summary.components.forEach((c: { path: string; mean: number }, i: number) => {
      expect(byKey[`components.${i}.mean`]).toBe(num(scoreSummary.components[c.path].mean));
    });

    // The sample table: sorted by reward on a click, filtered by the search box, a tree on a row click.
    const total = Number(await page.getAttribute("body", "data-shown-samples"));
    expect(total).toBe(summary.samples.length);
    await page.click("#sample-table th[data-sort='reward']");
    const first = await page.$eval("#sample-table tbody tr td:nth-child(3)", (td) => td.textContent);
    const max = Math.max(...summary.samples.map((s: { reward: number | null }) => s.reward ?? -1));
    expect(Number(first)).toBe(max);
    await page.fill("#search", "invalid_input");
    const filtered = Number(await page.getAttribute("body", "data-shown-samples"));
    expect(filtered).toBe(
      summary.samples.filter((s: { error: string | null }) => s.error?.includes("invalid_input")).length,
    );
    expect(filtered).toBeGreaterThan(0);
    await page.click("#sample-table tbody tr");
    expect(await page.textContent("#sample-table tr.detail")).toMatch(/reward: error\(invalid_input\)/);
    await page.fill("#search", "");
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));

    mkdirSync(join(ROOT, "docs/img"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "docs/img/report.png"), fullPage: false });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("a page from an eval's JSON alone renders its metrics", async () => {
    const evalFile = join(dir, "eval.json");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(evalFile, JSON.stringify(evalJson));
    const out = join(dir, "eval.html");
    const r = await runCli(["report", "--eval", evalFile, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(pathToFileURL(out).href);
    await page.waitForSelector("body[data-rendered='1']", { timeout: 30_000 });
    expect(problems).toEqual([]);
    expect(await page.textContent("[data-k='eval.binary.accuracy.value']")).toBe(
      num(evalJson.binary.accuracy.value),
    );
    await page.close();
  }, 60_000);
});
