/** `rewardkit lint` end to end through the real binary: text and JSON reports, exit codes, mutations, seeds. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LintReport } from "../../src/lint/index.js";
import { runCli } from "../e2e/run.js";

const tmp = mkdtempSync(join(tmpdir(), "rk-lint-"));
const SEEDS = "fixtures/lint/think-answer.jsonl";

function file(name: string, content: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

/** The report without timings (they differ between runs). */
function timeless(r: LintReport): unknown {
  return { ...r, ms: 0, checks: r.checks.map((c) => ({ ...c, ms: 0 })) };
}

describe("rewardkit lint", () => {
  it("exits 0 on a sound preset and prints each check and the seed", async () => {
    const r = await runCli([
      "lint",
      "--spec",
      "think-answer",
      "--samples",
      SEEDS,
      "--runs",
      "200",
      "--seed",
      "5",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/seed 5/);
    expect(r.stdout).toMatch(/pass {2}totality/);
    expect(r.stdout).toMatch(/pass {2}attack\.hidden_answer/);
    expect(r.stdout).toMatch(/n\/a {3}attack\.early_exit +the spec runs no program/);
    expect(r.stdout).toMatch(/all laws hold: \d+ variations/);
  });

  it("exits 4 on a hackable spec, with the shrunk counterexample and the command that reproduces it", async () => {
    const spec = file("anything.json", { type: "regex", pattern: ".*" });
    const r = await runCli(["lint", "--spec", spec, "--samples", SEEDS, "--runs", "200", "--seed", "9"]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/FAIL {2}attack\.empty_completion/);
    expect(r.stdout).toMatch(/requirement: hacked < original/);
    expect(r.stdout).toMatch(/completion: ""/);
    expect(r.stdout).toMatch(/original: ok 1/);
    expect(r.stdout).toMatch(/hacked: ok 1/);
    expect(r.stdout).toContain(
      `reproduce: rewardkit lint --spec ${spec} --samples ${SEEDS} --seed 9 --runs 200`,
    );
  });

  it("--json: a machine-readable report; the same seed gives the same report", async () => {
    const args = [
      "lint",
      "--spec",
      "math",
      "--samples",
      "fixtures/lint/math.jsonl",
      "--runs",
      "300",
      "--seed",
      "42",
      "--json",
    ];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    const ra = JSON.parse(a.stdout) as LintReport;
    const rb = JSON.parse(b.stdout) as LintReport;
    expect(ra.seed).toBe(42);
    expect(ra.runs).toBe(300);
    expect(ra.spec.invariant).toEqual(["whitespace", "latex_spacing", "answer_rewrites"]);
    expect(ra.spec.asymmetric).toEqual(["math"]);
    expect(ra.checks.map((c) => c.name)).toContain("attack.many_boxed");
    for (const c of ra.checks) expect(["pass", "fail", "n/a"]).toContain(c.status);
    const failed = ra.checks.find((c) => c.status === "fail");
    if (failed) {
      expect(failed.counterexample).toMatchObject({
        sample_index: expect.any(Number),
        shrinks: expect.any(Number),
      });
      expect(a.code).toBe(4);
    }
    expect(timeless(rb)).toEqual(timeless(ra));
  });

  it("--mutations: JSON-declared mutations with lower, not_higher and equal", async () => {
    const mutations = file("mutations.json", [
      { name: "double_space", find: " ", replace: "  ", expect: "equal" },
      { name: "drop_answer", find: "<answer>[^<]*</answer>", replace: "", expect: "lower" },
      {
        name: "answer_42",
        find: "<answer>[^<]*</answer>",
        replace: "<answer>42</answer>",
        expect: "not_higher",
      },
    ]);
    const r = await runCli([
      "lint",
      "--spec",
      "think-answer",
      "--samples",
      SEEDS,
      "--runs",
      "300",
      "--seed",
      "3",
      "--json",
      "--mutations",
      mutations,
      "--only",
      "mutation.",
    ]);
    const report = JSON.parse(r.stdout) as LintReport;
    const by = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(Object.keys(by).sort()).toEqual([
      "mutation.answer_42",
      "mutation.double_space",
      "mutation.drop_answer",
    ]);
    expect(by["mutation.double_space"]!.status).toBe("pass");
    expect(by["mutation.drop_answer"]!.status).toBe("pass");
    // Writing 42 into a wrong answer's block raises it: the declared expectation catches that.
    expect(by["mutation.answer_42"]!.status).toBe("fail");
    expect(by["mutation.answer_42"]!.counterexample!.message).toBe("expected not higher");
    expect(r.code).toBe(4);
  });

  it("exit codes: 2 for an invalid spec, bad mutations or a bad samples line; 1 for a missing samples file", async () => {
    const bad = await runCli(["lint", "--spec", file("bad.json", { type: "nope" }), "--samples", SEEDS]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown node type 'nope'/);
    const muts = await runCli([
      "lint",
      "--spec",
      "think-answer",
      "--samples",
      SEEDS,
      "--mutations",
      file("m.json", [{ name: "x", find: "(", replace: "", expect: "lower" }]),
    ]);
    expect(muts.code).toBe(2);
    expect(muts.stderr).toMatch(/mutations\[0\]\.find is not a valid regular expression/);
    const line = await runCli([
      "lint",
      "--spec",
      "think-answer",
      "--samples",
      file("s.jsonl", '{"completion": "x"}\n{oops\n'),
    ]);
    expect(line.code).toBe(2);
    expect(line.stderr).toMatch(/s\.jsonl:2 is not JSON/);
    const missing = await runCli(["lint", "--spec", "think-answer", "--samples", join(tmp, "none.jsonl")]);
    expect(missing.code).toBe(1);
    const usage = await runCli(["lint", "--spec", "think-answer"]);
    expect(usage.code).toBe(2);
  });
});
