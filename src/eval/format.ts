/** An eval report as a text table for people (the JSON is the report itself). */
import type { EvalBlock, EvalReport } from "./evaluate.js";
import type { Proportion } from "./metrics.js";

export function fmt(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined ? "-" : x.toFixed(digits);
}

/** A p-value: small ones in scientific notation, so that 3e-12 does not read as 0. */
function pval(p: number): string {
  return p !== 0 && p < 1e-4 ? p.toExponential(2) : p.toFixed(4);
}

function prop(p: Proportion): string {
  return p.ci
    ? `${fmt(p.value)}  [${fmt(p.ci[0])}, ${fmt(p.ci[1])}]  (${fmt(p.successes, 1).replace(/\.0$/, "")}/${p.n})`
    : "-  (0 rows)";
}

function statusLine(b: EvalBlock, unit: string): string {
  const kinds = Object.entries(b.status.error_kinds)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  return `${b.rows} ${unit}: ok ${b.status.ok}, abstain ${b.status.abstain}, error ${b.status.error}${kinds ? ` (${kinds})` : ""}`;
}

function blockLines(b: EvalBlock, unit: string, indent = ""): string[] {
  const out = [statusLine(b, unit)];
  if (b.binary) {
    const m = b.binary;
    const c = m.confusion;
    out.push(
      `metrics on the ${m.n} ok ${unit}, 95% Wilson intervals:`,
      `  accuracy     ${prop(m.accuracy)}`,
      `  precision    ${prop(m.precision)}`,
      `  recall       ${prop(m.recall)}`,
      `  specificity  ${prop(m.specificity)}`,
      `  F1           ${fmt(m.f1)}`,
      "confusion (rows: label, columns: reward):",
      "             pred 1   pred 0",
      `  label 1   ${String(c.tp).padStart(7)}  ${String(c.fn).padStart(7)}`,
      `  label 0   ${String(c.fp).padStart(7)}  ${String(c.tn).padStart(7)}`,
      `not ok (counted apart): label 1 ${m.not_ok_by_label.positive}, label 0 ${m.not_ok_by_label.negative}`,
    );
  }
  if (b.graded) {
    const g = b.graded;
    out.push(
      `on the ${g.n} ok ${unit}: Pearson ${fmt(g.pearson)}, Spearman ${fmt(g.spearman)}, Kendall tau-b ${fmt(g.kendall_tau_b)}, MAE ${fmt(g.mae)}`,
    );
  }
  if (b.preference) {
    const p = b.preference;
    out.push(
      `pairwise accuracy (ties = 1/2) on the ${p.n} pairs with both sides ok: ${prop(p.accuracy)}`,
      `  chosen > rejected ${p.wins}, ties ${p.ties}, chosen < rejected ${p.losses}`,
    );
  }
  return out.map((l) => indent + l);
}

export function evalReportText(r: EvalReport): string {
  const unit = r.mode === "preference" ? "pairs" : "rows";
  const head = `mode: ${r.mode}${r.label ? `   label: ${r.label}` : ""}${r.threshold !== undefined ? `   positive when reward >= ${r.threshold}` : ""}`;
  const lines = [head, ...blockLines(r, unit)];
  if (r.by) {
    lines.push("", `by ${r.by.field}:`);
    for (const [cat, b] of Object.entries(r.by.groups)) {
      lines.push(`  ${cat}`);
      const short = b.binary
        ? [`    ${statusLine(b, unit)}`, `    accuracy ${prop(b.binary.accuracy)}   F1 ${fmt(b.binary.f1)}`]
        : blockLines(b, unit, "    ");
      lines.push(...short);
    }
  }
  if (r.against) {
    const t = r.against.threshold !== undefined ? ` (positive when reward >= ${r.against.threshold})` : "";
    lines.push("", `against the second spec${t}:`, ...blockLines(r.against, unit, "  "));
    lines.push(`  disagreements: ${r.against.disagreements} ${unit}`);
    const m = r.against.mcnemar;
    if (m)
      lines.push(
        `  McNemar: first right & second wrong ${m.b}, second right & first wrong ${m.c}; exact p ${pval(m.p_exact)}, chi2 ${fmt(m.chi2)} (p ${pval(m.p_chi2)})`,
      );
  }
  return lines.join("\n");
}
