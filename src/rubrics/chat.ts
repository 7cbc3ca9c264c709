/**
 * A client for the OpenAI-compatible chat completions protocol (`POST {base_url}/chat/completions`), as
 * spoken by vLLM, SGLang, llama.cpp's server, TGI and hosted APIs, with what a judge needs around it:
 *
 *   - a per-request timeout (the request is aborted);
 *   - retries with exponential backoff (honouring Retry-After) on 429, 5xx, network errors and timeouts;
 *   - retries on output that the caller's parser rejects: the bad reply and the reason are appended to the
 *     conversation, so the model can correct itself;
 *   - the process-wide concurrency limit of the endpoint (held only while a request is in flight, not
 *     while backing off).
 *
 * Failures end as RewardkitError: `timeout` (the last attempt timed out), `judge_parse_error` (the last
 * reply did not parse), `judge_error` (anything else, including a refusal and a non-retryable HTTP status).
 */
import { RewardkitError } from "../core/index.js";
import { abortReason, endpointLimiter } from "./limiter.js";

export interface JudgeMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface Endpoint {
  /** e.g. `http://localhost:8000/v1`; `/chat/completions` is appended. */
  baseUrl: string;
  model: string;
  /** The environment variable holding the API key (sent as a Bearer token when set). */
  apiKeyEnv: string;
  /** Whether `apiKeyEnv` was set explicitly: then a missing variable is an error, not "no key". */
  apiKeyRequired: boolean;
  headers: Record<string, string>;
  timeoutMs: number;
  maxRetries: number;
  backoffMs: number;
  maxBackoffMs: number;
  maxConcurrency: number;
}

/** The sampling part of a request body (everything but model and messages). */
export interface Sampling {
  temperature: number;
  seed?: number;
  max_tokens: number;
  response_format?: { type: "json_object" };
  extra_body?: Record<string, unknown>;
}

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface ChatOutcome<T> {
  value: T;
  /** The reply that parsed. */
  content: string;
  /** HTTP requests made (1 when the first one succeeded). */
  attempts: number;
  /** Tokens of every answered attempt, summed, when the server reports `usage`. */
  usage?: TokenUsage;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type Failure = {
  kind: "timeout" | "judge_error" | "judge_parse_error";
  message: string;
  retryAfterMs?: number;
};

export function completionsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/chat/completions`;
}

export async function chatWithRetries<T>(
  ep: Endpoint,
  messages: readonly JudgeMessage[],
  sampling: Sampling,
  parse: (content: string) => ParseOutcome<T>,
  opts: { signal?: AbortSignal; correction: (problem: string) => string },
): Promise<ChatOutcome<T>> {
  const convo: JudgeMessage[] = [...messages];
  let last: Failure | undefined;
  let usage: TokenUsage | undefined;
  for (let attempt = 0; attempt <= ep.maxRetries; attempt++) {
    if (attempt > 0) await sleep(backoff(ep, attempt, last?.retryAfterMs), opts.signal);
    const r = await requestOnce(ep, convo, sampling, opts.signal);
    if ("failure" in r) {
      last = r.failure;
      if (!r.retryable) break;
      continue;
    }
    if (r.usage) usage = addUsage(usage, r.usage);
    const parsed = parse(r.content);
    if (parsed.ok) {
      const out: ChatOutcome<T> = { value: parsed.value, content: r.content, attempts: attempt + 1 };
      if (usage) out.usage = usage;
      return out;
    }
    last = { kind: "judge_parse_error", message: `the judge's reply did not parse: ${parsed.problem}` };
    convo.push(
      { role: "assistant", content: r.content },
      { role: "user", content: opts.correction(parsed.problem) },
    );
  }
  const f = last ?? { kind: "judge_error", message: "no request was made" };
  const tries = ep.maxRetries + 1;
  throw new RewardkitError(
    f.kind,
    `${f.message} (${ep.model} at ${ep.baseUrl}, up to ${tries} attempt${tries > 1 ? "s" : ""})`,
  );
}

