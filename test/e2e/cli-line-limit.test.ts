/**
 * Over-long input lines, through the real binary: `score` makes an error row naming the line and scores
 * the rows after it; `eval` and `pairs` stop with exit 2 naming the line. Never a crash, never a line held
 * whole (the reader drops it as it arrives).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonl, runCli } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "rk-line-limit-"));
const row = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    prompt: "p",
    completion: `\\boxed{${i}}`,
    reference: "1",
    label: i === 1 ? 1 : 0,
    ...extra,
  });
const long = row(2, { pad: "x".repeat(5000) });

describe("--max-line-bytes", () => {
  it("score: the long line is an error row naming it, the next rows score", async () => {
    const input = `${row(1)}\n${long}\n${row(3)}\n`;
    for (const spec of ["math", "think-answer"]) {
      const r = await runCli(["score", "-s", spec, "--max-line-bytes", "1000", "-q"], input);
      expect(r.code).toBe(0);
      const out = jsonl(r.stdout);
      expect(out.map((o) => o.status)).toEqual(["ok", "error", "ok"]);
      expect(out[1]).toMatchObject({
        line: 2,
        error: {
          kind: "invalid_input",
          message: `line 2: the line is ${long.length} bytes, over the limit of 1000 (--max-line-bytes)`,
        },
      });
    }
    // The default limit (64 MiB) lets the same line through.
    expect(jsonl((await runCli(["score", "-s", "math", "-q"], input)).stdout)[1]!.status).toBe("ok");
    const bad = await runCli(["score", "-s", "math", "--max-line-bytes", "0"], input);
    expect(bad.code).toBe(2);
  });

  it("eval and pairs: exit 2 naming the line", async () => {
    const p = join(dir, "rows.jsonl");
    writeFileSync(p, `${row(1)}\n${long}\n${row(3)}\n`);
    const e = await runCli(["eval", "-s", "math", "-i", p, "-l", "label", "--max-line-bytes", "1000"]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain(
      `${p} line 2: ${long.length} bytes, over the limit of 1000 (--max-line-bytes)`,
    );
    const ok = await runCli(["eval", "-s", "math", "-i", p, "-l", "label", "--json"]);
    expect(ok.code).toBe(0);

    const pr = await runCli(["pairs", "-s", "math", "-i", p, "--max-line-bytes", "1000", "-q"]);
    expect(pr.code).toBe(2);
    expect(pr.stderr).toContain(`line 2: ${long.length} bytes, over the limit of 1000`);
  });

  it("eval: more rows than --max-rows exit 2 naming the line", async () => {
    const p = join(dir, "many.jsonl");
    writeFileSync(p, `${[1, 2, 3, 4].map((i) => row(i)).join("\n")}\n`);
    const e = await runCli(["eval", "-s", "math", "-i", p, "-l", "label", "--max-rows", "3"]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain(`${p} line 4: more than 3 rows`);
  });
});
