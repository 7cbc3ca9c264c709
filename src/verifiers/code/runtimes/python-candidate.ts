/**
 * The candidate process of the `python` runtime: a Node child process (run under Node's permission
 * model, and inside bubblewrap where it works: see python-candidate-host.ts) with one Pyodide
 * interpreter that runs model code and nothing else. It never sees the tests: it loads a program, lists
 * its functions and answers calls (plain data in, plain data out), or runs a stdin/stdout program.
 *
 * Nothing survives a sample: at the start of each one the interpreter's whole linear memory is restored
 * from a copy taken once it was ready (with the wasm stack pointer), file handles opened since are
 * closed (and stdin, stdout and stderr put back as they were), the writable directories are emptied and
 * their modes put back, and the working directory is put back; everything else
 * of the in-memory file system is read-only. Model code that rewrote the server, the guard, a module
 * or a file in one sample finds them pristine in the next. No JavaScript work a sample left behind runs
 * after it (sampleBoundary: proxy finalizers are dropped at each restore, timers are refused), and a
 * reply that is not text is never looked into (it could only be a proxy made by a tampered server).
 */
import { constants, readFileSync, writeSync } from "node:fs";
import { PY_CANDIDATE, PY_PLAIN, PY_SERVE } from "../bridge/plain-py.js";
import { PY_HARNESS } from "../harness-py.js";
import { capWasmMemory, hardenRealm, sampleBoundary } from "./pyodide-realm.js";
import { PY_GUARD } from "./python-guard.js";

interface Request {
  id: number;
  op: "load" | "call" | "call_json" | "stdio";
  code?: string;
  name?: string;
  payload?: string;
  stdin?: string;
  outputBytes?: number;
  memoryMb?: number;
}

/** Replies go out on fd 3, one JSON line each (the host reads them with a bounded line reader). */
const send = (m: unknown) => {
  const line = `${JSON.stringify(m)}\n`;
  let off = 0;
  const buf = Buffer.from(line, "utf8");
  while (off < buf.length) off += writeSync(3, buf, off);
};
const setCap = capWasmMemory();
const boundary = sampleBoundary();
const interrupt = new Int32Array(new SharedArrayBuffer(4));

let outBytes = 0;
let outLimit = 1 << 20;
let over = false;
const chunks: { out: Uint8Array[]; err: Uint8Array[] } = { out: [], err: [] };
const writer = (which: "out" | "err") => ({
  write(buf: Uint8Array): number {
    outBytes += buf.length;
    if (outBytes > outLimit) {
      if (!over) {
        over = true;
        Atomics.store(interrupt, 0, 2); // SIGINT: stop the program
      }
      return buf.length;
    }
    chunks[which].push(buf.slice());
    return buf.length;
  },
});
const decoder = new TextDecoder();
let stdinBytes: Uint8Array = new Uint8Array(0);
let stdinPos = 0;
function drain(list: Uint8Array[]): string {
  const s = list.map((c) => decoder.decode(c, { stream: true })).join("") + decoder.decode();
  list.length = 0;
  return s;
}

interface EmStream {
  fd: number | null;
  position: number;
}

interface EmFS {
  readdir(p: string): string[];
  lstat(p: string): { mode: number };
  chmod(p: string, mode: number): void;
  isDir(mode: number): boolean;
  isLink(mode: number): boolean;
  rmdir(p: string): void;
  unlink(p: string): void;
  close(s: unknown): void;
  chdir(p: string): void;
  cwd(): string;
  streams: (unknown | null)[];
  ignorePermissions: boolean;
}

const WRITABLE = ["/tmp", "/home/pyodide"];
const SKIP = new Set(["/dev", "/proc", ...WRITABLE]);

/** Everything outside the writable directories becomes read-only (and permissions are enforced). */
function freezeFs(fs: EmFS, dir: string): void {
  for (const e of fs.readdir(dir)) {
    if (e === "." || e === "..") continue;
    const p = dir === "/" ? `/${e}` : `${dir}/${e}`;
    if (SKIP.has(p)) continue;
    const st = fs.lstat(p);
    if (fs.isLink(st.mode)) continue;
    if (fs.isDir(st.mode)) {
      freezeFs(fs, p);
      fs.chmod(p, 0o555);
    } else fs.chmod(p, 0o444);
  }
}

/**
 * Modes cannot be changed outside the writable directories: the read-only file system would otherwise
 * be one chmod away from a module planted for later samples (the memory restore does not cover files).
 */
