/**
 * `rewardkit score` on a real terminal (a pty from util-linux `script`) shows a progress bar and clears it
 * before the summary; piped, it prints none. An unknown --group-by field is a usage error (exit 2) naming
 * the field and the first row's fields. The summary ends with quantiles and a histogram per component.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, ROOT, runCli } from "./run.js";

const EXAMPLES = join(ROOT, "fixtures/examples");
const tmp = mkdtempSync(join(tmpdir(), "rk-progress-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("rewardkit score: progress, summary, --group-by", () => {
  it("draws a progress bar on a terminal and clears it before the summary", () => {
    const which = spawnSync("script", ["--version"], { encoding: "utf8" });
    if (which.error) throw new Error("this test needs util-linux `script` (apt-get install bsdutils)");
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} score --spec think-answer --input ${JSON.stringify(join(EXAMPLES, "data.jsonl"))} --output ${JSON.stringify(join(tmp, "out.jsonl"))}`;
    const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
      encoding: "utf8",
      env: { ...process.env, TERM: "xterm" },
    });
    expect(r.status, r.stdout).toBe(0);
    const screen = r.stdout;
    expect(screen).toMatch(/rows\/s/);
    const summaryAt = screen.indexOf("rows: 4");
    expect(summaryAt).toBeGreaterThan(0);
    // The last thing before the summary is the clear-line sequence, not the bar.
    expect(screen.slice(0, summaryAt).endsWith("\r\u001b[K")).toBe(true);
  });

  it("prints no progress when stderr is a pipe, and the summary has quantiles and histograms", async () => {
    const r = await runCli(["score", "--spec", "think-answer", "--input", join(EXAMPLES, "data.jsonl")]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/\r|rows\/s/);
    expect(r.stderr).toMatch(/^distribution over ok values \(p5 \/ p50 \/ p95/m);
    expect(r.stderr).toMatch(/^ {2}reward +[\d.]+ \/ [\d.]+ \/ [\d.]+ +[\d.]+ \|.{10}\| [\d.]+ +\(n=4\)$/m);
    expect(r.stderr).toMatch(/^ {2}format +[\d.]+ \/ /m);
  });

  it("refuses an unknown --group-by field with exit 2 before scoring", async () => {
    const r = await runCli([
      "score",
      "--spec",
      "math",
      "--input",
      join(EXAMPLES, "rollouts.jsonl"),
      "--group-by",
      "prompt_idd",
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /--group-by prompt_idd: .*no 'prompt_idd'.* first row \(its fields: prompt_id, completion, reference\)/,
    );
  });

  it("groups by a field that exists", async () => {
    const r = await runCli([
      "score",
      "--spec",
      "math",
      "--input",
      join(EXAMPLES, "rollouts.jsonl"),
      "--group-by",
      "prompt_id",
      "-q",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(8);
  });
});
