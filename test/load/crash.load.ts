/**
 * Inputs that used to crash or hold the server, against a real `rewardkit serve` with its default limits:
 * a huge NDJSON line without a newline, 10,000-deep JSON on every endpoint, and many slowly sent bodies.
 * Each gets our error answer and the server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BIG,
  health,
  percentile,
  postJson,
  probe,
  rawPost,
  scaledBound,
  size,
  startServe,
} from "./helpers.js";

const LINE_MB = size("LOAD_LINE_MB", 64, 600);
const SLOW = size("LOAD_SLOW_CLIENTS", 100, 1000);
const BODY_TIMEOUT = 1500;

describe("crash inputs (think-answer, default limits)", () => {
  let srv: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    srv = await startServe(["--spec", "think-answer", "--body-timeout", String(BODY_TIMEOUT)]);
  });
  afterAll(() => srv.stop());

  const serves = async () => {
    const r = await postJson(`${srv.url}/v1/score`, { samples: [{ completion: "x", reference: "x" }] });
    expect(r.status).toBe(200);
  };

  it(`a ${LINE_MB} MB NDJSON line without a newline is a prompt 413`, async () => {
    const mb = Buffer.alloc(1 << 20, "x".charCodeAt(0));
    const t0 = performance.now();
    const s = rawPost(`${srv.url}/v1/score/stream`, "application/x-ndjson", (req) => {
      let sent = 0;
      const pump = () => {
        while (sent < LINE_MB) {
          sent++;
          if (!req.write(mb)) return void req.once("drain", pump);
        }
        req.end();
      };
      req.on("error", () => {});
      pump();
    });
    const a = await s.answer;
    console.log(`${LINE_MB} MB line: ${a.status} after ${Math.round(performance.now() - t0)} ms`);
    expect(a.status).toBe(413);
    expect(JSON.parse(a.body).error).toMatchObject({ kind: "too_large" });
    await serves();
  });

  it("10,000-deep JSON is a 400 on every endpoint (and an error line on the stream)", async () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    for (const [path, body] of [
      ["/v1/score", `{"samples":[{"completion":"x","reference":${deep}}]}`],
      ["/get_reward", `{"query":["x"],"labels":[${deep}]}`],
      ["/verify", `{"response":{"output":[]},"x":${deep}}`],
      ["/ng-rollout/7/verify", `{"response":{"output":[]},"x":${deep}}`],
    ] as const) {
      const r = await postJson(`${srv.url}${path}`, body);
      expect(r.status, path).toBe(400);
      expect(JSON.parse(r.body).error.message, path).toMatch(/levels deep/);
    }
    const s = rawPost(`${srv.url}/v1/score/stream`, "application/x-ndjson", (req) =>
      req.end(
        `{"completion":"x","reference":${deep}}\n{"completion":"<answer>1</answer>","reference":"1"}\n`,
      ),
    );
    const a = await s.answer;
    expect(a.status).toBe(200);
    const lines = a.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.index === 0).result.error.message).toMatch(/levels deep/);
    await serves();
  });

  it(`${SLOW} slowly sent bodies all get 408 and /health stays fast meanwhile`, async () => {
    const h = probe(`${srv.url}/health`, 20);
    const t0 = performance.now();
    const slow = Array.from({ length: SLOW }, () =>
      rawPost(`${srv.url}/v1/score`, "application/json", (req) => {
        req.setHeader("content-length", "1000");
        req.on("error", () => {});
        req.write('{"samples":[');
      }),
    );
    const answers = await Promise.all(slow.map((s) => s.answer));
    const wall = performance.now() - t0;
    const hl = await h.stop();
    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    console.log(
      `${SLOW} slow bodies: ${JSON.stringify(Object.fromEntries(statuses))} in ${Math.round(wall)} ms; /health p99 ${percentile(hl, 99).toFixed(1)} ms`,
    );
    expect(statuses.get(408)).toBe(SLOW);
    expect(wall).toBeLessThan(BODY_TIMEOUT + scaledBound(3000));
    // Never blocked (the default run); the 50 ms with LOAD_SCALE=big (see responsive.load.ts).
    expect(percentile(hl, 99)).toBeLessThan(scaledBound(BIG ? 50 : 200));
    expect((await health(srv.url)).queued).toBe(0);
    await serves();
  });
});
