// Benchmark of the code verifier (npm run bench:code): programs per second and p50/p99 latency of each
// runtime on trivial programs, then the wall time to score all 164 HumanEval canonical solutions with
// Pyodide and with the process runtime. Runs on the built library (dist/).
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { gunzipSync } from "node:zlib";
import { loadReward } from "../dist/index.js";
import { sandboxFacts } from "../dist/verifiers/code/runtimes/sandbox.js";

const cores = availableParallelism();

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function batch(spec, samples, concurrency = 64) {
  const reward = loadReward(spec);
  const t0 = performance.now();
  const results = await reward.scoreBatch(samples, { concurrency });
  const wall = (performance.now() - t0) / 1000;
  const bad = results.filter((r) => r.status !== "ok" || r.reward !== 1);
  if (bad.length)
    throw new Error(`${bad.length} unexpected results, e.g. ${JSON.stringify(bad[0]).slice(0, 400)}`);
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  return { wall, n: samples.length, p50: pct(ms, 50), p99: pct(ms, 99) };
}

const trivial = {
  python: (i) => ({
    completion: `\`\`\`python\ndef f(x):\n    return x + ${i}\n\`\`\``,
    reference: { format: "asserts", tests: [`assert f(1) == ${i + 1}`] },
  }),
  js: (i) => ({
    completion: `\`\`\`js\nfunction f(x) { return x + ${i} }\n\`\`\``,
    reference: { language: "js", format: "asserts", tests: [`if (f(1) !== ${i + 1}) throw new Error("no")`] },
  }),
};

const runs = [
  { name: "js (isolated-vm)", spec: { type: "code", language: "js" }, make: trivial.js, n: 3000 },
  { name: "python (Pyodide)", spec: { type: "code" }, make: trivial.python, n: 1500 },
  {
    name: "process: python3",
    spec: { type: "code", runtime: { python: "process" } },
    make: trivial.python,
    n: 200,
  },
  {
    name: "process: node",
    spec: { type: "code", language: "js", runtime: { js: "process" } },
    make: trivial.js,
    n: 100,
  },
];

const f = sandboxFacts();
console.log(
  `code verifier benchmark: ${cores} cores, load average ${loadavg()[0].toFixed(1)}, node ${process.version}, process sandbox: ${f.bwrapWorks ? "bwrap" : "none (rlimits only)"}${f.root ? " (root: a uid per run)" : ""}`,
);
console.log(
  "\ntrivial programs (one function, one assert): throughput with 64 samples in flight; latency of one",
);
console.log("sample with as many in flight as cores (no queueing)");
console.log("runtime               programs   programs/s    p50 ms    p99 ms");
for (const r of runs) {
  // Warm up: starts the isolates / interpreters (Pyodide takes seconds) before anything is timed.
  await batch(
    r.spec,
    Array.from({ length: cores * 4 }, (_, i) => r.make(i)),
  );
  const s = await batch(
    r.spec,
    Array.from({ length: r.n }, (_, i) => r.make(i + 1000)),
  );
  const l = await batch(
    r.spec,
    Array.from({ length: Math.min(r.n, 400) }, (_, i) => r.make(i + 5000)),
    cores,
  );
  console.log(
    `${r.name.padEnd(20)} ${String(s.n).padStart(9)} ${(s.n / s.wall).toFixed(0).padStart(12)} ${l.p50.toFixed(1).padStart(9)} ${l.p99.toFixed(1).padStart(9)}`,
  );
}

const he = gunzipSync(
  readFileSync(new URL("../fixtures/datasets/humaneval/HumanEval.jsonl.gz", import.meta.url)),
)
  .toString("utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const samples = he.map((p) => ({
  completion: p.canonical_solution,
  reference: { format: "humaneval", prompt: p.prompt, test: p.test, entry_point: p.entry_point },
}));
console.log(`\nHumanEval: all ${he.length} canonical solutions (each must score 1; warm interpreters)`);
for (const [name, spec] of [
  ["python (Pyodide)", { type: "code" }],
  [
    `process (${f.bwrapWorks ? "bwrap" : "none (rlimits only)"})`,
    { type: "code", runtime: { python: "process" }, sandbox: f.bwrapWorks ? "auto" : "none" },
  ],
]) {
  const s = await batch(spec, samples);
  console.log(
    `${name.padEnd(24)} wall ${s.wall.toFixed(2)} s   (p50 ${s.p50.toFixed(0)} ms, p99 ${s.p99.toFixed(0)} ms per problem)`,
  );
}
process.exit(0);
