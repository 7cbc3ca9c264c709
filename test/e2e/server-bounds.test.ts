/**
 * Limits on every endpoint, against a real `rewardkit serve` on a free port: an over-long NDJSON line, a
 * deeply nested body, an oversized OpenRLHF batch and a slowly sent body are refused with our error
 * body, and the server keeps serving afterwards. Sizes are bounded (limits are set low by option).
 */
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer, createRegistry, loadReward, ok, type Verifier } from "../../src/index.js";
import { startServe } from "./run.js";

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** POSTs `chunks` one after another (a stream body); resolves with the answer, whenever it comes. */
function postChunks(url: string, path: string, type: string, chunks: Iterable<Buffer>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: "POST", headers: { "content-type": type } });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on("error", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    // Writing into a connection the server closed fails; the answer (if any) has arrived by then.
    req.on("error", (e) => {
      if (!answered) reject(e);
    });
    const it = chunks[Symbol.iterator]();
    const pump = () => {
      for (let n = it.next(); !n.done; n = it.next()) {
        if (answered || req.destroyed) return;
        if (!req.write(n.value)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

const post = async (url: string, path: string, body: string) => {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return { status: res.status, body: (await res.json()) as { error?: { kind: string; message: string } } };
};

const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;

describe("limits on every endpoint", () => {
  let srv: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    srv = await startServe(["--spec", "think-answer", "--max-line", "65536", "--max-depth", "50"]);
  });
  afterAll(() => srv.stop());

  const stillServes = async () => {
    const r = await post(
      srv.url,
      "/v1/score",
      JSON.stringify({ samples: [{ completion: "x", reference: "x" }] }),
    );
    expect(r.status).toBe(200);
  };

  it("an NDJSON line over --max-line (20 MB, no newline) is a 413 with our error body, promptly", async () => {
    const mb = Buffer.alloc(1024 * 1024, "x".charCodeAt(0));
    const r = await postChunks(srv.url, "/v1/score/stream", "application/x-ndjson", Array(20).fill(mb));
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error).toMatchObject({
      kind: "too_large",
      message: expect.stringMatching(/65536/),
    });
    await stillServes();
  });

  it("an over-long line after results were streamed ends the stream with an error line", async () => {
    const good = Array.from({ length: 100 }, () => JSON.stringify({ completion: "x", reference: "x" }));
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${srv.url}/v1/score/stream`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
      });
      req.on("error", reject);
      req.on("response", (res) => {
        let text = "";
        res.once("data", () => {
          // Results are streaming (status 200 sent): now a line over the limit.
          req.end(Buffer.alloc(256 * 1024, 120));
        });
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve(text));
      });
      req.write(`${good.join("\n")}\n`);
    });
    const lines = body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.index >= 0)).toHaveLength(100);
    expect(lines.at(-1)).toMatchObject({
      index: -1,
      result: { status: "error", error: { kind: "too_large" } },
    });
    await stillServes();
  });

  it("a body nested deeper than --max-depth is a 400 naming the limit, on every JSON route", async () => {
    const bodies: [string, string][] = [
      ["/verify", `{"response":{"output":${deep(10_000)}}}`],
      ["/v1/score", `{"samples":${deep(10_000)}}`],
      ["/get_reward", `{"query":${deep(10_000)}}`],
      ["/v1/graders/run", `{"grader":{"type":"string_check"},"model_sample":${deep(10_000)}}`],
    ];
    for (const [path, body] of bodies) {
      const r = await post(srv.url, path, body);
      expect(r.status, path).toBe(400);
      expect(r.body.error, path).toMatchObject({
        kind: "invalid_input",
        message: expect.stringMatching(/limit is 50/),
      });
    }
    // Within the limit, nesting is fine.
    expect(
      (await post(srv.url, "/v1/score", `{"samples":[{"completion":"x","m":${deep(40)}}]}`)).status,
    ).toBe(200);
    await stillServes();
  });

  it("an NDJSON line nested too deep is an error result for that line", async () => {
    const r = await postChunks(srv.url, "/v1/score/stream", "application/x-ndjson", [
      Buffer.from(`${deep(10_000)}\n${JSON.stringify({ completion: "x", reference: "x" })}\n`),
    ]);
    expect(r.status).toBe(200);
    const lines = r.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    lines.sort((a, b) => a.index - b.index);
    expect(lines[0].result).toMatchObject({ status: "error", error: { kind: "invalid_input" } });
    expect(lines[0].result.error.message).toMatch(/limit is 50/);
    expect(lines[1].result.status).not.toBe("error");
  });
});

describe("OpenRLHF obeys --max-batch", () => {
  let srv: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    srv = await startServe(["--spec", "think-answer"]);
  });
  afterAll(() => srv.stop());

  it("1,000,000 queries are a 413 naming the limit; a small batch is scored", async () => {
    const body = JSON.stringify({ query: Array(1_000_000).fill("x") });
    const r = await post(srv.url, "/get_reward", body);
    expect(r.status).toBe(413);
    expect(r.body.error).toMatchObject({
      kind: "too_large",
      message: expect.stringMatching(/limit is 65536/),
    });
    const ok = await post(srv.url, "/get_reward", JSON.stringify({ query: ["x"], labels: ["x"] }));
    expect(ok.status).toBe(200);
  });
});

describe("slowly sent bodies", () => {
  let srv: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    srv = await startServe(["--spec", "think-answer", "--body-timeout", "300"]);
  });
  afterAll(() => srv.stop());

  /** Sends headers and part of a body, then nothing: resolves with what the server said before closing. */
  const stall = (path: string, type: string, headers: string, part: string) =>
    new Promise<string>((resolve) => {
      const { port } = new URL(srv.url);
      const sock = connect(Number(port), "127.0.0.1");
      let got = "";
      sock.on("data", (d) => {
        got += d;
      });
      sock.on("close", () => resolve(got));
      sock.on("error", () => {});
      sock.write(`POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: ${type}\r\n${headers}\r\n${part}`);
      // Bounded: a server that never answers fails the test instead of hanging it.
      setTimeout(() => sock.destroy(), 10_000);
    });

  it("a JSON body not received within --body-timeout is a 408 and a closed connection", async () => {
    const got = await stall("/v1/score", "application/json", "content-length: 1000\r\n", '{"sam');
    expect(got).toMatch(/^HTTP\/1\.1 408/);
    expect(got).toMatch(/"kind":"timeout"/);
    expect(got).toMatch(/--body-timeout/);
  });

  it("a stream longer than --body-timeout whose chunks keep coming is not cut", async () => {
    const line = `${JSON.stringify({ completion: "<think>t</think><answer>4</answer>", reference: "4" })}\n`;
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${srv.url}/v1/score/stream`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
      });
      req.on("error", reject);
      req.on("response", (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve(text));
      });
      // 10 lines 100 ms apart: 1 s in all, more than the 300 ms allowed between chunks.
      let sent = 0;
      const tick = setInterval(() => {
        req.write(line);
        if (++sent === 10) {
          clearInterval(tick);
          req.end();
        }
      }, 100);
    });
    const results = body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { index: number; result: { status: string } });
    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(results.every((r) => r.result.status === "ok")).toBe(true);
  });

  it("a stream whose next chunk does not come within --body-timeout is a 408", async () => {
    const got = await stall(
      "/v1/score/stream",
      "application/x-ndjson",
      "transfer-encoding: chunked\r\n",
      '5\r\n{"sam\r\n',
    );
    expect(got).toMatch(/^HTTP\/1\.1 408/);
    expect(got).toMatch(/"kind":"timeout"/);
  });
});

