import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import type { Result } from "../../src/core/index.js";
import { loadReward } from "../../src/spec/index.js";
import { sandboxFacts } from "../../src/verifiers/code/runtimes/sandbox.js";

export const REPO = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
export const DATASETS = `${REPO}/fixtures/datasets`;

export function readJsonl<T = Record<string, unknown>>(path: string): T[] {
  const buf = readFileSync(path);
  const text = path.endsWith(".gz") ? gunzipSync(buf).toString("utf8") : buf.toString("utf8");
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export interface HumanEval {
  task_id: string;
  prompt: string;
  entry_point: string;
  canonical_solution: string;
  test: string;
}

/** The 164 HumanEval problems (fixtures/datasets), read once per test file. */
export const humaneval = readJsonl<HumanEval>(`${DATASETS}/humaneval/HumanEval.jsonl.gz`);

/** A HumanEval problem as the code verifier's reference. */
export const heRef = (p: HumanEval) => ({
  format: "humaneval",
  prompt: p.prompt,
  test: p.test,
  entry_point: p.entry_point,
});

/** The sandbox modes of the process runtime that can run here (bwrap only where it works). */
export function sandboxModes(): ("bwrap" | "none")[] {
  return sandboxFacts().bwrapWorks ? ["bwrap", "none"] : ["none"];
}

export function codeSpec(extra: Record<string, unknown> = {}) {
  return loadReward({ type: "code", ...extra });
}

/** The verdict of the first test that did not pass, or "pass". */
export function firstVerdict(r: Result): string {
  const tests = (r.details?.tests ?? []) as { verdict: string }[];
  return tests.find((t) => t.verdict !== "pass")?.verdict ?? (tests.length ? "pass" : "none");
}
