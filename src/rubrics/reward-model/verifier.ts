/**
 * The `reward_model` node: a served reward model (a sequence classifier / Bradley-Terry head) scores the
 * sample's (prompt, completion), over the protocol of the server it is deployed with (protocols.ts).
 *
 * Samples are batched across calls (batcher.ts), answers cached like the LLM judge's, requests retried,
 * timed out and limited per endpoint like the judge's; a text the model could not score is an error
 * (judge_error or timeout), never 0. The raw score is then made a reward (normalize.ts), optionally
 * relative to the reward of the sample's reference answer (`reference: true`: r(completion) - r(reference),
 * the baseline of RLHF), and bounded by the declared range.
 */
import {
  abstain,
  compileTemplate,
  completionText,
  fail,
  type JsonSchema,
  type Outcome,
  ok,
  RewardkitError,
  renderText,
  type Sample,
  type Template,
  type Verifier,
} from "../../core/index.js";
import { JudgeCache } from "../cache.js";
import type { Endpoint } from "../chat.js";
import { type ItemScore, RmBatcher } from "./batcher.js";
import { METHODS, type Method, Normalizer } from "./normalize.js";
import {
  conversation,
  DEFAULT_PATHS,
  FORMATS,
  type InputFormat,
  PROTOCOLS,
  type Protocol,
  parseRewardPath,
  promptText,
  type RmItem,
  type WireOptions,
} from "./protocols.js";
import { settleWithin } from "./wait.js";

export const ENV_RM_BASE_URL = "REWARDKIT_RM_BASE_URL";
export const ENV_RM_API_KEY = "REWARDKIT_RM_API_KEY";
export const ENV_RM_CACHE_DIR = "REWARDKIT_RM_CACHE_DIR";

const int = (minimum: number, dflt: number, description: string, maximum: number): JsonSchema => ({
  type: "integer",
  minimum,
  maximum,
  default: dflt,
  description,
});

