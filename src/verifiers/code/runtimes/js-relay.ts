/**
 * JavaScript assert-style tests on the process runtime: the program runs in a node process in the
 * sandbox (a ProcCandidate serving bridge/plain-js.ts's JS_PROCESS_SERVER), the tests in a judge worker
 * thread (js-relay-judge-worker.ts) whose calls the host relays to the candidate. One judge per slot,
 * kept warm; a judge that does not answer within twice the test's limit plus a grace is terminated.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { RewardkitError } from "../../../core/index.js";
import type { HarnessJob, Isolation, RunResult, TestOutcome } from "../types.js";
import type { ProcCandidate } from "./process-candidate.js";
import type { CandidateOutcome } from "./python-candidate-host.js";
import { workerModule } from "./task-module.js";

const WORKER = new URL("./js-relay-judge-worker.js", import.meta.url);
const GRACE_MS = 2000;

interface Relay {
  op: string;
  code?: string;
  name?: unknown;
  payload?: string;
  timeoutMs?: number;
}

class RelayJudge {
  private readonly worker: Worker;
  private readonly bridge: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;
  private onMsg: ((m: Record<string, unknown>) => void) | null = null;
  dead = false;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.bridge = port1;
    this.worker = new Worker(workerModule(WORKER), {
      workerData: { bridge: port2, flag: this.flag.buffer },
      transferList: [port2],
      env: {},
    });
    this.worker.unref();
    this.worker.on("message", (m) => this.onMsg?.(m));
    const die = () => {
      this.dead = true;
      this.onMsg?.({ died: true });
    };
    this.worker.on("error", die);
    this.worker.on("exit", die);
  }

  /** Answers the judge's pending relay and wakes it. */
  answer(m: { text?: string; error?: string }): void {
    this.bridge.postMessage(m);
    Atomics.store(this.flag, 0, 1);
    Atomics.notify(this.flag, 0);
  }

  /** One request to the judge; `relay` serves its candidate calls meanwhile. */
  request(
    req: Record<string, unknown>,
    timeoutMs: number,
    relay: (r: Relay) => void,
    kill: () => void,
  ): Promise<Record<string, unknown> | null> {
    const id = this.nextId++;
    this.worker.ref();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.kill();
        finish(null);
      }, timeoutMs);
      const finish = (v: Record<string, unknown> | null) => {
        clearTimeout(timer);
        this.onMsg = null;
        if (!this.dead) this.worker.unref();
        resolve(v);
      };
      this.onMsg = (m) => {
        if (m.relay) relay(m.relay as Relay);
        else if (m.kill) kill();
        else if (m.died) finish(null);
        else if (m.id === id) finish(m);
      };
      this.worker.postMessage({ ...req, id });
    });
  }

  kill(): void {
    this.dead = true;
    void this.worker.terminate();
  }
}

const judges: (RelayJudge | undefined)[] = [];

function judgeFor(slot: number): RelayJudge {
  let j = judges[slot];
  if (!j || j.dead) {
    j = new RelayJudge();
    judges[slot] = j;
  }
  return j;
}

function parse(text: string | undefined): Record<string, unknown> {
  try {
    const v = JSON.parse(text ?? "");
    if (v && typeof v === "object") return v as Record<string, unknown>;
  } catch {}
  return { status: "error", type: "Crash", message: "the program sent an unreadable reply" };
}

export async function jsJudgedHarness(
  c: ProcCandidate,
  slot: number,
  job: HarnessJob,
  signal: AbortSignal,
  isolation: Isolation,
): Promise<RunResult> {
  const tests: TestOutcome[] = [];
  let stdout = "";
  let stderr = "";
  let over = false;
  let ms = 0;
  const take = (o: CandidateOutcome) => {
    if (o.kind !== "reply") return;
    stdout += o.reply.out ?? "";
    stderr += o.reply.err ?? "";
    if (o.reply.over) over = true;
  };
  const finish = (end: RunResult["end"], extra: Partial<RunResult> = {}): RunResult => ({
    end,
    tests,
    stdout,
    stderr,
    ms,
    isolation,
    ...extra,
  });
  const first = job.start;
  const load = await c.request({ op: "load", code: job.program }, job.limits.timeMs + 500);
  take(load);
  ms += load.ms;
  if (load.kind !== "reply" || over) {
    const status: TestOutcome["status"] = over ? "output_limit" : load.kind === "killed" ? "timeout" : "exit";
    const t: TestOutcome = { index: first, status, ms: load.ms };
    if (load.kind === "crashed") t.message = load.message;
    tests.push(t);
    return finish(over ? "output_limit" : load.kind === "killed" ? "timeout" : "exited", {
      setupFailed: true,
    });
  }
  const loaded = parse(load.reply.text);
  if (loaded.status === "compile")
    return finish("compile_error", { stderr: `${loaded.type}: ${loaded.message}` });
  if (loaded.status !== "pass") {
    tests.push({
      index: first,
      status: "error",
      type: String(loaded.type ?? "Error"),
      message: String(loaded.message ?? ""),
      ms: load.ms,
    });
    return finish("exited", { setupFailed: true });
  }
  const judge = judgeFor(slot);
  const relay = (r: Relay) => {
    if (c.dead) {
      judge.answer({ error: over ? "output limit exceeded" : "the candidate process is gone" });
      return;
    }
    const limit = Math.max(1, r.timeoutMs ?? job.limits.timeMs);
    void c.request({ op: r.op, code: r.code, name: r.name, payload: r.payload }, limit).then((o) => {
      take(o);
      if (over) judge.answer({ error: "output limit exceeded" });
      else if (o.kind === "killed") judge.answer({ error: "Script execution timed out." });
      else if (o.kind === "crashed") judge.answer({ error: `the program ended: ${o.message}` });
      else judge.answer({ text: o.reply.text ?? "" });
    });
  };
  const begun = await judge.request({ op: "begin", job }, 10_000, relay, () => c.kill());
  if (!begun) throw new RewardkitError("sandbox_error", "the JS judge did not start");
  try {
    for (let i = first; i < job.tests.length; i++) {
      if (signal.aborted) break;
      const t = job.tests[i]!;
      if (!("code" in t)) continue;
      const t0 = performance.now();
      const limit = job.limits.timeMs;
      const r = await judge.request(
        { op: "test", code: t.code, index: i, limitMs: limit },
        2 * limit + GRACE_MS,
        relay,
        () => c.kill(),
      );
      ms += performance.now() - t0;
      let done = (r?.result as TestOutcome | undefined) ?? {
        index: i,
        status: "timeout",
        ms: performance.now() - t0,
      };
      if (over) done = { index: i, status: "output_limit", ms: done.ms };
      tests.push(done);
      if (done.status === "timeout" || done.status === "memory" || done.status === "output_limit") {
        return finish(
          done.status === "memory" ? "memory" : done.status === "output_limit" ? "output_limit" : "timeout",
        );
      }
      if (c.dead) return finish("exited");
      if (done.status !== "pass" && job.stopOnFail) break;
    }
  } finally {
    if (!judge.dead)
      await judge.request(
        { op: "close" },
        5000,
        () => {},
        () => {},
      );
  }
  return finish("completed");
}
