/**
 * The shipped types as a consumer sees them: fixtures/types/consumer.ts, in a temp project whose
 * node_modules/rewardkit is this checkout (dist/ built by pretest), compiled by tsc with strict,
 * exactOptionalPropertyTypes, noUncheckedIndexedAccess and skipLibCheck: false (every .d.ts we ship is
 * checked). Its `@ts-expect-error` lines (a misspelt type, option, child type; reward before narrowing)
 * must each be an error: tsc fails on an unused directive, and without the directives each line errs.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./run.js";

const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const SOURCE = readFileSync(join(ROOT, "fixtures/types/consumer.ts"), "utf8");

function project(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "rk-types-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "rewardkit"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(dir, "consumer.ts"), source);
  const compilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    noEmit: true,
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2023",
    resolveJsonModule: true,
    typeRoots: [join(ROOT, "node_modules/@types")],
    types: ["node"],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["consumer.ts"] }));
  return dir;
}

function tsc(dir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [TSC, "-p", "."], { cwd: dir, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("shipped types under the strictest flags", () => {
  it("a consumer compiles, and every @ts-expect-error in it is a real error", () => {
    const dir = project(SOURCE);
    dirs.push(dir);
    const r = tsc(dir);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  }, 120_000);

  it("without the directives, each marked line is an error", () => {
    const lines = SOURCE.split("\n");
    const marked = lines.flatMap((l, i) => (l.includes("@ts-expect-error") ? [i + 2] : []));
    expect(marked.length).toBeGreaterThanOrEqual(5);
    const dir = project(lines.map((l) => (l.includes("@ts-expect-error") ? "" : l)).join("\n"));
    dirs.push(dir);
    const r = tsc(dir);
    expect(r.code).not.toBe(0);
    const errLines = new Set([...r.out.matchAll(/^consumer\.ts\((\d+),/gm)].map((m) => Number(m[1])));
    for (const line of marked) expect(errLines.has(line), `line ${line}:\n${r.out}`).toBe(true);
  }, 120_000);
});
