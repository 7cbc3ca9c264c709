/**
 * The Python client's own tests (clients/python/tests, python3's unittest against real `rewardkit serve`
 * processes they start), run here so that `npm test` runs them. python3 missing is a failure, not a skip.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "./run.js";

function runPython(args: string[]): Promise<{ code: number | null; output: string; spawnError?: Error }> {
  return new Promise((resolve) => {
    const child = spawn("python3", args, {
      cwd: ROOT,
      // The tests start servers with this node (the one running vitest) and must not inherit a token.
      env: { ...process.env, REWARDKIT_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("error", (e) => resolve({ code: null, output, spawnError: e }));
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("Python client (clients/python)", () => {
  it("passes python3 -m unittest discover -s clients/python/tests", async () => {
    const r = await runPython(["-m", "unittest", "discover", "-s", "clients/python/tests", "-v"]);
    if (r.spawnError) {
      throw new Error(
        `python3 could not be started (${r.spawnError.message}); the Python client tests need it`,
      );
    }
    expect(r.code, r.output).toBe(0);
    const ran = /^Ran (\d+) tests? in/m.exec(r.output);
    expect(ran, r.output).not.toBeNull();
    expect(Number(ran![1])).toBeGreaterThan(0);
    expect(r.output).toMatch(/^OK\b/m);
  }, 300_000);
});
