/**
 * A real (small) reward model behind real HTTP servers speaking the protocols reward models are served
 * with. No pretrained weights can be downloaded here, so the model is trained by the caller in a few
 * milliseconds: a Bradley-Terry model, P(a preferred to b) = sigmoid(r(a) - r(b)), with r a linear
 * function of bag-of-words features, fitted by gradient descent on a generated toy preference set
 * (helpful vs. evasive answers, with label noise). Held-out pairs come from other seeds, so the pairwise
 * accuracy a test measures through rewardkit is a real measurement of this model.
 *
 * The server speaks each protocol with the request and response shapes of the real servers:
 *   vLLM   vllm/entrypoints/pooling/classify/protocol.py (ClassificationCompletionRequest / ChatRequest ->
 *          ClassificationResponse {id "classify-...", object "list", created, model, data [{index, label,
 *          probs, num_classes}], usage}); pooling/protocol.py (PoolingResponse data [{index, object
 *          "pooling", data}]); score/protocol.py (ScoreTextRequest text_1/text_2 -> ScoreResponse data
 *          [{index, object "score", score}]). `use_activation` (default true) applies the sigmoid of a
 *          one-label classifier; vLLM validation errors are 400 {"error": {message, type, code}}.
 *   TEI    text-embeddings-inference router/src/http/types.rs + server.rs: PredictRequest {inputs: string |
 *          [a, b] | [[a], [a, b], ...], raw_scores} -> Vec<Prediction{score, label}> or a batch of them,
 *          sorted by score; RerankRequest {query, texts, raw_scores, return_text} -> [{index, score, text?}]
 *          sorted by score; raw_scores false applies the sigmoid (core/src/infer.rs); more inputs than
 *          max_client_batch_size (default 32) is 422 {"error", "error_type": "validation"}.
 *   chat   POST /v1/chat/completions: a chat completion whose choices[0].logprobs.content[0] is
 *          {token: "reward", logprob: r}, the shape hosted reward models answer with.
 *
 * Kept free of relative imports so the benchmark can load it with Node's type stripping.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// ---------------------------------------------------------------- the toy preference set

export interface PrefPair {
  prompt: string;
  chosen: string;
  rejected: string;
}

/**
 * mulberry32: a small seeded PRNG, so every run trains the same model on the same data. The same as
 * src/core/random.ts: bench/rm.js loads this file with Node's type stripping, which cannot follow the
 * sources' `.js` import paths, so it imports nothing of the project's.
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TASKS = [
  "reset my router",
  "bake sourdough bread",
  "sort a list in python",
  "change a flat tyre",
  "write a cover letter",
  "plant tomatoes",
  "back up my laptop",
  "learn to juggle",
  "fix a leaking tap",
  "train for a 10k run",
];
const HELPFUL = [
  "first",
  "then",
  "step",
  "because",
  "for example",
  "make sure",
  "check that",
  "carefully",
  "finally",
  "this works since",
  "you can also",
  "here is how",
];
const EVASIVE = [
  "no idea",
  "just google it",
  "whatever",
  "not my problem",
  "figure it out",
  "i guess",
  "maybe",
  "too hard",
  "ask someone else",
  "dunno",
];
const NEUTRAL = ["the", "it", "your", "a", "and", "to", "with", "of", "on", "is", "that", "you"];

function pick<T>(xs: readonly T[], r: () => number): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function answer(task: string, good: boolean, r: () => number): string {
  const words: string[] = [];
  const n = 4 + Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    const roll = r();
    // Mostly from its own bank, sometimes from the other (the classes overlap), often neutral filler.
    if (roll < 0.45) words.push(pick(good ? HELPFUL : EVASIVE, r));
    else if (roll < 0.55) words.push(pick(good ? EVASIVE : HELPFUL, r));
    else words.push(pick(NEUTRAL, r));
  }
  if (r() < 0.5) words.push(task.split(" ").slice(-1)[0]!);
  return words.join(" ");
}

/** `n` pairs; a fraction `noise` have chosen and rejected swapped (annotators disagree). */
export function toyPreferences(n: number, seed: number, noise = 0.1): PrefPair[] {
  const r = rng(seed);
  const out: PrefPair[] = [];
  for (let i = 0; i < n; i++) {
    const task = pick(TASKS, r);
    const prompt = `How do I ${task}?`;
    const good = answer(task, true, r);
    const bad = answer(task, false, r);
    out.push(r() < noise ? { prompt, chosen: bad, rejected: good } : { prompt, chosen: good, rejected: bad });
  }
  return out;
}

// ---------------------------------------------------------------- the Bradley-Terry model

