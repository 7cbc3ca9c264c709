/**
 * The judge of JavaScript assert-style tests on the process runtime: a worker thread running the same
 * judge as the js runtime (js-judge.ts), whose candidate is a node process in the sandbox instead of an
 * isolate. Each of the judge's calls into the candidate posts a request to the host and blocks on a
 * shared flag until the host answers on the bridge port with the candidate's reply, so test code reads
 * as ordinary synchronous JavaScript.
 */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { HarnessJob } from "../types.js";
import { Judge } from "./js-judge.js";

const port = parentPort!;
const bridge = workerData.bridge as MessagePort;
const flag = new Int32Array(workerData.flag as SharedArrayBuffer);

/** A synchronous request to the candidate, relayed by the host; its errors read as isolated-vm's. */
function relay(op: string, payload: Record<string, unknown>): string {
  Atomics.store(flag, 0, 0);
  port.postMessage({ relay: { op, ...payload } });
  while (Atomics.wait(flag, 0, 0, 60_000) === "timed-out") {}
  const m = receiveMessageOnPort(bridge)?.message as { text?: string; error?: string } | undefined;
  if (!m || m.error !== undefined) throw new Error(m?.error ?? "no reply from the candidate");
  return m.text ?? "";
}

// The judge speaks to an isolate; these stand for the candidate process behind the host.
const isolate = {
  isDisposed: false,
  dispose() {
    this.isDisposed = true;
    port.postMessage({ kill: true });
  },
};
const context = { evalSync: (code: string) => relay("eval", { code }) };
const refs = {
  call: {
    applySync: (_: unknown, [i, args]: [number, string], o?: { timeout?: number }) =>
      relay("call", { name: i, payload: args, timeoutMs: o?.timeout }),
  },
  settle: {
    apply: async (_: unknown, [id]: [number], o?: { timeout?: number }) =>
      relay("settle", { name: id, timeoutMs: o?.timeout }),
  },
};

let judge: Judge | null = null;

port.on(
  "message",
  async (m: {
    id: number;
    op: string;
    job?: HarnessJob;
    code?: string;
    index?: number;
    limitMs?: number;
  }) => {
    if (m.op === "begin") {
      judge?.close();
      isolate.isDisposed = false;
      judge = new Judge(isolate as never, context as never, m.job!, refs as never);
      port.postMessage({ id: m.id, done: true });
    } else if (m.op === "test") {
      const result = await judge!.test(m.code!, m.index!, m.limitMs!);
      port.postMessage({ id: m.id, result });
    } else {
      judge?.close();
      judge = null;
      port.postMessage({ id: m.id, done: true });
    }
  },
);
