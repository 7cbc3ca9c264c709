/**
 * What every Pyodide realm that runs model code needs: a hardened JS realm (no code generation, no
 * process internals, no network globals, no host file systems) and a cap on WebAssembly memory growth.
 * Used by the candidate process (python-candidate.ts); the judge runs only trusted code.
 */

/** Removes what model code could use to leave the interpreter, should it ever reach a JS object. */
export function hardenRealm(py: Record<string, unknown>): void {
  const g = globalThis as Record<string, unknown>;
  // emscripten_run_script* evaluate their text with the global eval: without it (and with code
  // generation from strings disallowed in the process) they run nothing.
  for (const k of [
    "eval",
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

interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * WebAssembly memory only grows. Refusing to grow past the cap makes malloc fail inside the interpreter,
 * which Python reports as a MemoryError, instead of a memory bomb taking gigabytes from the host.
 * Returns the setter of the cap (bytes).
 */
export function capWasmMemory(): (bytes: number) => void {
  let cap = Number.POSITIVE_INFINITY;
  const proto = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly
    .Memory.prototype;
  const grow = proto.grow;
  proto.grow = function (this: WasmMemory, pages: number): number {
    if (this.buffer.byteLength + pages * 65536 > cap) throw new RangeError("memory limit");
    return grow.call(this, pages);
  };
  return (bytes) => {
    cap = bytes;
  };
}

/**
 * JavaScript work a sample leaves behind must not run once the interpreter's memory has been restored
 * under it: it would act on the next sample's memory through the previous sample's pointers. Two kinds
 * exist. A PyProxy (a JS handle on a Python object) that V8 collects calls Pyodide's finalizer, which
 * decrefs the object's old address whenever the collector gets to it: a sample that made one (a
 * patched server returning a dict) had the next sample's heap corrupted after a memory-growing sample
 * triggered the collector ("memory access out of bounds"). And asyncio's event loop (Pyodide's WebLoop)
 * and setitimer schedule Python callbacks with setTimeout/setImmediate: one that fires between samples
 * runs the previous sample's code in the next one, or spins so that the next sample times out.
 *
 * `sampleBoundary` must be called before Pyodide loads (it makes Pyodide's finalization registry one
 * that remembers its registrations). `seal()` at the pristine point drops every registration made so
 * far (the objects those proxies hold stay alive in the pristine copy, which is restored anyway) and
 * turns the timer functions into refusals; `end()` before each restore drops the registrations a
 * sample made, so no finalizer runs on memory that is no longer the one it was made for.
 */
export function sampleBoundary(): { seal(): void; end(): void } {
  const g = globalThis as unknown as Record<string, unknown>;
  const Real = g.FinalizationRegistry as FinalizationRegistryConstructor;
  const tokens = new Map<FinalizationRegistry<unknown>, Set<object>>();
  class Tracked<T> extends Real<T> {
    constructor(cleanup: (held: T) => void) {
      super(cleanup);
      tokens.set(this, new Set());
    }
    override register(target: WeakKey, held: T, token?: WeakKey): void {
      // A registration without a token could never be dropped: give it one.
      const t = (token ?? {}) as object;
      tokens.get(this)?.add(t);
      super.register(target, held, t as WeakKey);
    }
    override unregister(token: WeakKey): boolean {
      tokens.get(this)?.delete(token as object);
      return super.unregister(token);
    }
  }
  g.FinalizationRegistry = Tracked;
  const end = () => {
    for (const [reg, set] of tokens) {
      for (const t of set) Real.prototype.unregister.call(reg, t as WeakKey);
      set.clear();
    }
  };
  return {
    seal() {
      end();
      for (const k of ["setTimeout", "setInterval", "setImmediate", "queueMicrotask"]) {
        Object.defineProperty(g, k, {
          configurable: false,
          writable: false,
          value: () => {
            throw new Error("timers are not available in the sandbox: nothing may run after a sample");
          },
        });
      }
    },
    end,
  };
}
