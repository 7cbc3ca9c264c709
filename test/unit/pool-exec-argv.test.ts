/**
 * Worker threads get the parent's node options minus those a worker refuses: V8 heap sizes (`rewardkit
 * serve` runs with --max-semi-space-size, and every pool task failed to start: ERR_WORKER_INVALID_EXEC_ARGV),
 * and any other process-wide option (`node --trace-gc`, `--stack-size`: the process crashed at its first task).
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const script = `
const { WorkerPool } = await import(${JSON.stringify(new URL("../../dist/core/index.js", import.meta.url).href)});
const pool = new WorkerPool({ threads: 1 });
const task = { module: new URL(${JSON.stringify(new URL("../../dist/verifiers/format/regex-task.js", import.meta.url).href)}), fn: "jsRegexTest" };
console.log(await pool.run(task, { pattern: "b", flags: "", full: false, text: "abc" }, { timeoutMs: 10000 }));
await pool.close();
`;

describe("WorkerPool exec argv", () => {
  it("runs tasks in a process started with V8 heap size flags", () => {
    for (const flag of ["--max-semi-space-size=4", "--max-old-space-size=600"]) {
      const r = spawnSync(process.execPath, [flag, "--input-type=module", "-e", script], {
        encoding: "utf8",
      });
      expect(r.stderr).toBe("");
      expect(r.stdout.trim()).toBe("true");
    }
  });

  it("runs tasks in a process started with other options a worker refuses", () => {
    const r = spawnSync(
      process.execPath,
      ["--stack-size=2000", "--expose-gc", "--input-type=module", "-e", script],
      { encoding: "utf8" },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("true");
  });
});
