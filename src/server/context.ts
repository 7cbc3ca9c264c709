/**
 * What every protocol adapter uses: one scoring core with admission control, the per-request deadline
 * and metrics, and the policies for trainers that need a number for every sample.
 */
import type { FastifyReply } from "fastify";
import { TimeoutError } from "../core/index.js";
import type { GroupedResult, GroupOptions, GroupSummary } from "../rewards/index.js";
import type { Reward } from "../spec/index.js";
import { Admission } from "./admission.js";
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
  /** Scores samples for one request: admitted (or Busy thrown), under the request deadline, counted. */
  score(
    samples: readonly unknown[],
    opts?: { group?: GroupOptions; signal?: AbortSignal },
  ): Promise<{
    results: GroupedResult[];
    groups?: GroupSummary[];
  }>;
}

/** An AbortSignal that fires when the client disconnects before the response is sent. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) ac.abort();
  });
  return ac.signal;
}

export function makeContext(
  base: Omit<ServerContext, "score" | "admission"> & { maxPending: number },
): ServerContext {
  const admission = new Admission(base.maxPending);
  const ctx: ServerContext = {
    ...base,
    admission,
    async score(samples, opts = {}) {
      const release = admission.enter(samples.length);
      base.metrics.queued.set(admission.queued);
      base.metrics.inflight.inc();
      const ac = new AbortController();
      const onClientAbort = () => ac.abort(new TimeoutError(0, "the client went away; request"));
      opts.signal?.addEventListener("abort", onClientAbort, { once: true });
      const timer = setTimeout(
        () => ac.abort(new TimeoutError(base.requestTimeoutMs, "request")),
        base.requestTimeoutMs,
      );
      try {
        const batch = { concurrency: base.concurrency, signal: ac.signal };
        const out = opts.group
          ? await base.reward.scoreGroups(samples, opts.group, batch)
          : { results: await base.reward.scoreBatch(samples, batch) };
        base.metrics.observe(out.results);
        return out;
      } finally {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onClientAbort);
        release();
        base.metrics.queued.set(admission.queued);
        base.metrics.inflight.dec();
      }
    },
  };
  return ctx;
}
