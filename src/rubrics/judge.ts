/**
 * The LLM judge: criteria judged by a model over the OpenAI-compatible chat completions protocol.
 *
 * Criteria are batched `batch_size` per call (json format) or judged one per call (prometheus format).
 * Pairwise mode judges every batch twice, the candidate shown first and then second, and averages the two
 * preferences, so a judge that always prefers the first position gives a tie, not a win. Every call goes
 * through the judge cache. A batch whose call fails after its retries gives each of its criteria the error
 * (`judge_error`, `judge_parse_error` or `timeout`), never a score.
 */
import { type ErrorKind, type JsonSchema, RewardkitError } from "../core/index.js";
import { type CacheOptions, cacheKey, JudgeCache, promptHash } from "./cache.js";
import {
  chatWithRetries,
  type Endpoint,
  type JudgeMessage,
  type ParseOutcome,
  type Sampling,
} from "./chat.js";
import { abortReason } from "./limiter.js";
import { type Criterion, isPitfall, ordinalScore, type Problem } from "./model.js";
import { parseBatch, parseHolistic, parseHolisticPair, parsePrometheus } from "./parse.js";
import {
  batchMessages,
  DEFAULT_SYSTEM,
  holisticMessages,
  jsonCorrection,
  type Order,
  prometheusCorrection,
  prometheusLevels,
  prometheusMessages,
  type Texts,
} from "./prompts.js";

export const ENV_BASE_URL = "REWARDKIT_JUDGE_BASE_URL";
export const ENV_MODEL = "REWARDKIT_JUDGE_MODEL";
export const ENV_API_KEY = "REWARDKIT_JUDGE_API_KEY";
export const ENV_CACHE_DIR = "REWARDKIT_JUDGE_CACHE_DIR";

const int = (
  minimum: number,
  dflt: number | undefined,
  description: string,
  maximum?: number,
): JsonSchema => ({
  type: "integer",
  minimum,
  ...(maximum !== undefined ? { maximum } : {}),
  ...(dflt !== undefined ? { default: dflt } : {}),
  description,
});

/** The `judge` property of a rubric node: an LLM judge over the OpenAI-compatible protocol. */
export const JUDGE_SCHEMA: JsonSchema = {
  type: "object",
  description: "An LLM judge (OpenAI-compatible chat completions).",
  properties: {
    base_url: {
      type: "string",
      minLength: 1,
      description: `e.g. http://localhost:8000/v1 (default: $${ENV_BASE_URL}).`,
    },
    model: { type: "string", minLength: 1, description: `Model name (default: $${ENV_MODEL}).` },
    api_key_env: {
      type: "string",
      pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
      description: `Environment variable with the API key (default ${ENV_API_KEY}; when the default is unset no key is sent).`,
    },
    format: {
      enum: ["json", "prometheus"],
      default: "json",
      description: "JSON verdicts, or Prometheus 'Feedback: ... [RESULT] n'.",
    },
    batch_size: int(1, 8, "Criteria per call (json format; prometheus judges one per call).", 64),
    temperature: { type: "number", minimum: 0, maximum: 2, default: 0 },
    seed: { type: ["integer", "null"], default: 0, description: "Sent as 'seed'; null to omit it." },
    max_tokens: int(1, 2048, "Reply token limit."),
    json_mode: {
      type: "boolean",
      default: false,
      description: "Send response_format {type: json_object} (json format).",
    },
    pass_score: int(1, 4, "Prometheus: a binary criterion is met at this score or above (of 5).", 5),
    timeout_ms: int(1, 60_000, "Deadline of one HTTP request.", 3_600_000),
    max_retries: int(0, 3, "Retries on malformed replies, 429, 5xx, network errors and timeouts.", 20),
    backoff_ms: int(0, 500, "First retry delay; doubles each retry (with jitter)."),
    max_backoff_ms: int(0, 20_000, "Longest delay between retries (also caps Retry-After)."),
    max_concurrency: int(1, 16, "Requests in flight to this base URL, shared by every judge in the process."),
    cache: { type: "boolean", default: true, description: "Keep judge answers in memory (process-wide)." },
    cache_dir: {
      type: "string",
      minLength: 1,
      description: `Also keep them on disk here (default: $${ENV_CACHE_DIR}).`,
    },
    system_prompt: { type: "string", minLength: 1, description: "Replaces the json format's system prompt." },
    headers: { type: "object", additionalProperties: { type: "string" }, description: "Extra HTTP headers." },
    extra_body: { type: "object", description: "Extra request body fields (e.g. chat_template_kwargs)." },
  },
  additionalProperties: false,
};

export type JudgeFormat = "json" | "prometheus";

export interface JudgeConfig {
  endpoint: Endpoint;
  sampling: Sampling;
  format: JudgeFormat;
  batchSize: number;
  passScore: number;
  system: string;
  cache: CacheOptions;
}

