/**
 * `rewardkit eval` (the real binary, built into dist/) and POST /v1/eval (a real server on a free port).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer, loadReward } from "../../src/index.js";
import { runCli } from "../e2e/run.js";

// biome-ignore lint/suspicious/noExplicitAny: JSON answers read field by field
type Json = Record<string, any>;

const dir = mkdtempSync(join(tmpdir(), "rk-eval-"));
const file = (name: string, rows: unknown[]) => {
  const p = join(dir, name);
  writeFileSync(p, rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n"));
  return p;
};

describe("rewardkit eval", () => {
  it("prints the JSON report, equal to the library's, and writes the disagreements", async () => {
    const out = join(dir, "dis.jsonl");
    const r = await runCli([
      "eval",
      "--spec",
      "math",
      "--input",
      "fixtures/eval/math-labelled.jsonl",
      "--label",
      "label",
      "--against",
      "fixtures/eval/exact-baseline.json",
      "--json",
      "--disagreements",
      out,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const rows = readFileSync("fixtures/eval/math-labelled.jsonl", "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const lib = await loadReward("math").evaluate(rows, {
      label: "label",
      against: loadReward("fixtures/eval/exact-baseline.json"),
    });
    expect(j.binary).toEqual(JSON.parse(JSON.stringify(lib.binary)));
    expect(j.against.mcnemar).toEqual(lib.against!.mcnemar);
    const dis = readFileSync(out, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(dis.length).toBe(j.disagreements);
    expect(dis[0].where).toMatch(/^fixtures\/eval\/math-labelled\.jsonl line \d+$/);
    expect(dis[0].a.explanation).toMatch(/^math/);
    expect(dis[0].b.explanation).toMatch(/^exact/);
  });

  it("prints a readable table", async () => {
    const r = await runCli([
      "eval",
      "-s",
      "math",
      "-i",
      "fixtures/eval/math-pairs.jsonl",
      "--by",
      "category",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mode: preference/);
    expect(r.stdout).toMatch(/pairwise accuracy \(ties = 1\/2\)/);
    expect(r.stdout).toMatch(/by category:/);
  });

  it("exits 2 naming the line of bad input", async () => {
    const cases: [unknown[], RegExp][] = [
      [[{ completion: "4", reference: "4", label: 1 }, "{not json"], /line 2: not JSON/],
      [
        [
          { completion: "4", reference: "4", label: 1 },
          { completion: "4", reference: "4" },
        ],
        /line 2: no field 'label'/,
      ],
      [
        [{ completion: "4", reference: "4", label: 1 }, "", { completion: "4", reference: "4", label: 2 }],
        /line 3: the label 'label' is 2; binary labels/,
      ],
    ];
    for (const [rows, re] of cases) {
      const p = file("bad.jsonl", rows);
      const r = await runCli(["eval", "-s", "math", "-i", p, "-l", "label", "--mode", "binary"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).toContain(p);
    }
    // Usage errors exit 2, as for the other commands.
    for (const args of [
      ["eval", "-i", "x.jsonl"],
      ["eval", "-s", "math", "-i", "x", "-c", "0"],
      ["report", "-i", "x"],
    ]) {
      expect((await runCli(args)).code, args.join(" ")).toBe(2);
    }
    const missing = await runCli(["eval", "-s", "math", "-i", join(dir, "nope.jsonl"), "-l", "label"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT|no such file/);
  });
});

describe("POST /v1/eval", () => {
  const app = buildServer(loadReward("math"), { maxBatch: 4 });
  let url = "";
  beforeAll(async () => {
    url = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(() => app.close());
  const post = async (body: unknown) => {
    const res = await fetch(`${url}/v1/eval`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it("evaluates rows against the served spec", async () => {
    const rows = [
      { completion: "4", reference: "4", label: 1 },
      { completion: "1/2", reference: "0.5", label: 1 },
      { completion: "5", reference: "4", label: 0 },
      { completion: "5", reference: "4", label: 1 },
    ];
    const r = await post({ rows, label: "label", disagreements: true });
    expect(r.status).toBe(200);
    expect(r.body.binary.confusion).toEqual({ tp: 2, fp: 0, tn: 1, fn: 1 });
    expect(r.body.disagreements).toHaveLength(1);
    expect(r.body.disagreements[0].where).toBe("rows[3]");
  });

  it("refuses bad rows with a 400 naming the row, and batches over the limit with a 413", async () => {
    const bad = await post({
      rows: [{ completion: "4", reference: "4", label: 1 }, { completion: "4" }],
      label: "label",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/rows\[1\]: no field 'label'/);
    const big = await post({
      rows: Array.from({ length: 5 }, () => ({ completion: "4", label: 1 })),
      label: "label",
    });
    expect(big.status).toBe(413);
    // Three preference rows are six samples: over the limit of 4 as well.
    const pairs = await post({
      rows: Array.from({ length: 3 }, () => ({ chosen: "4", rejected: "5", reference: "4" })),
    });
    expect(pairs.status).toBe(413);
    const ok = await post({ rows: [{ prompt: "p", chosen: "4", rejected: "5", reference: "4" }] });
    expect(ok.status).toBe(200);
    expect(ok.body.preference.wins).toBe(1);
  });
});
