// Shared helpers of the benchmarks: percentiles and a result line.
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(name, latenciesMs, items, wallMs) {
  const s = [...latenciesMs].sort((a, b) => a - b);
  return {
    name,
    items,
    wall_s: +(wallMs / 1000).toFixed(3),
    per_s: Math.round(items / (wallMs / 1000)),
    p50_ms: +percentile(s, 50).toFixed(3),
    p99_ms: +percentile(s, 99).toFixed(3),
  };
}

export function printTable(rows) {
  console.table(rows);
}
