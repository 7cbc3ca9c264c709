/** The real `rewardkit` binary on fixture files. */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, jsonl, ROOT, runCli } from "./run.js";

const EXAMPLE = `${ROOT}fixtures/examples/think-answer.jsonl`;
const tmp = mkdtempSync(join(tmpdir(), "rk-cli-"));

describe("rewardkit score", () => {
  it("scores the bundled example: every row back, in order, with a summary", async () => {
    const r = await runCli(["score", "--spec", "think-answer", "--input", EXAMPLE]);
    expect(r.code).toBe(0);
    const rows = jsonl(r.stdout);
    const input = jsonl(readFileSync(EXAMPLE, "utf8"));
    expect(rows.map((x) => x.id)).toEqual(input.map((x) => x.id));
    expect(rows.map((x) => x.reward)).toEqual([1, 1, 0.2, 0, 0.8, 0, 1, null]);
    expect(rows[7]).toMatchObject({ status: "error", error: { kind: "invalid_input" } });
    expect(rows[0]!.components).toMatchObject({
      format: { status: "ok", reward: 1 },
      answer: { status: "ok", reward: 1 },
    });
    expect(r.stderr).toMatch(/rows: 8/);
    expect(r.stderr).toMatch(/status: ok 7, abstain 0, error 1/);
    expect(r.stderr).toMatch(/format\s+0\.6250/);
  });

  it("turns malformed lines into error rows naming the line, and still scores the rest", async () => {
    const input = [
      '{"completion": "<think>a</think><answer>x</answer>", "reference": "x"}',
      "{oops",
      "",
      "[1,2]",
      '{"completion": 3}',
      '{"completion": "no", "reference": "x"}',
    ].join("\n");
    const r = await runCli(["score", "--spec", "think-answer", "--components", "flat"], input);
    expect(r.code).toBe(0);
    const rows = jsonl(r.stdout);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ reward: 1, status: "ok", components: { format: 1, answer: 1 } });
    expect(rows[1]).toMatchObject({ line: 2, status: "error", reward: null });
    expect((rows[1]!.error as { message: string }).message).toMatch(/^line 2: /);
    expect(rows[2]).toMatchObject({ line: 4, status: "error" });
    expect((rows[3]!.error as { message: string }).message).toMatch(/^line 5: 'completion' must be/);
    expect(rows[4]).toMatchObject({ reward: 0, status: "ok" });
  });

  it("keeps input order under concurrency", async () => {
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({
        id: i,
        completion: i % 3 ? "<think>t</think><answer>a</answer>".repeat(1 + (i % 7)) : "x",
        reference: "a",
      }),
    );
    const r = await runCli(
      ["score", "--spec", "think-answer", "--concurrency", "16", "-q", "--components", "none"],
      lines.join("\n"),
    );
    expect(r.code).toBe(0);
    expect(jsonl(r.stdout).map((x) => x.id)).toEqual(lines.map((_, i) => i));
    expect(r.stderr).toBe("");
  });

  it("writes to --output and a JSON summary, and --explain prints each tree", async () => {
    const out = join(tmp, "out.jsonl");
    const sum = join(tmp, "summary.json");
    const r = await runCli([
      "score",
      "-s",
      "think-answer",
      "-i",
      EXAMPLE,
      "-o",
      out,
      "--summary-json",
      sum,
      "--explain",
      "-q",
    ]);
    expect(r.code).toBe(0);
    expect(jsonl(readFileSync(out, "utf8"))).toHaveLength(8);
    expect(JSON.parse(readFileSync(sum, "utf8"))).toMatchObject({ rows: 8, status: { ok: 7, error: 1 } });
    expect(r.stdout).toContain("# line 3 (id 3)");
    expect(r.stdout).toMatch(/└─ answer: 0 {2}weight 0\.8 {2}contributes 0 {2}'43' is not '42'/);
  });

  it("exits 3 with --fail-on-error when a row is an error", async () => {
    const r = await runCli(["score", "-s", "think-answer", "-i", EXAMPLE, "--fail-on-error", "-q"]);
    expect(r.code).toBe(3);
  });

  it("rejects an invalid spec with exit 2 and every problem with its path, before scoring", async () => {
    const spec = join(tmp, "bad.json");
    writeFileSync(
      spec,
      JSON.stringify({
        type: "weighted",
        terms: [
          { type: "regex", patern: "x" },
          { type: "lenght", max: 3 },
        ],
      }),
    );
    const r = await runCli(["score", "--spec", spec], '{"completion": "x"}');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("$.terms[0]: unknown property 'patern' (did you mean 'pattern'?)");
    expect(r.stderr).toContain("$.terms[1].type: unknown node type 'lenght' (did you mean 'length'?)");
  });

  it("reads a spec file and an input that start with a byte order mark", async () => {
    const spec = join(tmp, "bom-spec.json");
    writeFileSync(spec, `\uFEFF${JSON.stringify({ type: "think_answer" })}`);
    const r = await runCli(
      ["score", "--spec", spec, "--components", "none"],
      `\uFEFF${JSON.stringify({ completion: "<think>a</think><answer>b</answer>" })}\n`,
    );
    expect(r.code).toBe(0);
    expect(jsonl(r.stdout)[0]).toMatchObject({ status: "ok", reward: 1 });
  });

  it("--token-offsets: a row without the field is an error naming it, not a row without token rewards", async () => {
    const input = [
      JSON.stringify({
        completion: "<think>a</think><answer>b</answer>",
        reference: "b",
        tok: [
          [0, 10],
          [10, 34],
        ],
      }),
      JSON.stringify({ completion: "<think>a</think><answer>b</answer>", reference: "b" }),
    ].join("\n");
    const r = await runCli(
      ["score", "--spec", "think-answer", "--token-offsets", "tok", "--components", "none"],
      input,
    );
    expect(r.code).toBe(0);
    const rows = jsonl(r.stdout);
    expect(rows[0]).toMatchObject({ status: "ok", reward: 1, token_rewards: [0, 1] });
    expect(rows[1]).toMatchObject({ status: "error", reward: null, token_rewards: null });
    expect((rows[1]!.error as { message: string }).message).toMatch(
      /line 2: the row has no 'tok' \(--token-offsets\)/,
    );
  });

  it("exits 1 with the reason, before scoring, when --output cannot be written", async () => {
    const r = await runCli([
      "score",
      "--spec",
      "think-answer",
      "--input",
      EXAMPLE,
      "--output",
      join(tmp, "no/such/dir.jsonl"),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rewardkit: ENOENT: no such file or directory/);
    expect(r.stderr).not.toMatch(/Unhandled|node:events/);
  });

  it("stops quietly (exit 0, no stack trace) when the reader of stdout goes away", async () => {
    const child = spawn(process.execPath, [BIN, "score", "--spec", "think-answer", "--quiet"], { cwd: ROOT });
    child.stdin.on("error", () => {});
    child.stdin.end(`${JSON.stringify({ completion: "x", reference: "x" })}\n`.repeat(20_000));
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise((res) => child.on("close", res));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it("exits 2 naming the option for an unknown vote equivalence", async () => {
    const r = await runCli([
      "score",
      "--spec",
      "think-answer",
      "--input",
      EXAMPLE,
      "--group-by",
      "id",
      "--vote",
      "bogus",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/group\.vote\.equivalence: unknown equivalence 'bogus'/);
    expect(r.stdout).toBe("");
  });

  it("exits 1 when the input file cannot be read", async () => {
    const r = await runCli(["score", "-s", "think-answer", "-i", join(tmp, "missing.jsonl")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOENT/);
  });
});

describe("other commands", () => {
  it("validate prints the tree and ranges, or the problems", async () => {
    const ok = await runCli(["validate", "think-answer"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("answer (exact) range [0, 1]");
    const spec = join(tmp, "bad2.json");
    writeFileSync(spec, "{not json");
    const bad = await runCli(["validate", spec]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not valid JSON/);
  });

  it("presets lists and prints presets; --version and --help work; usage errors exit 2", async () => {
    const list = await runCli(["presets"]);
    expect(list.stdout).toMatch(/^think-answer /m);
    const one = await runCli(["presets", "think-answer"]);
    expect(JSON.parse(one.stdout).type).toBe("weighted");
    const v = await runCli(["--version"]);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).version);
    const h = await runCli(["--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Exit codes/);
    expect((await runCli(["score"])).code).toBe(2);
    expect((await runCli(["score", "-s", "think-answer", "--concurrency", "0"])).code).toBe(2);
  });

  it("serve: an out-of-range port or an unknown log level is a usage error (exit 2), before starting", async () => {
    const port = await runCli(["serve", "-s", "think-answer", "--port", "99999"]);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port must be an integer >= 0 and <= 65535/);
    const level = await runCli(["serve", "-s", "think-answer", "--log-level", "bogus"]);
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/Allowed choices are fatal, error, warn, info, debug/);
  });
});
