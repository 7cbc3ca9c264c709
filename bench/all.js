// npm run bench: the throughput benchmarks in one table (median, p99, throughput, ratio to the floor,
// ratio to a peer where one runs here), with the date and load average, as Markdown (for
// docs/performance.md). BENCH_ROWS sets the CLI rows (comma-separated; default 20,000 and 1,000,000);
// BENCH_README=1 writes the table into README.md's Performance section (between its bench markers);
// BENCH_ALL=1 then also runs every bench:* script, each printing its own figures.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { applyGroups, closeSharedPool, loadReward, WorkerPool } from "../dist/index.js";
import { checkMath, DEFAULT_OPTIONS } from "../dist/verifiers/math/check.js";
import { percentile } from "./common.js";
import { mathCorpus, mathRows } from "./math-rows.js";
import { timeVote, VOTE_CASES, VOTE_SIZES } from "./votes.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BIN = `${ROOT}bin/rewardkit.js`;
const cores = availableParallelism();
/** CLI row counts, comma-separated (default 20,000 and 1,000,000). */
const ROW_COUNTS = (process.env.BENCH_ROWS || "20000,1000000")
  .split(",")
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const tmp = mkdtempSync(join(tmpdir(), "rk-bench-"));
// The rows files are large (77 MB for 1M rows): gone however the run ends.
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const loads = [loadavg()[0]];
const table = [];
const fmt = (x, d = 0) => (x === null || x === undefined ? "-" : Number(x).toFixed(d));
const row = (name, o) => {
  table.push({ name, ...o });
  loads.push(loadavg()[0]);
  process.stderr.write(`done: ${name}\n`);
};
const median = (xs) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const p99 = (xs) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    99,
  );

/** Runs a command under /usr/bin/time: wall s, CPU s (user + sys), peak RSS in MB. */
function timed(cmd, args) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", cmd, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  const [wall, user, sys, rss] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { wall, cpu: user + sys, rss: rss / 1024 };
}

// ---- the pool's own cost: empty tasks, 256 in flight, every core
{
  const pool = new WorkerPool({ threads: cores });
  const noop = { module: new URL("../dist/core/pool-probe.js", import.meta.url), fn: "noop" };
  const N = 100_000;
  const go = async (n) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        while (next++ < n) await pool.run(noop, null, { timeoutMs: 30_000 });
      }),
    );
  };
  await go(5000);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await go(N);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  row("pool: empty task, 256 in flight", {
    median: `${fmt((c.user + c.system) / N, 1)} µs CPU/task`,
    p99: "-",
    throughput: `${fmt(N / wall)} tasks/s`,
    floor: "-",
    peer: "-",
  });
  await pool.close();
}

// ---- math checks: in-process vs through the pool
const corpus = mathCorpus();
const args = corpus.map((c) => ({
  completion: c.completion,
  golds: [c.reference],
  options: { ...DEFAULT_OPTIONS },
}));
let inprocPerS;
{
  for (const a of args) checkMath(a.completion, a.golds, a.options);
  const lat = [];
  const t0 = performance.now();
  for (let r = 0; r < 20; r++)
    for (const a of args) {
      const t = performance.now();
      checkMath(a.completion, a.golds, a.options);
      lat.push((performance.now() - t) * 1000);
    }
  inprocPerS = lat.length / ((performance.now() - t0) / 1000);
  row("math check, in-process (1 thread)", {
    median: `${fmt(median(lat), 1)} µs`,
    p99: `${fmt(p99(lat), 1)} µs`,
    throughput: `${fmt(inprocPerS)} checks/s`,
    floor: "-",
    peer: "-",
  });
  const pool = new WorkerPool({ threads: cores });
  const task = {
    module: new URL("../dist/verifiers/math/math-task.js", import.meta.url),
    fn: "checkMathTask",
  };
  await Promise.all(args.map((a) => pool.run(task, a, { timeoutMs: 10_000 })));
  const N = 40_000;
  let next = 0;
  const c0 = process.cpuUsage();
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < N) await pool.run(task, args[next++ % args.length], { timeoutMs: 10_000 });
    }),
  );
  const wall = (performance.now() - t1) / 1000;
  const c = process.cpuUsage(c0);
  row(`math check, pool (${cores} threads, 256 in flight)`, {
    median: `${fmt((c.user + c.system) / N, 1)} µs CPU/check`,
    p99: "-",
    throughput: `${fmt(N / wall)} checks/s`,
    floor: `${fmt((N / wall / (cores * inprocPerS)) * 100)}% of ${cores} x in-process`,
    peer: "-",
  });
  await pool.close();
}

