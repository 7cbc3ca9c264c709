/**
 * `rewardkit score` shards pure specs a row at a time onto pool workers. Its output must be the bytes of
 * the per-check path (timings aside: `ms` is measured, never the same twice), in input order, with every
 * option; a row that overruns its deadline on a worker gets exactly the per-check path's result while the
 * other rows of its chunk are still scored; a line over the limit is an error row and the next rows score.
 * (Rows go to the workers in blocks of 16 lines, a block to a pool task; the deadline restarts at each row.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import type { RowFacts } from "../../src/cli/rows.js";
import { runScore, type ScoreJob } from "../../src/cli/score.js";
import { closeSharedPool, sharedPool } from "../../src/core/index.js";
import { loadReward, type Reward, shardPlan } from "../../src/spec/index.js";

afterAll(() => closeSharedPool());

const FIX = new URL("../../fixtures/", import.meta.url);

/** The labelled math corpus as rows (hostile inputs included: they exercise limits and errors). */
function mathRows(): string[] {
  const dir = new URL("math/", FIX);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .flatMap((f) => readFileSync(new URL(f, dir), "utf8").split("\n").filter(Boolean))
    .map((l, i) => {
      const c = JSON.parse(l);
      return JSON.stringify({ id: i, completion: c.completion ?? c.pred, reference: c.gold });
    });
}

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function score(reward: Reward, input: string, o: Partial<ScoreJob> & { shard: boolean }) {
  const out = new Sink();
  const explain = o.explain === undefined ? null : new Sink();
  const facts: RowFacts[] = [];
  const summary = await runScore({
    reward,
    input: Readable.from([Buffer.from(input)]),
    output: out,
    writeRows: true,
    concurrency: 64,
    components: "tree",
    progress: null,
    onResult: (f) => facts.push(f),
    ...o,
    explain,
  });
  return {
    out: out.text,
    explain: explain?.text ?? "",
    summary: summary.toJSON(),
    facts,
    sharded: summary.shardedRows,
  };
}

/** Timings differ from run to run; everything else must not. */
const noMs = (s: string) => s.replace(/"ms":[0-9.e+-]+/g, '"ms":0').replace(/\(\d+(\.\d+)? ms\)/g, "(ms)");

/** Runs the same job sharded and not, checks that it did shard, and returns both. */
async function both(reward: Reward, input: string, o: Partial<ScoreJob> = {}) {
  const sharded = await score(reward, input, { shardAfterRows: 0, ...o, shard: true });
  const plain = await score(reward, input, { ...o, shard: false });
  expect(plain.sharded).toBe(0);
  return { sharded, plain, pooled: sharded.sharded };
}

