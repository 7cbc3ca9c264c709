/**
 * A bounded soak against a real `rewardkit serve`: several connections send batches without pause; every
 * result must match what a fresh in-process scorer gives for the same sample (no lost results, no
 * spurious timeouts, no 5xx), and the server's RSS must stay flat after warm-up. Math (the pool) and
 * JavaScript programs (the code sandboxes). LOAD_SCALE=big: 1M math samples (docs/server.md).
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { closeSharedPool, loadReward } from "../../src/index.js";
import { mathSamples, percentile, probe, rssMb, size, startServe } from "./helpers.js";

interface Figures {
  phase: string;
  samples: number;
  seconds: number;
  per_s: number;
  rss_start_mb: number;
  rss_warm_mb: number;
  rss_max_mb: number;
  rss_end_mb: number;
  lost: number;
  spurious: number;
  timeouts: number;
  http_5xx: number;
  health_p99_ms: number;
}

type R = { status: string; reward: number | null; error?: { kind: string } };

async function soak(
  phase: string,
  args: string[],
  distinct: unknown[],
  total: number,
  batch: number,
  connections: number,
): Promise<Figures> {
  // What a fresh scorer says for each distinct sample.
  const expected = (await loadReward(args[1]!).scoreBatch(distinct)) as R[];
  await closeSharedPool();
  const srv = await startServe(args);
  const pid = srv.child.pid!;
  const rss: number[] = [rssMb(pid)];
  const sampler = setInterval(() => rss.push(rssMb(pid)), 500);
  let sent = 0;
  let done = 0;
  let warmRss = Number.NaN;
  const f = { lost: 0, spurious: 0, timeouts: 0, http_5xx: 0 };
  const h = probe(`${srv.url}/health`, 100);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (sent < total) {
        const start = sent;
        const n = Math.min(batch, total - sent);
        sent += n;
        const idx = Array.from({ length: n }, (_, k) => (start + k) % distinct.length);
        const res = await fetch(`${srv.url}/v1/score`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ samples: idx.map((i) => distinct[i]), components: "none" }),
        });
        if (res.status >= 500) f.http_5xx++;
        if (res.status !== 200) {
          f.lost += n;
          await res.arrayBuffer();
          continue;
        }
        const results = ((await res.json()) as { results: R[] }).results;
        f.lost += n - results.length;
        results.forEach((r, k) => {
          const e = expected[idx[k]!]!;
          if (r.status === "error" && r.error?.kind === "timeout") f.timeouts++;
          if (r.status !== e.status || r.reward !== e.reward) f.spurious++;
        });
        done += n;
        if (Number.isNaN(warmRss) && done >= total / 4) warmRss = rssMb(pid);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const hl = await h.stop();
  clearInterval(sampler);
  const out: Figures = {
    phase,
    samples: total,
    seconds: +seconds.toFixed(1),
    per_s: Math.round(total / seconds),
    rss_start_mb: Math.round(rss[0]!),
    rss_warm_mb: Math.round(warmRss),
    rss_max_mb: Math.round(Math.max(...rss)),
    rss_end_mb: Math.round(rssMb(pid)),
    ...f,
    health_p99_ms: +percentile(hl, 99).toFixed(1),
  };
  await srv.stop();
  console.log(`soak ${JSON.stringify(out)}`);
  if (process.env.LOAD_REPORT)
    writeFileSync(process.env.LOAD_REPORT, `${JSON.stringify(out)}\n`, { flag: "a" });
  return out;
}

const flat = (f: Figures) => f.rss_end_mb <= f.rss_warm_mb * 1.2 + 30;

describe("soak", () => {
  // One soak per workload; its figures are checked by the tests below.
  let math: Promise<Figures> | undefined;
  const mathSoak = () => {
    math ??= soak(
      "math",
      ["--spec", "math"],
      mathSamples(64),
      size("LOAD_SOAK_MATH", 20_000, 1_000_000),
      256,
      8,
    );
    return math;
  };
  let code: Promise<Figures> | undefined;
  const codeSoak = () => {
    const spec = join(tmpdir(), `rk-soak-code-${process.pid}.json`);
    writeFileSync(spec, JSON.stringify({ type: "code", language: "js", time_ms: 5000 }));
    const programs = Array.from({ length: 32 }, (_, i) => ({
      completion: `\`\`\`js\nfunction f(x) { return x + ${i % 4 === 0 ? 2 : 1} }\n\`\`\``,
      reference: {
        language: "js",
        format: "asserts",
        tests: [`if (f(${i}) !== ${i + 1}) throw new Error("no")`],
      },
    }));
    code ??= soak("code", ["--spec", spec], programs, size("LOAD_SOAK_CODE", 600, 20_000), 16, 4);
    return code;
  };

  it("math: every result as a fresh scorer gives it (none lost, no spurious timeout), no 5xx", async () => {
    const f = await mathSoak();
    expect(f.lost).toBe(0);
    expect(f.http_5xx).toBe(0);
    expect(f.spurious).toBe(0);
    expect(f.timeouts).toBe(0);
  });

  // The pool's RSS grew with the samples it had run until main's pool and signal changes (docs/server.md).
  it("math: RSS at the end within 20% (+30 MB) of its level after warm-up", async () => {
    const f = await mathSoak();
    expect(flat(f), JSON.stringify(f)).toBe(true);
  });

  it("code (JavaScript programs): every result as a fresh scorer gives it, no 5xx, flat RSS", async () => {
    const f = await codeSoak();
    expect(f.lost).toBe(0);
    expect(f.http_5xx).toBe(0);
    expect(f.spurious).toBe(0);
    expect(f.timeouts).toBe(0);
    expect(flat(f), JSON.stringify(f)).toBe(true);
  });
});
