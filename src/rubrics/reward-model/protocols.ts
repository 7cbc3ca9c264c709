/**
 * The wire formats of the servers reward models are deployed with, taken from the servers' source:
 *
 *   vllm_classify  POST /classify  vLLM vllm/entrypoints/pooling/classify/protocol.py: ClassificationCompletion-
 *                  Request {model, input: str | list[str], use_activation} or ClassificationChatRequest
 *                  {model, messages}; ClassificationResponse {data: [{index, label, probs, num_classes}]}.
 *   vllm_pooling   POST /pooling   vllm/entrypoints/pooling/pooling/protocol.py: PoolingCompletionRequest {model,
 *                  input, task, use_activation} or PoolingChatRequest {model, messages}; PoolingResponse
 *                  {data: [{index, object: "pooling", data: list[float] | list[list[float]]}]} (per token for a
 *                  token reward model: the last token's row is the sequence's reward).
 *   vllm_score     POST /score     vllm/entrypoints/pooling/score/protocol.py: ScoreTextRequest {model, text_1,
 *                  text_2, use_activation} (N:N pairs); ScoreResponse {data: [{index, object: "score", score}]}.
 *   tei_predict    POST /predict   text-embeddings-inference router/src/http/types.rs: PredictRequest {inputs:
 *                  [[a, b], ...] | [[text], ...], raw_scores, truncate}; PredictResponse::Batch
 *                  [[{score, label}, ...], ...], each inner list sorted by score (so chosen by label).
 *   tei_rerank     POST /rerank    RerankRequest {query, texts, raw_scores}; RerankResponse [{index, score}]
 *                  sorted by score (so mapped back by index). One query per request: grouped by prompt.
 *   openai_chat    POST /chat/completions  an OpenAI-compatible chat endpoint of a hosted reward model; the
 *                  reward is read at `reward_path` in the response (e.g. choices.0.message.content).
 *
 * Chat formats send one conversation per request (the protocols take one `messages`); text formats batch.
 */
import { type ChatMessage, messageText } from "../../core/index.js";
import type { Read } from "./http.js";

export const PROTOCOLS = [
  "vllm_classify",
  "vllm_pooling",
  "vllm_score",
  "tei_predict",
  "tei_rerank",
  "openai_chat",
] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** How a protocol is sent one sample's input: chat messages, one text, or a (prompt, completion) pair. */
export type InputFormat = "chat" | "text" | "pair";

export const DEFAULT_PATHS: Record<Protocol, string> = {
  vllm_classify: "/classify",
  vllm_pooling: "/pooling",
  vllm_score: "/score",
  tei_predict: "/predict",
  tei_rerank: "/rerank",
  openai_chat: "/chat/completions",
};

export const FORMATS: Record<Protocol, readonly InputFormat[]> = {
  vllm_classify: ["chat", "text"],
  vllm_pooling: ["chat", "text"],
  vllm_score: ["pair"],
  tei_predict: ["pair", "text"],
  tei_rerank: ["pair"],
  openai_chat: ["chat"],
};

/** What one scored text is, once rendered from the sample. */
export interface RmItem {
  messages: ChatMessage[];
  prompt: string;
  completion: string;
  /** The `text` template's rendering (format text). */
  text?: string;
}

export interface WireOptions {
  protocol: Protocol;
  format: InputFormat;
  model: string;
  /** Which class's output is the reward (vLLM probs / pooling data index). */
  labelIndex?: number;
  /** Which label is the reward (TEI predict). */
  label?: string;
  /** TEI raw_scores / vLLM use_activation = !rawScores: logits rather than probabilities. */
  rawScores: boolean;
  /** vLLM pooling task (e.g. "classify", "token_classify"). */
  task?: string;
  rewardPath?: (string | number)[];
  extraBody: Record<string, unknown>;
}

/** The payload part of an item: what the server sees, so what the cache key must cover. */
export function itemPayload(o: WireOptions, it: RmItem): unknown {
  if (o.format === "chat") return it.messages;
  if (o.format === "text") return it.text;
  return [it.prompt, it.completion];
}

/** The largest number of items one request of this protocol/format can carry. */
export function perRequestLimit(o: WireOptions, batchSize: number): number {
  return o.format === "chat" ? 1 : batchSize;
}

/** The request body for items that go in one request (all share a prompt for tei_rerank). */
export function requestBody(o: WireOptions, items: readonly RmItem[]): Record<string, unknown> {
  const extra = o.extraBody;
  switch (o.protocol) {
    case "vllm_classify":
    case "vllm_pooling": {
      const body: Record<string, unknown> = { ...extra, model: o.model };
      if (o.format === "chat") body.messages = items[0]!.messages;
      else body.input = items.map((i) => i.text!);
      body.use_activation = !o.rawScores;
      if (o.protocol === "vllm_pooling" && o.task) body.task = o.task;
      return body;
    }
    case "vllm_score":
      return {
        ...extra,
        model: o.model,
        text_1: items.map((i) => i.prompt),
        text_2: items.map((i) => i.completion),
        use_activation: !o.rawScores,
      };
    case "tei_predict":
      return {
        ...extra,
        inputs: items.map((i) => (o.format === "text" ? [i.text!] : [i.prompt, i.completion])),
        raw_scores: o.rawScores,
      };
    case "tei_rerank":
      return {
        ...extra,
        query: items[0]!.prompt,
        texts: items.map((i) => i.completion),
        raw_scores: o.rawScores,
      };
    case "openai_chat":
      return { ...extra, model: o.model, messages: items[0]!.messages, stream: false };
  }
}