// ---- the CLI on math rows: floor (JSON in/out alone), in-process pipeline, the real CLI
for (const ROWS of ROW_COUNTS) {
  const input = join(tmp, `math-${ROWS}.jsonl`);
  writeFileSync(input, [...mathRows(ROWS)].map((r) => `${JSON.stringify(r)}\n`).join(""));
  const spec = join(tmp, "math.json");
  writeFileSync(spec, JSON.stringify({ type: "math" }));
  const floorScript = join(tmp, "floor.mjs");
  writeFileSync(
    floorScript,
    `import { createInterface } from "node:readline"; import { createReadStream, createWriteStream } from "node:fs";
     const out = createWriteStream("/dev/null"); let buf = "";
     for await (const l of createInterface({ input: createReadStream(process.argv[2]) })) {
       const r = JSON.parse(l); buf += JSON.stringify({ ...r, reward: 1, status: "ok", error: null }) + "\\n";
       if (buf.length > 65536) { out.write(buf); buf = ""; } }
     out.end(buf);`,
  );
  const floor = timed(process.execPath, [floorScript, input]);
  const ip = JSON.parse(
    execFileSync(process.execPath, [`${ROOT}bench/cli-inproc.js`, input], { encoding: "utf8" }),
  );
  const ipRate = ip.rows / ip.wall_s;
  row(`CLI pipeline in-process (math on the main thread), ${ROWS} rows`, {
    median: `${fmt((ip.cpu_s / ip.rows) * 1e6, 1)} µs CPU/row`,
    p99: "-",
    throughput: `${fmt(ipRate)} rows/s`,
    floor: `JSON in/out alone: ${fmt(ROWS / floor.wall)} rows/s, ${fmt((floor.cpu / ROWS) * 1e6, 1)} µs CPU/row`,
    peer: "-",
  });
  // What the cores really give: one in-process pipeline per core, each on its share of the rows, side by
  // side (on a VM two busy threads do not get twice the work of one done).
  const share = Math.ceil(ROWS / cores);
  const halves = Array.from({ length: cores }, (_, i) => {
    const f = join(tmp, `math-${ROWS}-${i}.jsonl`);
    writeFileSync(
      f,
      [...mathRows(ROWS)]
        .slice(i * share, (i + 1) * share)
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(""),
    );
    return f;
  });
  const side = await Promise.all(
    halves.map(
      (f) =>
        new Promise((resolve, reject) =>
          execFile(process.execPath, [`${ROOT}bench/cli-inproc.js`, f], (e, out) =>
            e ? reject(e) : resolve(JSON.parse(out)),
          ),
        ),
    ),
  );
  const sideWall = Math.max(...side.map((r) => r.wall_s));
  const sideRate = ROWS / sideWall;
  row(`${cores} in-process pipelines side by side, ${ROWS} rows in all`, {
    median: `${fmt((side.reduce((a, r) => a + r.cpu_s, 0) / ROWS) * 1e6, 1)} µs CPU/row`,
    p99: "-",
    throughput: `${fmt(sideRate)} rows/s`,
    floor: `${fmt((sideRate / (cores * ipRate)) * 100)}% of ${cores} x one pipeline alone`,
    peer: "-",
  });
  const runs = [0, 1, 2].map(() =>
    timed(process.execPath, [BIN, "score", "-s", spec, "-i", input, "-o", "/dev/null", "-q"]),
  );
  const walls = runs.map((r) => r.wall);
  const best = runs[walls.indexOf(Math.min(...walls))];
  row(`rewardkit score, math spec, ${ROWS} rows (3 runs)`, {
    median: `${fmt(median(walls), 2)} s; ${fmt((best.cpu / ROWS) * 1e6, 1)} µs CPU/row; peak RSS ${fmt(best.rss)} MB`,
    p99: `${fmt(Math.max(...walls), 2)} s (slowest)`,
    throughput: `${fmt(ROWS / best.wall)} rows/s`,
    floor: `${fmt((ROWS / best.wall / (cores * ipRate)) * 100)}% of ${cores} x in-process; ${fmt((ROWS / best.wall / sideRate) * 100)}% of ${cores} side by side; CPU per row ${fmt((ip.cpu_s / best.cpu) * 100)}% of in-process's; ${fmt((floor.wall / best.wall) * 100)}% of JSON alone`,
    peer: "-",
  });
}

