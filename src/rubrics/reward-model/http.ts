/**
 * One JSON POST to a reward-model server with the judge client's policy (chat.ts): a per-request timeout,
 * retries with backoff (honouring Retry-After) on 429, 408, 5xx, network errors, timeouts and replies
 * the caller's reader rejects, and the endpoint's process-wide concurrency limit, held only while a
 * request is in flight. Failures end as RewardkitError `timeout` (the last attempt timed out) or
 * `judge_error` (anything else), never as a score.
 */
import { RewardkitError } from "../../core/index.js";
import { backoff, type Endpoint, retryAfter, sleep, snippet } from "../chat.js";
import { abortReason, endpointLimiter } from "../limiter.js";

export type Read<T> = (json: unknown) => { ok: true; value: T } | { ok: false; problem: string };

type Failure = { kind: "timeout" | "judge_error"; message: string; retryAfterMs?: number };
type Once<T> = { value: T } | { failure: Failure; retryable: boolean };

/** Largest response body read (a reward batch is small; anything bigger is a misconfigured endpoint). */
const MAX_BODY_CHARS = 64 * 1024 * 1024;

export async function postJson<T>(
  ep: Endpoint,
  url: string,
  body: unknown,
  read: Read<T>,
  signal?: AbortSignal,
): Promise<{ value: T; attempts: number }> {
  const text = JSON.stringify(body);
  let last: Failure | undefined;
  for (let attempt = 0; attempt <= ep.maxRetries; attempt++) {
    if (attempt > 0) await sleep(backoff(ep, attempt, last?.retryAfterMs), signal);
    const r = await once(ep, url, text, read, signal);
    if ("value" in r) return { value: r.value, attempts: attempt + 1 };
    last = r.failure;
    if (!r.retryable) break;
  }
  const f = last ?? { kind: "judge_error", message: "no request was made" };
  const tries = ep.maxRetries + 1;
  throw new RewardkitError(
    f.kind,
    `${f.message} (${ep.model ? `${ep.model} at ` : ""}${url}, up to ${tries} attempt${tries > 1 ? "s" : ""})`,
  );
}

async function once<T>(
  ep: Endpoint,
  url: string,
  body: string,
  read: Read<T>,
  signal?: AbortSignal,
): Promise<Once<T>> {
  const headers: Record<string, string> = { "content-type": "application/json", ...ep.headers };
  const key = process.env[ep.apiKeyEnv];
  if (key) headers.authorization = `Bearer ${key}`;
  else if (ep.apiKeyRequired) {
    const message = `the environment variable ${ep.apiKeyEnv} (API key) is not set`;
    return { failure: { kind: "judge_error", message }, retryable: false };
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
    const len = Number(res.headers.get("content-length") ?? 0);
    if (len > MAX_BODY_CHARS) {
      await res.body?.cancel();
      const message = `the response is too large (${len} bytes)`;
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
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      const message = `the server's response is not JSON: ${snippet(text)}`;
      return { failure: { kind: "judge_error", message }, retryable: true };
    }
    const r = read(json);
    if (r.ok) return { value: r.value };
    const message = `unexpected response: ${r.problem}: ${snippet(text)}`;
    return { failure: { kind: "judge_error", message }, retryable: true };
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal);
    if (timedOut) {
      const message = `the reward model did not answer within ${ep.timeoutMs} ms`;
      return { failure: { kind: "timeout", message }, retryable: true };
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
