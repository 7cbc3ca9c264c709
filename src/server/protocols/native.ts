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
import { PassThrough, type Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { fail, nextSlice, type Result, sliceDue } from "../../core/index.js";
import { flattenComponents, type GroupOptions, type Placement } from "../../rewards/index.js";
import { GROUP_OPTIONS_SCHEMA } from "../../spec/index.js";
import { Busy } from "../admission.js";
import { clientGone, type ServerContext } from "../context.js";
import { parseJsonSliced, SLICED_ABOVE } from "../json-in.js";
import { sendJson } from "../json-out.js";
import { batchLimit, depthError, discardRest, ndjsonLines, nestedDeeperThan, Refused } from "../limits.js";

export function registerNative(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    "/v1/score",
    {
      preValidation: batchLimit("samples", ctx.maxBatch),
      config: { batch: { samples: "samples" } },
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
      // Bad group options throw a SpecError before anything is scored: a 400 (see app.ts).
      const out = await ctx.score(body.samples, {
        ...(body.group ? { group: body.group } : {}),
        signal: clientGone(reply),
        client: req.ip,
      });
      const results: unknown[] = out.results;
      for (let i = 0; i < results.length; i++) {
        if (sliceDue()) await nextSlice();
        let r = out.results[i]!;
        const s = body.samples[i] as Record<string, unknown> | null;
        if (s && typeof s === "object" && s.token_offsets !== undefined) {
          const t = ctx.reward.withTokenRewards(s, r, s.token_offsets, body.placement ?? "span_end");
          r = r.group ? { ...t, group: r.group } : t;
        }
        if (body.components === "none") {
          const { components: _c, ...rest } = r;
          results[i] = rest;
        } else if (body.components === "flat" && r.components) {
          results[i] = { ...r, components: flattenComponents(r as Result) };
        } else results[i] = r;
      }
      return sendJson(reply, out.groups ? { results, groups: out.groups } : { results }, results.length);
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
    const stop = new AbortController();
    clientGone(reply).addEventListener("abort", () => stop.abort(), { once: true });
    // The status line waits for the first result, so that a line refused before any result is a 4xx.
    let started = false;
    let refused = false;
    const begin = () => {
      if (started) return;
      started = true;
      reply.type("application/x-ndjson").send(out);
    };
    const sink: Sink = {
      write(line) {
        if (refused) return;
        begin();
        out.write(line);
      },
      end() {
        if (refused) return;
        begin();
        out.end();
      },
      refuse(e) {
        if (started) return false;
        started = refused = true;
        stop.abort();
        const kind = e.statusCode === 413 ? "too_large" : e.statusCode === 408 ? "timeout" : "invalid_input";
        reply
          .code(e.statusCode)
          .header("connection", "close")
          .send({ error: { kind, message: e.message } });
        return true;
      },
    };
    void streamScores(ctx, req.body as Readable, sink, stop.signal).catch((e) => {
      sink.write(
        `${JSON.stringify({ index: -1, result: { ...fail("internal", (e as Error).message), ms: 0 } })}\n`,
      );
      sink.end();
    });
    return reply;
  });
}

interface Sink {
  write(line: string): void;
  end(): void;
  /** Answers the request with e's status when nothing was sent yet; false when too late for that. */
  refuse(e: Refused): boolean;
}

/**
 * Reads samples line by line, scores them in chunks, writes each result as it finishes. A line over the
 * size limit, or a body that stops arriving, ends the stream: a 4xx when nothing was answered yet, else
 * a last line `{"index": -1, "result": <error>}`.
 */
async function streamScores(
  ctx: ServerContext,
  input: Readable,
  sink: Sink,
  stop: AbortSignal,
): Promise<void> {
  const CHUNK = Math.max(16, ctx.concurrency);
  // Every chunk of the stream is the work of one request, for the fair sharing of code slots.
  const key = ctx.newKey();
  let index = 0;
  let chunk: { index: number; sample: unknown }[] = [];
  const inflight = new Set<Promise<void>>();
  const write = (i: number, r: Result) => sink.write(`${JSON.stringify({ index: i, result: r })}\n`);
  const scoreChunk = async (items: typeof chunk): Promise<void> => {
    for (;;) {
      try {
        const { results } = await ctx.score(
          items.map((x) => x.sample),
          { signal: stop, key },
        );
        results.forEach((r, k) => {
          write(items[k]!.index, r);
        });
        return;
      } catch (e) {
        // A stream waits for room in the queue rather than failing its samples.
        if (e instanceof Busy && !stop.aborted) {
          await new Promise((r) => setTimeout(r, Math.min(1000, e.retryAfterSeconds * 1000)));
          continue;
        }
        for (const x of items) write(x.index, { ...fail("internal", (e as Error).message), ms: 0 });
        return;
      }
    }
  };
  // Chunks go to scoring when full, at most two in flight (memory stays bounded however long the
  // stream); a part-filled chunk goes too whenever the reader has used up the lines received and there is
  // room, so a client that sends a few lines and waits for their results gets them.
  let idle = false;
  const flush = (items: typeof chunk) => {
    const p: Promise<void> = scoreChunk(items).finally(() => {
      inflight.delete(p);
      if (idle) sendPart();
    });
    inflight.add(p);
    return p;
  };
  const sendPart = () => {
    if (!chunk.length || inflight.size >= 2) return;
    const items = chunk;
    chunk = [];
    void flush(items);
  };
  const sendFull = async () => {
    if (inflight.size >= 2) await Promise.race(inflight);
    const items = chunk;
    chunk = [];
    void flush(items);
  };
  const sendRest = () => {
    idle = false;
    const items = chunk;
    chunk = [];
    if (items.length) void flush(items);
  };
  const beforeWait = async () => {
    idle = true;
    sendPart();
  };
  let lineNo = 0;
  const body = input[Symbol.asyncIterator]();
  try {
    for await (const raw of ndjsonLines(body, ctx.maxLine, ctx.bodyTimeoutMs, beforeWait)) {
      idle = false;
      if (stop.aborted) break;
      lineNo++;
      // A byte order mark is not part of the first sample.
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, "") : raw;
      if (line.trim() === "") continue;
      const i = index++;
      let sample: unknown;
      try {
        if (line.length > SLICED_ABOVE) {
          // A long line (up to --max-line) is parsed in pieces, as a long body is.
          sample = await parseJsonSliced(line, ctx.maxDepth, JSON.parse, {}, "the line");
        } else {
          if (nestedDeeperThan(line, ctx.maxDepth)) throw depthError(ctx.maxDepth, "the line");
          sample = JSON.parse(line);
        }
      } catch (e) {
        // The line number counts blank lines, as the CLI's does; `index` counts samples.
        write(i, { ...fail("invalid_input", `line ${lineNo}: ${(e as Error).message}`), ms: 0 });
        continue;
      }
      chunk.push({ index: i, sample });
      if (chunk.length >= CHUNK) await sendFull();
    }
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    // The rest of the body is dropped as it comes for a second, then the connection is closed.
    void discardRest(body, e.statusCode === 408 ? 0 : 1000).then(
      (ended: boolean) => ended || input.destroy(),
    );
    if (sink.refuse(e)) return;
    // Too late for a status: the lines read so far are scored, then an error line ends the stream.
    sendRest();
    await Promise.all(inflight);
    const kind = e.statusCode === 413 ? "too_large" : "timeout";
    write(-1, { ...fail(kind, `line ${lineNo + 1}: ${e.message}; the stream ends here`), ms: 0 });
    sink.end();
    return;
  }
  sendRest();
  await Promise.all(inflight);
  sink.end();
}
