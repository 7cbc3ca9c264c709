/**
 * The first module every pool worker loads: it imports the task modules declared with poolTask(), so a
 * worker is ready to run any task at full speed before it takes one (piscina waits for this import).
 */
import { workerData } from "node:worker_threads";

const modules: string[] = (workerData as { modules?: string[] } | undefined)?.modules ?? [];
await Promise.all(modules.map((m) => import(m).catch(() => undefined)));

export default function preloaded(): number {
  return modules.length;
}
