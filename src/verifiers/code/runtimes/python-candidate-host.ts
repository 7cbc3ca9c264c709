/**
 * Starts and drives a candidate process (python-candidate.ts): Node with its permission model (reads
 * only of Pyodide, our own runtime files and the interpreter snapshot; no writes, no child processes,
 * no workers, no addons), inside bubblewrap when it works here (no network, its own pid namespace, only
 * those files mounted). Requests go in on stdin, replies come back on fd 3 through a bounded line
 * reader. A request that overruns its deadline kills the process; the next sample gets a new one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RewardkitError } from "../../../core/index.js";
import { jsonLines } from "./line-reader.js";
import { bwrapArgs, sandboxFacts } from "./sandbox.js";
import { workerModule } from "./task-module.js";

const ENTRY = new URL("./python-candidate.js", import.meta.url);
/** The longest reply line accepted from the candidate (a value, or output within its limit). */
const MAX_LINE = 80 << 20;
const START_MS = 60_000;

export interface CandidateReply {
  id?: number;
  text?: string;
  out?: string;
  err?: string;
  over?: boolean;
  grownMb?: number;
  fatal?: string;
  ready?: boolean;
  loadError?: string;
}

/** What a judge needs of a candidate: a Pyodide process (PyCandidate) or a process-runtime one. */
export interface Candidate {
  request(req: Record<string, unknown>, timeoutMs: number): Promise<CandidateOutcome>;
  kill(): void;
  dead: boolean;
  grown: number;
}

export type CandidateOutcome =
  | { kind: "reply"; reply: CandidateReply; ms: number }
  | { kind: "killed"; ms: number }
  | { kind: "crashed"; message: string; ms: number };

function nearestPackageJson(dir: string): string | undefined {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    const p = join(d, "package.json");
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** How a candidate process is started here: its argv and the isolation it gets. */
export function candidateCommand(snapshot: string | undefined): { argv: string[]; isolation: string } {
  const entry = fileURLToPath(workerModule(ENTRY));
  const codeDir = dirname(dirname(entry));
  const pyodideEntry = createRequire(import.meta.url).resolve("pyodide/pyodide.mjs");
  const pyodideDir = dirname(pyodideEntry);
  const reads = [codeDir, pyodideDir, nearestPackageJson(codeDir), snapshot].filter(Boolean) as string[];
  const node = [
    process.execPath,
    "--permission",
    ...reads.map((r) => `--allow-fs-read=${r}`),
    "--max-old-space-size=512",
    "--disallow-code-generation-from-strings",
    entry,
    pyodideEntry,
    snapshot ?? "",
  ];
  const f = sandboxFacts();
  if (!f.bwrapWorks) return { argv: node, isolation: "pyodide-wasm+node-permission" };
  const binds: string[] = [];
  for (const r of [process.execPath, ...reads]) binds.push("--ro-bind", r, r);
  const box = bwrapArgs({ dir: codeDir, writableDir: false, tmpBytes: 1 << 20 });
  // bwrapArgs ends with "--": our binds go before it.
  return {
    argv: [f.bwrap!, ...box.slice(0, -1), ...binds, "--", ...node],
    isolation: "pyodide-wasm+node-permission+bwrap",
  };
}

export class PyCandidate implements Candidate {
  private child: ChildProcess;
  private waiting: ((r: CandidateReply | Error) => void) | null = null;
  private nextId = 1;
  private stderr = "";
  dead = false;
  grown = 0;
  /** Samples this interpreter has started: 0 while it is fresh from the snapshot. */
  served = 0;
  /** The interpreter itself failed (a WebAssembly trap, not a Python exception) and was killed. */
  trapped = false;
  readonly ready: Promise<void>;

  constructor(argv: string[]) {
    this.child = spawn(argv[0]!, argv.slice(1), {
      stdio: ["pipe", "ignore", "pipe", "pipe"],
      env: {},
      detached: true,
    });
    this.child.stdin!.on("error", () => {});
    this.child.stderr!.on("data", (d: Buffer) => {
      if (this.stderr.length < 4000) this.stderr += d.toString("utf8");
    });
    const rep = this.child.stdio[3] as NodeJS.ReadableStream;
    rep.setEncoding("utf8");
    rep.on("data", (d: string) => this.take(d));
    this.child.on("exit", (code, sig) => {
      this.dead = true;
      const why = `the Python candidate process exited (${sig ?? `code ${code}`})${this.stderr ? `: ${this.stderr.trim().slice(0, 500)}` : ""}`;
      this.waiting?.(new Error(why));
      this.waiting = null;
    });
    this.child.on("error", (e) => {
      this.dead = true;
      this.waiting?.(e);
      this.waiting = null;
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new RewardkitError("sandbox_error", "the Python candidate process did not start in time"));
      }, START_MS);
      this.waiting = (r) => {
        clearTimeout(timer);
        if (r instanceof Error) reject(new RewardkitError("sandbox_error", r.message));
        else if (r.loadError)
          reject(new RewardkitError("sandbox_error", `Pyodide failed to start: ${r.loadError}`));
        else resolve();
      };
    });
    this.ready.then(
      () => this.unref(),
      () => this.kill(),
    );
  }

  private unref(): void {
    this.child.unref();
    for (const s of this.child.stdio) (s as unknown as { unref?: () => void } | null)?.unref?.();
  }

  private ref(): void {
    this.child.ref();
    for (const s of this.child.stdio) (s as unknown as { ref?: () => void } | null)?.ref?.();
  }

  private readonly take = jsonLines<CandidateReply>(
    MAX_LINE,
    (r) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(r);
    },
    () => this.kill(),
  );

  /** Sends one request; past `timeoutMs` the process is killed and the outcome is `killed`. */
  request(req: Record<string, unknown>, timeoutMs: number): Promise<CandidateOutcome> {
    const t0 = performance.now();
    if (this.dead)
      return Promise.resolve({ kind: "crashed", message: "the candidate process is gone", ms: 0 });
    const id = this.nextId++;
    this.ref();
    return new Promise<CandidateOutcome>((resolve) => {
      const done = (o: CandidateOutcome) => {
        clearTimeout(timer);
        if (!this.dead) this.unref();
        resolve(o);
      };
      const timer = setTimeout(() => {
        this.waiting = null;
        this.kill();
        done({ kind: "killed", ms: performance.now() - t0 });
      }, timeoutMs);
      this.waiting = (r) => {
        const ms = performance.now() - t0;
        if (r instanceof Error) done({ kind: "crashed", message: r.message, ms });
        else if (r.fatal !== undefined) {
          this.trapped = true;
          this.kill();
          done({ kind: "crashed", message: r.fatal, ms });
        } else if (r.id !== id)
          done({ kind: "crashed", message: "the candidate process answered out of turn", ms });
        else done({ kind: "reply", reply: r, ms });
      };
      this.child.stdin!.write(`${JSON.stringify({ ...req, id })}\n`);
    });
  }

  kill(): void {
    if (this.dead) return;
    this.dead = true;
    try {
      if (this.child.pid) process.kill(-this.child.pid, "SIGKILL");
    } catch {
      this.child.kill("SIGKILL");
    }
  }
}
