// npm run bench:server — the reward server under autocannon on loopback: samples/s and p50/p99 latency
// for single-sample and 256-sample requests of a format spec and of the math spec, beside the in-process
// library figure on the same samples, so the HTTP overhead is a ratio.
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { closeSharedPool, loadReward } from "../dist/index.js";
import { percentile, printTable, startServer } from "./common.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const FORMAT_SPEC = `${ROOT}fixtures/examples/format-3level.json`;

function formatSamples(n) {
  return Array.from({ length: n }, (_, i) => ({
    completion: `<think>${"we add the terms and check the sum ".repeat(4 + (i % 20))}</think>\n<answer>${i % 100}</answer>`,
    reference: String((i * 7) % 100),
  }));
}

function mathSamples(n) {
  const golds = ["\\frac{1}{2}", "3\\sqrt{2}", "x^2+2x+1", "(1, 2)", "[0, 1)", "42", "\\pi/4", "2.5"];
  const preds = ["0.5", "\\sqrt{18}", "(x+1)^2", "(2, 1)", "[0,1)", "42.0", "\\frac{\\pi}{4}", "5/2"];
  return Array.from({ length: n }, (_, i) => ({
    completion: `Let me work through it step by step. ... So the answer is $\\boxed{${preds[i % preds.length]}}$.`,
    reference: golds[i % golds.length],
  }));
}

function cannon(url, path, body, connections) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}${path}`,
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        connections,
        duration: DURATION,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

async function inProcess(spec, samples, batch) {
  const reward = loadReward(spec);
  const batches = [];
  for (let i = 0; i + batch <= samples.length; i += batch) batches.push(samples.slice(i, i + batch));
  await reward.scoreBatch(batches[0]);
  const lat = [];
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < DURATION * 1000) {
    const t = performance.now();
    await reward.scoreBatch(batches[n % batches.length], { concurrency: 64 });
    lat.push(performance.now() - t);
    n++;
  }
  const wall = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return {
    per_s: Math.round((n * batch) / wall),
    p50_ms: +percentile(lat, 50).toFixed(3),
    p99_ms: +percentile(lat, 99).toFixed(3),
  };
}

const rows = [];
for (const [name, spec, make] of [
  ["format (3-level)", FORMAT_SPEC, formatSamples],
  ["math", "math", mathSamples],
]) {
  const samples = make(256);
  const lib1 = await inProcess(spec, samples, 1);
  const lib256 = await inProcess(spec, samples, 256);
  await closeSharedPool();
  const { url, child } = await startServer(spec);
  try {
    for (const [batch, connections, components] of [
      [1, 1, "tree"],
      [1, 8, "tree"],
      [256, 1, "tree"],
      [256, 1, "flat"],
      [256, 4, "tree"],
    ]) {
      const body = JSON.stringify({ samples: samples.slice(0, batch), components });
      const r = await cannon(url, "/v1/score", body, connections);
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`);
      const perS = Math.round((r.requests.total * batch) / DURATION);
      const lib = batch === 1 ? lib1 : lib256;
      rows.push({
        spec: name,
        batch,
        connections,
        components,
        "http samples/s": perS,
        "http p50 ms": r.latency.p50,
        "http p99 ms": r.latency.p99,
        "in-process samples/s": lib.per_s,
        "in-process p50 ms": lib.p50_ms,
        "overhead %": +((lib.per_s / perS - 1) * 100).toFixed(1),
      });
    }
  } finally {
    child.kill("SIGTERM");
  }
}
console.log(
  `rewardkit bench:server — autocannon ${DURATION} s per row on loopback, server with 1 process, ${availableParallelism()} cores, node ${process.version}`,
);
printTable(rows);
console.log(
  "overhead %: extra time per sample over HTTP compared with the in-process library on the same samples; components: the whole result tree, or component rewards by dotted path",
);
