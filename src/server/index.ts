import type { Reward } from "../spec/index.js";
import { buildServer, type ServerOptions } from "./app.js";

export { buildServer, type ServerOptions } from "./app.js";
export { DEFAULT_STRIP_TOKENS, responseOf, stripTrailingTokens } from "./protocols/openrlhf.js";

export interface ServeOptions extends ServerOptions {
  host?: string;
  port?: number;
}

/** Starts the server and stops it cleanly on SIGINT/SIGTERM. Binds 127.0.0.1 unless told otherwise. */
export async function startServer(reward: Reward, opts: ServeOptions = {}) {
  const app = buildServer(reward, { logLevel: "info", ...opts });
  const address = await app.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 8000 });
  app.log.info(`rewardkit serving ${reward.root.type} at ${address}`);
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return app;
}
