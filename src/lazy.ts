/**
 * Parts of the library that load at their first use, not with `import "rewardkit"` (fast start): lint,
 * the server and the in-process math check (its parser and rules; the verifier runs it in the worker
 * pool) are half of the library's modules, and scoring needs none of them. Asynchronous functions load
 * them with import(); synchronous ones (buildServer, the lint helpers, checkMath) with require() of the
 * ES module, which shares the module cache with import() (Node >= 22.12).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const provided = new Map<string, unknown>();

/** The module at `path` (relative to this file), loaded now if it is not yet. */
export function loadNow<T>(path: string): T {
  const m = provided.get(path);
  return (m ?? require(path)) as T;
}

/**
 * A runner of the TypeScript sources (vitest, tsx) cannot require() them: index.ts loads the lazy parts
 * with the library there, through the runner (so that its module mocks apply).
 */
export async function loadForSources(): Promise<void> {
  provided.set("./lint/index.js", await import("./lint/index.js"));
  provided.set("./server/index.js", await import("./server/index.js"));
  provided.set("./verifiers/math/check.js", await import("./verifiers/math/check.js"));
}

/** A namespace object that loads its module at the first property read. */
export function lazyNamespace<T extends object>(load: () => T): T {
  return new Proxy({} as T, {
    get: (_, k) => Reflect.get(load(), k),
    has: (_, k) => Reflect.has(load(), k),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, k) => {
      const d = Reflect.getOwnPropertyDescriptor(load(), k);
      // A module namespace's properties are not configurable; the proxy's stand-in target has none of them.
      return d && { ...d, configurable: true };
    },
  });
}
