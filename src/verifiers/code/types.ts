/**
 * Shared types of the code verifier: languages, test formats, per-test verdicts and the jobs a runtime
 * executes. A runtime never decides a reward: it runs programs and reports what happened.
 */

export const LANGUAGES = ["python", "js", "ts", "c", "cpp", "bash"] as const;
export type Language = (typeof LANGUAGES)[number];

export const FORMATS = ["humaneval", "asserts", "append", "stdio", "call"] as const;
export type Format = (typeof FORMATS)[number];

export const VERDICTS = [
  "pass",
  "wrong_answer",
  "runtime_error",
  "timeout",
  "memory_limit",
  "output_limit",
  "compile_error",
] as const;
export type Verdict = (typeof VERDICTS)[number];

export type RuntimeName = "js" | "python" | "process";
export type Isolation =
  | "isolated-vm"
  | "pyodide-wasm"
  | "pyodide-wasm+node-permission"
  | "pyodide-wasm+node-permission+bwrap"
  | "bwrap"
  | "none (rlimits only)";

export interface Limits {
  /** Wall-clock limit of one test (and of the setup before the first test), in ms. */
  timeMs: number;
  /** Memory limit in MiB (isolate heap, interpreter heap or address space). */
  memoryMb: number;
  /** Bytes of stdout + stderr one run may print. */
  outputBytes: number;
  /** Time limit of a compile step (C, C++), in ms. */
  compileMs: number;
}

/** One test of a harness program: a piece of code to run, or a call whose return value is compared. */
export type HarnessTest = { code: string } | { call: string; args: unknown[] };

/**
 * A harness job: run `setup` (the solution and whatever the tests define) once, then the tests from
 * index `start` in order, each under its own deadline, reporting each outcome. Stops after the first
 * failure when `stopOnFail`.
 */
export interface HarnessJob {
  kind: "harness";
  language: Language;
  /** The candidate's program and the tests' own code together (runtimes without a judge). */
  setup: string;
  /** The candidate's program alone (runtimes with a judge: it never sees the tests). */
  program: string;
  /** Trusted code the judge runs before the tests: the prompt's helpers, the reference's setup. */
  trusted: string;
  /** The function the tests call `candidate`, when the format names one. */
  entry?: string;
  tests: HarnessTest[];
  start: number;
  stopOnFail: boolean;
  limits: Limits;
  /** C, C++, bash: the program and the tests, kept apart (`setup` is unused). */
  native?: NativeParts;
}

/** The parts of a native appended-tests job (see program.ts `nativeParts`). */
export interface NativeParts {
  /** The candidate's program (its own unit). */
  program: string;
  /** C/C++: what the tests' unit may know of the program (the reference's prompt, as declarations). */
  declarations: string;
  /** The reference's setup and tests, in order. */
  tests: string;
  /** The function under test (bash keeps it even when a command has its name). */
  entry: string;
}

/** A stdio job: run the program once with `stdin`, capture its output. */
export interface StdioJob {
  kind: "stdio";
  language: Language;
  source: string;
  stdin: string;
  limits: Limits;
}

export type Job = HarnessJob | StdioJob;

/** What happened to one test inside a harness run. */
export interface TestOutcome {
  index: number;
  /** pass: completed without error; fail: assertion error; error: any other exception. */
  status: "pass" | "fail" | "error" | "timeout" | "memory" | "output_limit" | "exit" | "compile";
  /** The exception type (AssertionError, ZeroDivisionError, ...). */
  type?: string;
  message?: string;
  /** The JSON text of the returned value (call tests). */
  value?: string;
  ms: number;
}

/** How a run ended as a whole. */
export type RunEnd =
  | "completed" // ran to its end (harness: the last test was reached and the end marker seen)
  | "exited" // the program exited (stdio: normal end; harness: before the tests were done)
  | "timeout"
  | "memory"
  | "output_limit"
  | "crashed" // killed by a signal or the interpreter died
  | "compile_error";

export interface RunResult {
  end: RunEnd;
  /** Per-test outcomes, in order, for harness jobs. */
  tests: TestOutcome[];
  stdout: string;
  stderr: string;
  exitCode?: number | null;
  signal?: string | null;
  ms: number;
  isolation: Isolation;
  /** The program failed before its first test (its outcome is the first entry of `tests`). */
  setupFailed?: boolean;
}

/** A runtime executes jobs; it throws RewardkitError("sandbox_error") when it cannot run at all. */
export interface Runtime {
  readonly name: RuntimeName;
  /** Runs one job on a slot of the global concurrency limit (the caller holds the slot). */
  run(job: Job, slot: number, signal: AbortSignal): Promise<RunResult>;
  /** The isolation this runtime gives on this machine. */
  isolation(language: Language): Isolation;
}
