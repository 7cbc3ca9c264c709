/**
 * What every pool worker runs. At start it imports the task modules declared with poolTask() (piscina
 * waits for this before giving the worker work); each task then says "started" on its port once its
 * module is loaded, and only then does the caller's deadline clock run: neither a queue nor a worker
 * that is still starting can turn into a false timeout.
 */
import type { MessagePort } from "node:worker_threads";
import { workerData } from "node:worker_threads";

const modules: string[] = (workerData as { modules?: string[] } | undefined)?.modules ?? [];
await Promise.all(modules.map((m) => import(m).catch(() => undefined)));

export interface Dispatch {
  module: string;
  fn: string;
  arg: unknown;
  port: MessagePort;
}

export default async function dispatch({ module, fn, arg, port }: Dispatch): Promise<unknown> {
  const mod = (await import(module)) as Record<string, unknown>;
  const f = mod[fn];
  port.postMessage("started");
  port.close();
  if (typeof f !== "function") throw new Error(`worker task ${fn} is not exported by ${module}`);
  return f(arg);
}
