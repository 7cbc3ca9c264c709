// npm run bench:rm — the reward_model node's throughput and overhead, in-process, against a local server
// speaking vLLM's /classify protocol (test/reward-models/rm-server.ts, a Bradley-Terry model trained at
// start-up; loaded with Node's type stripping), at batch sizes 1, 16 and 128:
//   raw       the same texts POSTed straight to the server in requests of B texts, 16 in flight (what the
//             node is configured with): the HTTP round trip and the model, nothing of rewardkit;
//   node      reward.scoreBatch over the samples, reward_model batch_size B, cache off;
//   overhead  (node - raw) wall time per sample: rewardkit's batching, rendering, parsing, results.
//   warm      the node again over the same samples with the cache on (every answer a hit).
import { loadReward } from "../dist/index.js";
import { clearJudgeCache } from "../dist/rubrics/index.js";
import { printTable } from "./common.js";

const { startRmServer, trainToyModel, toyPreferences } = await import("../test/reward-models/rm-server.ts");

const N = Number(process.env.BENCH_SAMPLES ?? 4096);
const CONC = 16;
const srv = await startRmServer(trainToyModel());
const pairs = toyPreferences(N / 2, 99);
const samples = pairs.flatMap((p, i) => [
  { prompt: `${p.prompt} (#${i})`, completion: p.chosen },
  { prompt: `${p.prompt} (#${i})`, completion: p.rejected },
]);
const texts = samples.map((s) => `${s.prompt} ${s.completion}`);

async function raw(batch) {
  const chunks = [];
  for (let i = 0; i < texts.length; i += batch) chunks.push(texts.slice(i, i + batch));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < chunks.length) {
        const c = chunks[next++];
        const res = await fetch(`${srv.baseUrl}/classify`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "toy", input: c, use_activation: false }),
        });
        const j = await res.json();
        if (j.data.length !== c.length) throw new Error("short answer");
      }
    }),
  );
  return performance.now() - t0;
}

async function node(batch, cache) {
  const reward = loadReward({
    type: "reward_model",
    protocol: "vllm_classify",
    format: "text",
    text: "{{prompt}} {{completion}}",
    base_url: srv.baseUrl,
    model: "toy",
    range: [-100, 100],
    batch_size: batch,
    batch_wait_ms: 2,
    max_concurrency: CONC,
    cache,
  });
  const run = async () => {
    const t0 = performance.now();
    const rs = await reward.scoreBatch(samples, { concurrency: Math.min(4096, batch * CONC) });
    const ms = performance.now() - t0;
    if (rs.some((r) => r.status !== "ok"))
      throw new Error(`not ok: ${JSON.stringify(rs.find((r) => r.status !== "ok"))}`);
    return ms;
  };
  if (!cache) return run();
  await run();
  return run(); // every answer from the cache
}

const rows = [];
for (const b of [1, 16, 128]) {
  await raw(b); // warm-up (JIT, sockets)
  clearJudgeCache();
  await node(b, false);
  const tRaw = await raw(b);
  const before = srv.requests.length;
  const tNode = await node(b, false);
  const requests = srv.requests.length - before;
  clearJudgeCache();
  const tWarm = await node(b, true);
  rows.push({
    batch: b,
    samples: N,
    requests,
    raw_per_s: Math.round(N / (tRaw / 1000)),
    node_per_s: Math.round(N / (tNode / 1000)),
    overhead_us_per_sample: +(((tNode - tRaw) / N) * 1000).toFixed(1),
    node_over_raw: +(tNode / tRaw).toFixed(2),
    warm_cache_per_s: Math.round(N / (tWarm / 1000)),
  });
  srv.requests.length = 0;
}
printTable(rows);
await srv.close();
