/**
 * A responsive server: /health and /metrics answer promptly while big requests are scored (batches give
 * way to the event loop every few ms; bodies are parsed as they arrive and answers written in chunks), a
 * 1M-query /get_reward is refused at once, and --request-timeout cuts a batch as timeout results (none
 * lost, no 5xx). Latency bounds are the (50 ms), stretched by how oversubscribed the machine is
 * (scaledBound). The default (CI) run checks that the loop is never blocked (200 ms: the defect this
 * guards against held /health 2.4 s) and prints the p99; LOAD_SCALE=big holds it to 50 ms. On two cores
 * the probes, the client and the server share the machine (figures: docs/server.md).
 */
import { loadavg } from "node:os";
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
/** Samples of ~1 KB each: a body of BATCH_FAT KB. */
const BATCH_FAT = size("LOAD_FAT", 16384, 65536);
const BOUND = BIG ? 50 : 200;

/** Probes /health and /metrics while `work` runs; checks both p99s against the bound and prints them. */
async function probed<T>(url: string, what: string, work: () => Promise<T>): Promise<T> {
  const h = probe(`${url}/health`, 5);
  const m = probe(`${url}/metrics`, 20);
  await Promise.all([h.ready, m.ready]);
  const t0 = performance.now();
  const out = await work();
  const wall = performance.now() - t0;
  // What the request leaves behind (its garbage) is probed too.
  await new Promise((r) => setTimeout(r, 100));
  const [hl, ml] = [await h.stop(), await m.stop()];
  const bound = scaledBound(BOUND);
  const f = (xs: number[], p: number) => percentile(xs, p).toFixed(1);
  console.log(
    `${what}: ${Math.round(wall)} ms; /health p50 ${f(hl, 50)} p99 ${f(hl, 99)} max ${f(hl, 100)} ms (${hl.length} probes); /metrics p50 ${f(ml, 50)} p99 ${f(ml, 99)} max ${f(ml, 100)} ms (${ml.length}); bound ${bound} ms; load ${loadavg()[0]!.toFixed(2)}`,
  );
  expect(hl.length).toBeGreaterThan(0);
  expect(percentile(hl, 99)).toBeLessThan(bound);
  expect(percentile(ml, 99)).toBeLessThan(bound);
  return out;
}

describe("a responsive server (think-answer)", () => {
  let srv: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    srv = await startServe(["--spec", "think-answer"]);
  });
  afterAll(() => srv.stop());

  it(`/health and /metrics answer within ${BOUND} ms (p99, scaled by load) during a ${BATCH}-sample batch`, async () => {
    const body = JSON.stringify({ samples: formatSamples(BATCH) });
    const r = await probed(srv.url, `batch ${BATCH}`, () => postJson(`${srv.url}/v1/score`, body));
    expect(r.status).toBe(200);
    const results = JSON.parse(r.body).results as { status: string }[];
    expect(results).toHaveLength(BATCH);
    expect(results.every((x) => x.status === "ok")).toBe(true);
  });

  it("a 1,000,000-query /get_reward is a prompt 413, and /health and /metrics stay fast", async () => {
    const body = JSON.stringify({ query: Array.from({ length: 1_000_000 }, (_, i) => `q${i % 10}`) });
    const t0 = performance.now();
    const r = await probed(srv.url, "get_reward 1M", () => postJson(`${srv.url}/get_reward`, body));
    const wall = performance.now() - t0;
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error).toMatchObject({ kind: "too_large" });
    expect(wall).toBeLessThan(scaledBound(2000));
  });

  it(`/get_reward with --max-batch (${BATCH}) queries keeps /health and /metrics fast`, async () => {
    const body = JSON.stringify({
      query: formatSamples(BATCH).map((s) => `prompt ${s.completion}<|im_end|>`),
      prompts: Array(BATCH).fill("prompt "),
      labels: formatSamples(BATCH).map((s) => s.reference),
    });
    const r = await probed(srv.url, `get_reward ${BATCH}`, () => postJson(`${srv.url}/get_reward`, body));
    expect(r.status).toBe(200);
    const out = JSON.parse(r.body) as { rewards: number[]; extra_logs: Record<string, number[]> };
    expect(out.rewards).toHaveLength(BATCH);
    for (const v of Object.values(out.extra_logs)) expect(v).toHaveLength(BATCH);
  });

  it(`a grouped batch of ${BATCH} (group statistics for ${BATCH / 8} groups) keeps /health and /metrics fast`, async () => {
    const samples = formatSamples(BATCH).map((s, i) => ({ ...s, prompt: `p${i >> 3}` }));
    const body = JSON.stringify({ samples, group: { by: "{{prompt}}" } });
    const r = await probed(srv.url, `grouped ${BATCH}`, () => postJson(`${srv.url}/v1/score`, body));
    expect(r.status).toBe(200);
    const out = JSON.parse(r.body) as { results: { group?: { size: number } }[]; groups: unknown[] };
    expect(out.groups).toHaveLength(BATCH / 8);
    expect(out.results.every((x) => x.group?.size === 8)).toBe(true);
  });

  it(`a ${BATCH_FAT}-sample body of ~${BATCH_FAT >> 10} MB keeps /health and /metrics fast`, async () => {
    const pad = " and so on".repeat(90);
    const samples = formatSamples(BATCH_FAT).map((s) => ({ ...s, completion: s.completion + pad }));
    const body = JSON.stringify({ samples });
    const r = await probed(srv.url, `body ${(body.length / 2 ** 20).toFixed(0)} MB`, () =>
      postJson(`${srv.url}/v1/score`, body),
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).results).toHaveLength(BATCH_FAT);
  });

  it("an NDJSON line of 3.5 MB (under --max-line) keeps /health and /metrics fast", async () => {
    const think = 'a \\"quoted\\" é step\n'.repeat(145_000);
    const line = JSON.stringify({
      completion: `<think>${think}</think>\n<answer>4</answer>`,
      reference: "4",
    });
    expect(Buffer.byteLength(line)).toBeGreaterThan(3_500_000);
    const r = await probed(srv.url, `line ${(line.length / 2 ** 20).toFixed(1)} MB`, () =>
      fetch(`${srv.url}/v1/score/stream`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: `${line}\n${line}\n`,
      }).then(async (res) => ({ status: res.status, body: await res.text() })),
    );
    expect(r.status).toBe(200);
    const lines = r.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.result.status)).toEqual(["ok", "ok"]);
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
