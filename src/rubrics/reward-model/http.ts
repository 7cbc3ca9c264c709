/**
 * A JSON POST to a reward-model server with the judge client's policy (chat.ts, postOnce): a per-request timeout,
 * retries with backoff (honouring Retry-After) on 429, 408, 5xx, network errors, timeouts and replies
 * the caller's reader rejects, and the endpoint's process-wide concurrency limit, held only while a
 * request is in flight. Failures end as RewardkitError `timeout` (the last attempt timed out) or
 * `judge_error` (anything else), never as a score.
 */
import { RewardkitError } from "../../core/index.js";
import { backoff, type Endpoint, type Failure, postOnce, sleep, snippet } from "../chat.js";

export type Read<T> = (json: unknown) => { ok: true; value: T } | { ok: false; problem: string };

type Once<T> = { value: T } | { failure: Failure; retryable: boolean };

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
  const r = await postOnce(ep, url, body, "the reward model", signal);
  if (!("text" in r)) return r;
  let json: unknown;
  try {
    json = JSON.parse(r.text);
  } catch {
    const message = `the server's response is not JSON: ${snippet(r.text)}`;
    return { failure: { kind: "judge_error", message }, retryable: true };
  }
  const v = read(json);
  if (v.ok) return { value: v.value };
  const message = `unexpected response: ${v.problem}: ${snippet(r.text)}`;
  return { failure: { kind: "judge_error", message }, retryable: true };
}
