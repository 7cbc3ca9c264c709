/**
 * A Pyodide worker thread: loads one interpreter, hardens it (python-guard.ts), then runs the host's
 * requests one at a time: `reset` (back to the state at start), `setup` (a fresh harness with the
 * solution), `test` (one test against it) and `stdio` (a program with standard input). The host
 * interrupts a run through the shared interrupt buffer and terminates this worker when it does not stop.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PY_HARNESS } from "../harness-py.js";
import { PY_GUARD } from "./python-guard.js";

interface Request {
  id: number;
  op: "reset" | "setup" | "test" | "stdio";
  code?: string;
  test?: unknown;
  stdin?: string;
  outputBytes: number;
  memoryMb: number;
}

const port = parentPort!;
const interrupt = new Int32Array(workerData.interrupt as SharedArrayBuffer);

let outBytes = 0;
let outLimit = Number.POSITIVE_INFINITY;
let exceeded = false;
const chunks: { out: Uint8Array[]; err: Uint8Array[] } = { out: [], err: [] };

function writer(which: "out" | "err") {
  return {
    write(buf: Uint8Array): number {
      outBytes += buf.length;
      if (outBytes > outLimit) {
        if (!exceeded) {
          exceeded = true;
          Atomics.store(interrupt, 0, 2); // SIGINT: stop the program
        }
        return buf.length;
      }
      chunks[which].push(buf.slice());
      return buf.length;
    },
  };
}

const decoder = new TextDecoder();
function drain(list: Uint8Array[]): string {
  const n = list.reduce((a, b) => a + b.length, 0);
  const all = new Uint8Array(n);
  let o = 0;
  for (const c of list) {
    all.set(c, o);
    o += c.length;
  }
  list.length = 0;
  return decoder.decode(all);
}

/** Removes what model code could use to leave the interpreter, should it ever reach a JS object. */
function hardenRealm(py: Record<string, unknown>): void {
  const g = globalThis as Record<string, unknown>;
  for (const k of [
    "fetch",
    "WebSocket",
    "EventSource",
    "BroadcastChannel",
    "Request",
    "Response",
    "XMLHttpRequest",
  ]) {
    try {
      delete g[k];
    } catch {}
  }
  const proc = process as unknown as Record<string, unknown>;
  for (const k of [
    "binding",
    "_linkedBinding",
    "dlopen",
    "getBuiltinModule",
    "abort",
    "reallyExit",
    "kill",
    "_kill",
    "_rawDebug",
    "chdir",
    "execve",
    "loadEnvFile",
    "setuid",
    "setgid",
    "initgroups",
  ]) {
    try {
      Object.defineProperty(proc, k, { value: undefined, writable: false, configurable: false });
    } catch {}
  }
  for (const k of [
    "mountNodeFS",
    "mountNativeFS",
    "loadPackage",
    "loadPackagesFromImports",
    "registerJsModule",
  ]) {
    try {
      delete py[k];
    } catch {}
  }
  const api = py._api as Record<string, unknown> | undefined;
  if (api) {
    for (const k of ["loadBinaryFile", "loadScript", "install", "loadDynlib", "loadPackage"]) {
      try {
        delete api[k];
      } catch {}
    }
  }
  const mod = py._module as Record<string, unknown> | undefined;
  const fs = mod?.FS as { filesystems?: Record<string, unknown> } | undefined;
  if (fs?.filesystems) {
    delete fs.filesystems.NODEFS;
    delete fs.filesystems.NODERAWFS;
  }
  if (mod) {
    for (const k of ["NODEFS", "NODERAWFS", "mountNodeFS"]) {
      try {
        delete mod[k];
      } catch {}
    }
  }
  // No code generation from strings: every Function constructor is cut off its prototype.
  const protos = [
    Function.prototype,
    Object.getPrototypeOf(async () => {}),
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function* () {}),
  ];
  for (const p of protos) {
    Object.defineProperty(p, "constructor", { value: undefined, writable: false, configurable: false });
  }
  Object.freeze(Error);
}

