/**
 * What every protocol adapter uses: one scoring core with admission control, the per-request deadline,
 * cancellation and metrics, and the policies for trainers that need a number for every sample.
 */
import type { FastifyReply } from "fastify";
import { RewardkitError, TimeoutError, withWorkKey } from "../core/index.js";
import type { GroupedResult, GroupOptions, GroupSummary } from "../rewards/index.js";
import type { Reward } from "../spec/index.js";
import { Admission } from "./admission.js";
import { priorCostSeconds } from "./cost.js";
import type { Metrics } from "./metrics.js";

export interface ServerContext {
  reward: Reward;
  abstainValue: number;
  errorValue: number;
  stripTokens: string[];
  maxBatch: number;
  concurrency: number;
  requestTimeoutMs: number;
  maxDepth: number;
  maxLine: number;
  bodyTimeoutMs: number;
  admission: Admission;
  metrics: Metrics;
  /**
   * Scores samples for one request: admitted (or Busy thrown), under the request deadline, counted.
   * `signal` is the client's (aborted when it goes away); `key` groups the calls of one request (a
   * stream's chunks) for the fair sharing of code slots; `client` is who to hold to a Retry-After.
   */
  score(
    samples: readonly unknown[],
    opts?: { group?: GroupOptions; signal?: AbortSignal; key?: string; client?: string },
  ): Promise<{
    results: GroupedResult[];
    groups?: GroupSummary[];
  }>;
  /** A new key for the work of one request. */
  newKey(): string;
}

/** An AbortSignal that fires when the client disconnects before the response is sent. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished)
      ac.abort(new RewardkitError("timeout", "the client disconnected before this sample was scored"));
  });
  return ac.signal;
}

export function makeContext(
  base: Omit<ServerContext, "score" | "admission" | "newKey"> & {
    maxPending: number;
    maxQueueSeconds: number;
  },
): ServerContext {
  const admission = new Admission({
    maxPending: base.maxPending,
    maxQueueSeconds: base.maxQueueSeconds,
    priorCost: priorCostSeconds(base.reward.root),
  });
  let keys = 0;
  const ctx: ServerContext = {
    ...base,
    admission,
    newKey: () => `q${(++keys).toString(36)}`,
    score(samples, opts = {}) {
      return withWorkKey(opts.key ?? ctx.newKey(), () => scoreAdmitted(samples, opts));
    },
  };
  const scoreAdmitted: ServerContext["score"] = async (samples, opts = {}) => {
    const release = admission.enter(samples.length, opts.client);
    base.metrics.queued.set(admission.queued);
    base.metrics.inflight.inc();
    const ac = new AbortController();
    const onClientAbort = () => ac.abort(opts.signal?.reason);
    if (opts.signal?.aborted) onClientAbort();
    opts.signal?.addEventListener("abort", onClientAbort, { once: true });
    const timer = setTimeout(
      () => ac.abort(new TimeoutError(base.requestTimeoutMs, "request")),
      base.requestTimeoutMs,
    );
    try {
      const batch = { concurrency: base.concurrency, signal: ac.signal, onResult: () => release(1) };
      const out = opts.group
        ? await base.reward.scoreGroups(samples, opts.group, batch)
        : { results: await base.reward.scoreBatch(samples, batch) };
      await base.metrics.observe(out.results);
      return out;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onClientAbort);
      release();
      base.metrics.queued.set(admission.queued);
      base.metrics.inflight.dec();
    }
  };
  return ctx;
}
