/**
 * OpenRLHF's remote reward protocol: POST /get_reward {"query": [...], "prompts": [...], "labels": [...]}
 * -> {"rewards": [...], "scores": [...], "extra_logs": {...}}.
 *
 * `query[i]` is the prompt followed by the response, still carrying the tokenizer's special tokens: the
 * completion is `query[i]` minus the `prompts[i]` prefix, with trailing end-of-turn tokens stripped.
 * OpenRLHF needs a number for every sample, so abstain and error results are sent as the configured
 * values (default 0) and flagged in extra_logs (`rk_ok`, `rk_abstain`, `rk_error`, 1 or 0 per sample),
 * beside each component's reward under `rk/<component path>`.
 */
import type { FastifyInstance } from "fastify";
import { fail, mapInSlices, type Result } from "../../core/index.js";
import { componentEntries, type RewardNode } from "../../rewards/index.js";
import { clientGone, type ServerContext } from "../context.js";
import { sendJson } from "../json-out.js";
import { batchLimit } from "../limits.js";

import { responseOf, stripTrailingTokens } from "./openrlhf-text.js";

export { DEFAULT_STRIP_TOKENS, responseOf, stripTrailingTokens } from "./openrlhf-text.js";

export function numericReward(r: Result, ctx: Pick<ServerContext, "abstainValue" | "errorValue">): number {
  if (r.status === "ok") return r.reward as number;
  return r.status === "abstain" ? ctx.abstainValue : ctx.errorValue;
}

export function registerOpenRLHF(app: FastifyInstance, ctx: ServerContext): void {
  const paths = componentPaths(ctx.reward.root);
  app.post(
    "/get_reward",
    {
      preValidation: batchLimit("query", ctx.maxBatch, "queries"),
      config: { batch: { query: "queries", prompts: "prompts", labels: "labels" } },
      schema: {
        body: {
          type: "object",
          required: ["query"],
          properties: {
            query: { type: "array", items: { type: "string" } },
            prompts: { type: "array", items: { type: "string" } },
            labels: { type: "array" },
          },
        },
      },
    },
    async (req, reply) => {
      const { query, prompts, labels } = req.body as {
        query: string[];
        prompts?: string[];
        labels?: unknown[];
      };
      for (const [name, arr] of [
        ["prompts", prompts],
        ["labels", labels],
      ] as const) {
        if (arr && arr.length !== query.length) {
          return reply.code(400).send({
            error: {
              kind: "invalid_input",
              message: `'${name}' has ${arr.length} items but 'query' has ${query.length}`,
            },
          });
        }
      }
      const broken = new Map<number, Result>();
      const samples = await mapInSlices(query, (q, i) => {
        const prompt = prompts?.[i] ?? "";
        const response = responseOf(q, prompt);
        if (response === null) {
          broken.set(i, { ...fail("invalid_input", `query[${i}] does not start with prompts[${i}]`), ms: 0 });
          return null;
        }
        const sample: Record<string, unknown> = {
          prompt,
          completion: stripTrailingTokens(response, ctx.stripTokens),
        };
        if (labels) sample.reference = labels[i];
        return sample;
      });
      const { results: scored } = await ctx.score(samples, { signal: clientGone(reply), client: req.ip });
      const results = broken.size ? scored.map((r, i) => broken.get(i) ?? r) : scored;
      const rewards = await mapInSlices(results, (r) => numericReward(r, ctx));
      return sendJson(
        reply,
        { rewards, scores: rewards, extra_logs: await extraLogs(results, ctx, paths) },
        rewards.length,
      );
    },
  );
}

/**
 * The `rk/<path>` keys of a spec: every component path its tree can report, whether or not a node ran
 * for a given sample. OpenRLHF indexes every shard's extra_logs by the first shard's keys, so the keys
 * must be the same for every request.
 */
export function componentPaths(root: RewardNode): string[] {
  const out: string[] = [];
  const walk = (n: RewardNode, prefix: string) => {
    for (const key of componentKeys(n)) {
      const path = prefix ? `${prefix}.${key.name}` : key.name;
      out.push(path);
      if (key.node) walk(key.node, path);
    }
  };
  walk(root, "");
  return out;
}

/** The components a node reports, with the node behind each when its own components are known too. */
function componentKeys(n: RewardNode): { name: string; node?: RewardNode }[] {
  // Per-sample counts (`child[i]`): only the node's own key is stable.
  if (n.type === "per_segment") return [];
  if (n.type === "rubric") {
    // Rubric components are its criteria (or the holistic verdict), not its judge children.
    const o = (n as { opts?: { aggregation?: string; rubric?: { shared?: { criteria: { id: string }[] } } } })
      .opts;
    if (o?.aggregation === "implicit") return [{ name: "holistic" }];
    return (o?.rubric?.shared?.criteria ?? []).map((c) => ({ name: c.id }));
  }
  return n.children.map((c) => ({ name: c.name, node: c }));
}

async function extraLogs(
  results: Result[],
  ctx: ServerContext,
  paths: readonly string[],
): Promise<Record<string, number[]>> {
  const logs: Record<string, number[]> = {
    rk_ok: await mapInSlices(results, (r) => (r.status === "ok" ? 1 : 0)),
    rk_abstain: await mapInSlices(results, (r) => (r.status === "abstain" ? 1 : 0)),
    rk_error: await mapInSlices(results, (r) => (r.status === "error" ? 1 : 0)),
  };
  if (!paths.length) return logs;
  const perSample = await mapInSlices(results, (r) => new Map(componentEntries(r)));
  // A component that did not run for a sample is logged as --abstain-value (rk_ok tells them apart).
  for (const p of paths) {
    logs[`rk/${p}`] = await mapInSlices(perSample, (m) => {
      const c = m.get(p);
      return c ? numericReward(c, ctx) : ctx.abstainValue;
    });
  }
  return logs;
}
