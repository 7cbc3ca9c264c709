// Math rows for the CLI benchmarks: the labelled corpus in fixtures/math/ (default config, no hostile
// inputs), repeated to `n` rows of {id, completion, reference}. `node bench/math-rows.js N > rows.jsonl`.
import { readdirSync, readFileSync } from "node:fs";

export function mathCorpus() {
  const dir = new URL("../fixtures/math/", import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl") && !f.startsWith("hostile"))
    .flatMap((f) =>
      readFileSync(new URL(f, dir), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    )
    .filter((c) => !c.config || Object.keys(c.config).length === 0)
    .map((c) => ({ completion: c.completion ?? c.pred, reference: c.gold }));
}

export function* mathRows(n, { groupSize = 0 } = {}) {
  const corpus = mathCorpus();
  for (let i = 0; i < n; i++) {
    const c = corpus[i % corpus.length];
    yield groupSize ? { id: i, prompt: `p${Math.floor(i / groupSize)}`, ...c } : { id: i, ...c };
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const n = Number(process.argv[2] ?? 20000);
  const groupSize = Number(process.argv[3] ?? 0);
  let buf = "";
  for (const r of mathRows(n, { groupSize })) {
    buf += `${JSON.stringify(r)}\n`;
    if (buf.length > 1 << 20) {
      process.stdout.write(buf);
      buf = "";
    }
  }
  process.stdout.write(buf);
}
