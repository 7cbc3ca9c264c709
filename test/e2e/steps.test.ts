/**
 * Step-labelled data end to end: the CLI scores a PRM800K-style fixture with the arithmetic process
 * verifier and writes its step rewards back as PRM800K ratings. The fixture's ratings were written to be
 * what a careful checker of the arithmetic says, so the rows must come back with the same labels.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jsonl, ROOT, runCli } from "./run.js";

const FIXTURE = `${ROOT}fixtures/steps/prm800k-sample.jsonl`;

describe("rewardkit score --format prm800k", () => {
  it("re-labels the steps with the same ratings the fixture has", async () => {
    const r = await runCli([
      "score",
      "-s",
      `${ROOT}fixtures/examples/prm-arithmetic.json`,
      "-i",
      FIXTURE,
      "--format",
      "prm800k",
      "-q",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = jsonl(r.stdout);
    const input = jsonl(readFileSync(FIXTURE, "utf8"));
    expect(out.map((o) => o.step_rewards)).toEqual([
      [1, 1, 0],
      [-1, 1],
      [1, 1, 0],
    ]);
    out.forEach((o, i) => {
      const { reward: _r, status, error: _e, components: _c, step_rewards: _s, feedback: _f, ...row } = o;
      expect(status).toBe("ok");
      expect(row).toEqual(input[i]);
    });
    expect(out.map((o) => o.reward)).toEqual([0, -1, 0]);
  });

  it("changes a label when the arithmetic disagrees with it", async () => {
    const row = jsonl(readFileSync(FIXTURE, "utf8"))[0]!;
    (row.label as { steps: { completions: { text: string }[] }[] }).steps[1]!.completions[0]!.text =
      "After breaking, $12 - 2 = 11$ remain.";
    const r = await runCli(
      ["score", "-s", `${ROOT}fixtures/examples/prm-arithmetic.json`, "--format", "prm800k", "-q"],
      JSON.stringify(row),
    );
    const [out] = jsonl(r.stdout);
    const ratings = (out!.label as { steps: { completions: { rating: number }[] }[] }).steps.map(
      (s) => s.completions[0]!.rating,
    );
    expect(ratings).toEqual([1, -1, 0]);
  });

  it("turns a row that is not PRM800K into an error row", async () => {
    const r = await runCli(
      ["score", "-s", `${ROOT}fixtures/examples/prm-arithmetic.json`, "--format", "prm800k", "-q"],
      '{"completion": "x"}',
    );
    expect(jsonl(r.stdout)[0]).toMatchObject({ status: "error", error: { kind: "invalid_input" } });
  });
});
