import cluster from "node:cluster";
import { closeSharedPool, configureSharedPool } from "../core/index.js";
import type { Reward } from "../spec/index.js";
import { buildServer, type ServerOptions } from "./app.js";
import { isLoopback } from "./loopback.js";

export { buildServer, type ServerOptions } from "./app.js";
export { isLoopback } from "./loopback.js";
export { responseMessage } from "./protocols/nemo-gym.js";
export { DEFAULT_STRIP_TOKENS, responseOf, stripTrailingTokens } from "./protocols/openrlhf.js";

export interface ServeOptions extends ServerOptions {
  host?: string;
  port?: number;
}

const SHUTDOWN_GRACE_MS = 120_000;

/**
 * Starts the server; stops cleanly on SIGINT/SIGTERM (no new requests, in-flight ones finish, then exit).
 * Refuses to bind a non-loopback address without a token.
 */
export async function startServer(reward: Reward, opts: ServeOptions = {}) {
  const host = opts.host ?? "127.0.0.1";
  if (!isLoopback(host) && !opts.token) {
    throw new Error(
      `refusing to bind ${host} without a token: set REWARDKIT_TOKEN (or --token-env) or bind 127.0.0.1`,
    );
  }
  const app = buildServer(reward, { logLevel: "info", ...opts });
  const address = await app.listen({ host, port: opts.port ?? 8000 });
  app.log.info(`rewardkit serving ${reward.root.type} at ${address}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    app.log.info("shutting down: finishing in-flight requests");
    // Keep-alive connections become idle as their last response goes out; close them as they do, or
    // close() would wait for the clients to hang up.
    const idle = setInterval(() => app.server.closeIdleConnections(), 50);
    setTimeout(() => {
      app.log.warn(`in-flight requests still running after ${SHUTDOWN_GRACE_MS} ms: exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    await app.close();
    clearInterval(idle);
    await closeSharedPool();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return app;
}

/**
 * `serve --workers N`: N processes share the port (node:cluster), each with a worker pool sized to its
 * share of the cores. The primary restarts a worker that dies and forwards SIGTERM for a clean stop.
 */
export async function startCluster(
  load: () => Reward,
  opts: ServeOptions,
  workers: number,
  cores: number,
): Promise<void> {
  if (cluster.isPrimary) {
    let stopping = false;
    for (let i = 0; i < workers; i++) cluster.fork();
    cluster.on("exit", (w, code, signal) => {
      if (!stopping) {
        process.stderr.write(
          `rewardkit: worker ${w.process.pid} exited (${signal ?? code}); starting another\n`,
        );
        cluster.fork();
      }
    });
    const stop = () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
      let left = Object.keys(cluster.workers ?? {}).length;
      if (left === 0) process.exit(0);
      cluster.on("exit", () => {
        if (--left <= 0) process.exit(0);
      });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    return;
  }
  // REWARDKIT_POOL_REQUEST_CAP: most worker-pool tasks one request may have out at once (default: no cap;
  // requests already share the threads round-robin, see core/fair-queue.ts).
  const cap = Number(process.env.REWARDKIT_POOL_REQUEST_CAP);
  configureSharedPool({
    threads: Math.max(1, Math.floor(cores / workers)),
    ...(Number.isInteger(cap) && cap > 0 ? { requestCap: cap } : {}),
  });
  await startServer(load(), opts);
}
