/**
 * JavaScript tests on the process runtime: the program runs in a node process in the sandbox (a
 * ProcCandidate serving bridge/plain-js.ts's JS_PROCESS_SERVER). Assert-style tests run in a judge worker
 * thread (js-relay-judge-worker.ts) whose calls the host relays to the candidate; call tests are one call
 * from the host, whose plain-data answer the host compares (schedule.ts). Nothing the program can write
 * is read as a verdict: no marker, no report. One judge per slot, kept warm; a judge that does not
 * answer within twice the test's limit plus a grace is terminated.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { RewardkitError } from "../../../core/index.js";
import { showJson } from "../compare.js";
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
      const t0 = performance.now();
      const limit = job.limits.timeMs;
      if (!("code" in t)) {
        const done = await callTest(c, t, i, limit, take);
        ms += performance.now() - t0;
        if (over) {
          tests.push({ index: i, status: "output_limit", ms: done.ms });
          return finish("output_limit");
        }
        tests.push(done);
        if (done.status === "timeout") return finish("timeout");
        if (done.status === "memory") return finish("memory");
        if (c.dead) return finish("exited");
        if (done.status !== "pass" && job.stopOnFail) break;
        continue;
      }
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

/**
 * A call test without a judge: the host asks the candidate for its function (`__rk_register`, as the
 * judge's lookup does), calls it with the arguments as plain data, awaits an async answer, and keeps the
 * answer's JSON text for schedule.ts to compare. The candidate only ever returns data.
 */
async function callTest(
  c: ProcCandidate,
  t: { call: string; args: unknown[] },
  index: number,
  limitMs: number,
  take: (o: CandidateOutcome) => void,
): Promise<TestOutcome> {
  const t0 = performance.now();
  const left = () => Math.max(1, limitMs - (performance.now() - t0));
  const ask = async (req: Record<string, unknown>): Promise<CandidateOutcome> => {
    const o = await c.request(req, left());
    take(o);
    return o;
  };
  const ended = (o: CandidateOutcome): TestOutcome | null => {
    const ms = performance.now() - t0;
    if (o.kind === "killed") return { index, status: "timeout", ms };
    if (o.kind === "crashed")
      return /memory/.test(o.message)
        ? { index, status: "memory", ms }
        : { index, status: "exit", type: "Exit", message: o.message, ms };
    return null;
  };
  const lookup = `__rk_register([(() => { try { return typeof ${t.call} === "function" ? ${t.call} : undefined; } catch (e) { return undefined; } })()])`;
  const found = await ask({ op: "eval", code: lookup });
  const stop = ended(found);
  if (stop) return stop;
  if ((found as { reply: { text?: string } }).reply.text !== "1")
    return {
      index,
      status: "error",
      type: "NameError",
      message: `the program defines no function ${t.call}`,
      ms: performance.now() - t0,
    };
  let o = await ask({ op: "call", name: 0, payload: encodeArgs(t.args) });
  for (;;) {
    const s = ended(o);
    if (s) return s;
    const a = parseAnswer((o as { reply: { text?: string } }).reply.text);
    const ms = performance.now() - t0;
    if (typeof a.promise === "number") {
      o = await ask({ op: "settle", name: a.promise });
      continue;
    }
    if (a.abort === "memory") return { index, status: "memory", ms };
    const raise = a.raise as { type?: unknown; message?: unknown } | undefined;
    if (raise) {
      return {
        index,
        status: "error",
        type: String(raise.type ?? "Error"),
        message: String(raise.message ?? ""),
        ms,
      };
    }
    if (!("value" in a))
      return { index, status: "error", type: "Crash", message: "the program sent an unreadable reply", ms };
    try {
      return { index, status: "pass", value: showJson(plainToJson(a.value, true)) ?? "null", ms };
    } catch (e) {
      return { index, status: "error", type: "TypeError", message: (e as Error).message, ms };
    }
  }
}

function parseAnswer(text: string | undefined): Record<string, unknown> {
  try {
    const v = JSON.parse(text ?? "");
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {}
  return {};
}

/** The arguments of a call test in bridge/plain-js.ts's encoding (they are JSON values already). */
function encodeArgs(args: unknown[]): string {
  const enc = (v: unknown): unknown => {
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : { n: String(v) };
    if (typeof v === "bigint") return { b: v.toString() };
    if (Array.isArray(v)) return v.map(enc);
    if (v && typeof v === "object")
      return { o: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, enc(x)])) };
    return { u: 1 };
  };
  return JSON.stringify(args.map(enc));
}

const MAX_DEPTH = 200;

/**
 * An answer in bridge/plain-js.ts's encoding as the JSON value a call test compares, as JSON.stringify
 * would write the decoded value: undefined is null (or an absent key), NaN and infinities null, a
 * bigint its exact digits, a Map an object, a Set an array, a Date its ISO text. Built from the data
 * alone: no decoded object with behaviour is ever made.
 */
function plainToJson(x: unknown, top: boolean, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new TypeError("the result is nested too deep");
  if (x === null || typeof x === "boolean" || typeof x === "string" || typeof x === "number") return x;
  if (Array.isArray(x)) return x.map((v) => plainToJson(v, false, depth + 1) ?? null);
  if (!x || typeof x !== "object") throw new TypeError("not an encoded plain value");
  const keys = Object.keys(x);
  if (keys.length !== 1) throw new TypeError("not an encoded plain value");
  const v = (x as Record<string, unknown>)[keys[0]!];
  switch (keys[0]) {
    case "u":
      return top ? null : undefined;
    case "n":
      return v === "-0" ? 0 : null;
    case "b":
      if (typeof v !== "string" || !/^-?\d+$/.test(v)) throw new TypeError("not an encoded bigint");
      return BigInt(v);
    case "d": {
      const d = new Date(Number(v));
      return Number.isNaN(d.getTime()) ? null : d.toISOString();
    }
    case "s":
      if (!Array.isArray(v)) throw new TypeError("not an encoded Set");
      return v.map((y) => plainToJson(y, false, depth + 1) ?? null);
    case "o":
    case "m": {
      const out: Record<string, unknown> = {};
      const pairs: [unknown, unknown][] =
        keys[0] === "o" && v && typeof v === "object"
          ? Object.entries(v)
          : Array.isArray(v)
            ? (v as [unknown, unknown][])
            : [];
      for (const [k, y] of pairs) {
        const key = keys[0] === "o" ? String(k) : String(plainToJson(k, false, depth + 1));
        const val = plainToJson(y, false, depth + 1);
        if (val !== undefined)
          Object.defineProperty(out, key, {
            value: val,
            enumerable: true,
            writable: true,
            configurable: true,
          });
      }
      return out;
    }
  }
  throw new TypeError("not an encoded plain value");
}
