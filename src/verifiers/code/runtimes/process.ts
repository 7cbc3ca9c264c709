/**
 * The `process` runtime: native interpreters and compilers of this machine (languages.ts), each run a
 * fresh OS process in its own process group, under rlimits, inside bubblewrap (sandbox.ts; without it,
 * only when the spec says "sandbox": "none"), killed as a group at the deadline. Python and JavaScript
 * programs are candidates answering calls on fd 3 with plain data: assert-style tests run in a judge,
 * call tests and stdin/stdout outputs are compared by the host. C, C++ and bash appended tests run apart
 * from the program (native.ts), their per-run marker given on fd 5 only (never in argv or env). A wrapper shell writes one byte to fd 4 just before it execs the program: a run that never got
 * there is a sandbox failure, not the program's. Compiled programs run from a dir holding only the binary.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  closeSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import { join } from "node:path";
import { RewardkitError } from "../../../core/index.js";
import { JS_PROCESS_SERVER } from "../bridge/plain-js.js";
import { PY_CANDIDATE, PY_PLAIN, PY_PROCESS_SERVER } from "../bridge/plain-py.js";
import { PY_HARNESS } from "../harness-py.js";
import type { HarnessJob, Isolation, Job, RunResult, Runtime, TestOutcome } from "../types.js";
import { jsJudgedHarness } from "./js-relay.js";
import { type Toolchain, toolchain } from "./languages.js";
import { BUILD_SH, RUNNER_C, RUNNER_SH, testsUnit } from "./native.js";
import { ProcCandidate } from "./process-candidate.js";
import { judgedHarness } from "./python.js";
import {
  bwrapArgs,
  killUid,
  ownsUids,
  processIsolation,
  runUid,
  type SandboxMode,
  sandboxFacts,
} from "./sandbox.js";

/** Time allowed for the interpreter to start, on top of the limit of the first test. */
const STARTUP_MS = 500;
const TMP_BYTES = 64 << 20;
const MAX_PROCS = 64;

interface Spawned {
  end: RunResult["end"];
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  reports: Record<string, unknown>[];
  started: boolean;
  ms: number;
}

interface SpawnOpts {
  argv: string[];
  dir: string;
  writableDir: boolean;
  stdin: string;
  /** The uid the program runs as (when the host runs as root). */
  uid: number;
  timeMs: number;
  cpuSeconds: number;
  addressSpaceMb: number;
  /** RLIMIT_DATA (heap and private writable mappings) instead of RLIMIT_AS, when the toolchain needs it. */
  dataMb?: number | undefined;
  fileBytes: number;
  outputBytes: number;
  procs: number;
  marker: string;
  /** Written on fd 5 (then closed): the native runners' marker and tests, never in argv or env. */
  fd5?: string;
  signal: AbortSignal;
}

export class ProcessRuntime implements Runtime {
  readonly name = "process" as const;
  private readonly compiled = new Map<string, Promise<{ dir: string; error?: string }>>();
  private readonly dirs = new Set<string>();

  constructor(private readonly mode: SandboxMode = "auto") {}

  useBwrap(): boolean {
    return this.isolation() === "bwrap";
  }

  /** Throws sandbox_error when bwrap is required (any mode but "none") and does not work here. */
  isolation(): Isolation {
    return processIsolation(this.mode);
  }

