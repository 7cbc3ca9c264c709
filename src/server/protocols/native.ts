/**
 * rewardkit's own protocol.
 *
 * POST /v1/score {"samples": [Sample, ...], "group"?, "placement"?} -> {"results": [Result, ...]} in order
 *   (with "group", each result gets its group statistics and "groups" summarises them; a sample carrying
 *   "token_offsets" gets "token_rewards"). A sample that is not a sample gets an invalid_input error
 *   result at its position, not a 400.
 * POST /v1/score/stream: NDJSON in (one sample per line), NDJSON out ({"index", "result"} per line) as
 *   results finish, for batches too large for one JSON body. A line that is not JSON gets an error result.
 */
import { createInterface } from "node:readline";
import { PassThrough, type Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { fail, type Result } from "../../core/index.js";
import { flattenComponents, type GroupOptions, type Placement } from "../../rewards/index.js";
import { GROUP_OPTIONS_SCHEMA } from "../../spec/index.js";
import { Busy } from "../admission.js";
import { clientGone, type ServerContext } from "../context.js";

export function registerNative(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    "/v1/score",
    {
      schema: {
        body: {
          type: "object",
          required: ["samples"],
          properties: {
            samples: { type: "array", description: "Samples to score." },
            group: GROUP_OPTIONS_SCHEMA,
            placement: { enum: ["span_end", "uniform"] },
            components: {
              enum: ["tree", "flat", "none"],
              description: "tree: the whole result tree; flat: component rewards by dotted path; none.",
            },
          },
        },
      },
    },
    async (req, reply) => {
      const body = req.body as {
        samples: unknown[];
        group?: GroupOptions;
        placement?: Placement;
        components?: "tree" | "flat" | "none";
      };
      if (body.samples.length > ctx.maxBatch) {
        return reply.code(413).send({
          error: {
            kind: "too_large",
            message: `${body.samples.length} samples in one request; the limit is ${ctx.maxBatch}`,
          },
        });
      }
      // Bad group options throw a SpecError before anything is scored: a 400 (see app.ts).
      const out = await ctx.score(body.samples, {
        ...(body.group ? { group: body.group } : {}),
        signal: clientGone(reply),
      });
      const results = out.results.map((r, i) => {
        const s = body.samples[i] as Record<string, unknown> | null;
        if (!s || typeof s !== "object" || s.token_offsets === undefined) return r;
        const t = ctx.reward.withTokenRewards(s, r, s.token_offsets, body.placement ?? "span_end");
        return r.group ? { ...t, group: r.group } : t;
      });
      if (body.components === "flat" || body.components === "none") {
        for (const r of results as { components?: unknown }[]) {
          if (body.components === "none" || !r.components) delete r.components;
          else r.components = flattenComponents(r as Result);
        }
      }
      return out.groups ? { results, groups: out.groups } : { results };
    },
  );

  // NDJSON bodies reach the handler as a stream, unparsed and without the JSON body limit.
  app.addContentTypeParser("application/x-ndjson", (_req, payload, done) => done(null, payload));
  app.post("/v1/score/stream", async (req, reply) => {
    if (typeof (req.body as Readable | undefined)?.pipe !== "function") {
      return reply.code(415).send({
        error: { kind: "invalid_input", message: "send NDJSON with content-type application/x-ndjson" },
      });
    }
    const out = new PassThrough();
    const gone = clientGone(reply);
    void streamScores(ctx, req.body as Readable, out, gone).catch((e) => {
      out.end(
        `${JSON.stringify({ index: -1, result: { ...fail("internal", (e as Error).message), ms: 0 } })}\n`,
      );
    });
    return reply.type("application/x-ndjson").send(out);
  });
}

/** Reads samples line by line, scores them in chunks, writes each result as it finishes. */
async function streamScores(
  ctx: ServerContext,
  input: Readable,
  out: PassThrough,
  gone: AbortSignal,
): Promise<void> {
  const CHUNK = Math.max(16, ctx.concurrency);
  let index = 0;
  let chunk: { index: number; sample: unknown }[] = [];
  const inflight = new Set<Promise<void>>();
  const write = (i: number, r: Result) => out.write(`${JSON.stringify({ index: i, result: r })}\n`);
  const scoreChunk = async (items: typeof chunk): Promise<void> => {
    for (;;) {
      try {
        const { results } = await ctx.score(
          items.map((x) => x.sample),
          { signal: gone },
        );
        results.forEach((r, k) => {
          write(items[k]!.index, r);
        });
        return;
      } catch (e) {
        // A stream waits for room in the queue rather than failing its samples.
        if (e instanceof Busy && !gone.aborted) {
          await new Promise((r) => setTimeout(r, Math.min(1000, e.retryAfterSeconds * 1000)));
          continue;
        }
        for (const x of items) write(x.index, { ...fail("internal", (e as Error).message), ms: 0 });
        return;
      }
    }
  };
  const flush = (items: typeof chunk) => {
    const p: Promise<void> = scoreChunk(items).finally(() => inflight.delete(p));
    inflight.add(p);
    return p;
  };
  let lineNo = 0;
  for await (const raw of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (gone.aborted) break;
    lineNo++;
    // A byte order mark is not part of the first sample.
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, "") : raw;
    if (line.trim() === "") continue;
    const i = index++;
    let sample: unknown;
    try {
      sample = JSON.parse(line);
    } catch (e) {
      // The line number counts blank lines, as the CLI's does; `index` counts samples.
      write(i, { ...fail("invalid_input", `line ${lineNo}: ${(e as Error).message}`), ms: 0 });
      continue;
    }
    chunk.push({ index: i, sample });
    if (chunk.length >= CHUNK) {
      const items = chunk;
      chunk = [];
      // At most two chunks in flight: memory stays bounded however long the stream.
      if (inflight.size >= 2) await Promise.race(inflight);
      void flush(items);
    }
  }
  if (chunk.length) void flush(chunk);
  await Promise.all(inflight);
  out.end();
}