export function features(text: string): Map<string, number> {
  const f = new Map<string, number>();
  const toks = text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
  for (const t of toks) f.set(t, (f.get(t) ?? 0) + 1);
  return f;
}

export class BradleyTerryModel {
  readonly w = new Map<string, number>();
  bias = -0.5;

  /** The reward of a text (a logit: unbounded, like a real reward head's output). */
  score(text: string): number {
    let s = this.bias;
    for (const [k, v] of features(text)) s += (this.w.get(k) ?? 0) * v;
    return s;
  }

  /** Gradient descent on -log sigmoid(r(chosen) - r(rejected)) + l2 * |w|^2. */
  train(pairs: readonly PrefPair[], epochs = 15, lr = 0.05, l2 = 1e-3): this {
    const diffs = pairs.map((p) => {
      const d = new Map<string, number>();
      for (const [k, v] of features(`${p.prompt} ${p.chosen}`)) d.set(k, (d.get(k) ?? 0) + v);
      for (const [k, v] of features(`${p.prompt} ${p.rejected}`)) d.set(k, (d.get(k) ?? 0) - v);
      return d;
    });
    for (let e = 0; e < epochs; e++) {
      for (const d of diffs) {
        let m = 0;
        for (const [k, v] of d) m += (this.w.get(k) ?? 0) * v;
        const g = 1 / (1 + Math.exp(m)); // d/dm of log sigmoid(m)
        for (const [k, v] of d) {
          const w = this.w.get(k) ?? 0;
          this.w.set(k, w + lr * (g * v - l2 * w));
        }
      }
    }
    return this;
  }
}

/** The model a test uses: trained on 400 generated pairs (seed 1). */
export function trainToyModel(): BradleyTerryModel {
  return new BradleyTerryModel().train(toyPreferences(400, 1));
}

// ---------------------------------------------------------------- the servers

export interface Fault {
  status?: number;
  body?: string;
  delayMs?: number;
}

export interface RmServer {
  baseUrl: string;
  /** Every request received: path and parsed body. */
  requests: { path: string; body: unknown }[];
  maxInFlight: number;
  /** Called before each request is answered; returning a Fault replaces or delays the answer. */
  fault: ((path: string, index: number) => Fault | undefined) | undefined;
  maxClientBatchSize: number;
  close(): Promise<void>;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

type Json = Record<string, unknown>;

class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    super(JSON.stringify(body));
    this.status = status;
    this.body = body;
  }
}

const vllmError = (message: string) =>
  new HttpError(400, { error: { message, type: "BadRequestError", param: null, code: 400 } });
const teiError = (status: number, error: string, error_type: string) =>
  new HttpError(status, { error, error_type });

function messagesText(messages: unknown): string {
  if (!Array.isArray(messages) || messages.length === 0) throw vllmError("messages must be a non-empty list");
  return messages
    .map((m: Json) => {
      if (typeof m?.role !== "string") throw vllmError("each message needs a role");
      return typeof m.content === "string" ? m.content : "";
    })
    .join(" ");
}

function vllmInputs(body: Json): string[] {
  if (body.messages !== undefined) return [messagesText(body.messages)];
  const input = body.input;
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === "string"))
    return input as string[];
  throw vllmError("input must be a string or a non-empty list of strings");
}

const usage = (n: number) => ({
  prompt_tokens: n,
  total_tokens: n,
  completion_tokens: 0,
  prompt_tokens_details: null,
});