export const REWARD_MODEL_SCHEMA: JsonSchema = {
  type: "object",
  required: ["protocol"],
  properties: {
    protocol: {
      enum: [...PROTOCOLS],
      description:
        "vllm_classify (/classify), vllm_pooling (/pooling), vllm_score (/score), tei_predict (/predict), tei_rerank (/rerank), openai_chat (/chat/completions with reward_path).",
    },
    base_url: {
      type: "string",
      minLength: 1,
      description: `The server's root, e.g. http://localhost:8000 (default: $${ENV_RM_BASE_URL}); openai_chat: e.g. http://localhost:8000/v1.`,
    },
    path: { type: "string", pattern: "^/", description: "Overrides the protocol's endpoint path." },
    model: {
      type: "string",
      minLength: 1,
      description: "Model name sent to vLLM / OpenAI-compatible servers.",
    },
    format: {
      enum: ["chat", "text", "pair"],
      description:
        "chat: prompt + completion as messages (vLLM, openai_chat; one sample per request); text: the 'text' template (vLLM, TEI predict; batched); pair: (prompt, completion) (vllm_score, TEI predict and rerank; batched). Default: chat for vLLM classify/pooling and openai_chat, pair otherwise.",
    },
    text: {
      type: "string",
      minLength: 1,
      description:
        "format text: the input as one text, e.g. '<|user|>{{prompt}}<|assistant|>{{completion}}'.",
    },
    label: { type: "string", minLength: 1, description: "TEI predict: the label whose score is the reward." },
    label_index: {
      type: "integer",
      minimum: 0,
      description: "vLLM classify/pooling: the output index that is the reward (default: the last).",
    },
    raw_scores: {
      type: "boolean",
      default: true,
      description: "Ask for logits (TEI raw_scores, vLLM use_activation false) and normalise here.",
    },
    task: {
      type: "string",
      minLength: 1,
      description: "vllm_pooling: the pooling task (e.g. classify, token_classify).",
    },
    reward_path: {
      type: "string",
      pattern: "^[^.]+(\\.[^.]+)*$",
      description: "openai_chat: where the reward is in the response, e.g. choices.0.message.content.",
    },
    reference: {
      type: "boolean",
      default: false,
      description: "Reward relative to the reference answer: r(prompt, completion) - r(prompt, reference).",
    },
    reference_template: {
      type: "string",
      minLength: 1,
      default: "{{reference}}",
      description: "Where the reference answer is (reference mode).",
    },
    normalize: {
      enum: [...METHODS],
      default: "none",
      description:
        "none | affine (scale*x+offset) | sigmoid (of scale*x+offset) | zscore (over the samples scored together) | running (running mean/std; abstains during warmup).",
    },
    scale: { type: "number", default: 1, description: "Multiplier of the normalisation." },
    offset: { type: "number", default: 0, description: "Added by the normalisation." },
    warmup: int(0, 100, "running: samples seen before rewards are given (they abstain).", 10_000_000),
    range: {
      type: "array",
      items: { type: "number" },
      minItems: 2,
      maxItems: 2,
      description: "The declared range of the reward (default [0, 1] with sigmoid; required otherwise).",
    },
    clip: {
      type: "boolean",
      default: true,
      description: "Clip a reward outside the range (reported in details); false: it is an error.",
    },
    batch_size: int(1, 32, "Texts per request (TEI's default max_client_batch_size is 32).", 4096),
    batch_wait_ms: int(0, 2, "How long the first sample waits for others to share its request.", 1000),
    api_key_env: {
      type: "string",
      pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
      description: `Environment variable with the API key (default ${ENV_RM_API_KEY}; when unset no key is sent).`,
    },
    headers: { type: "object", additionalProperties: { type: "string" }, description: "Extra HTTP headers." },
    extra_body: { type: "object", description: "Extra request body fields (e.g. truncate_prompt_tokens)." },
    request_timeout_ms: int(
      1,
      30_000,
      "Deadline of one HTTP request (timeout_ms bounds the whole verification).",
      3_600_000,
    ),
    max_retries: int(0, 3, "Retries on 429, 408, 5xx, network errors, timeouts and malformed responses.", 20),
    backoff_ms: int(0, 500, "First retry delay; doubles each retry (with jitter).", 600_000),
    max_backoff_ms: int(0, 20_000, "Longest delay between retries.", 600_000),
    max_concurrency: int(1, 16, "Requests in flight to this base URL, shared process-wide.", 4096),
    cache: { type: "boolean", default: true, description: "Keep scores in memory (process-wide)." },
    cache_dir: {
      type: "string",
      minLength: 1,
      description: `Also on disk here (default: $${ENV_RM_CACHE_DIR}).`,
    },
  },
  additionalProperties: false,
};

type Config = Record<string, unknown>;

interface SampleItems {
  items: RmItem[];
}

type Scored = { outcome: Outcome };

export interface RewardModelRuntime {
  batcher: RmBatcher<Scored>;
  normalizer: Normalizer;
  range: readonly [number, number];
  clip: boolean;
  reference?: Template;
  text?: Template;
  format: InputFormat;
  protocol: Protocol;
  model: string;
}

