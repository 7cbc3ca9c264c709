/**
 * The reward server (fastify). Protocols are small adapters over one Reward; every request body is
 * validated by schema, and malformed JSON or a wrong shape gets a 400 with the reason, never a 500.
 */
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { Reward } from "../spec/index.js";
import type { ServerContext } from "./context.js";
import { registerNative } from "./protocols/native.js";
import { DEFAULT_STRIP_TOKENS, registerOpenRLHF } from "./protocols/openrlhf.js";

export interface ServerOptions {
  abstainValue?: number;
  errorValue?: number;
  stripTokens?: string[];
  maxBatch?: number;
  /** Samples scored at once within a request (default 64). */
  concurrency?: number;
  /** Largest request body in bytes (default 64 MiB). */
  bodyLimit?: number;
  logLevel?: string | false;
}

export function buildServer(reward: Reward, opts: ServerOptions = {}): FastifyInstance {
  const ctx: ServerContext = {
    reward,
    abstainValue: opts.abstainValue ?? 0,
    errorValue: opts.errorValue ?? 0,
    stripTokens: opts.stripTokens ?? DEFAULT_STRIP_TOKENS,
    maxBatch: opts.maxBatch ?? 65536,
    concurrency: opts.concurrency ?? 64,
  };
  const app = Fastify({
    logger: opts.logLevel === false || opts.logLevel === undefined ? false : { level: opts.logLevel },
    bodyLimit: opts.bodyLimit ?? 64 * 1024 * 1024,
    // fastify coerces types by default ("x" becomes ["x"]); a reward server must not guess.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const kind = status === 500 ? "internal" : "invalid_input";
    if (status === 500) app.log.error(err);
    const message = err.validation ? `request body${err.message.replace(/^body\/?/, " ")}` : err.message;
    return reply.code(status).send({ error: { kind, message } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { kind: "not_found", message: `no route ${req.method} ${req.url}` } }),
  );

  app.get("/health", async () => ({
    status: "ok",
    spec: { type: reward.root.type, name: reward.root.name },
  }));
  registerNative(app, ctx);
  registerOpenRLHF(app, ctx);
  return app;
}