// ---- a format reward against the peer: open-r1's format_reward (its regex, re.match with DOTALL and
// MULTILINE) run in Node on the same completions, against the `think-format` preset in-process.
{
  const completions = formatCompletions();
  const openR1 = /^<think>\n.*?\n<\/think>\n<answer>\n.*?\n<\/answer>$/msy; // y: re.match anchors at 0
  const peer = (c) => {
    openR1.lastIndex = 0;
    return openR1.test(c) ? 1 : 0;
  };
  const reward = loadReward("think-format");
  const N = 200_000;
  for (let i = 0; i < 20_000; i++) {
    peer(completions[i % completions.length]);
    await reward.score({ completion: completions[i % completions.length] });
  }
  let t = performance.now();
  let ones = 0;
  for (let i = 0; i < N; i++) ones += peer(completions[i % completions.length]);
  const peerRate = N / ((performance.now() - t) / 1000);
  const lat = [];
  let ours = 0;
  t = performance.now();
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const r = await reward.score({ completion: completions[i % completions.length] });
    lat.push((performance.now() - t0) * 1000);
    if (r.reward === 1) ours++;
  }
  const rate = N / ((performance.now() - t) / 1000);
  row(
    `format reward (think-format preset), in-process, ${completions.length} distinct completions (${fmt(completions.reduce((a, c) => a + c.length, 0) / completions.length)} chars on average)`,
    {
      median: `${fmt(median(lat), 1)} µs`,
      p99: `${fmt(p99(lat), 1)} µs`,
      throughput: `${fmt(rate)} samples/s`,
      floor: `${fmt((ours / N) * 100)}% score 1`,
      peer: `open-r1 format_reward's regex in Node: ${fmt(peerRate)} samples/s (${fmt((ones / N) * 100)}% score 1); ours at ${fmt((rate / peerRate) * 100)}% of its rate, with a result and feedback per sample`,
    },
  );
}

// ---- start-up
{
  const one = join(tmp, "one.jsonl");
  writeFileSync(one, '{"completion":"<think>a</think><answer>4</answer>","reference":"4"}\n');
  const rep = (args) => Array.from({ length: 7 }, () => timed(process.execPath, args).wall);
  const node0 = rep(["-e", "0"]);
  const imp = rep(["--input-type=module", "-e", `await import(${JSON.stringify(`${ROOT}dist/index.js`)})`]);
  const cli = rep([BIN, "score", "-s", "think-answer", "-i", one, "-q"]);
  row('import "rewardkit" (7 runs)', {
    median: `${fmt(median(imp) * 1000)} ms`,
    p99: `${fmt(Math.max(...imp) * 1000)} ms`,
    throughput: "-",
    floor: `node -e 0: ${fmt(median(node0) * 1000)} ms`,
    peer: "-",
  });
  row("rewardkit score, think-answer, one row (7 runs)", {
    median: `${fmt(median(cli) * 1000)} ms`,
    p99: `${fmt(Math.max(...cli) * 1000)} ms`,
    throughput: "-",
    floor: `node -e 0: ${fmt(median(node0) * 1000)} ms`,
    peer: "-",
  });
}

