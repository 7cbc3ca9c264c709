// npm run build && node bench/rubrics.js — rubric throughput, in-process:
//   programmatic   fixtures/rubrics/capital-answer.json (four criteria judged by regex/contains/length);
//   llm cold       four LLM-judged criteria, one batched call per sample, against a local stand-in judge
//                  (a real HTTP server on loopback that answers at once): the client's own overhead;
//   llm warm       the same samples again, answered from the judge cache.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { loadReward } from "../dist/index.js";
import { clearJudgeCache } from "../dist/rubrics/index.js";
import { printTable, summarize } from "./common.js";

const N = Number(process.env.BENCH_SAMPLES ?? 2000);
const spec = JSON.parse(
  readFileSync(new URL("../fixtures/rubrics/capital-answer.json", import.meta.url), "utf8"),
);

const answers = [
  "According to the atlas, the capital is Canberra.",
  "I think it is Sydney.",
  "Canberra.",
  "The capital is Canberra, not Sydney, according to the government.",
];
const samples = Array.from({ length: N }, (_, i) => ({
  id: i,
  completion: `${answers[i % answers.length]} (#${i})`,
  reference: "Canberra",
}));

async function timed(name, reward) {
  const lat = [];
  const t0 = performance.now();
  await reward.scoreBatch(samples, { concurrency: 64, onResult: (_, r) => lat.push(r.ms) });
  return summarize(name, lat, samples.length, performance.now() - t0);
}

// A stand-in judge: every criterion listed in the prompt is met.
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => {
    body += c;
  });
  req.on("end", () => {
    const prompt = JSON.parse(body).messages.find((m) => m.role === "user").content;
    const verdicts = prompt
      .split("\n")
      .filter((l) => l.startsWith('{"id":'))
      .map((l) => ({ id: JSON.parse(l).id, reason: "ok", verdict: true }));
    const content = JSON.stringify({ verdicts });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      }),
    );
  });
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const baseUrl = `http://127.0.0.1:${server.address().port}/v1`;

const llmSpec = {
  type: "rubric",
  criteria: [
    { id: "correct", text: "Names 'Canberra'.", category: "essential" },
    { id: "source", text: "Cites a source.", category: "important" },
    { id: "brief", text: "Is brief.", category: "optional" },
    { id: "hedging", text: "Hedges.", category: "pitfall" },
  ],
  judge: { base_url: baseUrl, model: "stand-in", max_concurrency: 16 },
};

const rows = [await timed("programmatic (4 criteria)", loadReward(spec))];
clearJudgeCache();
const llm = loadReward(llmSpec);
rows.push(await timed("llm cold (1 call/sample)", llm));
rows.push(await timed("llm warm (cache hits)", llm));
printTable(rows);
server.close();