  async run(job: Job, slot: number, signal: AbortSignal): Promise<RunResult> {
    const tc = toolchain(job.language);
    if (!tc) throw new RewardkitError("sandbox_error", `no ${job.language} toolchain found on this machine`);
    if (!sandboxFacts().prlimit)
      throw new RewardkitError("sandbox_error", "prlimit (util-linux) is not installed");
    const isolation = this.isolation();
    // Native appended tests never share a file with the program (a job without parts: setup | tests).
    if (job.kind === "harness" && !tc.harness) return this.runNative(job, tc, isolation, signal);
    // Python and JavaScript tests run in a judge (assert-style) or in the host (call tests); the program,
    // alone, in the sandbox, answering calls with plain data.
    if (job.kind === "harness") {
      const c = this.startCandidate(job, tc);
      let r: RunResult;
      try {
        r =
          tc.harness === "python"
            ? await judgedHarness(c, slot, job, signal, isolation)
            : await jsJudgedHarness(c, slot, job, signal, isolation);
      } finally {
        c.kill();
        await c.closed;
      }
      // Output still in the pipe when a reply came first: over the limit is over the limit.
      if (c.overflowed && r.end !== "output_limit" && r.tests.length > 0) {
        const last = r.tests[r.tests.length - 1]!;
        r.tests[r.tests.length - 1] = { index: last.index, status: "output_limit", ms: last.ms };
        return { ...r, end: "output_limit" };
      }
      return r;
    }
    // A stdin/stdout program: the host compares what it printed. No marker: nothing it writes is a report.
    const uid = runUid();
    let runDir: string;
    let argv: string[];
    let work: string | undefined;
    if (tc.compile) {
      const c = await this.compile(
        tc,
        { [tc.file]: job.source },
        tc.compile(tc.file),
        job.limits.compileMs,
        signal,
      );
      if (c.error !== undefined) {
        return { end: "compile_error", tests: [], stdout: "", stderr: c.error, ms: 0, isolation };
      }
      runDir = c.dir;
      argv = tc.run(this.path(runDir, "prog"), job.limits.memoryMb);
    } else {
      work = this.newDir(uid);
      runDir = work;
      this.write(work, tc.file, job.source, uid);
      argv = tc.run(this.path(work, tc.file), job.limits.memoryMb);
    }
    try {
      const totalMs = STARTUP_MS + job.limits.timeMs;
      const s = await this.spawn({
        argv,
        dir: runDir,
        writableDir: false,
        stdin: job.stdin,
        uid,
        timeMs: totalMs,
        cpuSeconds: Math.ceil(totalMs / 1000) + 1,
        addressSpaceMb: job.limits.memoryMb + tc.addressSpaceExtraMb,
        dataMb: tc.dataMb?.(job.limits.memoryMb),
        fileBytes: 16 << 20,
        outputBytes: job.limits.outputBytes,
        procs: MAX_PROCS,
        marker: "",
        signal,
      });
      // JS cannot crash node by itself: a fatal signal under the data limit is a failed allocation (V8
      // often dies of it without a word). Inside bwrap it shows as exit code 128 + signal.
      if (tc.dataMb && s.end !== "timeout" && s.end !== "output_limit" && oomSignal(s)) s.end = "memory";
      return this.plainResult(s, isolation);
    } finally {
      if (work) this.removeDir(work);
    }
  }

  /**
   * A python3 or node candidate for the judge: the program arrives in the first request, never on disk,
   * and the tests never enter the sandbox. The Python server runs in a namespace of its own with a
   * private copy of the builtins.
   */
  private startCandidate(job: HarnessJob, tc: Toolchain): ProcCandidate {
    const uid = runUid();
    const work = this.newDir(uid);
    let entry: string;
    if (tc.harness === "js") {
      this.write(work, "server.js", JS_PROCESS_SERVER, uid);
      entry = "server.js";
    } else {
      this.write(work, "server.py", `${PY_HARNESS}\n${PY_PLAIN}\n${PY_CANDIDATE}\n${PY_PROCESS_SERVER}`, uid);
      const server = JSON.stringify(this.path(work, "server.py"));
      this.write(
        work,
        "boot.py",
        `import builtins\nexec(compile(open(${server}).read(), "<harness>", "exec"), {"__name__": "_rk_harness", "__builtins__": dict(builtins.__dict__)})\n`,
        uid,
      );
      entry = "boot.py";
    }
    const total = STARTUP_MS + job.limits.timeMs * Math.max(1, job.tests.length - job.start);
    const cmd = this.command({
      argv: tc.run(this.path(work, entry), job.limits.memoryMb),
      dir: work,
      writableDir: false,
      uid,
      cpuSeconds: Math.ceil(total / 1000) + 1,
      addressSpaceMb: job.limits.memoryMb + tc.addressSpaceExtraMb,
      dataMb: tc.dataMb?.(job.limits.memoryMb),
      fileBytes: 16 << 20,
      procs: MAX_PROCS,
    });
    let child: ChildProcess;
    try {
      child = spawn(cmd.argv[0]!, cmd.argv.slice(1), {
        cwd: cmd.cwd,
        env: cmd.env,
        detached: true,
        stdio: ["pipe", "pipe", "pipe", "pipe", "pipe"],
      });
    } catch (e) {
      this.removeDir(work);
      throw new RewardkitError("sandbox_error", `cannot start a process: ${(e as Error).message}`);
    }
    child.stdin!.end();
    return new ProcCandidate(
      child,
      job.limits.outputBytes,
      async () => {
        if (cmd.asRoot && ownsUids()) await killUid(uid);
        this.removeDir(work);
      },
      (exitCode, signal, stderr) =>
        memoryHint(stderr) || (tc.dataMb !== undefined && oomSignal({ exitCode, signal } as Spawned)),
    );
  }

