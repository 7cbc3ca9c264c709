/**
 * The `rewardkit serve` process itself: NeMo Gym's /verify with a recorded request shape, graceful
 * shutdown with a request in flight, the refusal to bind a public address without a token, and
 * --workers sharing the port.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, ROOT, runCli, startServe } from "./run.js";

const tmp = mkdtempSync(join(tmpdir(), "rk-serve-"));

describe("POST /verify (NeMo Gym)", () => {
  let s: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    s = await startServe(["--spec", "think-answer"]);
  });
  afterAll(() => s.stop());

  // The shape NeMo Gym's resource servers receive: the dataset row, the Responses API request and response.
  const request = (text: string, extra: Record<string, unknown> = {}) => ({
    responses_create_params: { input: [{ role: "user", content: "What is 2+2?" }], temperature: 1.0 },
    response: {
      id: "resp_0",
      object: "response",
      created_at: 1760000000,
      model: "policy",
      status: "completed",
      output: [
        { id: "rs_0", type: "reasoning", summary: [{ type: "summary_text", text: "adding" }] },
        {
          id: "msg_0",
          type: "message",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text, annotations: [] }],
        },
      ],
      parallel_tool_calls: true,
      tool_choice: "auto",
      tools: [],
    },
    reference: "4",
    task_id: 17,
    ...extra,
  });

  const verify = async (body: unknown, path = "/verify") => {
    const res = await fetch(`${s.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("scores the output text and echoes the row with the reward and its components", async () => {
    const { status, body } = await verify(request("<think>2+2=4</think><answer>4</answer>"));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      task_id: 17,
      reward: 1,
      mask_sample: false,
      failure_kind: null,
      failure_reason: null,
    });
    expect(body.reward_components).toEqual({ format: 1, answer: 1 });
    expect(body.response).toBeDefined();
  });

  it("answers a rollout's path /ng-rollout/<id>/verify like /verify", async () => {
    const body = request("<think>2+2=4</think><answer>4</answer>");
    const plain = await verify(body);
    const rollout = await verify(body, "/ng-rollout/rollout-7/verify");
    expect(rollout.status).toBe(200);
    expect(rollout.body).toEqual(plain.body);
    expect(rollout.body).toMatchObject({ reward: 1, mask_sample: false });
  });

  it("masks a sample whose result is not a real reward", async () => {
    const { reference: _r, ...noRef } = request("<think>x</think><answer>4</answer>");
    const { body } = await verify(noRef);
    expect(body).toMatchObject({ reward: 0, mask_sample: true, failure_kind: "invalid_input" });
    expect(String(body.failure_reason)).toMatch(/no 'reference'/);
  });

  it("answers 400 when there is no response", async () => {
    expect((await verify({ responses_create_params: {} })).status).toBe(400);
  });

  it("answers 400 naming the place for malformed output items and parts, never a 500 or a silent 0", async () => {
    for (const output of [
      [null],
      [1, "x"],
      [{ type: "message", content: [null] }],
      [{ type: "message", content: {} }],
    ]) {
      const { status, body } = await verify({ ...request("x"), response: { output } });
      expect(status).toBe(400);
      expect((body.error as { message: string }).message).toMatch(/request body response\/output\/0/);
    }
  });
});

describe("process behaviour", () => {
  it("refuses to bind a public address without a token", async () => {
    const r = await runCli(["serve", "--spec", "think-answer", "--host", "0.0.0.0", "--port", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to bind 0\.0\.0\.0 without a token/);
  });

  it("finishes the request in flight on SIGTERM, then exits 0", async () => {
    const spec = join(tmp, "slow.json");
    // A backtracking pattern on the JS engine: each check runs until its 1.5 s deadline in the pool.
    writeFileSync(
      spec,
      JSON.stringify({ type: "regex", engine: "js", pattern: "^(a+)+$", timeout_ms: 1500 }),
    );
    const s = await startServe(["--spec", spec]);
    const inflight = fetch(`${s.url}/v1/score`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ samples: [{ completion: `${"a".repeat(40)}!` }] }),
    });
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((resolve) => s.child.once("exit", (code) => resolve(code)));
    s.child.kill("SIGTERM");
    const res = await inflight;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { status: string; error: { kind: string } }[] };
    expect(body.results[0]).toMatchObject({ status: "error", error: { kind: "timeout" } });
    expect(await exited).toBe(0);
  });

  it("--workers 2 serves from two processes on one port", async () => {
    const child = spawn(
      process.execPath,
      [BIN, "serve", "--spec", "think-answer", "--port", "0", "--workers", "2"],
      { cwd: ROOT },
    );
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        out += d;
        const m = /listening at (http:\/\/[^\s"]+)/i.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (c) => reject(new Error(`exited ${c}: ${out}`)));
    });
    try {
      // Wait until both workers listen, then see both answer.
      const pids = new Set<number>();
      for (let i = 0; i < 200 && pids.size < 2; i++) {
        const h = (await (await fetch(`${url}/health`, { headers: { connection: "close" } })).json()) as {
          pid: number;
        };
        pids.add(h.pid);
      }
      expect(pids.size).toBe(2);
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  });
});
