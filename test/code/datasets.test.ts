/**
 * The code verifier on public datasets (fixtures/datasets): HumanEval canonical solutions score 1 and a
 * broken variant 0 (Pyodide and the process runtime); MultiPL-E humaneval-js verdicts agree with plain
 * node; MBPP; CodeContests stdin/stdout with solutions written for a few problems.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forEachLimit } from "../../src/rewards/index.js";
import { extractCode } from "../../src/verifiers/code/extract.js";
import { codeSpec, DATASETS, heRef, humaneval, REPO, readJsonl } from "./helpers.js";

async function rewards(spec: ReturnType<typeof codeSpec>, samples: object[]) {
  const rs = await spec.scoreBatch(samples, { concurrency: 32 });
  for (const r of rs) if (r.status !== "ok") throw new Error(`not ok: ${JSON.stringify(r)}`);
  return rs.map((r) => r.reward);
}

function failures(ids: string[], got: (number | null)[], want: number): string[] {
  return ids.filter((_, i) => got[i] !== want);
}

describe("HumanEval", () => {
  const ids = humaneval.map((p) => p.task_id);
  it("has 164 problems", () => expect(humaneval.length).toBe(164));

  for (const runtime of ["python", "process"] as const) {
    it(`scores every canonical solution 1 and every broken one 0 (${runtime} runtime)`, async () => {
      const spec = codeSpec({ runtime: { python: runtime } });
      const good = humaneval.map((p) => ({ completion: p.canonical_solution, reference: heRef(p) }));
      const broken = humaneval.map((p) => ({ completion: "    return None\n", reference: heRef(p) }));
      const [g, b] = [await rewards(spec, good), await rewards(spec, broken)];
      expect(failures(ids, g, 1)).toEqual([]);
      expect(failures(ids, b, 0)).toEqual([]);
    });
  }

  it("uses a chat answer that holds the whole function as is", async () => {
    const spec = codeSpec();
    const chat = humaneval.map((p) => ({
      completion: `Sure!\n\n\`\`\`python\n${p.prompt}${p.canonical_solution}\`\`\`\n\nExample:\n\`\`\`python\nprint(${p.entry_point}())\n\`\`\``,
      reference: heRef(p),
    }));
    expect(failures(ids, await rewards(spec, chat), 1)).toEqual([]);
  });
});

interface MultiplE {
  name: string;
  prompt: string;
  tests: string;
  gpt_solution: string;
}

/** Runs a program with plain node (no sandbox: the oracle), returning whether it exited 0. */
function plainNode(program: string, dir: string, i: number): Promise<boolean> {
  const file = join(dir, `p${i}.js`);
  writeFileSync(file, program);
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [file], { cwd: dir, env: {}, stdio: "ignore", timeout: 15_000 });
    c.on("close", (code) => resolve(code === 0));
    c.on("error", () => resolve(false));
  });
}

