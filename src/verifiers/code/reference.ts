/**
 * The tests of a sample live in its reference. One shape per format (documented in docs/code.md):
 *
 *   {"format": "humaneval", "language"?, "prompt", "test", "entry_point"}
 *   {"format": "asserts", "tests": [...], "setup"?, "entry_point"?}
 *   {"format": "append", "tests": "..." | [...], "prompt"?, "entry_point"?}
 *   {"format": "stdio", "cases": [{"input", "output", "weight"?}], "compare"?}
 *   {"format": "call", "fn_name", "cases": [{"args", "expected", "weight"?}]}
 *
 * Any of them may also set "language", "mode", "weights", "limits" {time_ms, memory_mb, output_bytes,
 * compile_ms}, "compare", "ignore_case" and "tolerance". A reference given as a JSON string is parsed.
 */
import { kindOf, RewardkitError } from "../../core/index.js";
import { exactNumbers, parseExact, parseLossless, roundedInteger } from "./compare.js";
import { FORMATS, type Format, LANGUAGES, type Language } from "./types.js";

export const MODES = ["binary", "fraction", "first_failure", "weighted"] as const;
export type Mode = (typeof MODES)[number];

export interface Problem {
  language: Language;
  format: Format;
  prompt?: string;
  entry?: string;
  /** humaneval: the test code that defines check(candidate). */
  test?: string;
  /** asserts / append: test snippets. */
  tests?: string[];
  setup?: string;
  /** stdio cases. */
  cases?: { input: string; output: string }[];
  fn?: string;
  calls?: { args: unknown[]; expected: unknown }[];
  weights?: number[];
  mode?: Mode;
  limits: { time_ms?: number; memory_mb?: number; output_bytes?: number; compile_ms?: number };
  compare?: string;
  ignoreCase?: boolean;
  tolerance?: number;
}

const LANG_ALIASES: Record<string, Language> = {
  python: "python",
  python3: "python",
  py: "python",
  js: "js",
  javascript: "js",
  node: "js",
  ts: "ts",
  typescript: "ts",
  c: "c",
  cpp: "cpp",
  "c++": "cpp",
  bash: "bash",
  sh: "bash",
  shell: "bash",
};

/** The language a name stands for (`python3`, `node`, `c++`, ...), or undefined. */
export function languageNamed(name: string): Language | undefined {
  return LANG_ALIASES[name.toLowerCase()];
}

export function parseLanguage(v: unknown, where: string): Language {
  const l = typeof v === "string" ? languageNamed(v) : undefined;
  if (!l)
    throw new RewardkitError(
      "invalid_input",
      `${where}: unknown language ${JSON.stringify(v)} (known: ${LANGUAGES.join(", ")})`,
    );
  return l;
}

function bad(msg: string): never {
  throw new RewardkitError("invalid_input", `reference: ${msg}`);
}

function str(o: Record<string, unknown>, k: string, required: boolean): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) {
    if (required) bad(`'${k}' is required for format '${String(o.format)}'`);
    return undefined;
  }
  if (typeof v !== "string") bad(`'${k}' must be a string, got ${kindOf(v)}`);
  return v;
}

/** A stdio value: a string, or an object with stdin/stdout (CodeContests), or a list of lines. */
function ioText(v: unknown, key: "stdin" | "stdout", where: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return `${v.join("\n")}\n`;
  if (v && typeof v === "object" && typeof (v as Record<string, unknown>)[key] === "string") {
    return (v as Record<string, string>)[key]!;
  }
  return bad(`${where} must be text (or {"${key}": text}), got ${kindOf(v)}`);
}

function weightsOf(
  cases: Record<string, unknown>[] | undefined,
  explicit: unknown,
  n: number,
): number[] | undefined {
  if (explicit !== undefined) {
    if (
      !Array.isArray(explicit) ||
      explicit.length !== n ||
      !explicit.every((w) => typeof w === "number" && w >= 0)
    ) {
      bad(`'weights' must be ${n} non-negative numbers, one per test`);
    }
    return explicit as number[];
  }
  if (cases?.some((c) => c.weight !== undefined)) {
    return cases.map((c, i) => {
      const w = c.weight ?? 1;
      if (typeof w !== "number" || w < 0) bad(`cases[${i}].weight must be a non-negative number`);
      return w as number;
    });
  }
  return undefined;
}