  /** C, C++ and bash appended tests (native.ts): a pass needs exit 0 and the runner's end report. */
  private async runNative(
    job: HarnessJob,
    tc: Toolchain,
    isolation: Isolation,
    signal: AbortSignal,
  ): Promise<RunResult> {
    const parts = job.native ?? {
      program: job.setup,
      declarations: "",
      tests: job.tests.map((t) => ("code" in t ? t.code : "")).join("\n"),
      entry: "",
    };
    const marker = randomBytes(16).toString("hex");
    const uid = runUid();
    let dir: string;
    let argv: string[];
    let fd5 = marker;
    let work: string | undefined;
    if (tc.cc) {
      const { path, flags, ext } = tc.cc;
      // The program compiles alone (./prog is its object): the tests are not there to be included.
      const src = `prog.${ext}`;
      const argvP = [path, ...flags, "-c", src, "-o", "prog"];
      const o = await this.compile(tc, { [src]: parts.program }, argvP, job.limits.compileMs, signal);
      if (o.error !== undefined)
        return { end: "compile_error", tests: [], stdout: "", stderr: o.error, ms: 0, isolation };
      const files = {
        "build.sh": BUILD_SH,
        "runner.c": RUNNER_C,
        [`tests.${ext}`]: testsUnit(parts.declarations, parts.tests),
        "prog.o": readFileSync(join(o.dir, "prog")),
      };
      const argv0 = ["/bin/sh", "build.sh", path, ext, ...flags];
      const c = await this.compile(tc, files, argv0, job.limits.compileMs, signal);
      if (c.error !== undefined) {
        if (c.code === 10)
          throw new RewardkitError(
            "invalid_input",
            `reference: the tests do not compile on their own (they see the prompt's declarations, not the program): ${c.error.slice(0, 1500)}`,
          );
        // 13: the program does not link with the tests; null: the build timed out. Else ours failed.
        if (c.code !== 13 && c.code !== null)
          throw new RewardkitError(
            "sandbox_error",
            `the test build failed (exit ${c.code}): ${c.error.slice(0, 500)}`,
          );
        return { end: "compile_error", tests: [], stdout: "", stderr: c.error, ms: 0, isolation };
      }
      dir = c.dir;
      argv = [this.path(dir, "prog")];
    } else {
      work = this.newDir(uid);
      dir = work;
      this.write(work, "run.sh", RUNNER_SH, uid);
      this.write(work, tc.file, parts.program, uid);
      const run = tc.run(this.path(work, "run.sh"), job.limits.memoryMb);
      argv = [...run, this.path(work, tc.file), parts.entry];
      fd5 = `${marker}\n${parts.tests}`;
    }
    try {
      const totalMs = STARTUP_MS + job.limits.timeMs * Math.max(1, job.tests.length - job.start);
      const s = await this.spawn({
        argv,
        dir,
        writableDir: false,
        stdin: "",
        uid,
        timeMs: STARTUP_MS + job.limits.timeMs,
        cpuSeconds: Math.ceil(totalMs / 1000) + 1,
        addressSpaceMb: job.limits.memoryMb + tc.addressSpaceExtraMb,
        fileBytes: 16 << 20,
        outputBytes: job.limits.outputBytes,
        procs: MAX_PROCS,
        marker,
        fd5,
        signal,
      });
      return this.nativeResult(job, s, isolation);
    } finally {
      if (work) this.removeDir(work);
    }
  }

