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