const isObj = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === "object" && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const bad = (problem: string) => ({ ok: false as const, problem });

/** Reads the scores of `n` items from a response, in the items' order. */
export function responseReader(o: WireOptions, n: number): Read<number[]> {
  return (json) => {
    const out: (number | undefined)[] = new Array(n);
    switch (o.protocol) {
      case "vllm_classify":
      case "vllm_pooling":
      case "vllm_score": {
        const data = isObj(json) ? json.data : undefined;
        if (!Array.isArray(data)) return bad("no 'data' list");
        for (const [k, d] of data.entries()) {
          if (!isObj(d)) return bad(`data[${k}] is not an object`);
          const i = typeof d.index === "number" ? d.index : k;
          if (!(i >= 0 && i < n)) return bad(`data[${k}].index ${String(d.index)} is out of range`);
          const v =
            o.protocol === "vllm_score" ? d.score : pick(o, o.protocol === "vllm_pooling" ? d.data : d.probs);
          if (typeof v === "string") return bad(`data[${k}]: ${v}`);
          if (!isNum(v)) return bad(`data[${k}] has no finite score`);
          out[i] = v;
        }
        break;
      }
      case "tei_predict": {
        if (!Array.isArray(json) || (n > 0 && !Array.isArray(json[0])))
          return bad("expected a batch of prediction lists");
        for (const [k, preds] of (json as unknown[]).entries()) {
          if (k >= n) return bad(`more predictions (${json.length}) than inputs (${n})`);
          if (!Array.isArray(preds) || preds.length === 0) return bad(`predictions[${k}] is empty`);
          const p =
            o.label !== undefined
              ? preds.find((x) => isObj(x) && x.label === o.label)
              : preds.length === 1
                ? preds[0]
                : undefined;
          if (p === undefined) {
            const labels = preds.map((x) => (isObj(x) ? String(x.label) : "?")).join(", ");
            return bad(
              o.label !== undefined
                ? `no label '${o.label}' among ${labels}`
                : `the model has ${preds.length} labels (${labels}): set 'label'`,
            );
          }
          if (!isObj(p) || !isNum(p.score)) return bad(`predictions[${k}] has no finite score`);
          out[k] = p.score;
        }
        break;
      }
      case "tei_rerank": {
        if (!Array.isArray(json)) return bad("expected a list of ranks");
        for (const [k, r] of json.entries()) {
          if (!isObj(r) || typeof r.index !== "number" || !(r.index >= 0 && r.index < n))
            return bad(`rank ${k} has no valid index`);
          if (!isNum(r.score)) return bad(`rank ${k} has no finite score`);
          out[r.index] = r.score;
        }
        break;
      }
      case "openai_chat": {
        const v = atPath(json, o.rewardPath ?? []);
        const x = typeof v === "string" && v.trim() !== "" ? Number(v.trim()) : v;
        if (!isNum(x))
          return bad(`no finite number at '${(o.rewardPath ?? []).join(".")}' (found ${typeOf(v)})`);
        out[0] = x;
        break;
      }
    }
    for (let i = 0; i < n; i++) if (out[i] === undefined) return bad(`no score for input ${i}`);
    return { ok: true, value: out as number[] };
  };
}

/** A class's value from a vLLM probs list, or a pooling output (per-sequence list or per-token rows). */
function pick(o: WireOptions, v: unknown): unknown {
  if (!Array.isArray(v) || v.length === 0) return "no outputs";
  let row: unknown[] = v;
  if (Array.isArray(v[0])) row = v[v.length - 1] as unknown[];
  const i = o.labelIndex ?? row.length - 1;
  if (i >= row.length) return `label_index ${i} but the model has ${row.length} outputs`;
  return row[i];
}

function atPath(x: unknown, path: readonly (string | number)[]): unknown {
  let cur = x;
  for (const k of path) {
    if (Array.isArray(cur) && typeof k === "number") cur = cur[k];
    else if (isObj(cur) && Object.hasOwn(cur, String(k))) cur = cur[String(k)];
    else return undefined;
  }
  return cur;
}

/** "choices.0.message.content" -> ["choices", 0, "message", "content"]. */
export function parseRewardPath(p: string): (string | number)[] {
  return p.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
}

function typeOf(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "string") return `the text '${v.slice(0, 40)}'`;
  return Array.isArray(v) ? "a list" : typeof v;
}

/** The conversation the chat formats send: the prompt's messages, then the completion's. */
export function conversation(prompt: unknown, completion: string | ChatMessage[]): ChatMessage[] {
  const head: ChatMessage[] =
    prompt === undefined
      ? []
      : typeof prompt === "string"
        ? [{ role: "user", content: prompt }]
        : (prompt as ChatMessage[]);
  const tail: ChatMessage[] =
    typeof completion === "string" ? [{ role: "assistant", content: completion }] : completion;
  return [...head, ...tail];
}

/** A prompt as one text (pair formats): the text, or its messages' texts joined. */
export function promptText(prompt: unknown): string {
  if (prompt === undefined) return "";
  if (typeof prompt === "string") return prompt;
  return (prompt as ChatMessage[]).map((m) => messageText(m)).join("\n");
}
