// npm run bench:server-loop — how long the reward server holds its event loop under big requests: for
// each request below, /health and /metrics latency from probes in separate processes (p50/p99/max), and
// from inside the server (bench/loop-turns.js) the longest turns of its event loop in its own CPU time
// (what the server blocks for, whatever the machine's load) and in wall time. REPS=n repeats each request.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { percentile } from "./common.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const N = Number(process.env.BENCH_BATCH ?? 65536);
const REPS = Number(process.env.REPS ?? 1);
const TURNS = join(tmpdir(), `rk-turns-${process.pid}.json`);

const child = spawn(
  process.execPath,
  [
    "--import",
    `${ROOT}bench/loop-turns.js`,
    `${ROOT}bin/rewardkit.js`,
    "serve",
    "--port",
    "0",
    "--spec",
    "think-answer",
  ],
  { env: { ...process.env, REWARDKIT_TURNS_FILE: TURNS } },
);
const url = await new Promise((resolve, reject) => {
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
    const m = /listening at (http:\/\/[^\s"]+)/i.exec(out);
    if (m) resolve(m[1]);
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  child.on("close", () => reject(new Error(out)));
});

const PROBE = `
const [url, every] = process.argv.slice(1);
const lat = [];
let stop = false;
let first = true;
process.on("message", () => { stop = true; });
(async () => {
  while (!stop) {
    const t = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    // The first request is the probe's own start (fetch loads undici and connects), as in
    // test/load/helpers.ts: not a latency of the server.
    if (first) first = false;
    else lat.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, Number(every)));
  }
  process.send({ lat }, () => process.exit(0));
})();`;
function probe(u, every) {
  const c = spawn(process.execPath, ["-e", PROBE, u, String(every)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const out = new Promise((r) => c.on("message", (m) => r(m.lat)));
  return {
    stop: () => {
      c.send("stop");
      return out;
    },
  };
}

function samples(n, pad = "") {
  return Array.from({ length: n }, (_, i) => ({
    completion: `<think>we add ${i} and ${i % 7}${pad}</think>\n<answer>${(i * 3) % 11}</answer>`,
    reference: String(i % 11),
  }));
}
const line = JSON.stringify({
  completion: `<think>${'a \\"quoted\\" é step\n'.repeat(145_000)}</think>\n<answer>4</answer>`,
  reference: "4",
});
const json = "application/json";
const requests = [
  [`/v1/score, ${N} samples`, "/v1/score", () => JSON.stringify({ samples: samples(N) }), json],
  [
    `/get_reward, ${N} queries`,
    "/get_reward",
    () => {
      const s = samples(N);
      return JSON.stringify({
        query: s.map((x) => `prompt ${x.completion}<|im_end|>`),
        prompts: Array(N).fill("prompt "),
        labels: s.map((x) => x.reference),
      });
    },
    json,
  ],
  [
    "/get_reward, 1,000,000 queries (413)",
    "/get_reward",
    () => JSON.stringify({ query: Array.from({ length: 1_000_000 }, (_, i) => `q${i % 10}`) }),
    json,
  ],
  [
    `/v1/score, ${N} samples in groups of 8`,
    "/v1/score",
    () =>
      JSON.stringify({
        samples: samples(N).map((x, i) => ({ ...x, prompt: `p${i >> 3}` })),
        group: { by: "{{prompt}}" },
      }),
    json,
  ],
  [
    `/v1/score, ${N} samples of 1 KB`,
    "/v1/score",
    () => JSON.stringify({ samples: samples(N, " and so on".repeat(90)) }),
    json,
  ],
  [
    "/v1/score/stream, two 3.5 MB lines",
    "/v1/score/stream",
    () => `${line}\n${line}\n`,
    "application/x-ndjson",
  ],
];

const windows = [];
const rows = [];
for (let rep = 0; rep < REPS; rep++) {
  for (const [name, path, body, type] of requests) {
    const text = body();
    const h = probe(`${url}/health`, 5);
    const m = probe(`${url}/metrics`, 20);
    await new Promise((r) => setTimeout(r, 300));
    const from = Number(process.hrtime.bigint() / 1000n);
    const t0 = performance.now();
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": type },
      body: text,
    });
    await res.arrayBuffer();
    const wall = performance.now() - t0;
    const to = Number(process.hrtime.bigint() / 1000n);
    await new Promise((r) => setTimeout(r, 50));
    const [hl, ml] = [await h.stop(), await m.stop()];
    windows.push([from, to]);
    rows.push({ name, status: res.status, wall, hl, ml, load: loadavg()[0] });
  }
}
child.kill("SIGTERM");
await new Promise((r) => child.on("close", r));
const t = JSON.parse(readFileSync(TURNS, "utf8"));
const f = (x) => x.toFixed(1);
const pct = (xs, p) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    p,
  );
const table = (head, body) =>
  console.log([head, head.map(() => "---"), ...body].map((r) => `| ${r.join(" | ")} |`).join("\n"));
table(
  [
    "request",
    "status",
    "ms",
    "/health p50 / p99 / max",
    "/metrics p50 / p99 / max",
    "turn CPU p99 / max",
    "turn wall p99 / max",
    "load",
  ],
  rows.map((r, k) => {
    const [from, to] = windows[k];
    const cpu = [];
    const wall = [];
    for (let i = 0; i < t.length; i += 3) {
      if (t[i] < from || t[i + 1] > to) continue;
      cpu.push(t[i + 2] / 1000);
      wall.push((t[i + 1] - t[i]) / 1000);
    }
    return [
      r.name,
      r.status,
      Math.round(r.wall),
      `${f(pct(r.hl, 50))} / ${f(pct(r.hl, 99))} / ${f(pct(r.hl, 100))}`,
      `${f(pct(r.ml, 50))} / ${f(pct(r.ml, 99))} / ${f(pct(r.ml, 100))}`,
      `${f(pct(cpu, 99))} / ${f(pct(cpu, 100))}`,
      `${f(pct(wall, 99))} / ${f(pct(wall, 100))}`,
      r.load.toFixed(1),
    ];
  }),
);
