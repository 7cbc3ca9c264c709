/**
 * A responsive server: /health and /metrics answer promptly while a big batch of cheap checks is scored
 * (the batch gives way to the event loop every few ms), a 1M-query /get_reward is refused at once, and
 * --request-timeout cuts a batch as timeout results (none lost, no 5xx). Latency bounds are the issue's
 * (50 ms), stretched by how oversubscribed the machine is (scaledBound). The default (CI) run checks that
 * the loop is never blocked (200 ms: the defect this guards against held /health 2.4 s) and prints the
 * p99; LOAD_SCALE=big holds it to 50 ms. On two cores the probes, the client and the server share the
 * machine, and a quiet run measured /health 35-53 ms and /metrics up to 54 ms (docs/server.md).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BIG,
  formatSamples,
  mathSamples,
  percentile,
  postJson,
  probe,
  scaledBound,
  size,
  startServe,
} from "./helpers.js";

const BATCH = size("LOAD_BATCH", 65536, 65536);

describe("a responsive server (think-answer)", () => {
  let srv: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    srv = await startServe(["--spec", "think-answer"]);
  });
  afterAll(() => srv.stop());

  it(`/health and /metrics answer within ${BIG ? 50 : 200} ms (p99, scaled by load) during a ${BATCH}-sample batch`, async () => {
    const body = JSON.stringify({ samples: formatSamples(BATCH) });
    const h = probe(`${srv.url}/health`, 5);
    const m = probe(`${srv.url}/metrics`, 20);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    const r = await postJson(`${srv.url}/v1/score`, body);
    const wall = performance.now() - t0;
    const [hl, ml] = [await h.stop(), await m.stop()];
    expect(r.status).toBe(200);
    const results = JSON.parse(r.body).results as { status: string }[];
    expect(results).toHaveLength(BATCH);
    expect(results.every((x) => x.status === "ok")).toBe(true);
    const bound = scaledBound(BIG ? 50 : 200);
    console.log(
      `batch ${BATCH}: ${Math.round(wall)} ms; /health p50 ${percentile(hl, 50).toFixed(1)} p99 ${percentile(hl, 99).toFixed(1)} max ${percentile(hl, 100).toFixed(1)} ms (${hl.length} probes); /metrics p99 ${percentile(ml, 99).toFixed(1)} ms; bound ${bound} ms`,
    );
    expect(hl.length).toBeGreaterThan(10);
    expect(percentile(hl, 99)).toBeLessThan(bound);
    expect(percentile(ml, 99)).toBeLessThan(bound);
  });

  it("a 1,000,000-query /get_reward is a prompt 413 and /health stays fast", async () => {
    const body = JSON.stringify({ query: Array.from({ length: 1_000_000 }, (_, i) => `q${i % 10}`) });
    const h = probe(`${srv.url}/health`, 5);
    const t0 = performance.now();
    const r = await postJson(`${srv.url}/get_reward`, body);
    const wall = performance.now() - t0;
    const hl = await h.stop();
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error).toMatchObject({ kind: "too_large" });
    console.log(`1M queries: 413 in ${Math.round(wall)} ms; /health p99 ${percentile(hl, 99).toFixed(1)} ms`);
    expect(wall).toBeLessThan(scaledBound(2000));
  });

  it(`/get_reward with --max-batch (${BATCH}) queries keeps /health fast`, async () => {
    const body = JSON.stringify({
      query: formatSamples(BATCH).map((s) => `prompt ${s.completion}<|im_end|>`),
      prompts: Array(BATCH).fill("prompt "),
      labels: formatSamples(BATCH).map((s) => s.reference),
    });
    const h = probe(`${srv.url}/health`, 5);
    await new Promise((r) => setTimeout(r, 200));
    const r = await postJson(`${srv.url}/get_reward`, body);
    const hl = await h.stop();
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).rewards).toHaveLength(BATCH);
    console.log(`get_reward ${BATCH}: /health p99 ${percentile(hl, 99).toFixed(1)} ms`);
    expect(percentile(hl, 99)).toBeLessThan(scaledBound(BIG ? 50 : 200));
  });
});

describe("--request-timeout cuts what it says", () => {
  let srv: Awaited<ReturnType<typeof startServe>>;
  const TIMEOUT = 400;
  beforeAll(async () => {
    srv = await startServe(["--spec", "math", "--request-timeout", String(TIMEOUT)]);
  });
  afterAll(() => srv.stop());

  it("a batch that cannot finish in time answers at the deadline: done samples ok, the rest timeout errors", async () => {
    const n = size("LOAD_TIMEOUT_BATCH", 20000, 65536);
    const body = JSON.stringify({ samples: mathSamples(n) });
    const t0 = performance.now();
    const r = await postJson(`${srv.url}/v1/score`, body);
    const wall = performance.now() - t0;
    expect(r.status).toBe(200);
    const results = JSON.parse(r.body).results as { status: string; error?: { kind: string } }[];
    expect(results).toHaveLength(n);
    const timeouts = results.filter((x) => x.status === "error" && x.error?.kind === "timeout").length;
    const other = results.filter((x) => x.status === "error" && x.error?.kind !== "timeout").length;
    console.log(`request-timeout ${TIMEOUT}: answered in ${Math.round(wall)} ms, ${timeouts}/${n} timeouts`);
    expect(timeouts).toBeGreaterThan(0);
    expect(other).toBe(0);
    expect(wall).toBeLessThan(TIMEOUT + scaledBound(2000));
  });
});
