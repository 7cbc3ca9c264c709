/**
 * The server under abuse, over real HTTP: servers are built in-process (so tests can register slow and
 * crashing verifiers) and listen on free ports. Each test checks the documented answer and that the
 * server keeps serving afterwards.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer, createRegistry, fail, loadReward, ok, type Verifier } from "../../src/index.js";

/** Sleeps for sample.sleep ms (a slow judge or sandbox). */
const slow: Verifier = {
  type: "slow",
  description: "test: sleeps",
  configSchema: {},
  timeoutMs: 60_000,
  verify: async (s) => {
    await new Promise((r) => setTimeout(r, Number(s.sleep ?? 0)));
    return ok(1);
  },
};
/** Throws, or returns garbage, as a buggy verifier would. */
const crash: Verifier = {
  type: "crash",
  description: "test: crashes",
  configSchema: {},
  verify: (s) => {
    if (s.mode === "throw") throw new TypeError("cannot read properties of undefined");
    if (s.mode === "garbage") return { status: "ok", reward: "high" } as never;
    return fail("internal", "explicit failure");
  },
};
const registry = createRegistry();
registry.register(slow);
registry.register(crash);

type App = ReturnType<typeof buildServer>;
const apps: App[] = [];
async function serve(spec: object, opts: Parameters<typeof buildServer>[1] = {}) {
  const app = buildServer(loadReward(spec, { registry }), opts);
  apps.push(app);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return url;
}
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
};

describe("limits", () => {
  let url = "";
  beforeAll(async () => {
    url = await serve(
      { type: "slow" },
      { maxBatch: 10, bodyLimit: 4096, maxPending: 20, requestTimeoutMs: 1500 },
    );
  });

  it("413 for too many samples or too big a body", async () => {
    const many = await post(`${url}/v1/score`, {
      samples: Array.from({ length: 11 }, () => ({ completion: "x" })),
    });
    expect(many.status).toBe(413);
    expect((many.body.error as { message: string }).message).toMatch(/limit is 10/);
    const big = await post(`${url}/v1/score`, { samples: [{ completion: "x".repeat(5000) }] });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ kind: "too_large" });
  });

  it("429 with Retry-After when the queue is full, and serves again once it drains", async () => {
    const busy = post(`${url}/v1/score`, {
      samples: Array.from({ length: 10 }, () => ({ completion: "x", sleep: 400 })),
    });
    const second = post(`${url}/v1/score`, {
      samples: Array.from({ length: 10 }, () => ({ completion: "x", sleep: 400 })),
    });
    await new Promise((r) => setTimeout(r, 50));
    const refused = await post(`${url}/v1/score`, {
      samples: Array.from({ length: 5 }, () => ({ completion: "x" })),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await busy).status).toBe(200);
    expect((await second).status).toBe(200);
    expect((await post(`${url}/v1/score`, { samples: [{ completion: "x" }] })).body.results).toHaveLength(1);
  });

  it("samples not scored by the request deadline are timeout errors, not zeros", async () => {
    const r = await post(`${url}/v1/score`, {
      samples: [
        { completion: "x", sleep: 10 },
        { completion: "x", sleep: 5000 },
      ],
    });
    expect(r.status).toBe(200);
    const results = r.body.results as { status: string; reward: number | null; error?: { kind: string } }[];
    expect(results[0]).toMatchObject({ status: "ok", reward: 1 });
    expect(results[1]).toMatchObject({ status: "error", reward: null, error: { kind: "timeout" } });
  });
});

