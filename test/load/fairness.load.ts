/**
 * Fair sharing and cancellation against a real `rewardkit serve`: one request's JavaScript programs that
 * never end delay another request's trivial program by at most one program's time limit (code slots);
 * one request's user regexes that never end delay another's regex by about one deadline, and a big math
 * batch barely delays a one-sample math request (the worker pool); a client that hangs up (plain request
 * or NDJSON stream) frees the slots and the queue within a check.
 */

import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BIG,
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

const TIME_MS = size("LOAD_CODE_TIME_MS", 2000, 2000);
const HANG = size("LOAD_HANG", 24, 64);

const hanging = (i: number) => ({
  completion: `\`\`\`js\nfunction f(x) { while (true) {} return x + ${i} }\n\`\`\``,
  reference: { language: "js", format: "asserts", tests: ["if (f(1) !== 2) throw new Error('no')"] },
});
const trivial = {
  completion: "```js\nfunction f(x) { return x + 1 }\n```",
  reference: { language: "js", format: "asserts", tests: ["if (f(1) !== 2) throw new Error('no')"] },
};

describe("code slots under a hanging request", () => {
  let srv: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    const spec = join(tmpdir(), `rk-load-code-${process.pid}.json`);
    writeFileSync(spec, JSON.stringify({ type: "code", language: "js", time_ms: TIME_MS }));
    srv = await startServe(["--spec", spec]);
    // Warm the sandboxes: the first program pays for starting them.
    const warm = await fetch(`${srv.url}/v1/score`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ samples: [trivial, trivial] }),
    });
    expect(warm.status).toBe(200);
  });
  afterAll(() => srv.stop());

  it(`a trivial program waits at most one time limit (${TIME_MS} ms) behind ${HANG} hanging ones; hanging up frees every slot`, async () => {
    const hog = rawPost(`${srv.url}/v1/score`, "application/json", (req) =>
      req.end(JSON.stringify({ samples: Array.from({ length: HANG }, (_, i) => hanging(i)) })),
    );
    await waitFor(
      "the hanging programs hold every slot",
      async () => {
        const h = await health(srv.url);
        return h.code_slots.busy === h.code_slots.size && h.code_slots.waiting > 0;
      },
      10_000,
    );
    const t0 = performance.now();
    const r = await fetch(`${srv.url}/v1/score`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ samples: [trivial] }),
    });
    const waited = performance.now() - t0;
    const body = (await r.json()) as { results: { status: string; reward: number }[] };
    expect(body.results[0]).toMatchObject({ status: "ok", reward: 1 });
    console.log(
      `fairness: trivial program answered in ${Math.round(waited)} ms behind ${HANG} hanging (limit ${TIME_MS} ms)`,
    );
    expect(waited).toBeLessThan(TIME_MS + scaledBound(1500));

    // The hog hangs up: its running programs are stopped and its queued ones never start.
    hog.req.destroy();
    const freed = await waitFor(
      "slots and queue free after the client hung up",
      async () => {
        const h = await health(srv.url);
        return h.code_slots.busy === 0 && h.code_slots.waiting === 0 && h.admission.queued_samples === 0;
      },
      TIME_MS + scaledBound(2000),
    );
    console.log(`cancellation (plain): slots free ${Math.round(freed)} ms after the client hung up`);
    expect((await hog.answer).status).toBe(0);
  });

  it("an NDJSON stream that hangs up stops being scored", async () => {
    const lines = Array.from({ length: HANG }, (_, i) => `${JSON.stringify(hanging(i))}\n`).join("");
    const s = rawPost(`${srv.url}/v1/score/stream`, "application/x-ndjson", (req) => req.write(lines));
    await waitFor(
      "the stream's programs run",
      async () => (await health(srv.url)).code_slots.busy > 0,
      10_000,
    );
    s.req.destroy();
    const freed = await waitFor(
      "slots and queue free after the stream hung up",
      async () => {
        const h = await health(srv.url);
        return h.code_slots.busy === 0 && h.code_slots.waiting === 0 && h.admission.queued_samples === 0;
      },
      TIME_MS + scaledBound(2000),
    );
    console.log(`cancellation (stream): slots free ${Math.round(freed)} ms after the client hung up`);
  });
});