export function backoff(ep: Endpoint, attempt: number, retryAfterMs?: number): number {
  const exp = Math.min(ep.maxBackoffMs, ep.backoffMs * 2 ** (attempt - 1));
  // Full jitter on the upper half keeps many clients from retrying in lockstep.
  const jittered = exp / 2 + Math.random() * (exp / 2);
  return retryAfterMs !== undefined ? Math.min(ep.maxBackoffMs, Math.max(retryAfterMs, jittered)) : jittered;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(t);
      reject(abortReason(signal!));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

type Once = { content: string; usage?: TokenUsage } | { failure: Failure; retryable: boolean };

function addUsage(a: TokenUsage | undefined, b: TokenUsage): TokenUsage {
  if (!a) return b;
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
}

function readUsage(u: unknown): TokenUsage | undefined {
  if (!u || typeof u !== "object") return undefined;
  const n = (k: string) => {
    const v = (u as Record<string, unknown>)[k];
    return typeof v === "number" && Number.isFinite(v) ? v : 0;
  };
  return {
    prompt_tokens: n("prompt_tokens"),
    completion_tokens: n("completion_tokens"),
    total_tokens: n("total_tokens"),
  };
}

async function requestOnce(
  ep: Endpoint,
  messages: readonly JudgeMessage[],
  sampling: Sampling,
  signal?: AbortSignal,
): Promise<Once> {
  const { extra_body, ...params } = sampling;
  const body = JSON.stringify({
    ...(extra_body ?? {}),
    model: ep.model,
    messages,
    ...params,
    n: 1,
    stream: false,
  });
  const r = await postOnce(ep, completionsUrl(ep.baseUrl), body, "the judge", signal);
  return "text" in r ? readCompletion(r.text) : r;
}

/** Longest response body read (judges and reward models answer in kilobytes; more is a wrong endpoint). */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * One POST of a JSON body to a model endpoint, shared by the judge and the reward models: the API key,
 * the endpoint's concurrency limit (held only while in flight), the request's timeout and the caller's
 * signal. A 2xx answer gives its text; anything else a failure saying whether a retry may help.
 */
export async function postOnce(
  ep: Endpoint,
  url: string,
  body: string,
  who: string,
  signal?: AbortSignal,
): Promise<{ text: string } | { failure: Failure; retryable: boolean }> {
  const headers: Record<string, string> = { "content-type": "application/json", ...ep.headers };
  const key = process.env[ep.apiKeyEnv];
  if (key) headers.authorization = `Bearer ${key}`;
  else if (ep.apiKeyRequired) {
    return {
      failure: {
        kind: "judge_error",
        message: `the environment variable ${ep.apiKeyEnv} (API key) is not set`,
      },
      retryable: false,
    };
  }
  const limiter = endpointLimiter(ep.baseUrl, ep.maxConcurrency);
  await limiter.acquire(signal);
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, ep.timeoutMs);
  const onAbort = () => ac.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const res = await fetch(url, { method: "POST", headers, body, signal: ac.signal });
    if (Number(res.headers.get("content-length") ?? 0) > MAX_RESPONSE_BYTES) {
      await res.body?.cancel();
      const message = `the response is over ${MAX_RESPONSE_BYTES} bytes`;
      return { failure: { kind: "judge_error", message }, retryable: false };
    }
    const text = await res.text();
    if (!res.ok) {
      const retryable = res.status === 429 || res.status >= 500 || res.status === 408;
      const failure: Failure = { kind: "judge_error", message: `HTTP ${res.status}: ${snippet(text)}` };
      const ra = retryAfter(res.headers.get("retry-after"));
      if (ra !== undefined) failure.retryAfterMs = ra;
      return { failure, retryable };
    }
    return { text };
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal);
    if (timedOut) {
      return {
        failure: { kind: "timeout", message: `${who} did not answer within ${ep.timeoutMs} ms` },
        retryable: true,
      };
    }
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const msg = cause?.code ?? cause?.message ?? (e as Error).message;
    return { failure: { kind: "judge_error", message: `request failed: ${msg}` }, retryable: true };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    limiter.release();
  }
}

function readCompletion(text: string): Once {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      failure: { kind: "judge_error", message: `the server's response is not JSON: ${snippet(text)}` },
      retryable: true,
    };
  }
  const choice = (json as { choices?: unknown[] })?.choices?.[0] as
    | { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown }
    | undefined;
  if (!choice || typeof choice !== "object") {
    return {
      failure: { kind: "judge_error", message: `the response has no choices: ${snippet(text)}` },
      retryable: true,
    };
  }
  const refusal = choice.message?.refusal;
  if (typeof refusal === "string" && refusal.trim() !== "") {
    return {
      failure: { kind: "judge_error", message: `the judge refused: ${snippet(refusal)}` },
      retryable: false,
    };
  }
  if (choice.finish_reason === "content_filter") {
    return {
      failure: { kind: "judge_error", message: "the judge refused (finish_reason content_filter)" },
      retryable: false,
    };
  }
  const content = choice.message?.content;
  const usage = readUsage((json as { usage?: unknown }).usage);
  // An empty or missing content goes to the parser, which rejects it (and so is retried as malformed).
  return { content: typeof content === "string" ? content : "", ...(usage ? { usage } : {}) };
}

function retryAfter(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

export function snippet(s: string, max = 200): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