function answer_(model: BradleyTerryModel, path: string, body: Json, srv: RmServer): unknown {
  const activation = body.use_activation !== false;
  const created = Math.floor(Date.now() / 1000);
  const name = typeof body.model === "string" ? body.model : "toy-bt-rm";
  switch (path) {
    case "/classify": {
      const xs = vllmInputs(body);
      return {
        id: `classify-${randomUUID().replace(/-/g, "")}`,
        object: "list",
        created,
        model: name,
        data: xs.map((x, index) => {
          const s = model.score(x);
          return { index, label: "LABEL_0", probs: [activation ? sigmoid(s) : s], num_classes: 1 };
        }),
        usage: usage(xs.length),
      };
    }
    case "/pooling": {
      const xs = vllmInputs(body);
      return {
        id: `pool-${randomUUID().replace(/-/g, "")}`,
        object: "list",
        created,
        model: name,
        data: xs.map((x, index) => {
          if (body.task === "token_classify") {
            // A token reward model: one row per token, the reward of the prefix so far.
            const toks = x.split(/\s+/).filter(Boolean);
            const rows = toks.map((_, i) => [model.score(toks.slice(0, i + 1).join(" "))]);
            return { index, object: "pooling", data: rows };
          }
          const s = model.score(x);
          return { index, object: "pooling", data: [activation ? sigmoid(s) : s] };
        }),
        usage: usage(xs.length),
      };
    }
    case "/score": {
      const t1 = typeof body.text_1 === "string" ? [body.text_1] : body.text_1;
      const t2 = typeof body.text_2 === "string" ? [body.text_2] : body.text_2;
      if (!Array.isArray(t1) || !Array.isArray(t2) || t2.length === 0)
        throw vllmError("text_1 and text_2 are required");
      if (t1.length !== 1 && t1.length !== t2.length)
        throw vllmError("text_1 must be one text or as many as text_2");
      return {
        id: `embd-${randomUUID().replace(/-/g, "")}`,
        object: "list",
        created,
        model: name,
        data: t2.map((b: string, index: number) => {
          const s = model.score(`${t1.length === 1 ? t1[0] : t1[index]} ${b}`);
          return { index, object: "score", score: activation ? sigmoid(s) : s };
        }),
        usage: usage(t2.length),
      };
    }
    case "/predict": {
      const raw = body.raw_scores === true;
      const inputs = body.inputs;
      const seqText = (v: unknown): string => {
        if (typeof v === "string") return v;
        if (Array.isArray(v) && (v.length === 1 || v.length === 2) && v.every((x) => typeof x === "string"))
          return v.join(" ");
        throw teiError(422, "a sequence is a string or a pair of strings", "validation");
      };
      const pred = (text: string) => {
        const s = model.score(text);
        return [{ score: raw ? s : sigmoid(s), label: "LABEL_0" }];
      };
      if (typeof inputs === "string") return pred(inputs);
      if (!Array.isArray(inputs) || inputs.length === 0) throw teiError(400, "Batch is empty", "empty");
      if (typeof inputs[0] === "string") return pred(seqText(inputs));
      if (inputs.length > srv.maxClientBatchSize)
        throw teiError(
          422,
          `batch size ${inputs.length} > maximum allowed batch size ${srv.maxClientBatchSize}`,
          "validation",
        );
      return inputs.map((x) => pred(seqText(x)));
    }
    case "/rerank": {
      const raw = body.raw_scores === true;
      if (typeof body.query !== "string" || !Array.isArray(body.texts))
        throw teiError(422, "query and texts are required", "validation");
      if (body.texts.length === 0) throw teiError(400, "`texts` cannot be empty", "empty");
      if (body.texts.length > srv.maxClientBatchSize)
        throw teiError(
          422,
          `batch size ${body.texts.length} > maximum allowed batch size ${srv.maxClientBatchSize}`,
          "validation",
        );
      const ranks = (body.texts as string[]).map((t, index) => {
        const s = model.score(`${body.query} ${t}`);
        const r: Json = { index, score: raw ? s : sigmoid(s) };
        if (body.return_text === true) r.text = t;
        return r;
      });
      return ranks.sort((a, b) => (b.score as number) - (a.score as number));
    }
    case "/v1/chat/completions": {
      const s = model.score(messagesText(body.messages));
      return {
        id: `chatcmpl-${randomUUID()}`,
        object: "chat.completion",
        created,
        model: name,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: "reward" },
            logprobs: { content: [{ token: "reward", logprob: s, top_logprobs: [] }] },
            finish_reason: "length",
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      };
    }
  }
  throw new HttpError(404, { detail: "Not Found" });
}

export async function startRmServer(model: BradleyTerryModel): Promise<RmServer> {
  let inFlight = 0;
  const srv: RmServer = {
    baseUrl: "",
    requests: [],
    maxInFlight: 0,
    fault: undefined,
    maxClientBatchSize: 32,
    close: async () => {},
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      inFlight++;
      srv.maxInFlight = Math.max(srv.maxInFlight, inFlight);
      const path = req.url ?? "/";
      const send = (status: number, body: unknown) => {
        inFlight--;
        res
          .writeHead(status, { "content-type": "application/json" })
          .end(typeof body === "string" ? body : JSON.stringify(body));
      };
      let body: Json;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        send(400, { error: "invalid JSON", error_type: "validation" });
        return;
      }
      const index = srv.requests.length;
      srv.requests.push({ path, body });
      const f = srv.fault?.(path, index);
      if (f?.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
      if (f?.status !== undefined || f?.body !== undefined) {
        send(f.status ?? 200, f.body ?? "{}");
        return;
      }
      try {
        send(200, answer_(model, path, body, srv));
      } catch (e) {
        if (e instanceof HttpError) send(e.status, e.body);
        else send(500, { error: String(e), error_type: "backend" });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  srv.baseUrl = `http://127.0.0.1:${port}`;
  srv.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return srv;
}