// ---- group statistics: one group of 65,536
{
  const n = 65_536;
  const samples = Array.from({ length: n }, (_, i) => ({ prompt: "p", completion: String(i % 7) }));
  const results = samples.map((_, i) => ({ status: "ok", reward: i % 3 === 0 ? 1 : 0, ms: 0 }));
  const lat = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    await applyGroups(samples, results, { by: "prompt", pass_at_k: [1, 8] });
    lat.push(performance.now() - t);
  }
  row("group statistics, one group of 65,536 (3 runs)", {
    median: `${fmt(median(lat))} ms`,
    p99: `${fmt(Math.max(...lat))} ms`,
    throughput: `${fmt(n / (median(lat) / 1000))} samples/s`,
    floor: "-",
    peer: "-",
  });
}
// ---- math votes: one group of distinct answers (decimals in one decade; expressions)
await timeVote(applyGroups, ["1", "2"]); // the pool's workers are started
for (const c of VOTE_CASES) {
  for (const n of VOTE_SIZES) {
    const runs = [];
    for (let r = 0; r < 3; r++) runs.push(await timeVote(applyGroups, c.make(n)));
    const lat = runs.map((r) => r.ms);
    const failed = runs.find((r) => r.error);
    row(`math vote, one group of ${n} distinct ${c.name} (3 runs)`, {
      median: failed ? `error: ${failed.error}` : `${fmt(median(lat))} ms`,
      p99: `${fmt(Math.max(...lat))} ms`,
      throughput: `${fmt(n / (median(lat) / 1000))} answers/s`,
      floor: "-",
      peer: "-",
    });
  }
}
await closeSharedPool();

const date = new Date().toISOString().slice(0, 16).replace("T", " ");
const lines = [
  `Measured ${date} UTC, ${cores} cores, Node ${process.version}, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} during the run.`,
  "",
  "| benchmark | median | p99 / slowest | throughput | ratio to the floor | ratio to a peer |",
  "|---|---|---|---|---|---|",
  ...table.map((r) => `| ${r.name} | ${r.median} | ${r.p99} | ${r.throughput} | ${r.floor} | ${r.peer} |`),
];
console.log(lines.join("\n"));
if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, `${lines.join("\n")}\n`);
if (process.env.BENCH_README === "1") {
  // The README's figures are this output, never typed by hand: the table replaces what is between the markers.
  const readme = `${ROOT}README.md`;
  const text = readFileSync(readme, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md has no ${start} ... ${end} section`);
  writeFileSync(readme, `${text.slice(0, i + start.length)}\n${lines.join("\n")}\n${text.slice(j)}`);
  process.stderr.write("README.md: Performance table written\n");
}

if (process.env.BENCH_ALL === "1") {
  const scripts = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).scripts;
  for (const name of Object.keys(scripts).filter((s) => s.startsWith("bench:"))) {
    console.log(`\n## ${name}\n`);
    spawnSync("node", [scripts[name].split(" ").pop()], { stdio: "inherit", cwd: ROOT });
  }
}

/**
 * Completions for the format benchmark: the math corpus's completions and golds laid out four ways, as
 * open-r1's format expects (newlines around every tag), the same with text after the answer, with the
 * answer left open, and with no newlines; plus the fixtures' own think-tag completions.
 */
function formatCompletions() {
  const laid = mathCorpus().flatMap(({ completion: c, reference: g }) => [
    `<think>\n${c}\n</think>\n<answer>\n${g}\n</answer>`,
    `<think>\n${c}\n</think>\n<answer>\n${g}\n</answer>\nHope this helps!`,
    `<think>\n${c}\n</think>\n<answer>\n${g}`,
    `<think>${c}</think><answer>${g}</answer>`,
  ]);
  const files = ["lint/think-format.jsonl", "lint/think-answer.jsonl", "examples/think-answer.jsonl"];
  const own = files.flatMap((f) =>
    readFileSync(new URL(`../fixtures/${f}`, import.meta.url), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l).completion)
      .filter((c) => typeof c === "string" && c.includes("<think>")),
  );
  return [...laid, ...own];
}
