/** The real `rewardkit serve` process on a free port, called over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe } from "./run.js";

let url = "";
let stop: () => Promise<void>;

beforeAll(async () => {
  const s = await startServe(["--spec", "think-answer", "--abstain-value", "-0.5", "--error-value", "-1"]);
  url = s.url;
  stop = s.stop;
});
afterAll(async () => {
  await stop?.();
});

async function post(path: string, body: unknown, raw = false) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("GET /health", () => {
  it("answers", async () => {
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
  });
});

describe("POST /v1/score", () => {
  it("scores a batch in order, with an error result in place for a bad sample", async () => {
    const { status, body } = await post("/v1/score", {
      samples: [
        { completion: "<think>a</think><answer>x</answer>", reference: "x" },
        { nope: 1 },
        { completion: "x", reference: "y" },
      ],
    });
    expect(status).toBe(200);
    const results = body.results as Record<string, unknown>[];
    expect(results.map((r) => r.reward)).toEqual([1, null, 0]);
    expect(results[1]).toMatchObject({ status: "error", error: { kind: "invalid_input" } });
  });

  it("answers compact components when asked", async () => {
    const samples = [{ completion: "<think>a</think><answer>x</answer>", reference: "y" }];
    const flat = await post("/v1/score", { samples, components: "flat" });
    expect((flat.body.results as { components: unknown }[])[0]!.components).toEqual({ format: 1, answer: 0 });
    const none = await post("/v1/score", { samples, components: "none" });
    expect((none.body.results as { components?: unknown; reward: number }[])[0]).toMatchObject({
      reward: 0.2,
    });
    expect((none.body.results as { components?: unknown }[])[0]!.components).toBeUndefined();
  });

  it("answers 400 with a reason for malformed JSON and wrong shapes, and keeps serving", async () => {
    const bad = await post("/v1/score", '{"samples": [', true);
    expect(bad.status).toBe(400);
    expect((bad.body.error as { message: string }).message).toMatch(/not valid JSON/);
    const shape = await post("/v1/score", { samples: "x" });
    expect(shape.status).toBe(400);
    expect((shape.body.error as { message: string }).message).toBe("request body samples must be array");
    const missing = await post("/v1/score", {});
    expect(missing.status).toBe(400);
    expect((missing.body.error as { message: string }).message).toBe(
      "request body must have required property 'samples'",
    );
    const notObject = await post("/v1/score", [1]);
    expect((notObject.body.error as { message: string }).message).toBe("request body must be object");
    expect((await post("/v1/score", { samples: [] })).body).toEqual({ results: [] });
  });

  it("answers 400 naming the option for bad group options, and a per-sample error for an unreadable length", async () => {
    const samples = [
      { completion: "<think>a</think><answer>x</answer>", reference: "x", pid: "p" },
      { completion: "<think>a</think><answer>y</answer>", reference: "x", pid: "p", n: 5 },
    ];
    const eq = await post("/v1/score", { samples, group: { by: "pid", vote: { equivalence: "bogus" } } });
    expect(eq.status).toBe(400);
    expect((eq.body.error as { message: string }).message).toMatch(
      /group\.vote\.equivalence: unknown equivalence/,
    );
    const filter = await post("/v1/score", { samples, group: { by: "{{pid|nope}}" } });
    expect(filter.status).toBe(400);
    expect((filter.body.error as { message: string }).message).toMatch(/group\.by: unknown template filter/);
    const weights = await post("/v1/score", {
      samples,
      group: { by: "pid", aggregate: "gdpo", component_weights: { answr: 1 } },
    });
    expect(weights.status).toBe(400);
    expect((weights.body.error as { message: string }).message).toMatch(
      /group\.component_weights\.answr: no top-level component 'answr' \(components: format, answer\)/,
    );
    const len = await post("/v1/score", {
      samples,
      group: { by: "pid", length_reward: { weight: 1, length: "{{n}}" } },
    });
    expect(len.status).toBe(200);
    const results = len.body.results as { status: string; error?: { kind: string } }[];
    expect(results.map((r) => r.status)).toEqual(["error", "ok"]);
    expect(results[0]!.error!.kind).toBe("invalid_input");
  });

  it("answers 404 for an unknown route", async () => {
    expect((await post("/v2/nothing", {})).status).toBe(404);
  });
});

describe("POST /get_reward (OpenRLHF)", () => {
  const prompt = "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n";

  it("scores query minus prompt, strips end-of-turn tokens, and flags non-ok results", async () => {
    const { status, body } = await post("/get_reward", {
      query: [
        `${prompt}<think>2+2=4</think><answer>4</answer><|im_end|>`,
        `${prompt}<think>hmm</think><answer>5</answer><|im_end|><|endoftext|>`,
        "something else entirely",
      ],
      prompts: [prompt, prompt, prompt],
      labels: ["4", "4", "4"],
    });
    expect(status).toBe(200);
    // Row 3's query does not start with its prompt: an error, sent as --error-value and flagged.
    expect(body.rewards).toEqual([1, 0.2, -1]);
    expect(body.scores).toEqual(body.rewards);
    const logs = body.extra_logs as Record<string, number[]>;
    expect(logs.rk_ok).toEqual([1, 1, 0]);
    expect(logs.rk_error).toEqual([0, 0, 1]);
    expect(logs["rk/format"]).toEqual([1, 1, -0.5]);
  });

  it("answers empty lists with empty rewards", async () => {
    const { body } = await post("/get_reward", { query: [], prompts: [], labels: [] });
    expect(body.rewards).toEqual([]);
  });

  it("rejects mismatched list lengths with 400", async () => {
    const { status, body } = await post("/get_reward", {
      query: ["a", "b"],
      prompts: ["a"],
      labels: ["x", "y"],
    });
    expect(status).toBe(400);
    expect((body.error as { message: string }).message).toMatch(/'prompts' has 1 items but 'query' has 2/);
  });
});
