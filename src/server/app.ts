/**
 * The reward server (fastify). Protocols are small adapters over one scoring core (context.ts). Every
 * request body is validated by schema: malformed JSON or a wrong shape is a 400 with the reason, an
 * oversized body a 413, a full queue a 429 with Retry-After, a missing token a 401; never a 500 for a
 * client's mistake. Logs carry a request id and never sample text unless `logSamples` is set.
 */
import { timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { type RewardNode, VerifierNode } from "../rewards/index.js";
import { type Reward, SpecError } from "../spec/index.js";
import type { CodeCompiled } from "../verifiers/code/code.js";
import { isolationReport } from "../verifiers/code/code-run.js";
import { codeLimiter } from "../verifiers/code/limiter.js";
import { Busy } from "./admission.js";
import { makeContext, type ServerContext } from "./context.js";
import { registerEval } from "./eval-route.js";
import { readJsonBody } from "./json-in.js";
import { Metrics } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { registerNative } from "./protocols/native.js";
import { registerNemoGym } from "./protocols/nemo-gym.js";
import { registerOpenAIGraders } from "./protocols/openai-graders.js";
import { DEFAULT_STRIP_TOKENS, registerOpenRLHF } from "./protocols/openrlhf.js";

// fastify loads when a server is built, not when rewardkit is imported for scoring (fast start).
const require = createRequire(import.meta.url);

export interface ServerOptions {
  abstainValue?: number;
  errorValue?: number;
  stripTokens?: string[];
  /** Most samples in one request (default 65,536); more is a 413. */
  maxBatch?: number;
  /** Most samples admitted and not yet scored across requests (default 262,144); more is a 429. */
  maxPending?: number;
  /**
   * Most estimated work admitted and not yet done across requests, in seconds (default 30); more is a
   * 429 with the time for the queue to drain as Retry-After. See admission.ts.
   */
  maxQueueSeconds?: number;
  /** Samples scored at once within a request (default 64). */
  concurrency?: number;
  /** Largest request body in bytes (default 64 MiB); larger is a 413. */
  bodyLimit?: number;
  /** Deepest nesting of arrays/objects in a JSON body or NDJSON line (default 100); deeper is a 400. */
  maxDepth?: number;
  /**
   * Longest sample (default 4 MiB): an NDJSON line of /v1/score/stream in bytes, an element of a JSON
   * body's top-level array (or the rest of the body) in characters; longer is a 413. One sample is parsed
   * in one go, so this bounds how long a parse holds the event loop (a few ms per MiB).
   */
  maxLine?: number;
  /**
   * Time allowed to receive a JSON body, and to wait for the next chunk of an NDJSON stream (default
   * 60 s); slower is a 408 and a closed connection.
   */
  bodyTimeoutMs?: number;
  /** Deadline of one request; samples not scored by then are timeout errors (default 10 min). */
  requestTimeoutMs?: number;
  /** Bearer token required on every route but /health (default: none). */
  token?: string;
  logLevel?: string | false;
  /** Log sample text (off by default: samples may be private). */
  logSamples?: boolean;
}

const SHUTDOWN_RETRY_AFTER_S = 5;
/** Routes that score samples (and so wait in the admission queue). */
const SCORING = new Set([
  "/v1/score",
  "/v1/score/stream",
  "/get_reward",
  "/verify",
  "/ng-rollout/:id/verify",
  "/v1/graders/run",
  "/v1/eval",
]);

export function buildServer(reward: Reward, opts: ServerOptions = {}): FastifyInstance {
  const metrics = new Metrics();
  const ctx: ServerContext = makeContext({
    reward,
    abstainValue: opts.abstainValue ?? 0,
    errorValue: opts.errorValue ?? 0,
    stripTokens: opts.stripTokens ?? DEFAULT_STRIP_TOKENS,
    maxBatch: opts.maxBatch ?? 65536,
    maxPending: opts.maxPending ?? 262144,
    maxQueueSeconds: opts.maxQueueSeconds ?? 30,
    concurrency: opts.concurrency ?? 64,
    requestTimeoutMs: opts.requestTimeoutMs ?? 600_000,
    maxDepth: opts.maxDepth ?? 100,
    maxLine: opts.maxLine ?? 4 * 1024 * 1024,
    bodyTimeoutMs: opts.bodyTimeoutMs ?? 60_000,
    metrics,
  });
  const bodyLimit = opts.bodyLimit ?? 64 * 1024 * 1024;
  let seq = 0;
  const Fastify = require("fastify") as typeof import("fastify").default;
  const app = Fastify({
    logger:
      opts.logLevel === false || opts.logLevel === undefined
        ? false
        : {
            level: opts.logLevel,
            // Request logs carry method, url and id; never headers (tokens) or bodies (samples).
            serializers: {
              req: (req) => ({ method: req.method, url: req.url, id: req.id }),
              res: (res) => ({ statusCode: res.statusCode }),
            },
          },
    bodyLimit,
    genReqId: (req) =>
      (req.headers["x-request-id"] as string | undefined)?.slice(0, 64) ?? `r${(++seq).toString(36)}`,
    // fastify coerces types by default ("x" becomes ["x"]); a reward server must not guess.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Our own 503 during shutdown (below): with our error body and Retry-After.
    return503OnClosing: false,
  });

  // Every JSON body is read and parsed as it arrives, in bounded steps (json-in.ts): its nesting depth is
  // checked on the way (a deep body is a 400, not a stack overflow), and no step holds up other requests.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", (req, payload, done) => {
    const parse = (text: string) => {
      let out: { err: Error | null; value: unknown } | undefined;
      parseJson(req, text, (err, value) => {
        out = { err, value };
      });
      if (out?.err) throw out.err;
      return out?.value;
    };
    readJsonBody(
      payload,
      {
        limit: bodyLimit,
        contentLength: Number(req.headers["content-length"]),
        maxDepth: ctx.maxDepth,
        maxItem: ctx.maxLine,
        // A route's batch arrays (its `config.batch`) are refused past --max-batch while the body arrives.
        batch: batchConfig(req.routeOptions.config, ctx.maxBatch),
      },
      parse,
    ).then(
      (value) => done(null, value),
      (err: Error) => done(err, undefined),
    );
  });

  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  app.addHook("onRequest", async (_req, reply) => {
    if (!closing) return;
    reply.header("connection", "close");
    return send(
      reply,
      503,
      "shutting_down",
      `the server is shutting down; retry in ${SHUTDOWN_RETRY_AFTER_S} s or on another replica`,
      {
        "retry-after": String(SHUTDOWN_RETRY_AFTER_S),
      },
    );
  });

  // A body still arriving after bodyTimeoutMs: 408, then the connection is closed (slow-client defence).
  // The NDJSON stream times out between chunks instead (limits.ts), as a long stream is legitimate.
  app.addHook("onRequest", async (req, reply) => {
    if (req.raw.complete || req.routeOptions.url === "/v1/score/stream") return;
    const timer = setTimeout(() => {
      if (req.raw.complete || reply.sent) return;
      reply.raw.once("finish", () => req.raw.socket?.destroy());
      reply.header("connection", "close");
      send(
        reply,
        408,
        "timeout",
        `the request body was not received within ${ctx.bodyTimeoutMs} ms (--body-timeout)`,
      );
    }, ctx.bodyTimeoutMs);
    reply.raw.once("close", () => clearTimeout(timer));
  });

  const token = opts.token ? Buffer.from(opts.token) : null;
  app.addHook("onRequest", async (req, reply) => {
    if (!token || req.url.split("?")[0] === "/health") return;
    // The scheme is case-insensitive (RFC 9110); the token is not.
    const m = /^bearer[ \t]+(.*)$/i.exec(req.headers.authorization ?? "");
    const given = Buffer.from(m ? m[1]!.trim() : "");
    if (given.length !== token.length || !timingSafeEqual(given, token)) {
      return reply
        .code(401)
        .header("www-authenticate", "Bearer")
        .send({
          error: {
            kind: "unauthorized",
            message: "a valid 'Authorization: Bearer <token>' header is required",
          },
        });
    }
  });
  // A full queue, or a client back before its Retry-After, is refused before its body is read: refusing
  // costs next to nothing however often a client retries.
  app.addHook("onRequest", async (req) => {
    if (req.method === "POST" && SCORING.has(req.routeOptions.url ?? "")) ctx.admission.precheck(req.ip);
  });
  app.addHook("onResponse", async (req, reply) => {
    metrics.request(req.routeOptions.url ?? "unknown", reply.statusCode, reply.elapsedTime / 1000);
  });
  if (opts.logSamples) {
    app.addHook("preHandler", async (req) => {
      req.log.debug({ body: req.body }, "request body");
    });
  }

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof Busy) {
      return send(reply, 429, "busy", err.message, { "retry-after": String(err.retryAfterSeconds) });
    }
    // Options in the request that the spec layer refuses (group options): the client's mistake.
    if (err instanceof SpecError) {
      return send(reply, 400, "invalid_input", err.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error(err);
    const kind =
      status === 413
        ? "too_large"
        : status === 408
          ? "timeout"
          : status === 500
            ? "internal"
            : "invalid_input";
    const message = err.validation ? `request body ${err.message.replace(/^body\/?\s*/, "")}` : err.message;
    return send(reply, status, kind, message);
  });
  app.setNotFoundHandler((req, reply) => send(reply, 404, "not_found", `no route ${req.method} ${req.url}`));

  app.get("/health", async () => ({
    status: "ok",
    pid: process.pid,
    spec: { type: reward.root.type, name: reward.root.name },
    queued: ctx.admission.queued,
    admission: ctx.admission.stats(),
    code_slots: { size: codeLimiter().size, busy: codeLimiter().busy, waiting: codeLimiter().queued },
    ...(await codeHealth(reward.root)),
  }));
  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get("/openapi.json", async () => openApiDocument(ctx));
  registerNative(app, ctx);
  registerOpenRLHF(app, ctx);
  registerNemoGym(app, ctx);
  registerOpenAIGraders(app, ctx);
  registerEval(app, ctx);
  return app;
}

function batchConfig(config: unknown, max: number) {
  const fields = (config as { batch?: Record<string, string> } | undefined)?.batch;
  return fields ? { fields, max } : undefined;
}

/** `code`: what each runtime of the spec's code verifiers gets on this machine (see isolationReport). */
async function codeHealth(root: RewardNode): Promise<{ code?: Record<string, string> }> {
  const seen: Record<string, Set<string>> = {};
  const configs: CodeCompiled[] = [];
  const walk = (n: RewardNode) => {
    if (n instanceof VerifierNode && n.verifier.type === "code") configs.push(n.config as CodeCompiled);
    for (const ch of n.children) walk(ch);
  };
  walk(root);
  for (const c of configs) {
    for (const [k, v] of Object.entries(await isolationReport(c))) {
      seen[k] ??= new Set();
      seen[k].add(v);
    }
  }
  const keys = Object.keys(seen);
  if (!keys.length) return {};
  return { code: Object.fromEntries(keys.map((k) => [k, [...seen[k]!].join("; ")])) };
}

export function send(
  reply: FastifyReply,
  code: number,
  kind: string,
  message: string,
  headers: Record<string, string> = {},
) {
  return reply.code(code).headers(headers).send({ error: { kind, message } });
}
