/**
 * rewardkit's own protocol: POST /v1/score {"samples": [Sample, ...]} -> {"results": [Result, ...]}, in
 * order. A sample that is not a sample gets an invalid_input error result at its position, not a 400.
 */
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";

export function registerNative(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    "/v1/score",
    {
      schema: {
        body: {
          type: "object",
          required: ["samples"],
          properties: { samples: { type: "array", maxItems: ctx.maxBatch } },
        },
      },
    },
    async (req) => {
      const { samples } = req.body as { samples: unknown[] };
      const results = await ctx.reward.scoreBatch(samples, { concurrency: ctx.concurrency });
      return { results };
    },
  );
}
