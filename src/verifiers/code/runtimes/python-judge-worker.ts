/**
 * The judge of the `python` runtime: a worker thread with one Pyodide interpreter that runs only trusted
 * code (the reference's prompt helpers, setup and tests). The candidate's functions are proxies
 * (bridge/plain-py.ts): a call posts {call} to the host and blocks on a shared flag until the host
 * answers with the candidate's reply on the bridge port, so the test code reads like ordinary Python.
 * Also makes the interpreter snapshot that the judge and candidate processes start from.
 */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { PY_JUDGE, PY_PLAIN } from "../bridge/plain-py.js";

interface Request {
  id: number;
  op: "begin" | "test";
  trusted?: string;
  tests?: string[];
  entry?: string;
  names?: string[];
  code?: string;
}

const port = parentPort!;
const interrupt = new Int32Array(workerData.interrupt as SharedArrayBuffer);

/** Modules imported before a memory snapshot is taken (so every interpreter starts with them loaded). */
const PRELOAD =
  "import json, re, collections, itertools, functools, heapq, bisect, string, random, typing, fractions, " +
  "decimal, statistics, copy, operator, hashlib, datetime, io, array, dataclasses, enum, unittest, math, os, shutil, ast, base64";

async function main(): Promise<void> {
  const { loadPyodide } = await import("pyodide");
  const options = {
    env: { HOME: "/home/pyodide", LANG: "C.UTF-8", PYTHONHASHSEED: "0" },
    stdout: () => {},
    stderr: () => {},
  };
  if (workerData.makeSnapshot) {
    // A helper worker: start one interpreter the slow way and hand its memory to the host.
    const base = await loadPyodide({ ...options, _makeSnapshot: true } as Parameters<typeof loadPyodide>[0]);
    base.runPython(PRELOAD);
    const snap = (base as unknown as { makeMemorySnapshot(): Uint8Array }).makeMemorySnapshot();
    port.postMessage({ snapshot: snap }, [snap.buffer as ArrayBuffer]);
    return;
  }
  const snapshot = workerData.snapshot as Uint8Array | undefined;
  const py = await loadPyodide({ ...options, ...(snapshot ? { _loadSnapshot: snapshot } : {}) } as Parameters<
    typeof loadPyodide
  >[0]);
  if (!snapshot) py.runPython(PRELOAD);
  py.setInterruptBuffer(interrupt);
  const bridge = workerData.bridge as MessagePort;
  const flag = new Int32Array(workerData.flag as SharedArrayBuffer);
  const call = (name: string, payload: string): string => {
    Atomics.store(flag, 0, 0);
    port.postMessage({ call: { name, payload } });
    // The host always answers (with an abort at the test's deadline); it terminates us if it cannot.
    while (Atomics.wait(flag, 0, 0, 60_000) === "timed-out") {}
    const m = receiveMessageOnPort(bridge);
    return m ? String(m.message) : '{"abort": "error", "message": "no reply from the candidate"}';
  };
  py.registerJsModule("_rk_host", { call });
  const ns = py.toPy({ __name__: "_rk_judge" });
  py.runPython(`${PY_PLAIN}\n${PY_JUDGE}\nfrom _rk_host import call as _rk_call_candidate\n`, {
    globals: ns,
  });
  const judgeClass = ns.get("_RkJudge");
  const toJs = (v: unknown) => {
    const p = v as { toJs?: (o: object) => unknown; destroy?: () => void };
    if (p && typeof p.toJs === "function") {
      const out = p.toJs({ dict_converter: Object.fromEntries });
      p.destroy?.();
      return out;
    }
    return v;
  };
  let judge: {
    begin: (...a: unknown[]) => unknown;
    test: (c: string) => unknown;
    destroy?: () => void;
  } | null = null;
  let runs = 0;

  port.on("message", (req: Request) => {
    Atomics.store(interrupt, 0, 0);
    let result: unknown;
    try {
      if (req.op === "begin") {
        judge?.destroy?.();
        judge = judgeClass() as typeof judge;
        const tests = py.toPy(req.tests ?? []);
        const names = py.toPy(req.names ?? []);
        result = toJs(judge!.begin(req.trusted ?? "", tests, req.entry ?? null, names));
        (tests as { destroy?: () => void }).destroy?.();
        (names as { destroy?: () => void }).destroy?.();
        if (++runs % 64 === 0) py.runPython("import gc; gc.collect()");
      } else {
        result = toJs(judge!.test(req.code ?? ""));
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      port.postMessage({ id: req.id, fatal: msg.slice(0, 2000) });
      return;
    }
    port.postMessage({ id: req.id, result });
  });
  port.postMessage({ ready: true });
}

main().catch((e) => {
  port.postMessage({ loadError: e instanceof Error ? `${e.message}`.slice(0, 2000) : String(e) });
});
