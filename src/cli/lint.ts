/** `rewardkit lint`: property-based consistency and anti-hacking checks of a spec on seed samples. */
import { readFileSync } from "node:fs";
import { closeSharedPool } from "../core/index.js";
import { formatReport, type JsonMutation, lintSpec, parseMutations } from "../lint/index.js";
import { SpecError } from "../spec/index.js";

export const LINT_EXIT = { OK: 0, FAILURE: 1, USAGE: 2, VIOLATIONS: 4 } as const;

export interface LintCliOptions {
  spec: string;
  samples: string;
  runs?: number;
  seed?: number;
  json?: boolean;
  mutations?: string;
  only?: string;
  concurrency?: number;
}

function fail(code: number, message: string): never {
  process.stderr.write(`rewardkit lint: ${message}\n`);
  process.exit(code);
}

/** Reads seed samples: one JSON object per line (blank lines skipped); a bad line is a usage error. */
export function readSamples(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return fail(LINT_EXIT.FAILURE, `cannot read ${path}: ${(e as Error).message}`);
  }
  const out: unknown[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        out.push(JSON.parse(line));
      } catch (e) {
        fail(LINT_EXIT.USAGE, `${path}:${i + 1} is not JSON: ${(e as Error).message}`);
      }
    });
  if (out.length === 0) fail(LINT_EXIT.USAGE, `${path} holds no samples`);
  return out;
}

function readMutations(path: string): JsonMutation[] {
  try {
    return parseMutations(JSON.parse(readFileSync(path, "utf8")));
  } catch (e) {
    return fail(LINT_EXIT.USAGE, `--mutations ${path}: ${(e as Error).message}`);
  }
}

export async function runLint(o: LintCliOptions): Promise<number> {
  const samples = readSamples(o.samples);
  const mutations = o.mutations ? readMutations(o.mutations) : [];
  const only = o.only
    ? o.only
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
  const progress = !o.json && process.stderr.isTTY;
  let report: Awaited<ReturnType<typeof lintSpec>>;
  try {
    report = await lintSpec(o.spec, samples, {
      ...(o.runs !== undefined ? { runs: o.runs } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
      mutations,
      ...(only ? { only } : {}),
      onCheck: progress ? (c) => process.stderr.write(`  ${c.status.padEnd(4)} ${c.name}\n`) : undefined,
    });
  } catch (e) {
    if (e instanceof SpecError) fail(LINT_EXIT.USAGE, e.message);
    throw e;
  } finally {
    await closeSharedPool();
  }
  if (only && report.checks.length === 0) fail(LINT_EXIT.USAGE, `--only ${o.only} matches no check`);
  if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const args = [
      "rewardkit lint",
      `--spec ${o.spec}`,
      `--samples ${o.samples}`,
      `--seed ${report.seed}`,
      ...(o.runs !== undefined ? [`--runs ${o.runs}`] : []),
      ...(o.mutations ? [`--mutations ${o.mutations}`] : []),
      ...(o.only ? [`--only ${o.only}`] : []),
    ];
    process.stdout.write(`${formatReport(report, args.join(" "))}\n`);
  }
  return report.ok ? LINT_EXIT.OK : LINT_EXIT.VIOLATIONS;
}