/**
 * The worker pool (CAS calls, user regexes) is shared between requests the same way: a small request's
 * task goes out before a big request's backlog. Measured with user regexes that backtrack for ever (each
 * killed at its deadline) against one that answers at once: alone, then behind the big request.
 */
describe("worker pool under a request of hanging regexes", () => {
  const REGEX_MS = size("LOAD_REGEX_TIME_MS", 500, 500);
  const HANG_RE = size("LOAD_POOL_HANG", 32, 64);
  let srv: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    const spec = join(tmpdir(), `rk-load-regex-${process.pid}.json`);
    writeFileSync(
      spec,
      JSON.stringify({ type: "regex", pattern: "^(a+)+$", engine: "js", timeout_ms: REGEX_MS }),
    );
    srv = await startServe(["--spec", spec]);
  });
  afterAll(() => srv.stop());

  const small = async () => {
    const t0 = performance.now();
    const r = await fetch(`${srv.url}/v1/score`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ samples: [{ completion: "aaa" }] }),
    });
    const ms = performance.now() - t0;
    const body = (await r.json()) as { results: { status: string; reward: number }[] };
    expect(body.results[0]).toMatchObject({ status: "ok", reward: 1 });
    return ms;
  };

  it(`a one-regex request waits about one deadline (${REGEX_MS} ms) behind ${HANG_RE} regexes that never end`, async () => {
    await small(); // warm the pool's threads
    const alone = Math.min(await small(), await small());
    const hog = rawPost(`${srv.url}/v1/score`, "application/json", (req) =>
      req.end(
        JSON.stringify({
          samples: Array.from({ length: HANG_RE }, () => ({ completion: `${"a".repeat(40)}!` })),
        }),
      ),
    );
    // The big request's regexes are in the pool (its threads hang on the first ones).
    await waitFor("the big request is admitted", async () => (await health(srv.url)).queued > 0, 10_000);
    await new Promise((r) => setTimeout(r, 100));
    const behind = await small();
    console.log(
      `pool fairness: one regex alone ${alone.toFixed(1)} ms, behind ${HANG_RE} hanging ${Math.round(behind)} ms (deadline ${REGEX_MS} ms; first come, first served: ~${Math.round((HANG_RE * REGEX_MS) / 2)} ms on 2 threads)`,
    );
    expect(behind - alone).toBeLessThan(REGEX_MS + scaledBound(REGEX_MS));
    const answer = await hog.answer;
    expect(answer.status).toBe(200);
    const results = JSON.parse(answer.body).results as { status: string; error?: { kind: string } }[];
    expect(results.every((x) => x.status === "error" && x.error?.kind === "timeout")).toBe(true);
  });
});

describe("worker pool under a big math batch", () => {
  const BIG_MATH = size("LOAD_POOL_MATH", 65536, 65536);
  let srv: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    srv = await startServe(["--spec", "math"]);
  });
  afterAll(() => srv.stop());

  it(`a one-sample math request is answered promptly while a ${BIG_MATH}-sample math batch is scored`, async () => {
    const one = JSON.stringify({ samples: mathSamples(1) });
    const small = async () => {
      const t0 = performance.now();
      const r = await postJson(`${srv.url}/v1/score`, one);
      expect(r.status).toBe(200);
      return performance.now() - t0;
    };
    await small();
    const alone: number[] = [];
    for (let i = 0; i < 5; i++) alone.push(await small());
    const big = postJson(`${srv.url}/v1/score`, JSON.stringify({ samples: mathSamples(BIG_MATH) }));
    await waitFor("the batch is admitted", async () => (await health(srv.url)).queued > 0, 30_000);
    const behind: number[] = [];
    while ((await health(srv.url)).queued > 1000 && behind.length < 20) behind.push(await small());
    expect((await big).status).toBe(200);
    const med = (xs: number[]) => percentile(xs, 50);
    console.log(
      `pool fairness (math): one sample alone p50 ${med(alone).toFixed(1)} ms, during a ${BIG_MATH}-sample batch p50 ${med(behind).toFixed(1)} max ${percentile(behind, 100).toFixed(1)} ms (${behind.length} requests)`,
    );
    expect(behind.length).toBeGreaterThan(0);
    expect(med(behind) - med(alone)).toBeLessThan(scaledBound(BIG ? 50 : 200));
  });
});
