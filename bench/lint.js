// Benchmark of `rewardkit lint` (npm run bench:lint): variations checked per second on the math and
// think-answer presets (and think-format), and the wall time of a default run (1,000 variations) over 50
// seed samples (fixtures/lint/<preset>.jsonl, repeated up to 50). Runs on the built library (dist/).
// `--code` adds the code preset (sandboxed runs, 200 variations). Target: a default run under 30 s on 2 cores.
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { closeSharedPool } from "../dist/index.js";
import { DEFAULT_RUNS, lintSpec } from "../dist/lint/index.js";

const SEED = 20261122;
const SAMPLES = 50;

function seeds(preset) {
  const rows = readFileSync(new URL(`../fixtures/lint/${preset}.jsonl`, import.meta.url), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const out = [];
  for (let k = 0; out.length < SAMPLES; k++) {
    const r = rows[k % rows.length];
    out.push(k < rows.length ? r : { ...r, id: `${r.id ?? k}#${Math.floor(k / rows.length)}` });
  }
  return out.slice(0, Math.max(SAMPLES, rows.length));
}

async function bench(preset, runs) {
  const samples = seeds(preset);
  const t0 = performance.now();
  const r = await lintSpec(preset, samples, { runs, seed: SEED });
  const wall = (performance.now() - t0) / 1000;
  const applied = r.checks.filter((c) => c.status !== "n/a").length;
  return {
    preset,
    samples: samples.length,
    checks: applied,
    variations: r.variations,
    wall_s: +wall.toFixed(2),
    variations_per_s: Math.round(r.variations / wall),
    violations: r.violations,
  };
}

const rows = [];
for (const preset of ["math", "think-answer", "think-format"]) rows.push(await bench(preset, DEFAULT_RUNS));
if (process.argv.includes("--code")) rows.push(await bench("code", 200));
await closeSharedPool();

console.log(`rewardkit lint, ${availableParallelism()} cores, load ${loadavg()[0].toFixed(2)}, seed ${SEED}`);
console.table(rows);
const worst = Math.max(...rows.filter((r) => r.preset !== "code").map((r) => r.wall_s));
console.log(
  `default run (${DEFAULT_RUNS} variations, ${SAMPLES} samples): ${worst} s at worst (target < 30 s on 2 cores)`,
);