describe("sharded score: the same output as the per-check path", () => {
  const rows = mathRows();
  const input = `${rows.join("\n")}\n`;

  it("math corpus: byte-identical rows, summary and distribution facts", async () => {
    const reward = loadReward({ type: "math" });
    expect(shardPlan(reward)).not.toBeNull();
    const { sharded, plain, pooled } = await both(reward, input);
    expect(sharded.out.split("\n").length).toBe(rows.length + 1);
    expect(sharded.out).toBe(plain.out);
    expect(sharded.summary).toEqual(plain.summary);
    expect(sharded.facts).toEqual(plain.facts);
    // Every row was scored whole on a worker.
    expect(pooled).toBe(rows.length);
  });

  it("CRLF line ends, a byte order mark, blank lines and a last line with no newline: the same rows", async () => {
    const reward = loadReward({ type: "math" });
    const some = rows.slice(0, 200);
    const text = `\uFEFF${some
      .map((l, i) => (i % 7 === 3 ? `${l}\r\n\r\n  \n` : `${l}\r\n`))
      .join("")
      .replace(/\r\n$/, "")}`;
    const { sharded, plain, pooled } = await both(reward, text);
    expect(sharded.out).toBe(plain.out);
    expect(sharded.summary).toEqual(plain.summary);
    expect(pooled).toBe(some.length);
    const out = sharded.out.trim().split("\n");
    expect(out).toHaveLength(some.length);
    expect(JSON.parse(out.at(-1)!).id).toBe(JSON.parse(some.at(-1)!).id);
  });

  it("a tree with components (tree and flat), --explain, in input order", async () => {
    const reward = loadReward({
      type: "weighted",
      terms: [
        { type: "math", name: "answer", weight: 0.8 },
        { type: "regex", name: "boxed", pattern: "\\\\boxed", engine: "js", weight: 0.2 },
        { type: "length", name: "short", max: 400 },
      ],
    });
    for (const components of ["tree", "flat"] as const) {
      const { sharded, plain } = await both(reward, input, { components, explain: new Sink() });
      expect(noMs(sharded.out)).toBe(noMs(plain.out));
      expect(noMs(sharded.explain)).toBe(noMs(plain.explain));
      expect(sharded.explain).toMatch(/^# line 1 \(id 0\)\n/);
      expect(sharded.summary).toEqual(plain.summary);
    }
  });

  it("a format-only spec is not sharded for its first 100,000 rows (cheaper on the main thread); forced, the same rows", async () => {
    const reward = loadReward("think-answer");
    const { sharded, plain, pooled } = await both(reward, input);
    expect(noMs(sharded.out)).toBe(noMs(plain.out));
    expect(pooled).toBe(rows.length);
    const byDefault = await score(reward, input, { shard: true });
    expect(byDefault.sharded).toBe(0);
    expect(noMs(byDefault.out)).toBe(noMs(plain.out));
    // A math spec shards only past its first 20,000 rows by default.
    expect((await score(loadReward({ type: "math" }), input, { shard: true })).sharded).toBe(0);
  });

  it("a format-only spec shards past its first 100,000 rows", async () => {
    const row = (i: number) =>
      JSON.stringify({ id: i, completion: `<think>a</think><answer>${i % 3}</answer>`, reference: "1" });
    const n = 100_100;
    const big = `${Array.from({ length: n }, (_, i) => row(i)).join("\n")}\n`;
    const s = await score(loadReward("think-answer"), big, { shard: true });
    // The block holding row 100,000 finishes on the main thread; the rows after it go to workers.
    expect(s.sharded).toBeGreaterThan(n - 100_000 - 16);
    expect(s.sharded).toBeLessThanOrEqual(n - 100_000);
    const out = s.out.trim().split("\n");
    expect(out).toHaveLength(n);
    expect(out.map((l) => JSON.parse(l).reward).filter((r) => r === 1)).toHaveLength(Math.ceil((n - 1) / 3));
  });

  it("--token-offsets and step formats (prm800k) give the same rows", async () => {
    const withOffsets = rows.slice(0, 300).map((l, i) => {
      const r = JSON.parse(l);
      const n = String(r.completion ?? "").length;
      // Every third row has no offsets: an error row, the same either way.
      return JSON.stringify(
        i % 3 === 2
          ? r
          : {
              ...r,
              offsets: [
                [0, Math.floor(n / 2)],
                [Math.floor(n / 2), n],
              ],
            },
      );
    });
    const reward = loadReward({ type: "math" });
    const t = await both(reward, `${withOffsets.join("\n")}\n`, {
      tokenOffsets: "offsets",
      placement: "uniform",
    });
    expect(t.pooled).toBe(300);
    expect(t.sharded.out).toContain('"token_rewards":[');
    expect(t.sharded.out).toBe(t.plain.out);

    const prm = readFileSync(new URL("steps/prm800k-sample.jsonl", FIX), "utf8");
    const arithmetic = loadReward(
      JSON.parse(readFileSync(new URL("examples/prm-arithmetic.json", FIX), "utf8")),
    );
    const s = await both(arithmetic, prm, { stepFormat: "prm800k" });
    expect(s.pooled).toBe(prm.trim().split("\n").length);
    expect(s.sharded.out).toContain('"step_rewards"');
    expect(noMs(s.sharded.out)).toBe(noMs(s.plain.out));
  });

  it("specs that are not pure keep the per-check path", () => {
    expect(shardPlan(loadReward({ type: "code", language: "js" }))).toBeNull();
    expect(
      shardPlan(
        loadReward({ type: "weighted", terms: [{ type: "math" }, { type: "code", language: "js" }] }),
      ),
    ).toBeNull();
    expect(
      shardPlan(loadReward({ type: "math", judge: { model: "m", base_url: "http://127.0.0.1:9/v1" } })),
    ).toBeNull();
    expect(shardPlan(loadReward({ type: "math", timeout_ms: 700 }))?.deadlineMs).toBe(700);
  });
});

describe("sharded score: deadlines and bad lines", () => {
  it("a row that hangs gets exactly the per-check result; the other rows of its chunk are scored", async () => {
    // A user regex that backtracks catastrophically on one row (the pool tests' hanging task).
    const reward = loadReward({
      type: "weighted",
      terms: [
        { type: "regex", name: "re", pattern: "^(a+)+$", engine: "js", timeout_ms: 400 },
        { type: "math", name: "answer" },
      ],
    });
    const rows = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        id: i,
        // The others fail the pattern at once (and one matches it).
        completion: i === 7 ? `${"a".repeat(40)}!` : i === 9 ? "aaa" : `so \\boxed{${i}}`,
        reference: String(i),
      }),
    );
    const killed = sharedPool().stats().killed;
    const { sharded, plain, pooled } = await both(reward, `${rows.join("\n")}\n`);
    // Rows go to workers 16 to a task: the hanging row's task (rows 1-16) was scored again on the
    // per-check path; the other tasks of its chunk ran again on a fresh worker.
    expect(pooled).toBe(40 - 16);
    // The row task was killed, then the regex check again on the per-check path.
    expect(sharedPool().stats().killed - killed).toBeGreaterThanOrEqual(2);
    expect(noMs(sharded.out)).toBe(noMs(plain.out));
    const out = sharded.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(out[7].status).toBe("error");
    expect(out[7].components.re.error.kind).toBe("timeout");
    expect(out.filter((r) => r.status === "ok")).toHaveLength(39);
    expect(out[9].components.re.reward).toBe(1);
  });

  it("a line over --max-line-bytes is an error row naming it; the next rows score", async () => {
    const reward = loadReward({ type: "math" });
    const ok = (i: number) => JSON.stringify({ id: i, completion: `\\boxed{${i}}`, reference: String(i) });
    const long = JSON.stringify({ id: "long", completion: "x".repeat(5000), reference: "1" });
    // The long line comes in small chunks (no line is ever held whole), and the last one has no newline.
    const text = `${ok(1)}\n${long}\n${ok(3)}\n\n${ok(5)}\n${long}`;
    for (const shard of [true, false]) {
      const out = new Sink();
      const chunks = text.match(/[\s\S]{1,100}/g)!.map((c) => Buffer.from(c));
      const summary = await runScore({
        reward,
        input: Readable.from(chunks),
        output: out,
        explain: null,
        writeRows: true,
        concurrency: 8,
        components: "tree",
        progress: null,
        maxLineBytes: 1000,
        shard,
        shardAfterRows: 0,
      });
      expect(summary.shardedRows).toBe(shard ? 3 : 0);
      const rows = out.text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(rows.map((r) => r.status)).toEqual(["ok", "error", "ok", "ok", "error"]);
      expect(rows[1]).toMatchObject({
        line: 2,
        error: {
          kind: "invalid_input",
          message: `line 2: the line is ${long.length} bytes, over the limit of 1000 (--max-line-bytes)`,
        },
      });
      expect(rows[4].error.message).toMatch(/^line 6: the line is \d+ bytes/);
      expect(summary.rows).toBe(5);
    }
  });
});
