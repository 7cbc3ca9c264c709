/**
 * A worker thread of the `js` runtime (one per slot): runs jobs with the engine (js-engine.ts) and
 * reports each test as it begins and ends, so the host can still give the verdicts of the tests done if
 * it has to terminate this worker at a deadline.
 */
import { parentPort } from "node:worker_threads";
import { RewardkitError } from "../../../core/index.js";
import type { Job } from "../types.js";
import { JsEngine } from "./js-engine.js";

const port = parentPort!;
const engine = new JsEngine();

port.on("message", async (m: { id: number; job: Job }) => {
  const signal = new AbortController().signal;
  try {
    const result = await engine.run(m.job, 0, signal, (p) => port.postMessage({ id: m.id, ...p }));
    port.postMessage({ id: m.id, result });
  } catch (e) {
    const kind = e instanceof RewardkitError ? e.kind : "sandbox_error";
    port.postMessage({ id: m.id, error: { kind, message: String((e as Error)?.message ?? e) } });
  }
});