export function parseProblem(raw: unknown, defaultLanguage: Language): Problem {
  let ref = raw;
  if (typeof ref === "string") {
    try {
      ref = JSON.parse(ref);
    } catch {
      bad("must be an object with the tests (or its JSON text)");
    }
  }
  if (!ref || typeof ref !== "object" || Array.isArray(ref))
    bad(`must be an object with the tests, got ${kindOf(ref)}`);
  const o = ref as Record<string, unknown>;
  const format = o.format as Format;
  if (!FORMATS.includes(format))
    bad(`'format' must be one of ${FORMATS.join(", ")}, got ${JSON.stringify(o.format)}`);
  const language =
    o.language === undefined ? defaultLanguage : parseLanguage(o.language, "reference.language");
  const p: Problem = { language, format, limits: {} };
  const prompt = str(o, "prompt", format === "humaneval");
  if (prompt !== undefined) p.prompt = prompt;
  const entry = str(o, "entry_point", format === "humaneval") ?? str(o, "fn_name", format === "call");
  if (entry !== undefined) {
    if (!/^[A-Za-z_$][\w$]*$/.test(entry))
      bad(`'${o.entry_point !== undefined ? "entry_point" : "fn_name"}' must be an identifier`);
    p.entry = entry;
  }
  const setup = str(o, "setup", false);
  if (setup !== undefined) p.setup = setup;
  let n = 0;
  let cases: Record<string, unknown>[] | undefined;
  switch (format) {
    case "humaneval":
      p.test = str(o, "test", true)!;
      n = 1;
      break;
    case "asserts":
    case "append": {
      const t = o.tests ?? o.test;
      if (typeof t === "string" && format === "append") p.tests = [t];
      else if (Array.isArray(t) && t.length > 0 && t.every((x) => typeof x === "string"))
        p.tests = t as string[];
      else bad(`'tests' must be ${format === "append" ? "a string or " : ""}a non-empty list of strings`);
      n = p.tests.length;
      break;
    }
    case "stdio": {
      const c = o.cases ?? o.tests;
      if (!Array.isArray(c) || c.length === 0) bad("'cases' must be a non-empty list of {input, output}");
      cases = c as Record<string, unknown>[];
      p.cases = cases.map((x, i) => {
        if (!x || typeof x !== "object") bad(`cases[${i}] must be an object {input, output}`);
        return {
          input: ioText(x.input, "stdin", `cases[${i}].input`),
          output: ioText(x.output, "stdout", `cases[${i}].output`),
        };
      });
      n = p.cases.length;
      break;
    }
    case "call": {
      const c = o.cases ?? o.tests;
      if (!Array.isArray(c) || c.length === 0) bad("'cases' must be a non-empty list of {args, expected}");
      cases = c as Record<string, unknown>[];
      p.fn = p.entry!;
      p.calls = cases.map((x, i) => {
        if (!x || typeof x !== "object" || !Array.isArray(x.args) || !("expected" in x)) {
          bad(`cases[${i}] must be {"args": [...], "expected": value}`);
        }
        return { args: x.args as unknown[], expected: x.expected };
      });
      if (typeof raw === "string") {
        // From JSON text, every integer is read again without losing a digit (2**60 + 1).
        const exact = parseExact(raw) as Record<string, unknown>;
        const lossless = parseLossless(raw) as Record<string, unknown>;
        const ec = (exact.cases ?? exact.tests) as Record<string, unknown>[];
        const lc = (lossless.cases ?? lossless.tests) as Record<string, unknown>[];
        for (let i = 0; i < p.calls.length; i++) {
          p.calls[i] = { args: lc[i]!.args as unknown[], expected: ec[i]!.expected };
        }
      } else {
        // An object was parsed by someone else: an integer past 2^53 in it may already be rounded, and
        // comparing it would pass a wrong answer (2**60 for 2**60 + 1). Refused, with the way out.
        for (const [i, c] of p.calls.entries()) {
          const where =
            roundedInteger(c.args, `cases[${i}].args`) ?? roundedInteger(c.expected, `cases[${i}].expected`);
          if (where)
            bad(
              `${where} is an integer past 2^53 held as a double, so its last digits may already be lost; give the reference as JSON text (a string), or the integer as a bigint`,
            );
          c.expected = exactNumbers(c.expected);
        }
      }
      n = p.calls.length;
      break;
    }
  }
  const w = weightsOf(cases, o.weights, n);
  if (w) p.weights = w;
  if (o.mode !== undefined || o.reward !== undefined) {
    const m = (o.mode ?? o.reward) as Mode;
    if (!MODES.includes(m)) bad(`'mode' must be one of ${MODES.join(", ")}`);
    p.mode = m;
  }
  if (o.limits !== undefined) {
    if (!o.limits || typeof o.limits !== "object") bad("'limits' must be an object");
    const l = o.limits as Record<string, unknown>;
    for (const k of ["time_ms", "memory_mb", "output_bytes", "compile_ms"] as const) {
      if (l[k] === undefined) continue;
      const v = l[k];
      if (typeof v !== "number" || !Number.isFinite(v) || v <= 0)
        bad(`limits.${k} must be a positive number`);
      p.limits[k] = v;
    }
  }
  const cmp = str(o, "compare", false);
  if (cmp !== undefined) p.compare = cmp;
  if (o.ignore_case !== undefined) p.ignoreCase = o.ignore_case === true;
  if (typeof o.tolerance === "number") p.tolerance = o.tolerance;
  return p;
}

export function testCount(p: Problem): number {
  return p.format === "humaneval" ? 1 : (p.tests?.length ?? p.cases?.length ?? p.calls?.length ?? 0);
}
