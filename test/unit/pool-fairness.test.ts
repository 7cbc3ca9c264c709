/**
 * The worker pool shares its threads fairly between work keys (server requests): a small request's task
 * goes out before a big request's backlog, so it waits for about one task of the big request, not all
 * of them. Tasks are the regex verifier's real pool task, on a pattern that backtracks for ever.
 */
import { describe, expect, it } from "vitest";
import { TimeoutError, WorkerPool, withWorkKey } from "../../src/core/index.js";

const TASK = {
  module: new URL("../../src/verifiers/format/regex-task.js", import.meta.url),
  fn: "jsRegexTest",
};
const hang = { pattern: "^(a+)+$", flags: "", full: false, text: `${"a".repeat(40)}!` };
const quick = { pattern: "b", flags: "", full: false, text: "abc" };

describe("WorkerPool fairness", () => {
  it("runs a small request's task after at most one hanging task of a big request queued before it", async () => {
    const pool = new WorkerPool({ threads: 1 });
    try {
      let bigSettled = 0;
      const big = withWorkKey("big", () =>
        Array.from({ length: 12 }, () =>
          pool
            .run(TASK, hang, { timeoutMs: 150 })
            .catch((e) => e)
            .finally(() => bigSettled++),
        ),
      );
      // The big request's first chunk is on the worker before the small request comes.
      await new Promise((r) => setTimeout(r, 30));
      const small = await withWorkKey("small", () => pool.run(TASK, quick, { timeoutMs: 5000 }));
      const settledBefore = bigSettled;
      expect(small).toBe(true);
      // First come, first served, the small task waited for all 12 (12 deadlines).
      expect(settledBefore).toBeLessThanOrEqual(1);
      for (const e of await Promise.all(big)) expect(e).toBeInstanceOf(TimeoutError);
    } finally {
      await pool.close();
    }
  });

  it("still runs the tasks of one key in the order they were submitted", async () => {
    const pool = new WorkerPool({ threads: 1 });
    try {
      const order: number[] = [];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          pool.run(TASK, quick, { timeoutMs: 5000 }).then(() => order.push(i)),
        ),
      );
      expect(order).toEqual(Array.from({ length: 40 }, (_, i) => i));
    } finally {
      await pool.close();
    }
  });
});
