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

/**
 * Starts `rewardkit serve --spec <spec>` as its own process on a free loopback port, without request
 * logs (they would be measured too), and resolves once /health answers.
 */
export async function startServer(spec) {
  const { spawn } = await import("node:child_process");
  const { createServer } = await import("node:net");
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const bin = new URL("../bin/rewardkit.js", import.meta.url).pathname;
  const child = spawn(process.execPath, [
    bin,
    "serve",
    "--spec",
    spec,
    "--port",
    String(port),
    "--log-level",
    "warn",
  ]);
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  const url = `http://127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    const poll = setInterval(async () => {
      try {
        if ((await fetch(`${url}/health`)).ok) {
          clearInterval(poll);
          resolve({ url, child });
        }
      } catch {}
    }, 100);
    child.on("exit", (c) => {
      clearInterval(poll);
      reject(new Error(`server exited ${c}: ${out}`));
    });
  });
}
