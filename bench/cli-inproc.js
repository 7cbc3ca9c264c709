// The in-process rate for the CLI benchmark: `rewardkit score`'s own pipeline (dist/cli/score.js) with
// the math check called on the main thread instead of in the pool, so one thread does everything.
// `node bench/cli-inproc.js rows.jsonl`: prints {rows, wall_s, cpu_s} as JSON.
import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { runScore } from "../dist/cli/score.js";
import { renderText, renderTextList } from "../dist/core/index.js";
import { loadReward, registerVerifier } from "../dist/index.js";
import { builtinVerifiers } from "../dist/verifiers/index.js";
import { checkMath, toOutcome } from "../dist/verifiers/math/index.js";

const math = builtinVerifiers.find((v) => v.type === "math");
registerVerifier({
  ...math,
  type: "math_in_process",
  managesDeadline: false,
  verify(sample, c) {
    const completion = renderText(c.input, sample, "input");
    const golds = renderTextList(c.reference, sample, "reference");
    return toOutcome(checkMath(completion, golds, c.options));
  },
});
const reward = loadReward({ type: "math_in_process", name: "math" });
let bytes = 0;
const sink = new Writable({
  write(chunk, _enc, cb) {
    bytes += chunk.length;
    cb();
  },
});
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const summary = await runScore({
  reward,
  input: createReadStream(process.argv[2]),
  output: sink,
  explain: null,
  writeRows: true,
  concurrency: 32,
  components: "tree",
  progress: null,
});
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    rows: summary.rows,
    wall_s: (performance.now() - t0) / 1000,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    bytes,
  }),
);