  private nativeResult(job: HarnessJob, s: Spawned, isolation: Isolation): RunResult {
    const ended = s.reports.some((r) => r.end === true);
    let end = s.end;
    if (end === "exited" && s.exitCode !== 0) end = memoryHint(s.stderr) ? "memory" : "crashed";
    if (end === "crashed" && memoryHint(s.stderr)) end = "memory";
    const status = statusOfEnd(end, ended ? "pass" : "exit");
    const t: TestOutcome = { index: job.start, status, ms: s.ms };
    if (status === "exit") {
      t.type = "exit code 0";
      t.message = "the program exited before the tests reached their end";
    } else if (status === "error") {
      t.type = s.signal ? `signal ${s.signal}` : `exit code ${s.exitCode}`;
      t.message = s.stderr.slice(-2000);
    }
    // One run holds every test: its outcome is every test's.
    const tests = job.tests.slice(job.start).map((_, k) => ({ ...t, index: job.start + k }));
    return {
      end: "completed",
      tests,
      stdout: s.stdout,
      stderr: s.stderr,
      exitCode: s.exitCode,
      signal: s.signal,
      ms: s.ms,
      isolation,
    };
  }

  private plainResult(s: Spawned, isolation: Isolation): RunResult {
    let end = s.end;
    if (end === "exited" && s.exitCode !== 0) end = memoryHint(s.stderr) ? "memory" : "crashed";
    if (end === "crashed" && memoryHint(s.stderr)) end = "memory";
    return {
      end,
      tests: [],
      stdout: s.stdout,
      stderr: s.stderr,
      exitCode: s.exitCode,
      signal: s.signal,
      ms: s.ms,
      isolation,
    };
  }

  /**
   * Compiles `files` with `argv` in a work dir, then moves ./prog alone into a dir of its own: at run
   * time the program finds no source (nor tests) beside /proc/self/exe. `error` holds the compiler's
   * stderr, `code` its exit status.
   */
  private async compile(
    tc: Toolchain,
    files: Record<string, string | Buffer>,
    argv: string[],
    compileMs: number,
    signal: AbortSignal,
  ): Promise<{ dir: string; error?: string; code?: number | null }> {
    const h = createHash("sha256").update(tc.language).update("\0").update(argv.join("\0"));
    for (const [f, t] of Object.entries(files)) h.update("\0").update(f).update("\0").update(t);
    const key = h.digest("hex");
    let p = this.compiled.get(key);
    if (!p) {
      p = (async () => {
        const uid = runUid();
        const dir = this.newDir(uid);
        for (const [f, t] of Object.entries(files)) this.write(dir, f, t, uid);
        const s = await this.spawn({
          argv,
          dir,
          writableDir: true,
          stdin: "",
          uid,
          timeMs: compileMs,
          cpuSeconds: Math.ceil(compileMs / 1000) + 1,
          addressSpaceMb: 4096,
          fileBytes: 256 << 20,
          outputBytes: 1 << 20,
          procs: 64,
          marker: "",
          signal,
        });
        if (s.end === "exited" && s.exitCode === 0) {
          const bin = this.newDir(uid);
          renameSync(join(dir, "prog"), join(bin, "prog"));
          this.removeDir(dir);
          return { dir: bin };
        }
        this.removeDir(dir);
        const why =
          s.end === "timeout"
            ? "compilation timed out"
            : s.stderr.slice(0, 4000) || `compiler exit ${s.exitCode}`;
        return { dir, error: why, code: s.end === "exited" ? s.exitCode : null };
      })();
      this.compiled.set(key, p);
      // Keep a few compiled programs (a sample's tests reuse one); drop the oldest.
      if (this.compiled.size > 16) {
        const [oldKey, old] = this.compiled.entries().next().value as [string, Promise<{ dir: string }>];
        this.compiled.delete(oldKey);
        void old.then((o) => this.removeDir(o.dir));
      }
    }
    const r = await p;
    if (r.error !== undefined && /timed out/.test(r.error)) this.compiled.delete(key);
    return r;
  }

  /** Deletes cached compiled programs. */
  close(): void {
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.dirs.clear();
    this.compiled.clear();
  }

  private path(dir: string, file: string): string {
    return this.useBwrap() ? `/box/${file}` : join(dir, file);
  }

  private newDir(uid: number): string {
    const dir = mkdtempSync(join(workRoot(), "run-"));
    this.dirs.add(dir);
    if (sandboxFacts().root && sandboxFacts().setpriv) chownSync(dir, uid, uid);
    chmodSync(dir, 0o755);
    return dir;
  }

  private removeDir(dir: string): void {
    this.dirs.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  }

  private write(dir: string, file: string, text: string | Buffer, uid: number): void {
    const p = join(dir, file);
    writeFileSync(p, text, { mode: 0o644 });
    if (sandboxFacts().root && sandboxFacts().setpriv) chownSync(p, uid, uid);
  }

