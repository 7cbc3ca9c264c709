/**
 * Native toolchains of the process runtime, found on this machine once: each language's interpreter or
 * compiler as an absolute path under a system directory (so it is also visible inside the sandbox).
 */
import { accessSync, constants, realpathSync } from "node:fs";
import type { Language } from "../types.js";

export interface Toolchain {
  language: Language;
  /** The file name the source is written to. */
  file: string;
  /** Compile command (run in the work dir), producing ./prog; absent for interpreted languages. */
  compile?: (src: string) => string[];
  /** Command that runs the program (after compiling, ./prog). `file` is the source or harness path. */
  run: (file: string, memoryMb: number) => string[];
  /** Extra address space the runtime needs beyond the memory limit, in MiB. */
  addressSpaceExtraMb: number;
  /**
   * RLIMIT_DATA in MiB, used instead of the address-space limit where that cannot hold (node: V8 reserves
   * gigabytes it never uses, while Buffers are malloc'd outside the heap --max-old-space-size limits).
   */
  dataMb?: (memoryMb: number) => number;
  /** The harness (assert-style tests) language, when this toolchain runs the harness itself. */
  harness?: "python" | "js";
  /** C/C++: the compiler, its flags and the source extension (for separate units, see native.ts). */
  cc?: { path: string; flags: string[]; ext: "c" | "cpp" };
}

const DIRS = ["/usr/bin", "/usr/local/bin", "/bin"];

function find(names: string[]): string | undefined {
  for (const n of names) {
    for (const d of DIRS) {
      const p = `${d}/${n}`;
      try {
        accessSync(p, constants.X_OK);
        const real = realpathSync(p);
        if (real.startsWith("/usr/") || real.startsWith("/bin/")) return p;
      } catch {}
    }
  }
  return undefined;
}

let cache: Map<Language, Toolchain | null> | undefined;

export function toolchain(language: Language): Toolchain | null {
  cache ??= new Map();
  if (cache.has(language)) return cache.get(language)!;
  let t: Toolchain | null = null;
  switch (language) {
    case "python": {
      const py = find(["python3"]);
      if (py)
        t = {
          language,
          file: "prog.py",
          run: (f) => [py, "-I", "-B", f],
          addressSpaceExtraMb: 64,
          harness: "python",
        };
      break;
    }
    case "js":
    case "ts": {
      const node = find(["node", "nodejs"]);
      if (node) {
        t = {
          language,
          file: "prog.js",
          run: (f, mem) => [node, `--max-old-space-size=${mem}`, "--stack-size=2000", f],
          addressSpaceExtraMb: 0, // unused: RLIMIT_DATA instead (an address-space limit broke WebAssembly.Memory)
          // Measured (node 20): 48 MiB at start; a heap bomb needs ~1/4 of the heap more for the GC to fail
          // cleanly ("heap out of memory") rather than by a signal.
          dataMb: (mem) => mem + 64 + Math.ceil(mem / 4),
          harness: "js",
        };
      }
      break;
    }
    case "c": {
      const cc = find(["gcc", "cc", "clang"]);
      if (cc)
        t = {
          language,
          file: "prog.c",
          compile: (s) => [cc, "-O2", "-std=gnu17", "-o", "prog", s, "-lm"],
          run: (f) => [f],
          cc: { path: cc, flags: ["-O2", "-std=gnu17"], ext: "c" },
          addressSpaceExtraMb: 16,
        };
      break;
    }
    case "cpp": {
      const cxx = find(["g++", "c++", "clang++"]);
      if (cxx)
        t = {
          language,
          file: "prog.cpp",
          compile: (s) => [cxx, "-O2", "-std=gnu++17", "-o", "prog", s, "-lm"],
          run: (f) => [f],
          cc: { path: cxx, flags: ["-O2", "-std=gnu++17"], ext: "cpp" },
          addressSpaceExtraMb: 16,
        };
      break;
    }
    case "bash": {
      const sh = find(["bash"]);
      if (sh) t = { language, file: "prog.sh", run: (f) => [sh, f], addressSpaceExtraMb: 16 };
      break;
    }
  }
  cache.set(language, t);
  return t;
}

export function which(name: string): string | undefined {
  return find([name]);
}