function lockModes(fs: EmFS): void {
  const f = fs as unknown as Record<string, (...a: unknown[]) => unknown> & {
    ErrnoError: new (errno: number) => Error;
    lookupPath(p: string, o?: object): { path: string };
    getStream(fd: number): { path: string } | null;
    getPath(node: unknown): string;
  };
  const writable = (p: string) => WRITABLE.some((d) => p === d || p.startsWith(`${d}/`));
  // Emscripten's FS calls take a path or a node (its own calls, e.g. when a file is created, pass nodes).
  const resolved = (p: unknown): string => {
    try {
      if (typeof p !== "string") return f.getPath(p) as string;
      return f.lookupPath(p, { follow: true }).path;
    } catch {
      return String(p);
    }
  };
  const EPERM = 63;
  for (const name of ["chmod", "lchmod"]) {
    const orig = f[name]!.bind(fs);
    f[name] = (path: unknown, ...rest: unknown[]) => {
      if (!writable(resolved(path))) throw new f.ErrnoError(EPERM);
      return orig(path, ...rest);
    };
  }
  const fchmod = f.fchmod!.bind(fs);
  f.fchmod = (fd: unknown, ...rest: unknown[]) => {
    const s = f.getStream(Number(fd));
    if (!s || !writable(s.path)) throw new f.ErrnoError(EPERM);
    return fchmod(fd, ...rest);
  };
}

function removeTree(fs: EmFS, p: string): void {
  const st = fs.lstat(p);
  if (fs.isDir(st.mode) && !fs.isLink(st.mode)) {
    for (const e of fs.readdir(p)) if (e !== "." && e !== "..") removeTree(fs, `${p}/${e}`);
    fs.rmdir(p);
  } else fs.unlink(p);
}

const CHUNK = 1 << 16;
const ZERO = Buffer.alloc(CHUNK);

