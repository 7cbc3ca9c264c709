/**
 * POST /v1/eval {"rows": [...], "label"?, "mode"?, "by"?, "threshold"?, "pair_by"?, "disagreements"?}
 *   -> the eval report of the served spec on the rows (see src/eval/ and docs/eval.md); with
 *   "disagreements": true the misjudged rows are included with their explanations, else only counted.
 * Bounded like /v1/score: the batch limit on rows and on the samples they become (a preference row is
 * two), the admission queue (429), the request deadline and the client-gone signal, all through ctx.score.
 * An unusable row or label is a 400 naming the row.
 */
import type { FastifyInstance } from "fastify";
import { EVAL_MODES, EvalInputError, type EvalMode, evaluate, type Scorer } from "../eval/index.js";
import { clientGone, type ServerContext } from "./context.js";
import { batchLimit, checkBatch, Refused } from "./limits.js";

/** The request body of POST /v1/eval (also what /openapi.json describes). */
export const EVAL_BODY = {
  type: "object",
  required: ["rows"],
  additionalProperties: false,
  properties: {
    rows: { type: "array", minItems: 1, items: { type: "object" }, description: "Labelled rows." },
    label: { type: "string", description: "The row field holding the label (dotted path)." },
    mode: { enum: [...EVAL_MODES] },
    by: { type: "string" },
    threshold: { type: "number" },
    pair_by: { type: "string" },
    disagreements: { type: "boolean" },
  },
};

export function registerEval(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    "/v1/eval",
    {
      preValidation: batchLimit("rows", ctx.maxBatch),
      config: { batch: { rows: "rows" } },
      schema: {
        body: EVAL_BODY,
      },
    },
    async (req, reply) => {
      const body = req.body as {
        rows: unknown[];
        label?: string;
        mode?: EvalMode | "auto";
        by?: string;
        threshold?: number;
        pair_by?: string;
        disagreements?: boolean;
      };
      const signal = clientGone(reply);
      const scorer: Scorer = {
        range: ctx.reward.range,
        explain: (r) => ctx.reward.explain(r),
        async scoreBatch(samples) {
          checkBatch(samples.length, ctx.maxBatch);
          return (await ctx.score(samples, { signal })).results;
        },
      };
      try {
        const { disagreements, ...report } = await evaluate(scorer, body.rows, {
          ...(body.label !== undefined ? { label: body.label } : {}),
          ...(body.mode ? { mode: body.mode } : {}),
          ...(body.by !== undefined ? { by: body.by } : {}),
          ...(body.threshold !== undefined ? { threshold: body.threshold } : {}),
          ...(body.pair_by !== undefined ? { pairBy: body.pair_by } : {}),
          concurrency: ctx.concurrency,
          where: (i) => `rows[${i}]`,
        });
        return { ...report, disagreements: body.disagreements ? disagreements : disagreements.length };
      } catch (e) {
        if (e instanceof EvalInputError) throw new Refused(400, e.message);
        throw e;
      }
    },
  );
}
