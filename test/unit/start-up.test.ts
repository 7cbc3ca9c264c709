/**
 * Fast start: importing rewardkit to score loads neither the server stack nor the code runtimes, the
 * TypeScript transpiler or ajv; each loads when first needed. Runs the built library in a fresh process
 * (a test runner's process has loaded everything already).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DIST = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const HEAVY = ["fastify", "prom-client", "ajv", "esbuild", "isolated-vm", "pyodide", "fast-check"];

/** The heavy packages loaded after running `body` (ESM) in a fresh process that imported rewardkit. */
function loadedAfter(body: string): string[] {
  const script = `
    import { createRequire } from "node:module";
    const rk = await import(${JSON.stringify(DIST)});
    ${body}
    const files = Object.keys(createRequire(import.meta.url).cache);
    const heavy = ${JSON.stringify(HEAVY)};
    console.log(JSON.stringify(heavy.filter((p) => files.some((f) => f.includes("/node_modules/" + p + "/")))));
  `;
  const out = execFileSync(process.execPath, ["--input-type", "module", "-e", script], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!);
}

describe("start-up", () => {
  it("importing rewardkit loads none of the heavy packages", () => {
    expect(loadedAfter("")).toEqual([]);
  });

  it("scoring a format spec loads ajv (spec validation) and nothing else heavy", async () => {
    const loaded = loadedAfter(`
      const r = rk.loadReward("think-answer");
      const res = await r.score({ completion: "<think>a</think><answer>4</answer>", reference: "4" });
      if (res.reward !== 1) throw new Error("unexpected reward " + res.reward);
    `);
    expect(loaded).toEqual(["ajv"]);
  });

  it("building a server loads fastify and prom-client", () => {
    const loaded = loadedAfter(`rk.buildServer(rk.loadReward("think-answer"));`);
    expect(loaded).toEqual(expect.arrayContaining(["fastify", "prom-client"]));
  });
});

describe("a library user's script", () => {
  it("exits by itself after scoring through the worker pool (idle workers do not hold the process)", () => {
    const script = `
      const rk = await import(${JSON.stringify(DIST)});
      const [r] = await rk.loadReward("math").scoreBatch([{ completion: "\\\\frac{84}{2}", reference: "42" }]);
      console.log(r.status, r.reward);
    `;
    // The timeout only turns a hang into a failure: the script normally ends in well under a second.
    const out = execFileSync(process.execPath, ["--input-type", "module", "-e", script], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(out.trim()).toBe("ok 1");
  });
});
