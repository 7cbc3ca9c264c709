/**
 * The worker pool kills tasks at their deadline and replaces the worker. Tasks here are the JS-engine
 * regex task (a real pool task of the regex verifier) on a catastrophically backtracking pattern.
 */
import { threadId } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { RewardkitError, TimeoutError, WorkerPool } from "../../src/index.js";

const TASK = {
  module: new URL("../../src/verifiers/format/regex-task.js", import.meta.url),
  fn: "jsRegexTest",
};
const PROBE = (fn: string) => ({ module: new URL("../../src/core/pool-probe.js", import.meta.url), fn });
const hang = { pattern: "^(a+)+$", flags: "", full: false, text: `${"a".repeat(40)}!` };
const quick = { pattern: "b", flags: "", full: false, text: "abc" };
const pool = new WorkerPool({ threads: 2 });
afterAll(() => pool.close());

describe("WorkerPool", () => {
  it("leaves nothing behind in a worker: its live heap stays flat over 30,000 tasks", async () => {
    // Each task used to transfer a MessagePort into the worker, and every one stayed in its heap.
    const one = new WorkerPool({ threads: 1 });
    try {
      const run = (n: number) =>
        Promise.all(Array.from({ length: n }, () => one.run(PROBE("noop"), null, { timeoutMs: 30_000 })));
      await run(2000);
      const before = await one.run<number>(PROBE("liveHeap"), null, { timeoutMs: 30_000 });
      await run(30_000);
      const after = await one.run<number>(PROBE("liveHeap"), null, { timeoutMs: 30_000 });
      expect(after - before).toBeLessThan(2 * 1024 * 1024);
    } finally {
      await one.close();
    }
  });

  it("a caller that keeps 256 tasks in flight gets them sent in whole chunks, not one or two at a time", async () => {
    // Each result message freed a few of the caller's slots, and the tasks it then submitted went out at
    // once: chunks shrank to one or two tasks (a message and a thread wake-up each way per two tasks).
    const two = new WorkerPool({ threads: 2 });
    try {
      let next = 0;
      const N = 20_000;
      await Promise.all(
        Array.from({ length: 256 }, async () => {
          while (next++ < N) await two.run(PROBE("noop"), null, { timeoutMs: 30_000 });
        }),
      );
      const { chunks, completed } = two.stats();
      expect(completed).toBe(N);
      // 256 in flight over 2 workers, two chunks each: 64 tasks to a chunk once running.
      expect(completed / chunks).toBeGreaterThan(16);
    } finally {
      await two.close();
    }
  });

  it("a batch as small as the pool runs on every thread, one task each", async () => {
    const four = new WorkerPool({ threads: 4 });
    try {
      for (let round = 0; round < 3; round++) {
        const ids = await Promise.all(
          Array.from({ length: 4 }, () => four.run<number>(PROBE("threadId"), null, { timeoutMs: 30_000 })),
        );
        expect(new Set(ids).size).toBe(4);
      }
    } finally {
      await four.close();
    }
  });

  it("runs tasks and returns their value", async () => {
    expect(await pool.run(TASK, quick, { timeoutMs: 5000 })).toBe(true);
  });

  it("kills a hanging task at its deadline and keeps working", async () => {
    await expect(pool.run(TASK, hang, { timeoutMs: 200 })).rejects.toBeInstanceOf(TimeoutError);
    expect(pool.stats().killed).toBeGreaterThanOrEqual(1);
    expect(await pool.run(TASK, quick, { timeoutMs: 5000 })).toBe(true);
  });

  it("starts a task's clock when a thread takes it, so a queue does not cause timeouts", async () => {
    // Two hanging tasks hold both threads for 1000 ms; quick tasks queued behind them have 700 ms each,
    // which would all run out if their clocks started when they were queued.
    const hangs = [0, 1].map(() => pool.run(TASK, hang, { timeoutMs: 1000 }).catch((e) => e));
    const quicks = Array.from({ length: 6 }, () => pool.run(TASK, quick, { timeoutMs: 700 }));
    expect(await Promise.all(quicks)).toEqual(Array(6).fill(true));
    for (const e of await Promise.all(hangs)) expect(e).toBeInstanceOf(TimeoutError);
  });

  it("gives up on a queued task when its caller aborts", async () => {
    const blockers = [0, 1].map(() => pool.run(TASK, hang, { timeoutMs: 300 }).catch(() => null));
    const ac = new AbortController();
    const queued = pool.run(TASK, quick, { timeoutMs: 1000, signal: ac.signal });
    ac.abort(new TimeoutError(1, "caller"));
    await expect(queued).rejects.toBeInstanceOf(TimeoutError);
    await Promise.all(blockers);
  });

  it("reports a task that throws", async () => {
    await expect(pool.run(TASK, { ...quick, pattern: "(" }, { timeoutMs: 1000 })).rejects.toThrow(
      /Invalid regular expression/,
    );
  });
  it("sends many tasks submitted together in a few messages, each answered", async () => {
    const one = new WorkerPool({ threads: 2 });
    try {
      const n = 5000;
      const out = await Promise.all(
        Array.from({ length: n }, () => one.run<number>(PROBE("noop"), null, { timeoutMs: 30_000 })),
      );
      expect(out).toEqual(Array(n).fill(1));
      expect(one.stats().completed).toBe(n);
      expect(one.stats().chunks).toBeLessThan(n / 10);
    } finally {
      await one.close();
    }
  });

  it("times out only the overrunning task of a chunk and re-runs the rest on a fresh worker", async () => {
    const one = new WorkerPool({ threads: 1 });
    try {
      // One thread, submitted together: the quick tasks share the hanging task's chunk.
      const tasks = [
        one.run(PROBE("spin"), 5, { timeoutMs: 5000 }),
        one.run(PROBE("spin"), 60_000, { timeoutMs: 300 }).catch((e) => e),
        ...Array.from({ length: 20 }, (_, i) => one.run(PROBE("spin"), i % 3, { timeoutMs: 5000 })),
      ];
      const [first, hung, ...rest] = await Promise.all(tasks);
      expect(first).toBe(5);
      expect(hung).toBeInstanceOf(TimeoutError);
      expect(rest).toEqual(Array.from({ length: 20 }, (_, i) => i % 3));
      expect(one.stats().killed).toBe(1);
      expect(one.stats().chunks).toBeGreaterThanOrEqual(2);
    } finally {
      await one.close();
    }
  });

  it("re-runs the bystanders of a chunk as often as overrunning tasks kill its worker", async () => {
    const one = new WorkerPool({ threads: 1 });
    try {
      // Four hanging tasks ahead of the quick ones in one chunk: four kills. The quick tasks were
      // innocent each time, so none of them may fail for it (they did after three).
      const tasks = [
        ...Array.from({ length: 4 }, () =>
          one.run(PROBE("spin"), 60_000, { timeoutMs: 200 }).catch((e) => e),
        ),
        ...Array.from({ length: 10 }, (_, i) => one.run(PROBE("spin"), i, { timeoutMs: 5000 })),
      ];
      const all = await Promise.all(tasks);
      expect(all.slice(0, 4).every((e) => e instanceof TimeoutError)).toBe(true);
      expect(all.slice(4)).toEqual(Array.from({ length: 10 }, (_, i) => i));
      expect(one.stats().killed).toBe(4);
    } finally {
      await one.close();
    }
  });

  it("fails only the task whose worker died under it; the others of its chunk still run", async () => {
    const one = new WorkerPool({ threads: 1 });
    try {
      const tasks = [
        one.run(PROBE("noop"), null, { timeoutMs: 5000 }),
        one.run(PROBE("exitWorker"), null, { timeoutMs: 5000 }).catch((e) => e),
        ...Array.from({ length: 10 }, () => one.run(PROBE("noop"), null, { timeoutMs: 5000 })),
      ];
      const [first, died, ...rest] = await Promise.all(tasks);
      expect(first).toBe(1);
      expect(died).toBeInstanceOf(RewardkitError);
      expect((died as RewardkitError).kind).toBe("internal");
      expect((died as Error).message).toMatch(/worker died/);
      expect(rest).toEqual(Array(10).fill(1));
    } finally {
      await one.close();
    }
  });

  it("fails a task submitted after close instead of hanging", async () => {
    const one = new WorkerPool({ threads: 1 });
    await one.close();
    await expect(one.run(PROBE("noop"), null, { timeoutMs: 1000 })).rejects.toThrow(/closed/);
  });
  it("fails a task whose argument cannot be sent to a worker, and only that task", async () => {
    const tasks = [
      pool.run(PROBE("noop"), null, { timeoutMs: 5000 }),
      pool.run(PROBE("noop"), { f: () => 1 }, { timeoutMs: 5000 }).catch((e) => e),
      pool.run(PROBE("noop"), null, { timeoutMs: 5000 }),
    ];
    const [a, bad, b] = await Promise.all(tasks);
    expect([a, b]).toEqual([1, 1]);
    expect(bad).toBeInstanceOf(RewardkitError);
    expect((bad as Error).message).toMatch(/cannot be sent to a worker/);
  });

  it("still teaches a worker a task kind whose first chunk had no argument it could send", async () => {
    const one = new WorkerPool({ threads: 1 });
    try {
      const bad = await one.run(PROBE("spin"), { f: () => 1 }, { timeoutMs: 5000 }).catch((e) => e);
      expect(bad).toBeInstanceOf(RewardkitError);
      await expect(one.run(PROBE("spin"), 7, { timeoutMs: 5000 })).resolves.toBe(7);
    } finally {
      await one.close();
    }
  });

  it("sets up a task kind with a context once per worker, and again on the worker that replaces a killed one", async () => {
    const one = new WorkerPool({ threads: 1 });
    try {
      const ref = { ...PROBE("contextProbe"), context: { prepare: "prepareProbe", value: { spec: "s" } } };
      const first = await Promise.all([1, 2, 3].map((i) => one.run(ref, i, { timeoutMs: 5000 })));
      expect(first).toEqual([
        [1, { spec: "s" }, 1],
        [2, { spec: "s" }, 2],
        [3, { spec: "s" }, 3],
      ]);
      // Another ref with its own context is another kind, set up apart.
      const other = { ...PROBE("contextProbe"), context: { prepare: "prepareProbe", value: "t" } };
      expect(await one.run(other, 0, { timeoutMs: 5000 })).toEqual([0, "t", 1]);
      await expect(one.run(PROBE("spin"), 60_000, { timeoutMs: 100 })).rejects.toBeInstanceOf(TimeoutError);
      expect(await one.run(ref, 4, { timeoutMs: 5000 })).toEqual([4, { spec: "s" }, 1]);
      const missing = { ...PROBE("contextProbe"), context: { prepare: "nope", value: 1 } };
      await expect(one.run(missing, 0, { timeoutMs: 5000 })).rejects.toThrow(/set-up nope is not exported/);
    } finally {
      await one.close();
    }
  });

  it("a task that restarts its clock per item is held to the deadline per item, not in all", async () => {
    // Six items of 100 ms under a 400 ms deadline: 600 ms in all, never 400 ms for one item.
    await expect(pool.run(PROBE("spinEach"), [100, 6], { timeoutMs: 400 })).resolves.toBe(6);
    // One item that overruns is still killed.
    await expect(pool.run(PROBE("spinEach"), [60_000, 2], { timeoutMs: 300 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });

  it("a task that runs pool tasks runs them inline on its own worker (no nested pool)", async () => {
    const [outer, inner] = await pool.run<[number, number]>(PROBE("nestedThreadIds"), null, {
      timeoutMs: 5000,
    });
    expect(outer).toBeGreaterThan(0);
    expect(inner).toBe(outer);
    // An inline pool runs on the calling thread, with a worker's errors.
    const here = new WorkerPool({ inline: true });
    expect(await here.run(PROBE("threadId"), null, { timeoutMs: 5000 })).toBe(threadId);
    await expect(here.run(PROBE("exitWorker_missing"), null, { timeoutMs: 5000 })).rejects.toBeInstanceOf(
      RewardkitError,
    );
  });
});
