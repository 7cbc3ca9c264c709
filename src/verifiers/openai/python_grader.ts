/**
 * openai_python: OpenAI's `python` grader. `source` defines `grade(sample, item) -> float`; it runs in the
 * code verifier's Pyodide sandbox (WebAssembly, no network, no host file system), on one of the code
 * verifier's slots, never in the host. `sample` is the OpenAI sample dict (output_text, output_json,
 * output_tools, choices) and `item` the dataset row (see template.ts). The reward is the float `grade`
 * returns (a bool counts as 1 or 0).
 *
 * Errors, never a 0: a syntax error, an exception in the source or in `grade`, a result that is not a
 * finite number, the memory or output limit are `grader_error` (config_error for a syntax error) flagged
 * `python_grader_runtime_error`; running past the deadline (the node's `timeout_ms`, applied to loading the
 * source and to the call each) is `timeout` flagged `python_grader_runtime_error` and
 * `unresponsive_reward_error`; an interpreter that cannot start or crashed is `sandbox_error` flagged
 * `python_grader_server_error`.
 */
import type { Outcome, Sample, Verifier } from "../../core/index.js";
import { ok } from "../../core/index.js";
import { withSlot } from "../code/limiter.js";
import type { HarnessJob, Runtime } from "../code/types.js";
import { graderFail, graderOutcome } from "./errors.js";
import { itemView, sampleView } from "./template.js";

interface Config {
  source: string;
  image_tag?: string;
  pass_threshold?: number;
  range?: [number, number];
  memory_mb?: number;
}

interface Compiled {
  source: string;
  passThreshold?: number;
  memoryMb: number;
}

const RUNTIME_ERROR = "python_grader_runtime_error" as const;

/**
 * Appended to the source: the harness calls it with the sample and item as JSON text, so they reach
 * grade() as plain Python dicts (None, True, lists), not as converted JavaScript values.
 */
const ENTRY_NAME = "_rk_openai_grade";
const ENTRY = `

def ${ENTRY_NAME}(_rk_sample_json, _rk_item_json):
    import json as _rk_json
    return grade(_rk_json.loads(_rk_sample_json), _rk_json.loads(_rk_item_json))
`;

let runtime: Promise<Runtime> | undefined;

/** The code verifier's Pyodide runtime (shared: same interpreters, same slots). */
function pythonRuntime(): Promise<Runtime> {
  runtime ??= import("../code/runtimes/python.js").then((m) => new m.PythonRuntime() as Runtime);
  return runtime;
}