describe("MultiPL-E humaneval-js", () => {
  it("agrees with plain node on every gpt_solution", async () => {
    const rows = readJsonl<MultiplE>(`${DATASETS}/multipl-e/humaneval-js.jsonl`);
    expect(rows.length).toBe(161);
    const entry = (r: MultiplE) => /function\s+([A-Za-z_$][\w$]*)\s*\(/.exec(r.prompt)?.[1];
    const dir = mkdtempSync(join(tmpdir(), "rk-multiple-"));
    try {
      const node: boolean[] = new Array(rows.length);
      await forEachLimit(rows.length, 4, async (i) => {
        const r = rows[i]!;
        const code = extractCode(r.gpt_solution, "js", entry(r)).code;
        node[i] = await plainNode(`${code}\n${r.tests}`, dir, i);
      });
      const spec = codeSpec({ language: "js" });
      const ours = await rewards(
        spec,
        rows.map((r) => ({
          completion: r.gpt_solution,
          reference: { format: "append", tests: r.tests, entry_point: entry(r) },
        })),
      );
      const disagree = rows.filter((_, i) => (ours[i] === 1) !== node[i]).map((r) => r.name);
      expect(disagree).toEqual([]);
      // The dataset's own note: about 135 of 161 pass.
      const passing = node.filter(Boolean).length;
      expect(passing).toBeGreaterThan(100);
      expect(passing).toBeLessThan(161);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface Mbpp {
  task_id?: number;
  canonical_solution: string;
  test_list: string[];
  labels?: { test_setup_code?: string };
}

describe("MBPP", () => {
  const rows = readJsonl<Mbpp>(`${DATASETS}/sandboxfusion/mbpp-sample20.jsonl`);
  const ref = (r: Mbpp) => ({
    format: "asserts",
    tests: r.test_list,
    setup: r.labels?.test_setup_code ?? "",
  });
  for (const runtime of ["python", "process"] as const) {
    it(`canonical solutions pass and stubs fail (${runtime} runtime)`, async () => {
      const spec = codeSpec({ runtime: { python: runtime }, mode: "fraction" });
      const good = await rewards(
        spec,
        rows.map((r) => ({ completion: `\`\`\`python\n${r.canonical_solution}\n\`\`\``, reference: ref(r) })),
      );
      expect(good).toEqual(rows.map(() => 1));
      const stub = (r: Mbpp) => {
        const name = /assert\s+\(?\s*(?:not\s+)?(?:set\()?\s*([A-Za-z_]\w*)\s*\(/.exec(r.test_list[0]!)?.[1];
        return `\`\`\`python\ndef ${name}(*args, **kwargs):\n    return None\n\`\`\``;
      };
      const bad = await rewards(
        spec,
        rows.map((r) => ({ completion: stub(r), reference: ref(r) })),
      );
      expect(bad.filter((x) => x! > 0.5)).toEqual([]);
    });
  }
});

interface Contest {
  test: string;
}

describe("CodeContests stdin/stdout", () => {
  const rows = readJsonl<Contest>(`${DATASETS}/sandboxfusion/code-contests-sample20-stdio.jsonl`);
  const fixtures = JSON.parse(readFileSync(`${REPO}/fixtures/code/codecontests-solutions.json`, "utf8")) as {
    problems: {
      index: number;
      name: string;
      compare?: string;
      solutions: { id: string; language: string; runtime: string; completion: string; expect: number }[];
    }[];
  };
  for (const p of fixtures.problems) {
    it(`${p.name}: written solutions get their expected reward over all cases`, async () => {
      const cases = JSON.parse(rows[p.index]!.test) as {
        input: { stdin: string };
        output: { stdout: string };
      }[];
      expect(cases.length).toBeGreaterThan(30);
      const got: string[] = [];
      const want: string[] = [];
      for (const s of p.solutions) {
        const spec = codeSpec({
          language: s.language,
          runtime: {
            python: s.runtime === "process" ? "process" : "python",
            js: s.runtime === "process" ? "process" : "js",
          },
          time_ms: 10_000,
        });
        const r = await spec.score({
          completion: s.completion,
          reference: { format: "stdio", cases, compare: p.compare },
        });
        expect(r.status, JSON.stringify(r.error)).toBe("ok");
        got.push(`${s.id}: ${r.reward}`);
        want.push(`${s.id}: ${s.expect}`);
        if (s.expect === 1) expect(r.details?.passed).toBe(cases.length);
      }
      expect(got).toEqual(want);
    });
  }

  it("fraction mode runs every case and counts the passing ones", async () => {
    const p = fixtures.problems.find((x) => x.index === 17)!;
    const wrong = p.solutions.find((s) => s.id === "correct_py_wrong")!;
    const cases = JSON.parse(rows[17]!.test);
    const r = await codeSpec({ mode: "fraction" }).score({
      completion: wrong.completion,
      reference: { format: "stdio", cases },
    });
    const verdicts = r.details?.verdicts as Record<string, number>;
    expect(verdicts.pass! + verdicts.wrong_answer!).toBe(cases.length);
    expect(r.reward).toBeCloseTo(verdicts.pass! / cases.length, 10);
    expect(r.reward).toBeGreaterThan(0);
    expect(r.reward).toBeLessThan(1);
  });
});