/**
 * WebAssembly memory only grows. Refusing to grow past the limit makes malloc fail inside the interpreter,
 * which Python reports as a MemoryError, instead of a memory bomb taking gigabytes from the host.
 */
let memoryCap = Number.POSITIVE_INFINITY;
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
const MemoryProto = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } })
  .WebAssembly.Memory.prototype;
const grow = MemoryProto.grow;
MemoryProto.grow = function (this: WasmMemory, pages: number): number {
  if (this.buffer.byteLength + pages * 65536 > memoryCap) throw new RangeError("memory limit");
  return grow.call(this, pages);
};

/** Modules imported before a memory snapshot is taken (so every interpreter starts with them loaded). */
const PRELOAD =
  "import json, re, collections, itertools, functools, heapq, bisect, string, random, typing, fractions, " +
  "decimal, statistics, copy, operator, hashlib, datetime, io, array, dataclasses, enum, unittest, math, os, shutil";

async function main(): Promise<void> {
  const { loadPyodide } = await import("pyodide");
  const jsglobals = Object.freeze(Object.create(null));
  const options = {
    jsglobals,
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
  py.setStdout(writer("out"));
  py.setStderr(writer("err"));
  py.setStdin({ stdin: () => null });
  py.setInterruptBuffer(interrupt);
  const ns = py.toPy({ __name__: "_rk_harness" });
  py.runPython(PY_HARNESS, { globals: ns });
  py.runPython(PY_GUARD, { globals: ns });
  const harnessClass = ns.get("_RkHarness");
  const reset = ns.get("_rk_reset");
  const stdio = ns.get("_rk_stdio");
  const toJs = (v: unknown) => {
    const p = v as { toJs?: (o: object) => unknown; destroy?: () => void };
    if (p && typeof p.toJs === "function") {
      const out = p.toJs({ dict_converter: Object.fromEntries });
      p.destroy?.();
      return out;
    }
    return v;
  };
  for (const name of ["js", "pyodide_js"]) {
    try {
      (py as unknown as { unregisterJsModule(n: string): void }).unregisterJsModule(name);
    } catch {}
  }
  hardenRealm(py as unknown as Record<string, unknown>);
  const heap = () => (py as unknown as { _module: { HEAP8: Int8Array } })._module.HEAP8.length;
  const baseline = heap();
  let harness: { test: (t: unknown) => unknown; destroy?: () => void } | null = null;
  let runs = 0;

  port.on("message", (req: Request) => {
    Atomics.store(interrupt, 0, 0);
    outBytes = 0;
    outLimit = req.outputBytes;
    memoryCap = baseline + req.memoryMb * 1048576;
    exceeded = false;
    chunks.out.length = 0;
    chunks.err.length = 0;
    const t0 = performance.now();
    let result: unknown;
    try {
      if (req.op === "reset") {
        harness?.destroy?.();
        harness = null;
        reset();
        if (++runs % 64 === 0) py.runPython("import gc; gc.collect()");
        result = { status: "pass" };
      } else if (req.op === "setup") {
        harness = harnessClass() as typeof harness;
        result = toJs((harness as unknown as { setup: (c: string) => unknown }).setup(req.code!));
      } else if (req.op === "test") {
        const arg = py.toPy(req.test);
        result = toJs(harness!.test(arg));
        (arg as { destroy?: () => void }).destroy?.();
      } else {
        result = toJs(stdio(req.code!, req.stdin ?? ""));
      }
    } catch (e) {
      // The interpreter itself failed (a fatal error, a stack overflow in the VM): the host replaces us.
      const msg = e instanceof Error ? e.message : String(e);
      port.postMessage({ id: req.id, fatal: msg.slice(0, 2000) });
      return;
    }
    const grownMb = ((heap() - baseline) / 1048576) | 0;
    port.postMessage({
      id: req.id,
      result,
      stdout: drain(chunks.out),
      stderr: drain(chunks.err),
      outputExceeded: exceeded,
      grownMb,
      ms: performance.now() - t0,
    });
  });
  port.postMessage({ ready: true });
}

main().catch((e) => {
  port.postMessage({ loadError: e instanceof Error ? `${e.message}`.slice(0, 2000) : String(e) });
});
