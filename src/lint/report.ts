/** The lint report: what `--json` prints, and its text form. */

import { describe } from "./compare.js";
import { clipText } from "./sample-text.js";
import type { Evidence } from "./types.js";
import type { LintWarning } from "./warnings.js";

export interface CheckReport {
  name: string;
  kind: "law" | "attack" | "mutation";
  description: string;
  requirement: string;
  status: "pass" | "fail" | "n/a";
  /** Why the check does not apply. */
  why?: string;
  /** Variations checked (up to and including the first failure). */
  runs: number;
  /** Variations where the mutation changed nothing (they hold trivially). */
  vacuous: number;
  ms: number;
  counterexample?: Counterexample;
}

export interface Counterexample extends Evidence {
  /** Index of the seed sample (0-based line of the samples file) and its id. */
  sample_index: number;
  sample_id?: string | number;
  /** fast-check's shrinking steps and its replay path. */
  shrinks: number;
  path: string | null;
}

export interface LintReport {
  ok: boolean;
  /** The fast-check seed: `--seed` with it reproduces the run. */
  seed: number;
  /** The variation budget (`--runs`) and the variations actually checked. */
  runs: number;
  variations: number;
  violations: number;
  ms: number;
  spec: {
    range: readonly [number, number];
    invariant: string[];
    sensitive_to_answer: boolean;
    format_checks: string[];
    monotone: string[];
    symmetric: string[];
    asymmetric: string[];
  };
  samples: { total: number; usable: number; ok: number; high: number; top: number };
  checks: CheckReport[];
  /** What the checks cannot show but the spec's user should know (they do not make `ok` false). */
  warnings: LintWarning[];
}

const STATUS = { pass: "pass", fail: "FAIL", "n/a": "n/a " } as const;

export function formatReport(r: LintReport, reproduce?: string): string {
  const out: string[] = [];
  const s = r.samples;
  out.push(
    `rewardkit lint: range [${r.spec.range.join(", ")}], ${s.total} samples (${s.usable} usable, ${s.top} at the maximum, ${s.high} high), seed ${r.seed}`,
  );
  const decl = [
    r.spec.invariant.length ? `invariant under ${r.spec.invariant.join(", ")}` : "no invariance",
    r.spec.sensitive_to_answer ? "sensitive to the final answer" : "not declared sensitive to the answer",
    r.spec.format_checks.length ? `format checked by ${r.spec.format_checks.join(", ")}` : "",
    r.spec.monotone.length ? `monotone in length: ${r.spec.monotone.join(", ")}` : "",
    r.spec.asymmetric.length ? `asymmetric: ${r.spec.asymmetric.join(", ")}` : "",
  ].filter(Boolean);
  out.push(`declared: ${decl.join("; ")}`);
  for (const kind of ["law", "attack", "mutation"] as const) {
    const cs = r.checks.filter((c) => c.kind === kind);
    if (!cs.length) continue;
    out.push("", kind === "law" ? "laws" : kind === "attack" ? "attacks" : "mutations");
    const w = Math.max(...cs.map((c) => c.name.length));
    for (const c of cs) {
      const tail =
        c.status === "n/a"
          ? (c.why ?? "")
          : `${c.runs} variation${c.runs === 1 ? "" : "s"}${c.vacuous ? ` (${c.vacuous} unchanged)` : ""}`;
      out.push(`  ${STATUS[c.status]}  ${c.name.padEnd(w)}  ${tail}`);
      if (c.counterexample) out.push(...counterexample(c));
    }
  }
  if (r.warnings.length) {
    out.push("", "warnings");
    for (const w of r.warnings) out.push(`  warn  ${w.check} at ${w.path}: ${w.message}`);
  }
  out.push("");
  const secs = (r.ms / 1000).toFixed(1);
  if (r.ok) out.push(`all laws hold: ${r.variations} variations in ${secs} s`);
  else {
    out.push(
      `${r.violations} violation${r.violations === 1 ? "" : "s"} (${r.variations} variations in ${secs} s)`,
    );
    if (reproduce) out.push(`reproduce: ${reproduce}`);
  }
  return out.join("\n");
}

function counterexample(c: CheckReport): string[] {
  const x = c.counterexample!;
  const pad = "        ";
  const lines = [
    `${pad}requirement: ${c.requirement}`,
    `${pad}violated: ${x.message}`,
    `${pad}seed sample #${x.sample_index}${x.sample_id !== undefined ? ` (id ${JSON.stringify(x.sample_id)})` : ""}, after ${x.shrinks} shrink${x.shrinks === 1 ? "" : "s"}`,
    `${pad}change: ${x.change}`,
  ];
  const s = x.sample as Record<string, unknown> | null;
  if (s && typeof s === "object" && !Array.isArray(s) && "completion" in s) {
    const comp = s.completion;
    lines.push(
      `${pad}completion: ${typeof comp === "string" ? clipText(comp) : clipText(JSON.stringify(comp))}`,
    );
    const ref = s.reference;
    if (ref !== undefined)
      lines.push(`${pad}reference: ${clipText(typeof ref === "string" ? ref : JSON.stringify(ref), 200)}`);
  } else lines.push(`${pad}sample: ${clipText(JSON.stringify(x.sample) ?? String(x.sample))}`);
  for (const { label, result } of x.results) lines.push(`${pad}${label}: ${describe(result)}`);
  return lines;
}
