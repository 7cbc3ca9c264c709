// Benchmark of the math verifier (npm run bench:math) on the labelled corpus in fixtures/math/:
// microseconds per check in-process (checkMath: extraction, parsing, equivalence), per check through the
// worker pool (the verifier as a spec runs it: clone, post, run, reply), and checks per second with the
// pool on every core. Runs on the built library (dist/).
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { closeSharedPool, configureSharedPool, loadReward } from "../dist/index.js";
import { checkMath } from "../dist/verifiers/math/index.js";
import { percentile } from "./common.js";

const cores = availableParallelism();
const dir = new URL("../fixtures/math/", import.meta.url);
const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".jsonl"))
  .flatMap((f) =>
    readFileSync(new URL(f, dir), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  );
const camel = (k) => k.replace(/_(\w)/g, (_, c) => c.toUpperCase());
const prepared = cases.map((c) => ({
  id: c.id,
  category: c.category,
  completion: c.completion ?? c.pred,
  gold: c.gold,
  config: c.config ?? {},
  options: Object.fromEntries(Object.entries(c.config ?? {}).map(([k, v]) => [camel(k), v])),
}));

function stats(us) {
  const s = [...us].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return {
    n: s.length,
    median: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[s.length - 1],
    mean,
  };
}
const f1 = (x) => x.toFixed(1).padStart(9);

console.log(
  `math verifier benchmark: ${prepared.length} corpus cases, ${cores} cores, node ${process.version}, load average ${loadavg()[0].toFixed(1)}`,
);

// ---- in-process: every case, many rounds, after a warm-up
const ROUNDS = 30;
for (let r = 0; r < 10; r++) for (const c of prepared) checkMath(c.completion, c.gold, c.options);
const inproc = [];
const byCategory = new Map();
for (let r = 0; r < ROUNDS; r++) {
  for (const c of prepared) {
    const t0 = process.hrtime.bigint();
    checkMath(c.completion, c.gold, c.options);
    const us = Number(process.hrtime.bigint() - t0) / 1000;
    inproc.push(us);
    if (!byCategory.has(c.category)) byCategory.set(c.category, []);
    byCategory.get(c.category).push(us);
  }
}
const ip = stats(inproc);
const ordinary = stats([...byCategory].filter(([c]) => !c.startsWith("hostile")).flatMap(([, us]) => us));
console.log("\nin-process (checkMath), microseconds per check");
console.log("set                                            checks    median       p90       p99       max");
console.log(
  `${"all".padEnd(45)} ${String(ip.n).padStart(7)} ${f1(ip.median)} ${f1(ip.p90)} ${f1(ip.p99)} ${f1(ip.max)}`,
);
console.log(
  `${"all but the hostile inputs".padEnd(45)} ${String(ordinary.n).padStart(7)} ${f1(ordinary.median)} ${f1(ordinary.p90)} ${f1(ordinary.p99)} ${f1(ordinary.max)}`,
);
for (const [cat, us] of byCategory) {
  const s = stats(us);
  console.log(
    `${cat.slice(0, 45).padEnd(45)} ${String(s.n).padStart(7)} ${f1(s.median)} ${f1(s.p90)} ${f1(s.p99)} ${f1(s.max)}`,
  );
}
console.log(
  `single-thread throughput: ${Math.round(1e6 / ip.mean)} checks/s (mean ${ip.mean.toFixed(1)} us)`,
);

// ---- through the worker pool: the verifier as a spec runs it
configureSharedPool({ threads: cores });
const rewards = new Map();
const rewardFor = (c) => {
  const key = JSON.stringify(c.config);
  if (!rewards.has(key)) rewards.set(key, loadReward({ type: "math", ...c.config }));
  return rewards.get(key);
};
const sample = (c) => ({ completion: c.completion, reference: c.gold });
// Warm-up: starts the threads and loads the task module on each.
for (let r = 0; r < 3; r++) await Promise.all(prepared.map((c) => rewardFor(c).score(sample(c))));

const pooled = [];
for (let r = 0; r < 5; r++) {
  for (const c of prepared) {
    const t0 = process.hrtime.bigint();
    await rewardFor(c).score(sample(c));
    pooled.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
}
const pl = stats(pooled);
console.log(
  "\nthrough the worker pool, one check in flight, microseconds per check (wall, including the hand-off)",
);
console.log(
  `median ${pl.median.toFixed(1)}  p90 ${pl.p90.toFixed(1)}  p99 ${pl.p99.toFixed(1)}  max ${pl.max.toFixed(1)}  (${pl.n} checks)`,
);

// ---- throughput: the whole corpus many times, many in flight, the pool on every core
const reward = loadReward({ type: "math" });
const batch = [];
for (let r = 0; r < 20; r++)
  for (const c of prepared) if (Object.keys(c.config).length === 0) batch.push(sample(c));
const t0 = performance.now();
const results = await reward.scoreBatch(batch, { concurrency: 64 });
const wall = (performance.now() - t0) / 1000;
const slow = results.filter((r) => r.ms > 200).length;
const timeouts = results.filter((r) => r.error?.kind === "timeout").length;
console.log(
  `\nthroughput with the pool on ${cores} cores, 64 in flight: ${Math.round(batch.length / wall)} checks/s (${batch.length} checks in ${wall.toFixed(2)} s); ${slow} over 200 ms, ${timeouts} timeouts`,
);

console.log(
  `load average after the run: ${loadavg()[0].toFixed(1)} (other processes on these cores inflate the tails)`,
);
console.log("\nMath-Verify (published, same kind of machine): median 6000 us, p99 250000 us per check");
console.log(
  `speed-up in-process: median x${Math.round(6000 / ip.median)}, p99 x${Math.round(250000 / ip.p99)}; through the pool: median x${Math.round(6000 / pl.median)}, p99 x${Math.round(250000 / pl.p99)}`,
);
await closeSharedPool();
