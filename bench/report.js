// Benchmark of `rewardkit report` (npm run bench:report): for 10k and 1M scored rows (synthetic rows in
// the shape `rewardkit score` writes for the think-answer preset, groups of 8, 1% errors), the time to
// build the page, its size, and the time Debian's chromium takes to load it until every chart is drawn
// (navigation start to the page's data-rendered mark). Targets: < ~5 MB and < 2 s at 1M rows.
// `node bench/report.js 10000 100000` picks the sizes.
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const SIZES = process.argv.slice(2).map(Number).filter(Boolean);
const sizes = SIZES.length ? SIZES : [10_000, 1_000_000];
const { CHROMIUM } = await import("../test/chromium.ts");
const BIN = new URL("../bin/rewardkit.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "rk-bench-report-"));

let seed = 12345;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

async function writeRows(path, n) {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    const right = rand() < 0.4;
    const formatted = rand() < 0.8;
    const pad = " step".repeat(Math.floor(rand() * 40));
    const err = rand() < 0.01;
    const completion = `${formatted ? "<think>" : ""}adding${pad}${formatted ? "</think><answer>" : " "}${right ? 42 : 41}${formatted ? "</answer>" : ""}`;
    const comp = (v, w) => ({ status: "ok", reward: v, weight: w, ms: 0.01 });
    const fmt = formatted ? 1 : 0;
    const ans = right ? 1 : 0;
    const row = err
      ? {
          id: i,
          prompt_id: Math.floor(i / 8),
          completion,
          label: ans,
          reward: null,
          status: "error",
          error: { kind: "invalid_input", message: "the sample has no 'reference'" },
        }
      : {
          id: i,
          prompt_id: Math.floor(i / 8),
          completion,
          reference: "42",
          label: ans,
          reward: 0.2 * fmt + 0.8 * ans,
          status: "ok",
          error: null,
          components: { format: comp(fmt, 0.2), answer: comp(ans, 0.8) },
        };
    if (!out.write(`${JSON.stringify(row)}\n`)) await new Promise((r) => out.once("drain", r));
  }
  await new Promise((r) => out.end(r));
}

async function loadTime(html) {
  if (!existsSync(CHROMIUM)) return { load_ms: null, note: `no ${CHROMIUM} (apt-get install -y chromium)` };
  const { launchChromium } = await import("../test/chromium.ts");
  const ctx = await launchChromium("rk-bench-chromium-");
  const times = [];
  let errors = 0;
  for (let k = 0; k < 3; k++) {
    const page = await ctx.newPage();
    page.on("pageerror", () => errors++);
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector("body[data-rendered='1']", { timeout: 60_000 });
    times.push(await page.evaluate(() => performance.now()));
    await page.close();
  }
  await ctx.close();
  times.sort((a, b) => a - b);
  return { load_ms: Math.round(times[1]), page_errors: errors };
}

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
for (const n of sizes) {
  const input = join(dir, `scored-${n}.jsonl`);
  await writeRows(input, n);
  const html = join(dir, `report-${n}.html`);
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [BIN, "report", "-i", input, "-o", html, "--group-by", "prompt_id", "--label", "label"],
    { encoding: "utf8", maxBuffer: 1 << 26 },
  );
  const build = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`report failed: ${r.stderr}`);
  const res = {
    rows: n,
    input_mb: +(statSync(input).size / 1e6).toFixed(1),
    build_s: +build.toFixed(2),
    html_kb: Math.round(statSync(html).size / 1024),
    ...(await loadTime(html)),
  };
  console.log(JSON.stringify(res));
  rmSync(input);
}
rmSync(dir, { recursive: true, force: true });
