/**
 * One self-contained HTML page from a ReportData: Chart.js (its UMD build, read from the installed
 * package) and the page's script and styles are inlined, so nothing is fetched when it is viewed. The
 * headline numbers are written into the HTML itself (with `data-k` keys naming the summary field), the
 * charts are drawn by the script from the embedded summary.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { REPORT_CLIENT_JS, REPORT_CSS } from "./report-client.js";
import type { ReportData } from "./report-data.js";

let chartJs: string | undefined;

/** Chart.js's minified UMD build, from the installed package. */
export function chartJsSource(): string {
  if (chartJs === undefined) {
    const require = createRequire(import.meta.url);
    // The package's main entry is dist/chart.cjs (its exports hide package.json); the UMD build is beside it.
    chartJs = readFileSync(join(dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");
  }
  return chartJs;
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!);
}

/** How every number on the page is written (the browser test formats the JSON summary the same way). */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return "-";
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

/** JSON safe inside a <script> element: no "</script>", no "<!--". */
function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A script's text safe inside <script>: a literal "</script" in the library would end the element. */
function inlineScript(src: string): string {
  return src.replace(/<\/script/gi, "<\\/script");
}

function kv(key: string, label: string, value: string): string {
  return `<div class="kv"><span class="k">${esc(label)}</span><span class="v" data-k="${esc(key)}">${esc(value)}</span></div>`;
}

function evalSection(d: ReportData): string {
  const e = d.eval;
  if (!e) return "";
  const rows: string[] = [];
  const prop = (key: string, name: string, p: { value: number | null; ci: [number, number] | null }) =>
    rows.push(
      `<tr><td>${name}</td><td data-k="${key}.value">${num(p.value)}</td><td>${p.ci ? `${num(p.ci[0])} – ${num(p.ci[1])}` : "-"}</td></tr>`,
    );
  let confusionHtml = "";
  if (e.binary) {
    const b = e.binary;
    prop("eval.binary.accuracy", "accuracy", b.accuracy);
    prop("eval.binary.precision", "precision", b.precision);
    prop("eval.binary.recall", "recall", b.recall);
    prop("eval.binary.specificity", "specificity", b.specificity);
    rows.push(`<tr><td>F1</td><td data-k="eval.binary.f1">${num(b.f1)}</td><td></td></tr>`);
    const c = b.confusion;
    confusionHtml = `<table class="confusion"><tr><th></th><th>reward ≥ ${num(e.threshold ?? null)}</th><th>reward &lt; ${num(e.threshold ?? null)}</th></tr>
<tr><th>label 1</th><td data-k="eval.binary.confusion.tp">${c.tp}</td><td data-k="eval.binary.confusion.fn">${c.fn}</td></tr>
<tr><th>label 0</th><td data-k="eval.binary.confusion.fp">${c.fp}</td><td data-k="eval.binary.confusion.tn">${c.tn}</td></tr></table>
<p class="note">Rows that are not ok are counted apart: label 1 <span data-k="eval.binary.not_ok_by_label.positive">${b.not_ok_by_label.positive}</span>, label 0 <span data-k="eval.binary.not_ok_by_label.negative">${b.not_ok_by_label.negative}</span>.</p>`;
  }
  if (e.graded) {
    for (const k of ["pearson", "spearman", "kendall_tau_b", "mae"] as const)
      rows.push(`<tr><td>${k}</td><td data-k="eval.graded.${k}">${num(e.graded[k])}</td><td></td></tr>`);
  }
  if (e.preference) prop("eval.preference.accuracy", "pairwise accuracy", e.preference.accuracy);
  return `<section id="eval"><h2>Agreement with labels (<code>${esc(e.label ?? "")}</code>, ${esc(e.mode)})</h2>
<div class="row"><table class="metrics"><tr><th>metric</th><th>value</th><th>95% CI (Wilson)</th></tr>${rows.join("")}</table>${confusionHtml}</div></section>`;
}

export function renderReport(d: ReportData): string {
  const comps = d.components
    .map(
      (c, i) =>
        `<tr><td><code>${esc(c.path)}</code></td><td data-k="components.${i}.mean">${num(c.mean)}</td><td data-k="components.${i}.ok_share">${num(c.ok_share)}</td><td data-k="components.${i}.corr_total">${num(c.corr_total)}</td><td>${num(c.min)} – ${num(c.max)}</td><td><canvas class="chart small" id="comp-${i}"></canvas></td></tr>`,
    )
    .join("");
  const signals = d.signals.length
    ? d.signals.map((s) => `<li class="${s.severity}"><b>${esc(s.kind)}</b>: ${esc(s.message)}</li>`).join("")
    : `<li class="info">none found</li>`;
  const groups = d.groups
    ? `<section id="groups"><h2>Groups (by <code>${esc(d.groups.field)}</code>)</h2>
<div class="kvs">${kv("groups.count", "groups", num(d.groups.count))}${kv("groups.zero_variance_share", "zero-variance share", num(d.groups.zero_variance_share))}${kv("groups.mean_pass_rate", "mean pass rate", num(d.groups.mean_pass_rate))}</div>
<div class="row"><div class="box"><h3>GRPO advantages</h3><canvas class="chart" id="advantages"></canvas></div><div class="box"><h3>pass@k</h3><canvas class="chart" id="passk"></canvas></div></div></section>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(d.title)}</title><style>${REPORT_CSS}</style></head>
<body>
<header><h1>${esc(d.title)}</h1>
<div class="kvs">${kv("rows", "rows", num(d.rows))}${kv("mean_reward", "mean reward (ok rows)", num(d.mean_reward))}${kv("status.ok", "ok", num(d.status.ok))}${kv("status.abstain", "abstain", num(d.status.abstain))}${kv("status.error", "error", num(d.status.error))}${kv("length.spearman", "reward~length (Spearman)", num(d.length.spearman))}</div></header>
${d.rows ? rowSections(d, signals, comps) : ""}
${groups}${evalSection(d)}
<script id="report-data" type="application/json">${scriptJson(d)}</script>
<script>${inlineScript(chartJsSource())}</script>
<script>${inlineScript(REPORT_CLIENT_JS)}</script>
</body></html>
`;
}

/** The sections about rows (absent from a page made from an eval's JSON alone). */
function rowSections(d: ReportData, signals: string, comps: string): string {
  return `<section id="signals"><h2>Hacking signals</h2><ul>${signals}</ul></section>
<section id="rewards"><h2>Rewards</h2><div class="row">
<div class="box wide"><h3>reward histogram (ok rows)</h3><canvas class="chart" id="reward-hist"></canvas></div>
<div class="box"><h3>status</h3><canvas class="chart" id="status"></canvas></div>
<div class="box"><h3>error kinds</h3><canvas class="chart" id="error-kinds"></canvas></div></div></section>
<section id="length"><h2>Reward against completion length</h2><div class="box wide"><canvas class="chart" id="length-scatter"></canvas>
<p class="note">A uniform sample of up to ${d.limits.scatter_points} ok rows; the rank correlation is over all of them.</p></div></section>
<section id="components"><h2>Components</h2>${d.components.length ? `<table class="comps"><tr><th>component</th><th>mean</th><th>ok share</th><th>corr. with total</th><th>range</th><th>histogram</th></tr>${comps}</table>` : "<p>The rows have no components.</p>"}</section>
<section id="samples"><h2>Samples</h2><p class="note">The ${d.limits.samples_per_set} highest and lowest rewards, the first rows that are not ok, and a random ${d.limits.samples_per_set}. Click a row for its explanation tree; click a header to sort.</p>
<input id="search" type="search" placeholder="search text, status, errors…"><table id="sample-table"><thead><tr><th data-sort="line">line</th><th data-sort="set">set</th><th data-sort="reward">reward</th><th data-sort="status">status</th><th data-sort="length">length</th><th>completion</th></tr></thead><tbody></tbody></table></section>`;
}
