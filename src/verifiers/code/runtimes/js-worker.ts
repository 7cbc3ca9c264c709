/**
 * The process of a slot of the `js` runtime: runs jobs with the engine (js-engine.ts) and reports each
 * test as it begins and ends, so the host can still give the verdicts of the tests done if it has to
 * kill this process at a deadline. A process, not a worker thread: killing it can never take the host
 * down (terminating a thread inside a call into isolated-vm crashed the whole process), and a fault of
 * the native addon under hostile code stays here.
 */
import { RewardkitError } from "../../../core/index.js";
import type { Job } from "../types.js";
import { JsEngine } from "./js-engine.js";

const port = { postMessage: (m: unknown) => process.send?.(m) };
const engine = new JsEngine();
process.on("disconnect", () => process.exit(0));
// A promise of a run that nobody awaits (a test's, a candidate's) must not end the process.
process.on("unhandledRejection", () => {});

process.on("message", async (m: { id: number; job: Job }) => {
  const signal = new AbortController().signal;
  try {
    const result = await engine.run(m.job, 0, signal, (p) => port.postMessage({ id: m.id, ...p }));
    port.postMessage({ id: m.id, result });
  } catch (e) {
    const kind = e instanceof RewardkitError ? e.kind : "sandbox_error";
    port.postMessage({ id: m.id, error: { kind, message: String((e as Error)?.message ?? e) } });
  }
});