describe("shutdown", () => {
  it("a request arriving while in-flight ones finish gets 503, Retry-After and our error body", async () => {
    const registry = createRegistry();
    registry.register({
      type: "slow",
      description: "test: sleeps",
      configSchema: {},
      verify: async () => {
        await new Promise((r) => setTimeout(r, 400));
        return ok(1);
      },
    } satisfies Verifier);
    const app = buildServer(loadReward({ type: "slow" }, { registry }));
    const { port } = new URL(await app.listen({ host: "127.0.0.1", port: 0 }));
    // A keep-alive client sends its next request as soon as the slow one is answered, by which time the
    // server is closing.
    const answer = new Promise<string>((resolve) => {
      const sock = connect(Number(port), "127.0.0.1");
      let got = "";
      const body = JSON.stringify({ samples: [{ completion: "x" }] });
      const req = `POST /v1/score HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
      sock.on("data", (d) => {
        if (!got) sock.write(req);
        got += d;
      });
      sock.on("close", () => resolve(got));
      sock.on("error", () => {});
      sock.write(req);
      setTimeout(() => sock.destroy(), 10_000);
    });
    await new Promise((r) => setTimeout(r, 100));
    await app.close();
    const got = await answer;
    const [first, second] = got.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    expect(second).toMatch(/^HTTP\/1\.1 503/);
    expect(second).toMatch(/\r\nretry-after: \d+\r\n/i);
    expect(second).toMatch(/\{"error":\{"kind":"shutting_down","message":"[^"]+"\}\}/);
  });
});