type Env = Record<string, string | undefined>;

/** Resolves a `judge` object (valid against JUDGE_SCHEMA) with the environment's defaults. */
export function resolveJudgeConfig(
  raw: Record<string, unknown>,
  env: Env = process.env,
): { config: JudgeConfig; problems: [] } | { config?: undefined; problems: Problem[] } {
  const problems: Problem[] = [];
  const str = (k: string) => (typeof raw[k] === "string" ? (raw[k] as string) : undefined);
  const num = (k: string, d: number) => (typeof raw[k] === "number" ? (raw[k] as number) : d);
  const baseUrl = str("base_url") ?? env[ENV_BASE_URL];
  const model = str("model") ?? env[ENV_MODEL];
  if (!baseUrl)
    problems.push([["base_url"], `the judge needs 'base_url' (or the environment variable ${ENV_BASE_URL})`]);
  else if (!/^https?:\/\/[^\s/]+/.test(baseUrl))
    problems.push([["base_url"], `'${baseUrl}' is not an http(s) URL`]);
  if (!model)
    problems.push([["model"], `the judge needs 'model' (or the environment variable ${ENV_MODEL})`]);
  const minB = num("backoff_ms", 500);
  const maxB = num("max_backoff_ms", 20_000);
  if (minB > maxB)
    problems.push([["backoff_ms"], `backoff_ms (${minB}) is greater than max_backoff_ms (${maxB})`]);
  const format = (str("format") ?? "json") as JudgeFormat;
  if (format === "prometheus" && raw.json_mode === true)
    problems.push([["json_mode"], "json_mode needs the json format"]);
  if (format === "prometheus" && raw.system_prompt !== undefined) {
    problems.push([["system_prompt"], "the prometheus format uses Prometheus's own system prompt"]);
  }
  if (problems.length) return { problems };
  const sampling: Sampling = { temperature: num("temperature", 0), max_tokens: num("max_tokens", 2048) };
  if (raw.seed !== null) sampling.seed = num("seed", 0);
  if (raw.json_mode === true) sampling.response_format = { type: "json_object" };
  if (raw.extra_body && typeof raw.extra_body === "object")
    sampling.extra_body = raw.extra_body as Record<string, unknown>;
  const cacheDir = str("cache_dir") ?? env[ENV_CACHE_DIR];
  const cache: CacheOptions = { memory: raw.cache !== false };
  if (cacheDir && raw.cache !== false) cache.dir = cacheDir;
  const config: JudgeConfig = {
    endpoint: {
      baseUrl: baseUrl!.replace(/\/+$/, ""),
      model: model!,
      apiKeyEnv: str("api_key_env") ?? ENV_API_KEY,
      apiKeyRequired: raw.api_key_env !== undefined,
      headers: (raw.headers as Record<string, string> | undefined) ?? {},
      timeoutMs: num("timeout_ms", 60_000),
      maxRetries: num("max_retries", 3),
      backoffMs: minB,
      maxBackoffMs: maxB,
      maxConcurrency: num("max_concurrency", 16),
    },
    sampling,
    format,
    batchSize: format === "prometheus" ? 1 : num("batch_size", 8),
    passScore: num("pass_score", 4),
    system: str("system_prompt") ?? DEFAULT_SYSTEM,
    cache,
  };
  return { config, problems: [] };
}

/** What one judge call reports (per criterion, in the criterion's details). */
export interface CallInfo {
  cache: "hit" | "miss" | "shared";
  key: string;
  /** HTTP requests this call made (0 on a cache hit or when it shared another caller's request). */
  attempts: number;
}

export type Judgment =
  | { ok: true; score: number; verdict: unknown; reason: string; details: Record<string, unknown> }
  | { ok: false; kind: ErrorKind; message: string };

type Preference = { p: number; verdict: string; reason: string; call: CallInfo };

export class LlmJudge {
  private readonly cache: JudgeCache;

  constructor(readonly config: JudgeConfig) {
    this.cache = new JudgeCache(config.cache);
  }

  get model(): string {
    return this.config.endpoint.model;
  }

  /** Judges criteria (pairwise when `texts.baseline` is set); one judgment per criterion id. */
  async judgeCriteria(
    criteria: readonly Criterion[],
    texts: Texts,
    version: string,
    signal?: AbortSignal,
  ): Promise<Map<string, Judgment>> {
    const out = new Map<string, Judgment>();
    const k = this.config.batchSize;
    const batches: Criterion[][] = [];
    for (let i = 0; i < criteria.length; i += k) batches.push(criteria.slice(i, i + k));
    await Promise.all(
      batches.map(async (b) => {
        let m: Map<string, Judgment>;
        try {
          m =
            texts.baseline === undefined
              ? await this.absolute(b, texts, version, signal)
              : await this.pairwise(b, texts, version, signal);
        } catch (e) {
          const err = asJudgeError(e);
          m = new Map(b.map((c) => [c.id, err]));
        }
        for (const [id, j] of m) out.set(id, j);
      }),
    );
    return out;
  }

