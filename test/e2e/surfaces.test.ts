/** The library, the CLI and the server score the same fixture identically. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadReward, type Result } from "../../src/index.js";
import { jsonl, ROOT, runCli, startServe } from "./run.js";

const EXAMPLE = `${ROOT}fixtures/examples/think-answer.jsonl`;

/** What must agree: everything but timings. */
function essence(r: Pick<Result, "reward" | "status" | "error" | "components">): unknown {
  return JSON.parse(
    JSON.stringify(
      { reward: r.reward, status: r.status, error: r.error ?? null, components: r.components ?? null },
      (k, v) => (k === "ms" ? undefined : v),
    ),
  );
}

describe("library, CLI and server agree", () => {
  it("on the bundled example", async () => {
    const samples = jsonl(readFileSync(EXAMPLE, "utf8"));
    const lib = (await loadReward("think-answer").scoreBatch(samples)).map(essence);

    const cli = jsonl((await runCli(["score", "-s", "think-answer", "-i", EXAMPLE, "-q"])).stdout).map(
      (row) => essence(row as unknown as Result),
    );

    const server = await startServe(["--spec", "think-answer"]);
    try {
      const res = await fetch(`${server.url}/v1/score`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ samples }),
      });
      const http = ((await res.json()) as { results: Result[] }).results.map(essence);
      expect(lib).toHaveLength(samples.length);
      expect(cli).toEqual(lib);
      expect(http).toEqual(lib);
    } finally {
      await server.stop();
    }
  });
});