function rangeOf(c: Config): readonly [number, number] {
  if (Array.isArray(c.range)) return c.range as [number, number];
  return c.normalize === "sigmoid" ? [0, 1] : [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
}

export function compileRewardModel(
  c: Config,
  env: Record<string, string | undefined> = process.env,
): RewardModelRuntime {
  const problem = (m: string) => new RewardkitError("config_error", m);
  const protocol = c.protocol as Protocol;
  const baseUrl = (c.base_url as string | undefined) ?? env[ENV_RM_BASE_URL];
  if (!baseUrl)
    throw problem(`reward_model needs 'base_url' (or the environment variable ${ENV_RM_BASE_URL})`);
  if (!/^https?:\/\/[^\s/]+/.test(baseUrl)) throw problem(`base_url '${baseUrl}' is not an http(s) URL`);
  const format = (c.format as InputFormat | undefined) ?? FORMATS[protocol][0]!;
  if (!FORMATS[protocol].includes(format))
    throw problem(
      `format '${format}' is not available with ${protocol} (use ${FORMATS[protocol].join(" or ")})`,
    );
  if (format === "text" && typeof c.text !== "string") throw problem("format 'text' needs a 'text' template");
  if (format !== "text" && c.text !== undefined) throw problem("'text' applies to format 'text' only");
  if (protocol === "openai_chat" && typeof c.reward_path !== "string")
    throw problem("openai_chat needs 'reward_path' (where the reward is in the response)");
  if (protocol !== "openai_chat" && c.reward_path !== undefined)
    throw problem("'reward_path' applies to openai_chat only");
  if (c.label !== undefined && protocol !== "tei_predict")
    throw problem("'label' applies to tei_predict only");
  if (c.label_index !== undefined && protocol !== "vllm_classify" && protocol !== "vllm_pooling")
    throw problem("'label_index' applies to vllm_classify and vllm_pooling only");
  if (c.task !== undefined && protocol !== "vllm_pooling")
    throw problem("'task' applies to vllm_pooling only");
  if (c.reference_template !== undefined && c.reference !== true)
    throw problem("'reference_template' needs 'reference: true'");
  if (protocol === "openai_chat" && typeof c.model !== "string")
    throw problem("openai_chat needs 'model' (OpenAI-compatible servers route by model name)");
  const method = (c.normalize as Method | undefined) ?? "none";
  if (!Array.isArray(c.range) && method !== "sigmoid")
    throw problem(
      `declare the reward's 'range' (reward-model scores are unbounded; normalize '${method}' does not bound them), or use normalize 'sigmoid'`,
    );
  const range = rangeOf(c);
  if (!(range[0] < range[1])) throw problem(`range [${range.join(", ")}] is empty`);
  const scale = typeof c.scale === "number" ? c.scale : 1;
  const offset = typeof c.offset === "number" ? c.offset : 0;
  if ((c.scale !== undefined || c.offset !== undefined) && method === "none")
    throw problem("'scale' and 'offset' need a normalize method (affine, sigmoid, zscore or running)");
  if (c.warmup !== undefined && method !== "running")
    throw problem("'warmup' applies to normalize 'running' only");
  const minB = typeof c.backoff_ms === "number" ? c.backoff_ms : 500;
  const maxB = typeof c.max_backoff_ms === "number" ? c.max_backoff_ms : 20_000;
  if (minB > maxB) throw problem(`backoff_ms (${minB}) is greater than max_backoff_ms (${maxB})`);
  const num = (k: string, d: number) => (typeof c[k] === "number" ? (c[k] as number) : d);
  const root = baseUrl.replace(/\/+$/, "");
  const endpoint: Endpoint = {
    baseUrl: root,
    model: (c.model as string | undefined) ?? "",
    apiKeyEnv: (c.api_key_env as string | undefined) ?? ENV_RM_API_KEY,
    apiKeyRequired: c.api_key_env !== undefined,
    headers: (c.headers as Record<string, string> | undefined) ?? {},
    timeoutMs: num("request_timeout_ms", 30_000),
    maxRetries: num("max_retries", 3),
    backoffMs: minB,
    maxBackoffMs: maxB,
    maxConcurrency: num("max_concurrency", 16),
  };
  const wire: WireOptions = {
    protocol,
    format,
    model: endpoint.model,
    rawScores: c.raw_scores !== false,
    extraBody: (c.extra_body as Record<string, unknown> | undefined) ?? {},
  };
  if (c.model === undefined && protocol.startsWith("vllm")) delete (wire as { model?: string }).model;
  if (typeof c.label === "string") wire.label = c.label;
  if (typeof c.label_index === "number") wire.labelIndex = c.label_index;
  if (typeof c.task === "string") wire.task = c.task;
  if (typeof c.reward_path === "string") wire.rewardPath = parseRewardPath(c.reward_path);
  const cacheDir = (c.cache_dir as string | undefined) ?? env[ENV_RM_CACHE_DIR];
  const cache = new JudgeCache({
    memory: c.cache !== false,
    ...(cacheDir && c.cache !== false ? { dir: cacheDir } : {}),
  });
  const normalizer = new Normalizer({ method, scale, offset, warmup: num("warmup", 100), minStd: 1e-6 });
  const rt: RewardModelRuntime = {
    normalizer,
    range,
    clip: c.clip !== false,
    format,
    protocol,
    model: endpoint.model,
    batcher: undefined as unknown as RmBatcher<Scored>,
  };
  if (c.reference === true)
    rt.reference = compileTemplate((c.reference_template as string | undefined) ?? "{{reference}}");
  if (typeof c.text === "string") rt.text = compileTemplate(c.text);
  rt.batcher = new RmBatcher<Scored>(
    {
      endpoint,
      url: `${root}${(c.path as string | undefined) ?? DEFAULT_PATHS[protocol]}`,
      wire,
      batchSize: num("batch_size", 32),
      waitMs: num("batch_wait_ms", 2),
      cache,
    },
    (scores) => finishGroup(rt, scores),
  );
  return rt;
}

/** The texts a sample is scored on: its completion, and in reference mode its reference answer. */
export function itemsOf(rt: RewardModelRuntime, sample: Sample): SampleItems {
  // A reward model judges an answer to a question: without the question the score means nothing. A chat
  // completion that carries its own conversation, and a `text` template, say what is scored themselves.
  if (
    rt.format !== "text" &&
    sample.prompt === undefined &&
    (rt.format === "pair" || typeof sample.completion === "string")
  )
    throw new RewardkitError(
      "invalid_input",
      "the sample has no 'prompt': the reward model scores (prompt, completion)",
    );
  const one = (s: Sample): RmItem => {
    const it: RmItem = {
      messages: conversation(s.prompt, s.completion),
      prompt: promptText(s.prompt),
      completion: completionText(s),
    };
    if (rt.text) it.text = renderText(rt.text, s, "the reward model's input text");
    return it;
  };
  const items = [one(sample)];
  if (rt.reference) {
    const ref = renderText(rt.reference, sample, "the reference answer");
    items.push(one({ ...sample, completion: ref }));
  }
  return { items };
}

/** One group's item scores -> each sample's outcome, normalised over the group. */
function finishGroup(rt: RewardModelRuntime, scores: ItemScore[][]): Scored[] {
  const raws: (number | null)[] = scores.map((s) => {
    if (!s.every((x) => x.ok)) return null;
    const [c, r] = s as Extract<ItemScore, { ok: true }>[];
    return r ? c!.value - r.value : c!.value;
  });
  const norm = rt.normalizer.apply(raws);
  const [lo, hi] = rt.range;
  return scores.map((s, i) => {
    const failed = s.find((x) => !x.ok) as Extract<ItemScore, { ok: false }> | undefined;
    if (failed) {
      const which = s.length > 1 && s[0]!.ok ? "the reference answer: " : "";
      return { outcome: fail(failed.kind, `${which}${failed.message}`) };
    }
    const okd = s as Extract<ItemScore, { ok: true }>[];
    const details: Record<string, unknown> = {
      raw: okd[0]!.value,
      protocol: rt.protocol,
      batch: scores.length,
      cache: okd[0]!.cache,
    };
    if (rt.model) details.model = rt.model;
    if (okd[1]) {
      details.reference_raw = okd[1].value;
      details.relative = raws[i];
    }
    const n = norm[i]!;
    if (!n.ok) return { outcome: abstain(n.why, { details }) };
    if (n.stats) Object.assign(details, n.stats);
    let v = n.value;
    if (v < lo || v > hi) {
      if (!rt.clip)
        return {
          outcome: fail(
            "judge_error",
            `the reward model's reward ${v} is outside the declared range [${lo}, ${hi}]`,
            {
              details,
            },
          ),
        };
      details.unclipped = v;
      v = Math.min(hi, Math.max(lo, v));
    }
    return { outcome: ok(v, { details }) };
  });
}

export const rewardModelVerifier: Verifier<Config, RewardModelRuntime> = {
  type: "reward_model",
  description:
    "A served reward model (vLLM pooling/classify/score, TEI predict/rerank, or an OpenAI-compatible endpoint) scores (prompt, completion); normalised and bounded to a declared range.",
  configSchema: REWARD_MODEL_SCHEMA,
  range: (c) => rangeOf(c),
  timeoutMs: 600_000,
  // The wait for the batched answer is bounded here (wait.ts): one abort listener per caller signal
  // instead of one per sample, which thousands of samples in flight would make quadratic.
  managesDeadline: true,
  compile: (c) => compileRewardModel(c),
  async verify(sample, rt, ctx) {
    const { items } = itemsOf(rt, sample);
    const r = await settleWithin(rt.batcher.submit(items), ctx.signal, ctx.timeoutMs);
    return r.outcome;
  },
};