  /** The implicit aggregation: one holistic score over the whole rubric, normalised to [0, 1]. */
  async holistic(
    criteria: readonly Criterion[],
    texts: Texts,
    version: string,
    scale: readonly [number, number],
    signal?: AbortSignal,
  ): Promise<Judgment> {
    try {
      if (texts.baseline !== undefined) {
        const [a, b] = await Promise.all(
          (["candidate_first", "baseline_first"] as const).map((o) =>
            this.holisticPreference(criteria, texts, version, o, signal),
          ),
        );
        return combinePair(a!, b!, false);
      }
      if (this.config.format === "prometheus") {
        const r = await this.call(
          prometheusMessages({ rubric: criteria }, texts),
          (c) => parsePrometheus(c, { max: 5 }),
          prometheusCorrection,
          version,
          signal,
        );
        const n = r.value.result as number;
        return {
          ok: true,
          score: (n - 1) / 4,
          verdict: n,
          reason: r.value.feedback,
          details: { scale: [1, 5], score: n, ...r.info },
        };
      }
      const r = await this.call(
        holisticMessages(criteria, texts, this.config.system, scale),
        (c) => parseHolistic(c, scale),
        jsonCorrection,
        version,
        signal,
      );
      const { score, reason } = r.value;
      return {
        ok: true,
        score: (score - scale[0]) / (scale[1] - scale[0]),
        verdict: score,
        reason,
        details: { scale, score, ...r.info },
      };
    } catch (e) {
      return asJudgeError(e);
    }
  }

  private async absolute(
    batch: Criterion[],
    texts: Texts,
    version: string,
    signal?: AbortSignal,
  ): Promise<Map<string, Judgment>> {
    if (this.config.format === "prometheus") {
      const c = batch[0]!;
      const levels = prometheusLevels(c);
      const r = await this.call(
        prometheusMessages({ criterion: c }, texts),
        (x) => parsePrometheus(x, { max: levels.length }),
        prometheusCorrection,
        version,
        signal,
      );
      const n = r.value.result as number;
      let score: number;
      let verdict: unknown;
      if (c.kind === "ordinal") {
        score = ordinalScore(n - 1, levels.length);
        verdict = c.choices![n - 1];
      } else {
        // The Prometheus levels ask how well the response satisfies (or, for a pitfall, avoids) it.
        const good = n >= this.config.passScore;
        verdict = isPitfall(c) ? !good : good;
        score = verdict ? 1 : 0;
      }
      return new Map([
        [c.id, { ok: true, score, verdict, reason: r.value.feedback, details: { result: n, ...r.info } }],
      ]);
    }
    const r = await this.call(
      batchMessages(batch, texts, this.config.system),
      (x) => parseBatch(x, batch, false),
      jsonCorrection,
      version,
      signal,
    );
    const out = new Map<string, Judgment>();
    for (const c of batch) {
      const v = r.value.get(c.id)!;
      const score =
        c.kind === "ordinal"
          ? ordinalScore(c.choices!.indexOf(v.verdict as string), c.choices!.length)
          : v.verdict
            ? 1
            : 0;
      out.set(c.id, {
        ok: true,
        score,
        verdict: v.verdict,
        reason: v.reason,
        details: { batch: batch.map((b) => b.id), ...r.info },
      });
    }
    return out;
  }

  private async pairwise(
    batch: Criterion[],
    texts: Texts,
    version: string,
    signal?: AbortSignal,
  ): Promise<Map<string, Judgment>> {
    const [first, second] = await Promise.all(
      (["candidate_first", "baseline_first"] as const).map((o) =>
        this.preferences(batch, texts, version, o, signal),
      ),
    );
    return new Map(
      batch.map((c) => [c.id, combinePair(first!.get(c.id)!, second!.get(c.id)!, isPitfall(c))]),
    );
  }

  /** The candidate's preference p (1 win, 0.5 tie, 0 loss) per criterion, with the responses in one order. */
  private async preferences(
    batch: Criterion[],
    texts: Texts,
    version: string,
    order: Order,
    signal?: AbortSignal,
  ): Promise<Map<string, Preference>> {
    if (this.config.format === "prometheus") {
      const c = batch[0]!;
      const r = await this.call(
        prometheusMessages({ criterion: c }, texts, order),
        (x) => parsePrometheus(x, "relative"),
        prometheusCorrection,
        version,
        signal,
      );
      const v = r.value.result as string;
      return new Map([
        [c.id, { p: preference(v, order), verdict: v, reason: r.value.feedback, call: r.info }],
      ]);
    }
    const r = await this.call(
      batchMessages(batch, texts, this.config.system, order),
      (x) => parseBatch(x, batch, true),
      jsonCorrection,
      version,
      signal,
    );
    return new Map(
      batch.map((c) => {
        const v = r.value.get(c.id)!;
        return [
          c.id,
          {
            p: preference(v.verdict as string, order),
            verdict: v.verdict as string,
            reason: v.reason,
            call: r.info,
          },
        ];
      }),
    );
  }

