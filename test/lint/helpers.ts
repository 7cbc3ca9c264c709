import { spawnSync } from "node:child_process";
/**
 * Deliberately broken verifiers and specs for the lint tests: each breaks one law or falls to one attack,
 * the way real rewards do (a crash on odd input, a cache shared between terms, a law declared but not
 * kept, a match that accepts any text).
 */
import {
  type CheckReport,
  createRegistry,
  type LintOptions,
  lintSpec,
  ok,
  type Verifier,
  type VerifierRegistry,
} from "../../src/index.js";

type Cfg = Record<string, unknown>;

/** Throws a TypeError on text with a brace: a crash, which totality must report. */
export const crashes: Verifier<Cfg> = {
  type: "lint_crashes",
  description: "test: crashes on a brace",
  configSchema: { properties: {} },
  verify(sample) {
    const t = typeof sample.completion === "string" ? sample.completion : "";
    if (t.includes("{")) (null as unknown as { x: number }).x = 1;
    return ok(1);
  },
};

/** Returns NaN for text with a dollar sign. */
export const nan: Verifier<Cfg> = {
  type: "lint_nan",
  description: "test: NaN on a dollar sign",
  configSchema: { properties: {} },
  verify(sample) {
    const t = typeof sample.completion === "string" ? sample.completion : "";
    return t.includes("$") ? ({ status: "ok", reward: Number.NaN } as never) : ok(1);
  },
};

/** Declares [0, 1] but gives 2 for long text. */
export const outOfRange: Verifier<Cfg> = {
  type: "lint_out_of_range",
  description: "test: 2 for long text",
  configSchema: { properties: {} },
  verify(sample) {
    const t = typeof sample.completion === "string" ? sample.completion : "";
    return ok(t.length > 60 ? 2 : 1);
  },
};

/** A judge with shared mutable state (a call counter): every other call gives 0. */
let calls = 0;
export const stateful: Verifier<Cfg> = {
  type: "lint_stateful",
  description: "test: shared mutable state",
  configSchema: { properties: {} },
  verify() {
    return ok(calls++ % 2);
  },
};

/** Declares a law it does not keep: the reward is read from the text in the way the law forbids. */
function breaks(type: string, laws: Verifier["laws"], f: (t: string, s: Cfg) => number): Verifier<Cfg> {
  return {
    type,
    description: `test: declares ${JSON.stringify(laws)} but does not keep it`,
    configSchema: { properties: {} },
    laws,
    verify(sample) {
      const t = typeof sample.completion === "string" ? sample.completion : "";
      return ok(f(t, sample as Cfg));
    },
  };
}

export const whitespaceBreaker = breaks("lint_ws", { invariant: ["whitespace"] }, (t) =>
  t.includes("  ") || t.includes("\t") ? 0 : 1,
);
export const lineEndingBreaker = breaks("lint_le", { invariant: ["line_endings"] }, (t) =>
  t.includes("\r") ? 0 : 1,
);
export const unicodeBreaker = breaks("lint_uni", { invariant: ["unicode"] }, (t) =>
  t === t.normalize("NFC") ? 1 : 0,
);
export const latexBreaker = breaks("lint_latex", { invariant: ["latex_spacing"] }, (t) =>
  /\\[,;:! ]/.test(t) ? 0 : 1,
);
export const rewriteBreaker = breaks("lint_rewrite", { invariant: ["answer_rewrites"] }, (t) =>
  t.includes("\\frac") ? 1 : 0,
);
export const insensitive = breaks("lint_insensitive", { sensitive_to_answer: true }, () => 1);
export const growing = breaks("lint_growing", { monotone_in_length: "nonincreasing" }, (t) =>
  Math.min(1, t.length / 500),
);
export const lopsided = breaks("lint_lopsided", { symmetric: true }, (t, s) => {
  const answer = /<answer>([\s\S]*)<\/answer>/.exec(t)?.[1] ?? "";
  return answer.includes(String(s.reference ?? "")) ? 1 : 0;
});

/** A registry with the built-in verifiers and the broken ones. */
export function brokenRegistry(): VerifierRegistry {
  const r = createRegistry();
  for (const v of [
    crashes,
    nan,
    outOfRange,
    stateful,
    whitespaceBreaker,
    lineEndingBreaker,
    unicodeBreaker,
    latexBreaker,
    rewriteBreaker,
    insensitive,
    growing,
    lopsided,
    naivePython,
    firstCaseOnly,
  ])
    r.register(v as Verifier);
  return r;
}

/** Runs the named check (only it) and returns its report. */
export async function check(
  name: string,
  spec: object | string,
  samples: unknown[],
  opts: LintOptions = {},
): Promise<CheckReport> {
  const report = await lintSpec(spec, samples, {
    runs: 60,
    seed: 7,
    only: [name],
    maxShrinkRuns: 30,
    ...opts,
  });
  const c = report.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name} in ${report.checks.map((x) => x.name).join(", ")}`);
  return c;
}

function pythonBlock(text: string): string {
  return /```(?:python)?\n([\s\S]*?)```/.exec(text)?.[1] ?? text;
}

/** Runs the program on the host and pays for exit status 0: an early exit passes (a broken reward). */
export const naivePython: Verifier<Cfg> = {
  type: "lint_naive_python",
  description: "test: exit status 0 of program + asserts",
  configSchema: { properties: {} },
  laws: { runs_programs: true },
  verify(sample) {
    const ref = sample.reference as { tests: string[] };
    const program = `${pythonBlock(String(sample.completion))}\n${ref.tests.join("\n")}\n`;
    const r = spawnSync("python3", ["-c", program], { timeout: 5000, encoding: "utf8" });
    return ok(r.status === 0 ? 1 : 0);
  },
};

/** Checks stdin/stdout programs on their first case only: a hard-coded print passes (a broken reward). */
export const firstCaseOnly: Verifier<Cfg> = {
  type: "lint_first_case",
  description: "test: only the first stdio case",
  configSchema: { properties: {} },
  laws: { runs_programs: true },
  verify(sample) {
    const ref = sample.reference as { cases: { input: string; output: string }[] };
    const c = ref.cases[0]!;
    const r = spawnSync("python3", ["-c", pythonBlock(String(sample.completion))], {
      input: c.input,
      timeout: 5000,
      encoding: "utf8",
    });
    return ok(r.status === 0 && r.stdout.trim() === c.output.trim() ? 1 : 0);
  },
};
