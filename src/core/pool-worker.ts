/**
 * What every pool worker runs. At start it imports the task modules declared with poolTask() (piscina
 * waits for this before giving the worker work); each task then posts its id on the pool's broadcast
 * channel once its module is loaded, and only then does the caller's deadline clock run: neither a
 * queue nor a worker that is still starting can turn into a false timeout.
 */
import { BroadcastChannel, workerData } from "node:worker_threads";

const data = workerData as { modules?: string[]; channel?: string } | undefined;
const modules: string[] = data?.modules ?? [];
const channel = new BroadcastChannel(data?.channel ?? "rewardkit-pool");
channel.unref();
await Promise.all(modules.map((m) => import(m).catch(() => undefined)));

export interface Dispatch {
  module: string;
  fn: string;
  arg: unknown;
  id: number;
}

export default async function dispatch({ module, fn, arg, id }: Dispatch): Promise<unknown> {
  const mod = (await import(module)) as Record<string, unknown>;
  const f = mod[fn];
  channel.postMessage(id);
  if (typeof f !== "function") throw new Error(`worker task ${fn} is not exported by ${module}`);
  return f(arg);
}