export const openaiPython: Verifier<Config, Compiled> = {
  type: "openai_python",
  description:
    "OpenAI python grader: grade(sample, item) -> float from `source`, run in the Pyodide sandbox.",
  managesDeadline: true,
  timeoutMs: 30_000,
  range: (c) => c.range ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
  configSchema: {
    required: ["source"],
    properties: {
      source: {
        type: "string",
        minLength: 1,
        description: "Python source defining grade(sample, item) -> float (standard library only).",
      },
      image_tag: { type: "string", description: "OpenAI's grader image; accepted and ignored." },
      pass_threshold: { type: "number", description: "Reported as details.passed; the reward is the score." },
      range: {
        type: "array",
        items: { type: "number" },
        minItems: 2,
        maxItems: 2,
        description: "rewardkit: the range grade() returns within (default: any number).",
      },
      memory_mb: { type: "integer", minimum: 16, maximum: 4096, default: 256 },
    },
  },
  compile(c) {
    if (c.range && !(c.range[0] <= c.range[1])) throw new Error("range: the lower bound exceeds the upper");
    if (!/\bgrade\b/.test(c.source)) throw new Error("source: it must define grade(sample, item)");
    const out: Compiled = { source: c.source, memoryMb: c.memory_mb ?? 256 };
    if (c.pass_threshold !== undefined) out.passThreshold = c.pass_threshold;
    return out;
  },
  async verify(sample: Sample, c, ctx): Promise<Outcome> {
    const job: HarnessJob = {
      kind: "harness",
      language: "python",
      setup: c.source + ENTRY,
      program: c.source + ENTRY,
      trusted: "",
      tests: [
        { call: ENTRY_NAME, args: [JSON.stringify(sampleView(sample)), JSON.stringify(itemView(sample))] },
      ],
      start: 0,
      stopOnFail: true,
      limits: { timeMs: ctx.timeoutMs, memoryMb: c.memoryMb, outputBytes: 1 << 20, compileMs: 0 },
    };
    let r: Awaited<ReturnType<Runtime["run"]>>;
    try {
      const rt = await pythonRuntime();
      r = await withSlot(ctx.signal, (slot) => rt.run(job, slot, ctx.signal));
    } catch (e) {
      return graderOutcome(e, "python_grader_server_error");
    }
    const stderr = r.stderr.trim().slice(-600);
    const extra = stderr ? { stderr } : {};
    if (r.end === "compile_error") {
      return graderFail("config_error", RUNTIME_ERROR, `the grader source does not compile: ${r.stderr}`);
    }
    const t = r.tests[0];
    if (r.end === "timeout" || t?.status === "timeout") {
      const where = r.setupFailed ? "loading the grader source" : "grade()";
      return graderFail(
        "timeout",
        [RUNTIME_ERROR, "unresponsive_reward_error"],
        `${where} did not finish within ${ctx.timeoutMs} ms`,
        extra,
      );
    }
    if (r.end === "crashed" && t?.type === "Crash") {
      return graderFail(
        "sandbox_error",
        "python_grader_server_error",
        t.message ?? "the interpreter crashed",
        extra,
      );
    }
    if (!t) {
      return graderFail(
        "sandbox_error",
        "python_grader_server_error",
        `the run ended (${r.end}) without a result`,
      );
    }
    if (t.status !== "pass") {
      const what = r.setupFailed ? "the grader source failed" : "grade() failed";
      const why =
        t.status === "memory"
          ? "memory limit exceeded"
          : t.status === "output_limit"
            ? "printed more than the output limit"
            : [t.type, t.message].filter(Boolean).join(": ");
      return graderFail("grader_error", RUNTIME_ERROR, `${what}: ${why}`, extra);
    }
    const text = t.value ?? "null";
    if (/^-?(NaN|Infinity)$/.test(text)) {
      return graderFail(
        "grader_error",
        RUNTIME_ERROR,
        `grade() returned ${text}, not a finite number`,
        extra,
      );
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      v = undefined;
    }
    if (typeof v === "boolean") v = v ? 1 : 0;
    if (typeof v !== "number") {
      const shown = text.length > 200 ? `${text.slice(0, 200)}...` : text;
      return graderFail(
        "grader_error",
        RUNTIME_ERROR,
        `grade() must return a float, it returned ${shown}`,
        extra,
      );
    }
    const details: Record<string, unknown> = { ...extra };
    if (c.passThreshold !== undefined) details.passed = v >= c.passThreshold;
    return ok(v, Object.keys(details).length ? { details } : {});
  },
};

/**
 * The syntax error of a grader source, found by Python without running any of it (the source is only
 * compiled, in the sandbox), or null when it compiles. For validating a grader before it runs.
 */
export async function pythonSyntaxError(source: string, signal?: AbortSignal): Promise<string | null> {
  const job: HarnessJob = {
    kind: "harness",
    language: "python",
    setup: `compile(${JSON.stringify(source)}, "<grader>", "exec")\n`,
    program: `compile(${JSON.stringify(source)}, "<grader>", "exec")\n`,
    trusted: "",
    tests: [],
    start: 0,
    stopOnFail: true,
    limits: { timeMs: 10_000, memoryMb: 256, outputBytes: 1 << 16, compileMs: 0 },
  };
  const rt = await pythonRuntime();
  const sig = signal ?? new AbortController().signal;
  const r = await withSlot(sig, (slot) => rt.run(job, slot, sig));
  const t = r.tests[0];
  if (r.end === "compile_error" || (r.setupFailed && t?.type === "SyntaxError")) {
    const msg = (t?.message ?? r.stderr).replace(/^<solution> line \d+: /, "");
    return `SyntaxError: ${msg.replace(/\(<grader>, line (\d+)\)/, "(line $1)")}`;
  }
  return null;
}
