/**
 * Limits and admission against a real `rewardkit serve --spec math`: 413 over --max-batch, 429 with our
 * error body and an honest Retry-After once the estimated queued work passes --max-queue-seconds, a
 * client retrying at once on 429 does not starve one that waits as told (the two come from different
 * loopback addresses, as two hosts would), and a client that hangs up stops the work done for it.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cpuMs,
  health,
  mathSamples,
  percentile,
  postJson,
  rawPost,
  scaledBound,
  size,
  startServe,
  waitFor,
} from "./helpers.js";

/** POSTs JSON from the loopback address `from`; resolves with status, Retry-After and time taken. */
function postFrom(
  url: string,
  from: string,
  body: string,
): Promise<{ status: number; retryAfter: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      localAddress: from,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () =>
        resolve({
          status: res.statusCode!,
          retryAfter: Number(res.headers["retry-after"] ?? 0),
          ms: performance.now() - t0,
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

const QUEUE_S = 0.5;
const MAX_BATCH = 65536;

describe("limits and admission by work (math)", () => {
  let srv: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    srv = await startServe([
      "--spec",
      "math",
      "--max-batch",
      String(MAX_BATCH),
      "--max-queue-seconds",
      String(QUEUE_S),
    ]);
  });
  afterAll(() => srv.stop());

  it("413 with our error body over --max-batch", async () => {
    const r = await postJson(`${srv.url}/v1/score`, { samples: mathSamples(MAX_BATCH + 1) });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error).toMatchObject({
      kind: "too_large",
      message: expect.stringMatching(String(MAX_BATCH)),
    });
  });

  it("429 with Retry-After once the queued work passes --max-queue-seconds, then serves again", async () => {
    const big = JSON.stringify({ samples: mathSamples(MAX_BATCH) });
    const first = postJson(`${srv.url}/v1/score`, big);
    await waitFor(
      "the first batch is queued",
      async () => (await health(srv.url)).admission.queued_samples > 0,
      10_000,
    );
    const h = await health(srv.url);
    expect(h.admission.queued_seconds).toBeGreaterThan(QUEUE_S);
    const refused = await postJson(`${srv.url}/v1/score`, { samples: mathSamples(10) });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).error).toMatchObject({
      kind: "busy",
      message: expect.stringMatching(/queue/),
    });
    const retryAfter = Number(refused.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    const t0 = performance.now();
    const done = await first;
    expect(done.status).toBe(200);
    const left = (performance.now() - t0) / 1000;
    console.log(
      `429: Retry-After ${retryAfter} s; the queue drained in ${left.toFixed(1)} s (estimate ${h.admission.queued_seconds} s)`,
    );
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    expect((await postJson(`${srv.url}/v1/score`, { samples: mathSamples(10) })).status).toBe(200);
  });

  it("a client that hangs up stops the work done for it", async () => {
    await waitFor(
      "an idle server",
      async () => (await health(srv.url)).admission.queued_samples === 0,
      60_000,
    );
    const hog = rawPost(`${srv.url}/v1/score`, "application/json", (req) =>
      req.end(JSON.stringify({ samples: mathSamples(MAX_BATCH) })),
    );
    await waitFor(
      "the batch is queued",
      async () => (await health(srv.url)).admission.queued_samples > 0,
      10_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    hog.req.destroy();
    const freed = await waitFor(
      "the queue is empty",
      async () => (await health(srv.url)).admission.queued_samples === 0,
      scaledBound(2000),
    );
    // Then the server (main thread and pool) is idle: it is not scoring for nobody.
    const c0 = cpuMs(srv.child.pid!);
    await new Promise((r) => setTimeout(r, 1000));
    const used = cpuMs(srv.child.pid!) - c0;
    console.log(
      `cancellation (math): queue empty ${Math.round(freed)} ms after hang-up; then ${used} ms CPU in 1 s`,
    );
    expect(used).toBeLessThan(300);
  });
  it("a client retrying at once on 429 does not starve a client that waits as told", async () => {
    const seconds = size("LOAD_STORM_S", 12, 30);
    // Batches of about half the queue each (at the cost the server has measured), so that the hammering
    // client's connections alone overfill it, however fast the machine.
    const cost = (await health(srv.url)).admission.cost_ms_per_sample / 1000;
    const n = Math.min(MAX_BATCH, Math.max(50, Math.round((0.5 * QUEUE_S) / cost)));
    const body = JSON.stringify({ samples: mathSamples(size("LOAD_STORM_BATCH", n, n)) });
    const end = performance.now() + seconds * 1000;
    const hammer = { ok: 0, refused: 0, refusedMs: [] as number[] };
    const polite = { ok: 0, refused: 0 };
    // The hammering client keeps several requests going, enough to fill the queue on its own.
    const hammering = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() < end) {
          const r = await postFrom(`${srv.url}/v1/score`, "127.0.0.2", body);
          if (r.status === 200) hammer.ok++;
          else {
            expect(r.status).toBe(429);
            hammer.refused++;
            hammer.refusedMs.push(r.ms);
          }
        }
      }),
    );
    const waiting = (async () => {
      await new Promise((r) => setTimeout(r, 300));
      while (performance.now() < end) {
        const r = await postFrom(`${srv.url}/v1/score`, "127.0.0.3", body);
        if (r.status === 200) polite.ok++;
        else {
          expect(r.status).toBe(429);
          polite.refused++;
          await new Promise((res) => setTimeout(res, r.retryAfter * 1000));
        }
      }
    })();
    await Promise.all([hammering, waiting]);
    console.log(
      `retry storm ${seconds} s, batches of ${n}: hammering client ${hammer.ok} ok / ${hammer.refused} refused (429 p50 ${percentile(hammer.refusedMs, 50).toFixed(1)} ms), polite client ${polite.ok} ok / ${polite.refused} refused`,
    );
    expect(hammer.refused).toBeGreaterThan(0);
    expect(polite.ok).toBeGreaterThan(0);
    expect(hammer.refused === 0 || percentile(hammer.refusedMs, 50) < scaledBound(50)).toBe(true);
  });
});
