// npm run bench:core — samples/s for a three-level spec of format checks (fixtures/examples/format-3level.json),
// in-process and over HTTP (a real `rewardkit serve` process on loopback) with batches of 256.
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { loadReward } from "../dist/index.js";
import { printTable, startServer, summarize } from "./common.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SPEC = `${ROOT}fixtures/examples/format-3level.json`;
const BATCH = 256;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 80);

function makeSamples(n) {
  const out = [];
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const words = "first we compute the sum then check each term carefully so the total is".split(" ");
  for (let i = 0; i < n; i++) {
    const think = Array.from(
      { length: 20 + Math.floor(rnd() * 200) },
      () => words[Math.floor(rnd() * words.length)],
    ).join(" ");
    const answer = rnd() < 0.7 ? String(Math.floor(rnd() * 100)) : "about twelve";
    const kind = rnd();
    const completion =
      kind < 0.75
        ? `<think>${think}</think>\n<answer>${answer}</answer>`
        : kind < 0.9
          ? `${think} The answer is ${answer}.`
          : `<think>${think}</think> extra <answer>${answer}</answer>`;
    out.push({ id: i, completion, reference: String(Math.floor(rnd() * 100)) });
  }
  return out;
}

async function inProcess(samples) {
  const reward = loadReward(SPEC);
  await reward.scoreBatch(samples.slice(0, BATCH)); // warm-up
  const lat = [];
  const t0 = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const t = performance.now();
    await reward.scoreBatch(samples.slice(b * BATCH, (b + 1) * BATCH));
    lat.push(performance.now() - t);
  }
  return summarize("in-process, batches of 256", lat, BATCHES * BATCH, performance.now() - t0);
}

async function overHttp(samples, clients, components = "tree") {
  const { url, child } = await startServer(SPEC);
  try {
    const post = (batch) =>
      fetch(`${url}/v1/score`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ samples: batch, components }),
      }).then((r) => r.json());
    await post(samples.slice(0, BATCH));
    const lat = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < BATCHES) {
          const b = next++;
          const t = performance.now();
          const res = await post(samples.slice(b * BATCH, (b + 1) * BATCH));
          if (res.results?.length !== BATCH)
            throw new Error(`bad response: ${JSON.stringify(res).slice(0, 200)}`);
          lat.push(performance.now() - t);
        }
      }),
    );
    return summarize(
      `HTTP /v1/score, 256/batch, ${clients} client(s), components ${components}`,
      lat,
      BATCHES * BATCH,
      performance.now() - t0,
    );
  } finally {
    child.kill("SIGTERM");
  }
}

const samples = makeSamples(BATCH * BATCHES);
const rows = [
  await inProcess(samples),
  await overHttp(samples, 1),
  await overHttp(samples, 1, "flat"),
  await overHttp(samples, 2, "flat"),
];
console.log(
  `rewardkit bench:core — ${SPEC.replace(ROOT, "")}, ${availableParallelism()} cores, node ${process.version}`,
);
printTable(rows);
const overhead = (r) => `${((rows[0].per_s / r.per_s - 1) * 100).toFixed(1)}%`;
console.log(
  `HTTP overhead with 1 client: ${overhead(rows[1])} with the result tree, ${overhead(rows[2])} with flat components (extra time per sample over in-process)`,
);
