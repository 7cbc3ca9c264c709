/**
 * Fair code slots and cancellation, against a real `rewardkit serve` running JavaScript programs in its
 * sandboxes (isolated-vm): one request's programs that never end delay another request's trivial program
 * by at most one program's time limit; a client that hangs up (plain request or NDJSON stream) frees the
 * slots and the queue within a check.
 */

import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { health, rawPost, scaledBound, size, startServe, waitFor } from "./helpers.js";

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