describe("faulty verifiers and clients", () => {
  let url = "";
  beforeAll(async () => {
    url = await serve({ type: "weighted", terms: [{ type: "crash" }, { type: "slow", weight: 0 }] });
  });

  it("a crashing verifier gives error results and the server keeps serving", async () => {
    const r = await post(`${url}/v1/score`, {
      samples: [
        { completion: "a", mode: "throw" },
        { completion: "b", mode: "garbage" },
        { completion: "c" },
      ],
    });
    expect(r.status).toBe(200);
    const kinds = (r.body.results as { error: { kind: string; message: string } }[]).map((x) => x.error.kind);
    expect(kinds).toEqual(["internal", "numeric_error", "internal"]);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
  });

  it("a client that disconnects mid-request does not break the server", async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${url}/v1/score`, {
        method: "POST",
        headers: { "content-type": "application/json" },
      });
      req.on("error", () => resolve());
      req.write(JSON.stringify({ samples: [{ completion: "x", sleep: 2000, mode: "x" }] }));
      req.end();
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    const r = await post(`${url}/v1/score`, { samples: [{ completion: "x" }] });
    expect(r.status).toBe(200);
  });
});

describe("auth", () => {
  let url = "";
  beforeAll(async () => {
    url = await serve({ type: "slow" }, { token: "s3cret" });
  });

  it("requires the bearer token everywhere but /health", async () => {
    expect((await post(`${url}/v1/score`, { samples: [] })).status).toBe(401);
    expect((await post(`${url}/v1/score`, { samples: [] }, { authorization: "Bearer wrong" })).status).toBe(
      401,
    );
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const ok = await post(
      `${url}/v1/score`,
      { samples: [{ completion: "x" }] },
      { authorization: "Bearer s3cret" },
    );
    expect(ok.status).toBe(200);
  });
});

describe("streaming, metrics, OpenAPI", () => {
  let url = "";
  beforeAll(async () => {
    url = await serve({
      type: "weighted",
      on_error: 0,
      terms: [
        { type: "crash", weight: 0 },
        { type: "slow", name: "s" },
      ],
    });
  });

  it("/v1/score/stream answers NDJSON with every index once", async () => {
    const lines = [
      ...Array.from({ length: 150 }, (_, i) => JSON.stringify({ completion: `c${i}`, sleep: i % 3 })),
      "{not json",
    ];
    const res = await fetch(`${url}/v1/score/stream`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: lines.join("\n"),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/ndjson/);
    const out = (await res.text())
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { index: number; result: { status: string; error?: { kind: string } } });
    expect(out.map((o) => o.index).sort((a, b) => a - b)).toEqual(lines.map((_, i) => i));
    const bad = out.find((o) => o.index === 150)!;
    expect(bad.result).toMatchObject({ status: "error", error: { kind: "invalid_input" } });
    expect(out.filter((o) => o.result.status === "ok")).toHaveLength(150);
  });

  it("/v1/score/stream skips a byte order mark and blank or CRLF lines, naming bad lines by their line number", async () => {
    const body = `\uFEFF${JSON.stringify({ completion: "a" })}\r\n\r\n   \r\n{oops\r\n${JSON.stringify({ completion: "b" })}\r\n`;
    const res = await fetch(`${url}/v1/score/stream`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body,
    });
    const out = (await res.text())
      .split("\n")
      .filter(Boolean)
      .map(
        (l) => JSON.parse(l) as { index: number; result: { status: string; error?: { message: string } } },
      );
    out.sort((a, b) => a.index - b.index);
    expect(out.map((o) => o.result.status)).toEqual(["ok", "error", "ok"]);
    expect(out[1]!.result.error!.message).toMatch(/^line 4: /);
  });

  it("/metrics exposes requests, results by status, component rewards and the queue", async () => {
    await post(`${url}/v1/score`, { samples: [{ completion: "x" }, { nope: 1 }] });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/rewardkit_requests_total\{route="\/v1\/score",code="200"\} \d+/);
    expect(text).toMatch(/rewardkit_results_total\{status="error",kind="invalid_input"\} \d+/);
    expect(text).toMatch(/rewardkit_component_reward_sum\{component="s"\} \d+/);
    expect(text).toMatch(/rewardkit_queue_samples 0/);
    expect(text).toMatch(/rewardkit_request_seconds_bucket/);
  });

  it("counts negative component rewards (penalties) without failing the request", async () => {
    const penalties = await serve({
      type: "weighted",
      terms: [
        {
          type: "affine",
          name: "pen",
          scale: 1,
          offset: -2,
          term: { type: "regex", name: "s", pattern: "x" },
        },
      ],
    });
    for (let i = 0; i < 2; i++) {
      const res = await post(`${penalties}/v1/score`, {
        samples: [{ completion: "x" }, { completion: "x" }],
      });
      expect(res.status).toBe(200);
      expect((res.body.results as { reward: number }[]).map((r) => r.reward)).toEqual([-1, -1]);
    }
    const text = await (await fetch(`${penalties}/metrics`)).text();
    expect(text).toMatch(/rewardkit_component_reward_sum\{component="pen"\} -4\n/);
    expect(text).toMatch(/rewardkit_component_results_total\{component="pen",status="ok"\} 4\n/);
    expect(text).toMatch(/rewardkit_component_reward_sum\{component="pen.s"\} 4\n/);
  });

  it("/openapi.json describes every route", async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/get_reward",
      "/health",
      "/metrics",
      "/ng-rollout/{id}/verify",
      "/v1/eval",
      "/v1/graders/run",
      "/v1/graders/validate",
      "/v1/score",
      "/v1/score/stream",
      "/verify",
    ]);
  });
});
