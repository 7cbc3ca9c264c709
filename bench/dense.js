// npm run bench:dense — dense rewards on 4k-token completions: segmentation + per-segment spans, the
// arithmetic process verifier, and projection of spans onto 4,096 token offsets.
import { availableParallelism } from "node:os";
import { closeSharedPool, loadReward, projectSpans, segment } from "../dist/index.js";
import { printTable, summarize } from "./common.js";

const N = Number(process.env.BENCH_N ?? 200);
const TOKENS = 4096;

function completion(seed) {
  const steps = [];
  let chars = 0;
  for (let k = 1; chars < TOKENS * 4; k++) {
    const a = (seed * 7 + k * 13) % 97;
    const b = (seed + k * 5) % 89;
    const wrong = (seed + k) % 11 === 0 ? 1 : 0;
    const s = `Step ${k}: We multiply the counts, so $${a} \\times ${b} = ${a * b + wrong}$. Then we carry on with the remaining terms of the sum. This keeps the total consistent.`;
    steps.push(s);
    chars += s.length + 2;
  }
  return steps.join("\n\n");
}

function offsetsFor(text) {
  // 4,096 contiguous tokens covering the text (the shape of a real tokenizer's offset list).
  const out = [];
  const step = text.length / TOKENS;
  for (let i = 0; i < TOKENS; i++) out.push([Math.floor(i * step), Math.floor((i + 1) * step)]);
  out[TOKENS - 1][1] = text.length;
  return out;
}

async function time(name, items, fn) {
  const lat = [];
  const t0 = performance.now();
  for (let i = 0; i < items; i++) {
    const t = performance.now();
    await fn(i);
    lat.push(performance.now() - t);
  }
  return summarize(name, lat, items, performance.now() - t0);
}

const texts = Array.from({ length: N }, (_, i) => completion(i + 1));
const offsets = texts.map(offsetsFor);
const perSentence = loadReward({
  type: "per_segment",
  segmenter: "sentences",
  term: { type: "regex", pattern: "\\d" },
});
const arithmetic = loadReward({ type: "arithmetic", propagation: "independent" });

const segRow = await time("segment into steps (per completion)", N, (i) => segment(texts[i], "steps"));
let spanCount = 0;
const perSegRow = await time("per_segment(sentences, regex): spans", N, async (i) => {
  const r = await perSentence.score({ completion: texts[i] });
  spanCount += r.spans.length;
});
const spansPerSec = Math.round(spanCount / (perSegRow.wall_s || 1));
await arithmetic.score({ completion: texts[0] }); // warm the pool
const arithRow = await time("arithmetic process verifier (pool)", N, (i) =>
  arithmetic.score({ completion: texts[i] }),
);
const scored = await Promise.all(texts.slice(0, 20).map((t) => perSentence.score({ completion: t })));
const projRow = await time("project spans onto 4,096 tokens (span_end)", N, (i) =>
  projectSpans(scored[i % 20].spans, offsets[i % 20], "span_end"),
);
const projU = await time("project spans onto 4,096 tokens (uniform)", N, (i) =>
  projectSpans(scored[i % 20].spans, offsets[i % 20], "uniform"),
);
await closeSharedPool();

console.log(
  `rewardkit bench:dense — ${N} completions of ~${TOKENS} tokens (${texts[0].length} chars, ${scored[0].spans.length} sentence spans each), ${availableParallelism()} cores, node ${process.version}`,
);
printTable([segRow, perSegRow, arithRow, projRow, projU]);
console.log(`spans produced per second (per_segment): ${spansPerSec}`);
