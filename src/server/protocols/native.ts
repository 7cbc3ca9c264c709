/**
 * rewardkit's own protocol: POST /v1/score {"samples": [Sample, ...]} -> {"results": [Result, ...]}, in
 * order. A sample that is not a sample gets an invalid_input error result at its position, not a 400.
 *
 * Options in the body: "group" (group options: each result gets "group", and "groups" summarises them)
 * and "placement" (span_end | uniform): a sample carrying "token_offsets" gets "token_rewards".
 */
import type { FastifyInstance } from "fastify";
import type { Result } from "../../core/index.js";
import type { GroupOptions, GroupSummary, Placement } from "../../rewards/index.js";
import { GROUP_OPTIONS_SCHEMA } from "../../spec/index.js";
import type { ServerContext } from "../context.js";

export function registerNative(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    "/v1/score",
    {
      schema: {
        body: {
          type: "object",
          required: ["samples"],
          properties: {
            samples: { type: "array", maxItems: ctx.maxBatch },
            group: GROUP_OPTIONS_SCHEMA,
            placement: { enum: ["span_end", "uniform"] },
          },
        },
      },
    },
    async (req) => {
      const body = req.body as { samples: unknown[]; group?: GroupOptions; placement?: Placement };
      let results: (Result & { group?: unknown })[];
      let groups: GroupSummary[] | undefined;
      if (body.group) {
        ({ results, groups } = await ctx.reward.scoreGroups(body.samples, body.group, { concurrency: ctx.concurrency }));
      } else {
        results = await ctx.reward.scoreBatch(body.samples, { concurrency: ctx.concurrency });
      }
      results = results.map((r, i) => {
        const s = body.samples[i] as Record<string, unknown> | null;
        return s && typeof s === "object" && s.token_offsets !== undefined
          ? { ...ctx.reward.withTokenRewards(s, r, s.token_offsets, body.placement ?? "span_end"), ...("group" in r ? { group: r.group } : {}) }
          : r;
      });
      return groups ? { results, groups } : { results };
    },
  );
}