  private async holisticPreference(
    criteria: readonly Criterion[],
    texts: Texts,
    version: string,
    order: Order,
    signal?: AbortSignal,
  ): Promise<Preference> {
    if (this.config.format === "prometheus") {
      const r = await this.call(
        prometheusMessages({ rubric: criteria }, texts, order),
        (x) => parsePrometheus(x, "relative"),
        prometheusCorrection,
        version,
        signal,
      );
      const v = r.value.result as string;
      return { p: preference(v, order), verdict: v, reason: r.value.feedback, call: r.info };
    }
    const r = await this.call(
      holisticMessages(criteria, texts, this.config.system, [0, 0], order),
      parseHolisticPair,
      jsonCorrection,
      version,
      signal,
    );
    return {
      p: preference(r.value.winner, order),
      verdict: r.value.winner,
      reason: r.value.reason,
      call: r.info,
    };
  }

  /** One judge call through the cache. Throws RewardkitError when it fails after its retries. */
  private async call<T>(
    messages: JudgeMessage[],
    parse: (content: string) => ParseOutcome<T>,
    correction: (problem: string) => string,
    version: string,
    signal?: AbortSignal,
  ): Promise<{ value: T; info: CallInfo }> {
    const ep = this.config.endpoint;
    const key = cacheKey({
      baseUrl: ep.baseUrl,
      model: ep.model,
      promptHash: promptHash({ messages, ...this.config.sampling }),
      rubricVersion: version,
    });
    const fetchNew = async (sig?: AbortSignal) => {
      const r = await chatWithRetries(ep, messages, this.config.sampling, parse, { signal: sig, correction });
      if (this.cache.enabled) {
        await this.cache.set({
          key,
          baseUrl: ep.baseUrl,
          model: ep.model,
          promptHash: promptHash({ messages, ...this.config.sampling }),
          rubricVersion: version,
          content: r.content,
          createdAt: new Date().toISOString(),
        });
      }
      return r;
    };
    if (!this.cache.enabled) {
      const r = await fetchNew(signal);
      return { value: r.value, info: { cache: "miss", key, attempts: r.attempts } };
    }
    const hit = await this.cache.get(key);
    if (hit) {
      const p = parse(hit.content);
      if (p.ok) return { value: p.value, info: { cache: "hit", key, attempts: 0 } };
    }
    // A call that other callers may share must not die with the first caller's signal: it runs to its
    // own end (bounded by its timeout and retries, and then cached); each caller only stops waiting.
    const { value: r, shared } = await untilAborted(
      this.cache.once(key, () => fetchNew()),
      signal,
    );
    return {
      value: r.value,
      info: { cache: shared ? "shared" : "miss", key, attempts: shared ? 0 : r.attempts },
    };
  }
}

/** The candidate's preference in one order: 1 when it is preferred, 0 when the baseline is, 0.5 for a tie. */
function preference(v: string, order: Order): number {
  if (v === "tie") return 0.5;
  const candidate = order === "candidate_first" ? "A" : "B";
  return v === candidate ? 1 : 0;
}

/**
 * Reconciles the two orders: p = mean of the two preferences. A judge that sticks to one position gives
 * p = 0.5 and `consistent: false`. For a pitfall the score is 1 - p (the degree of the mistake, relative).
 */
function combinePair(a: Preference, b: Preference, pitfall: boolean): Judgment {
  const p = (a.p + b.p) / 2;
  const consistent = a.p === b.p;
  const preferred = p > 0.5 ? "candidate" : p < 0.5 ? "baseline" : consistent ? "tie" : "inconsistent";
  return {
    ok: true,
    score: pitfall ? 1 - p : p,
    verdict: { candidate_first: a.verdict, baseline_first: b.verdict, preferred },
    reason: a.reason === b.reason ? a.reason : `candidate first: ${a.reason} | baseline first: ${b.reason}`,
    details: { preference: p, consistent, calls: [a.call, b.call] },
  };
}

function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function asJudgeError(e: unknown): Judgment {
  if (e instanceof RewardkitError) return { ok: false, kind: e.kind, message: e.message };
  return { ok: false, kind: "judge_error", message: e instanceof Error ? e.message : String(e) };
}
