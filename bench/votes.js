// Majority votes over one group of distinct answers (the issue 14 cases): decimals in one decade, which
// written precision makes comparable, and expressions. Through applyGroups with the math equivalence, as a
// spec's `group.vote` runs it (in the worker pool, under the vote's 10 s deadline). `node bench/votes.js
// [dist directory]` prints the figures; bench/all.js puts them in its table.
import { fileURLToPath } from "node:url";

export const VOTE_CASES = [
  { name: "decimals", make: (n) => Array.from({ length: n }, (_, i) => (1 + i / 1000).toFixed(3)) },
  {
    name: "expressions",
    make: (n) => Array.from({ length: n }, (_, i) => `${(i % 64) + 1}x^2+${Math.floor(i / 64) + 1}x+1`),
  },
];
export const VOTE_SIZES = [512, 4096];

/** Milliseconds of one vote over `answers` in one group, or the error the group's vote reports. */
export async function timeVote(applyGroups, answers) {
  const samples = answers.map((a) => ({ prompt: "p", completion: a }));
  const results = samples.map(() => ({ status: "ok", reward: 1, ms: 0 }));
  const t = performance.now();
  const { results: out } = await applyGroups(samples, results, {
    by: "prompt",
    vote: { input: "{{completion}}", equivalence: "math" },
  });
  const ms = performance.now() - t;
  const v = out[0].group.vote;
  return v.error ? { ms, error: v.error } : { ms, classes: v.classes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = process.argv[2] ?? new URL("../dist/", import.meta.url).pathname;
  const { applyGroups, closeSharedPool } = await import(`${dist.replace(/\/$/, "")}/index.js`);
  await timeVote(applyGroups, ["1", "2"]); // starts the pool's workers
  for (const c of VOTE_CASES) {
    for (const n of VOTE_SIZES) {
      const r = await timeVote(applyGroups, c.make(n));
      console.log(
        `${n} distinct ${c.name}: ${r.error ? `error after ${r.ms.toFixed(0)} ms: ${r.error}` : `${r.ms.toFixed(0)} ms, ${r.classes} classes`}`,
      );
    }
  }
  await closeSharedPool();
}