async function main(): Promise<void> {
  const [pyodideEntry, snapshotPath] = process.argv.slice(2);
  // Under the permission model process.binding throws, and Pyodide's NODEFS init reads the fs
  // constants through it: give it those alone (hardenRealm removes binding after the load).
  Object.defineProperty(process, "binding", {
    configurable: true,
    value: (name: string) => {
      if (name === "constants") return { fs: constants };
      throw new Error(`process.binding('${name}') is not available`);
    },
  });
  const { loadPyodide } = (await import(pyodideEntry!)) as typeof import("pyodide");
  const options = {
    jsglobals: Object.freeze(Object.create(null)),
    env: { HOME: "/home/pyodide", LANG: "C.UTF-8", PYTHONHASHSEED: "0" },
    stdout: () => {},
    stderr: () => {},
  };
  let snapshot: Uint8Array | undefined;
  if (snapshotPath) {
    try {
      snapshot = new Uint8Array(readFileSync(snapshotPath));
    } catch {}
  }
  const py = await loadPyodide({
    ...options,
    ...(snapshot ? { _loadSnapshot: snapshot } : {}),
  } as Parameters<typeof loadPyodide>[0]);
  snapshot = undefined;
  py.setStdout(writer("out"));
  py.setStderr(writer("err"));
  // Descriptor 0 reads the sample's input (stdin/stdout programs that read it with open(0) or os.read(0),
  // not sys.stdin); every other operation sees an empty input.
  py.setStdin({
    read(buf: Uint8Array): number {
      const n = Math.min(buf.length, stdinBytes.length - stdinPos);
      buf.set(stdinBytes.subarray(stdinPos, stdinPos + n));
      stdinPos += n;
      return n;
    },
  });
  py.setInterruptBuffer(interrupt);
  const ns = py.toPy({ __name__: "_rk_candidate" }) as { get(k: string): unknown };
  // The server's own builtins are a private copy: a program that patches builtins.len breaks its own
  // code, not the server that reports its answers.
  py.runPython("import builtins as _rk_real_builtins\n__builtins__ = dict(_rk_real_builtins.__dict__)", {
    globals: ns as never,
  });
  py.runPython(`${PY_HARNESS}\n${PY_PLAIN}\n${PY_CANDIDATE}\n${PY_SERVE}`, { globals: ns as never });
  py.runPython(PY_GUARD, { globals: ns as never });
  const op = ns.get("_rk_op") as (op: string, a: string, b: string) => string;
  for (const name of ["js", "pyodide_js"]) {
    try {
      (py as unknown as { unregisterJsModule(n: string): void }).unregisterJsModule(name);
    } catch {}
  }
  const mod = (py as unknown as { _module: Record<string, unknown> })._module;
  const fs = (py as unknown as { FS: EmFS }).FS;
  hardenRealm(py as unknown as Record<string, unknown>);
  freezeFs(fs, "/");
  // The directories themselves too: a sample could otherwise move /tmp away or leave files in / or
  // /dev for later samples (the writable directories sit in these).
  for (const d of ["/", "/dev", "/home"]) fs.chmod(d, 0o555);
  fs.ignorePermissions = false;
  lockModes(fs);
  py.runPython("import gc; gc.collect()");

  // The pristine state every sample starts from.
  const heap = () => mod.HEAPU8 as Uint8Array;
  const pristine = heap().slice();
  const stackSave = mod.stackSave as () => number;
  const stackRestore = mod.stackRestore as (sp: number) => void;
  const sp = stackSave();
  const cwd = fs.cwd();
  // The descriptors open at the pristine point (stdin, stdout, stderr), as objects: a sample that closed
  // one or dup2'ed over it gets it back.
  const pristineFds = new Map<number, { stream: EmStream; position: number }>();
  fs.streams.forEach((st, fd) => {
    if (st) pristineFds.set(fd, { stream: st as EmStream, position: (st as EmStream).position });
  });
  const listings = new Map(WRITABLE.map((d) => [d, new Set(fs.readdir(d))]));
  const modes = new Map(WRITABLE.map((d) => [d, fs.lstat(d).mode & 0o7777]));

  // Chunks that are all zero in the pristine copy are only checked (a read) and zeroed when a sample
  // wrote to them; the rest are copied back. Either way every byte ends equal to the pristine copy.
  const zeroChunks: boolean[] = [];
  const pristineBuf = Buffer.from(pristine.buffer, pristine.byteOffset, pristine.length);
  for (let o = 0; o < pristine.length; o += CHUNK) {
    const e = Math.min(pristine.length, o + CHUNK);
    zeroChunks.push(ZERO.compare(pristineBuf, o, e, 0, e - o) === 0);
  }
  boundary.seal();
  const restore = () => {
    boundary.end();
    const h = heap();
    const hb = Buffer.from(h.buffer, h.byteOffset, h.length);
    for (let i = 0, o = 0; o < pristine.length; i++, o += CHUNK) {
      const e = Math.min(pristine.length, o + CHUNK);
      if (!zeroChunks[i]) h.set(pristine.subarray(o, e), o);
      else if (hb.compare(ZERO, 0, e - o, o, e) !== 0) h.fill(0, o, e);
    }
    if (h.length > pristine.length) h.fill(0, pristine.length);
    stackRestore(sp);
    fs.streams.forEach((st, fd) => {
      if (st && pristineFds.get(fd)?.stream !== st) {
        try {
          fs.close(st);
        } catch {}
        fs.streams[fd] = null;
      }
    });
    for (const [fd, { stream, position }] of pristineFds) {
      stream.fd = fd;
      stream.position = position;
      fs.streams[fd] = stream;
    }
    // The sample's files go whatever modes it gave them (a directory without read permission could not
    // be listed, and would stay); the writable directories get back their own modes.
    fs.ignorePermissions = true;
    try {
      for (const [d, keep] of listings) {
        for (const e of fs.readdir(d)) {
          if (e === "." || e === ".." || keep.has(e)) continue;
          try {
            removeTree(fs, `${d}/${e}`);
          } catch {}
        }
        if ((fs.lstat(d).mode & 0o7777) !== modes.get(d)) fs.chmod(d, modes.get(d)!);
      }
    } finally {
      fs.ignorePermissions = false;
    }
    try {
      fs.chdir(cwd);
    } catch {}
  };

  let pending = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (d: string) => {
    pending += d;
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
      handle(JSON.parse(line) as Request);
    }
  });
  process.stdin.on("end", () => process.exit(0));

  const handle = (req: Request) => {
    Atomics.store(interrupt, 0, 0);
    const fresh = req.op === "load" || req.op === "stdio";
    if (fresh) {
      restore();
      stdinBytes = req.op === "stdio" ? Buffer.from(req.stdin ?? "", "utf8") : new Uint8Array(0);
      stdinPos = 0;
      outBytes = 0;
      over = false;
      outLimit = req.outputBytes ?? 1 << 20;
      setCap(pristine.length + (req.memoryMb ?? 256) * 1048576);
    }
    chunks.out.length = 0;
    chunks.err.length = 0;
    let text: unknown;
    try {
      if (req.op === "load") text = op("load", req.code ?? "", "");
      else if (req.op === "call") text = op("call", req.name ?? "", req.payload ?? "");
      else if (req.op === "call_json") text = op("call_json", req.name ?? "", req.payload ?? "[]");
      else text = op("stdio", req.code ?? "", req.stdin ?? "");
    } catch (e) {
      // The interpreter itself failed (a fatal error, a VM stack overflow): the host replaces us.
      send({ id: req.id, fatal: String(e instanceof Error ? e.message : e).slice(0, 2000) });
      return;
    }
    if (typeof text !== "string") {
      // The server only returns text: anything else comes from a sample that rewrote it, as a proxy
      // that must be let go now (not by the garbage collector, after a restore).
      try {
        (text as { destroy?: () => void } | null)?.destroy?.();
      } catch {}
      const message = "the candidate's server was tampered with (it answered with something other than text)";
      text = JSON.stringify(
        req.op === "call" ? { abort: "error", message } : { status: "error", type: "Crash", message },
      );
    }
    send({
      id: req.id,
      text,
      out: drain(chunks.out),
      err: drain(chunks.err),
      over,
      grownMb: ((heap().length - pristine.length) / 1048576) | 0,
    });
    // Only where the process was started with --expose-gc (tests): the collector runs now, so what a
    // sample leaves to it acts at a known point rather than whenever V8 gets to it.
    (globalThis as { gc?: () => void }).gc?.();
  };
  send({ ready: true });
}

main().catch((e) => {
  send({ loadError: e instanceof Error ? `${e.message}`.slice(0, 2000) : String(e) });
});
