/**
 * The report page's own script and styles, inlined into every report. Plain browser JavaScript (no
 * build step, no imports): it reads the embedded summary and draws the charts with the global `Chart`.
 * Text from rows only ever reaches the page through textContent, never as HTML.
 */

export const REPORT_CSS = `
:root{--fg:#1d2430;--muted:#5b6675;--line:#dde2e8;--accent:#2f6fdf;--warn:#b4511d;--bg:#fbfcfd}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:16px 24px 48px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:13px;margin:0 0 6px;color:var(--muted);font-weight:600}
.kvs{display:flex;flex-wrap:wrap;gap:8px}.kv{border:1px solid var(--line);border-radius:6px;padding:6px 10px;background:#fff}.kv .k{display:block;font-size:11px;color:var(--muted)}.kv .v{font-size:18px;font-variant-numeric:tabular-nums}
.row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}.box{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px;width:360px;height:260px;position:relative}.box.wide{width:740px;height:320px}.box canvas{max-height:calc(100% - 24px)}
#length .box{height:360px}
#signals ul{margin:0;padding-left:20px}#signals li.warning{color:var(--warn)}#signals li.info{color:var(--muted)}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;font-variant-numeric:tabular-nums}th{background:#f2f4f7}
table.comps canvas.small{width:220px!important;height:60px!important}
table.confusion td{text-align:right;min-width:90px;font-size:16px}
.note{color:var(--muted);font-size:12px}
#search{width:360px;padding:6px 8px;margin:6px 0;border:1px solid var(--line);border-radius:4px}
#sample-table{width:100%;table-layout:fixed}#sample-table th{cursor:pointer;user-select:none}#sample-table th:nth-child(-n+5){width:80px}
#sample-table td.text{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}#sample-table tr.detail td{white-space:pre-wrap;font:12px/1.4 ui-monospace,monospace;background:#f7f9fb}
tr.s-error td:nth-child(4),tr.s-abstain td:nth-child(4){color:var(--warn)}
`;

export const REPORT_CLIENT_JS = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var BLUE = "rgba(47,111,223,0.75)", ORANGE = "rgba(200,90,30,0.75)", GREY = "rgba(120,130,140,0.75)";
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.display = false;
  function fmt(x) { return x === null || x === undefined ? "-" : Number.isInteger(x) ? String(x) : x.toFixed(3); }
  function el(id) { return document.getElementById(id); }
  function bar(id, labels, values, color, extra) {
    var c = el(id);
    if (!c) return;
    new Chart(c, Object.assign({ type: "bar", data: { labels: labels, datasets: [{ data: values, backgroundColor: color || BLUE, barPercentage: 1, categoryPercentage: 0.95 }] },
      options: { scales: { x: { ticks: { maxTicksLimit: 8, maxRotation: 0 } }, y: { beginAtZero: true } } } }, extra || {}));
  }
  function hist(id, h, color, small) {
    var labels = h.counts.map(function (_, i) { return fmt(h.edges[i]) + (h.edges.length > 2 ? "–" + fmt(h.edges[i + 1]) : ""); });
    var extra = small ? { options: { scales: { x: { display: false }, y: { display: false, beginAtZero: true } }, plugins: { tooltip: { enabled: true } } } } : undefined;
    bar(id, labels, h.counts, color, extra);
  }
  hist("reward-hist", data.reward_histogram);
  bar("status", ["ok", "abstain", "error"], [data.status.ok, data.status.abstain, data.status.error], [BLUE, GREY, ORANGE]);
  var kinds = Object.keys(data.error_kinds);
  bar("error-kinds", kinds.length ? kinds : ["(none)"], kinds.length ? kinds.map(function (k) { return data.error_kinds[k]; }) : [0], ORANGE);
  if (el("length-scatter")) new Chart(el("length-scatter"), { type: "scatter",
    data: { datasets: [{ data: data.length.scatter.map(function (p) { return { x: p[0], y: p[1] }; }), backgroundColor: "rgba(47,111,223,0.35)", pointRadius: 2 }] },
    options: { scales: { x: { title: { display: true, text: "completion length (characters)" } }, y: { title: { display: true, text: "reward" } } } } });
  data.components.forEach(function (c, i) { hist("comp-" + i, c.histogram, BLUE, true); });
  if (data.groups) {
    hist("advantages", data.groups.advantage_histogram, BLUE);
    var ks = Object.keys(data.groups.pass_at_k);
    bar("passk", ks.map(function (k) { return "pass@" + k; }), ks.map(function (k) { return data.groups.pass_at_k[k]; }), BLUE,
      { options: { scales: { y: { beginAtZero: true, max: 1 } } } });
  }

  // The sample table: filtered by the search box, sorted by a clicked header, a row's tree on click.
  var body = document.querySelector("#sample-table tbody");
  if (!body) { document.body.setAttribute("data-rendered", "1"); return; }
  var rows = data.samples.slice();
  var sortKey = null, sortDir = 1, query = "";
  function cell(tr, text, cls) { var td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }
  function render() {
    body.textContent = "";
    var q = query.toLowerCase();
    var shown = rows.filter(function (s) {
      return !q || (s.completion + "\\n" + s.reference + "\\n" + s.status + "\\n" + (s.error || "") + "\\n" + s.explanation + "\\n" + s.set).toLowerCase().indexOf(q) >= 0;
    });
    if (sortKey) shown.sort(function (a, b) {
      var x = a[sortKey], y = b[sortKey];
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * sortDir;
    });
    shown.forEach(function (s) {
      var tr = document.createElement("tr");
      tr.className = "s-" + s.status;
      cell(tr, String(s.line)); cell(tr, s.set); cell(tr, fmt(s.reward)); cell(tr, s.status); cell(tr, String(s.length));
      cell(tr, s.completion, "text");
      tr.addEventListener("click", function () {
        var next = tr.nextSibling;
        if (next && next.className === "detail") { next.remove(); return; }
        var d = document.createElement("tr"); d.className = "detail";
        var td = document.createElement("td"); td.colSpan = 6;
        td.textContent = s.explanation + (s.error ? "\\n\\nerror: " + s.error : "") + "\\n\\ncompletion:\\n" + s.completion + (s.reference ? "\\n\\nreference:\\n" + s.reference : "");
        d.appendChild(td); tr.after(d);
      });
      body.appendChild(tr);
    });
    document.body.setAttribute("data-shown-samples", String(shown.length));
  }
  document.querySelectorAll("#sample-table th[data-sort]").forEach(function (th) {
    th.addEventListener("click", function () {
      var k = th.getAttribute("data-sort");
      sortDir = sortKey === k ? -sortDir : (k === "reward" || k === "length" ? -1 : 1);
      sortKey = k;
      render();
    });
  });
  el("search").addEventListener("input", function (e) { query = e.target.value; render(); });
  render();
  document.body.setAttribute("data-rendered", "1");
})();
`;