  /** The sandboxed command line of a run (setpriv, bwrap, prlimit, the start-marker shell), its cwd and env. */
  command(o: Omit<SpawnOpts, "stdin" | "timeMs" | "outputBytes" | "marker" | "signal">): {
    argv: string[];
    cwd: string;
    env: Record<string, string>;
    asRoot: boolean;
  } {
    const f = sandboxFacts();
    const bwrap = this.useBwrap();
    const uid = o.uid;
    const asRoot = f.root && f.setpriv !== undefined;
    const prefix: string[] = [];
    if (asRoot) {
      prefix.push(
        f.setpriv!,
        `--reuid=${uid}`,
        `--regid=${uid}`,
        "--clear-groups",
        "--no-new-privs",
        "--pdeathsig=KILL",
        "--",
      );
    }
    if (bwrap)
      prefix.push(f.bwrap!, ...bwrapArgs({ dir: o.dir, writableDir: o.writableDir, tmpBytes: TMP_BYTES }));
    prefix.push(
      f.prlimit!,
      `--cpu=${o.cpuSeconds}`,
      o.dataMb ? `--data=${o.dataMb * 1048576}` : `--as=${o.addressSpaceMb * 1048576}`,
      `--fsize=${o.fileBytes}`,
      `--nproc=${o.procs}`,
      "--core=0",
      "--",
      "/bin/sh",
      "-c",
      'printf S >&4; exec "$@"',
      "sh",
    );
    const env: Record<string, string> = {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: bwrap ? "/tmp" : o.dir,
      TMPDIR: bwrap ? "/tmp" : o.dir,
      LANG: "C.UTF-8",
      PYTHONHASHSEED: "0",
      PYTHONDONTWRITEBYTECODE: "1",
    };
    return { argv: [...prefix, ...o.argv], cwd: bwrap ? "/" : o.dir, env, asRoot };
  }

  private spawn(o: SpawnOpts): Promise<Spawned> {
    const { argv, cwd, env, asRoot } = this.command(o);
    const uid = o.uid;
    return new Promise<Spawned>((resolve, reject) => {
      const t0 = performance.now();
      let child: ChildProcess;
      let input: number | undefined;
      try {
        input = stdinFile(o.stdin);
        child = spawn(argv[0]!, argv.slice(1), {
          cwd,
          env,
          detached: true,
          stdio: [input, "pipe", "pipe", "pipe", "pipe", ...(o.fd5 === undefined ? [] : ["pipe" as const])],
        });
      } catch (e) {
        reject(new RewardkitError("sandbox_error", `cannot start a process: ${(e as Error).message}`));
        return;
      } finally {
        if (input !== undefined) closeSync(input);
      }
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let bytes = 0;
      let end: RunResult["end"] | undefined;
      let started = false;
      const reports: Record<string, unknown>[] = [];
      let reportBuf = "";
      let killed = false;
      const killGroup = (why: RunResult["end"]) => {
        end ??= why;
        if (killed) return;
        killed = true;
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {}
      };
      const timer = setTimeout(() => killGroup("timeout"), o.timeMs);
      const onAbort = () => killGroup("timeout");
      o.signal.addEventListener("abort", onAbort, { once: true });
      const take = (list: Buffer[]) => (d: Buffer) => {
        bytes += d.length;
        if (bytes > o.outputBytes) {
          killGroup("output_limit");
          return;
        }
        list.push(d);
      };
      child.stdout!.on("data", take(out));
      child.stderr!.on("data", take(err));
      const status = child.stdio[4] as NodeJS.ReadableStream;
      status.on("data", () => {
        started = true;
      });
      const rep = child.stdio[3] as NodeJS.ReadableStream;
      rep.on("data", (d: Buffer) => {
        reportBuf += d.toString("utf8");
        if (reportBuf.length > 64 << 20) killGroup("output_limit");
        let nl = reportBuf.indexOf("\n");
        while (nl >= 0) {
          const line = reportBuf.slice(0, nl);
          reportBuf = reportBuf.slice(nl + 1);
          nl = reportBuf.indexOf("\n");
          let r: Record<string, unknown>;
          try {
            r = JSON.parse(line);
          } catch {
            continue;
          }
          if (!o.marker || r.m !== o.marker) continue; // forged or stray: ignored
          reports.push(r);
        }
      });
      if (o.fd5 !== undefined) {
        const secret = (child.stdio as unknown as NodeJS.WritableStream[])[5]!;
        secret.on("error", () => {});
        secret.end(o.fd5);
      }
      child.on("error", (e) => {
        clearTimeout(timer);
        o.signal.removeEventListener("abort", onAbort);
        reject(new RewardkitError("sandbox_error", `cannot start a process: ${e.message}`));
      });
      let settled = false;
      let ms = 0;
      let swept: Promise<number> = Promise.resolve(0);
      child.on("exit", () => {
        ms = performance.now() - t0;
        clearTimeout(timer);
        o.signal.removeEventListener("abort", onAbort);
        // Whatever the program left behind in its group or under its uid goes too (it may hold the pipes).
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {}
        if (asRoot && ownsUids()) swept = killUid(uid);
        // An escaped child without a uid of its own could keep the pipes open: do not wait for it.
        setTimeout(() => {
          if (!settled) for (const s of child.stdio) s?.destroy();
        }, 500).unref();
      });
      child.on("close", async (code, sig) => {
        await swept;
        settled = true;
        clearTimeout(timer);
        if (!ms) ms = performance.now() - t0;
        const stderr = Buffer.concat(err).toString("utf8");
        if (!started && end === undefined) {
          reject(
            new RewardkitError(
              "sandbox_error",
              `the sandbox failed to start the program: ${stderr.slice(0, 500) || `exit ${code}`}`,
            ),
          );
          return;
        }
        if (end === undefined && sig === "SIGXCPU") end = "timeout";
        if (end === undefined && sig) end = "crashed";
        resolve({
          end: end ?? "exited",
          stdout: Buffer.concat(out).toString("utf8"),
          stderr,
          exitCode: code,
          signal: sig,
          reports,
          started,
          ms,
        });
      });
    });
  }
}

let root: string | undefined;

/**
 * This process's directory for work and compiled programs, under the system temp dir. A host that was
 * killed cannot clean up after itself, so directories of processes that are gone (and that belong to
 * our uid: sandboxed programs cannot plant one) are removed when the next one starts.
 */
function workRoot(): string {
  if (root) return root;
  const me = typeof process.getuid === "function" ? process.getuid() : -1;
  try {
    for (const e of readdirSync(tmpdir())) {
      const m = /^rk-code-(\d+)-/.exec(e);
      if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
      const p = join(tmpdir(), e);
      const st = lstatSync(p);
      if (st.isDirectory() && st.uid === me) rmSync(p, { recursive: true, force: true });
    }
  } catch {}
  root = mkdtempSync(join(tmpdir(), `rk-code-${process.pid}-`));
  chmodSync(root, 0o755);
  const made = root;
  process.once("exit", () => rmSync(made, { recursive: true, force: true }));
  return root;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function oomSignal(s: Spawned): boolean {
  const OOM = ["SIGSEGV", "SIGBUS", "SIGABRT", "SIGTRAP", "SIGILL"];
  if (s.signal) return OOM.includes(s.signal);
  const n = (s.exitCode ?? 0) - 128;
  return n > 0 && OOM.some((sig) => osConstants.signals[sig as keyof typeof osConstants.signals] === n);
}

/** A test's status from how its run ended; `exited` is the status of a normal exit. */
function statusOfEnd(end: RunResult["end"], exited: "pass" | "exit"): TestOutcome["status"] {
  if (end === "exited") return exited;
  if (end === "timeout" || end === "memory" || end === "output_limit") return end;
  return "error";
}

function memoryHint(stderr: string): boolean {
  return /MemoryError|std::bad_alloc|heap out of memory|Cannot allocate memory|Array buffer allocation failed|out of memory|Unable to grow instance memory|could not allocate memory/i.test(
    stderr.slice(-4000),
  );
}

/**
 * The program's standard input as a file (read-only, already unlinked): a pipe from Node is a socket,
 * which `open('/dev/stdin')` cannot reopen (ENXIO), and honest programs read their input that way too.
 * Returns the descriptor to hand to the child; the caller closes it once the child has it.
 */
function stdinFile(text: string): number {
  const path = join(tmpdir(), `rk-stdin-${process.pid}-${randomBytes(8).toString("hex")}`);
  const w = openSync(path, "wx", 0o444);
  let r: number;
  try {
    writeFileSync(w, text);
    r = openSync(path, "r");
  } finally {
    closeSync(w);
    unlinkSync(path);
  }
  return r;
}
