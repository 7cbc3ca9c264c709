/**
 * Turns a problem and the extracted code into what a runtime runs: the program (a HumanEval completion
 * that holds the whole function is used as is, after the prompt's imports and helpers; a bare body
 * continues the prompt) and the list of tests.
 */
import { createRequire } from "node:module";
import { RewardkitError } from "../../core/index.js";
import { definesPattern } from "./extract.js";
import type { Problem } from "./reference.js";
import type { HarnessTest, Language, NativeParts } from "./types.js";

// esbuild loads on the first TypeScript program, not when rewardkit is imported (fast start).
const require = createRequire(import.meta.url);

/** The prompt up to the definition of `entry` (its imports and helper functions). */
export function promptBefore(prompt: string, language: Language, entry: string): string {
  const m = definesPattern(language, entry).exec(prompt);
  if (!m) return prompt;
  let start = m.index;
  // Keep decorators and a leading comment block with the definition out of the prefix.
  const before = prompt.slice(0, start).split("\n");
  before.pop();
  while (before.length && /^\s*@/.test(before[before.length - 1]!)) before.pop();
  start = before.join("\n").length;
  return prompt.slice(0, start);
}

export function assemble(p: Problem, code: string): string {
  if (p.prompt === undefined) return code;
  if (p.entry && definesPattern(p.language, p.entry).test(code)) {
    const head = promptBefore(p.prompt, p.language, p.entry);
    return head.trim() === "" ? code : `${head}\n${code}`;
  }
  return p.prompt + code;
}

export function harnessTests(p: Problem): HarnessTest[] {
  switch (p.format) {
    case "humaneval":
      return [{ code: `check(${p.entry})` }];
    case "asserts":
    case "append":
      return p.tests!.map((code) => ({ code }));
    case "call":
      return p.calls!.map((c) => ({ call: p.fn!, args: c.args }));
    default:
      return [];
  }
}

export function harnessSetup(p: Problem, program: string): string {
  const parts = [program];
  if (p.format === "humaneval") parts.push(p.test!);
  if (p.setup) parts.push(p.setup);
  return parts.join("\n\n");
}

/**
 * C, C++ and bash appended tests, apart from the program. The tests' unit sees only the reference: its
 * prompt as declarations (an open definition at the prompt's end, `int f(int x) {`, becomes the
 * prototype `int f(int x);`), its setup and tests. MultiPL-E tests start with the `}` that closes a
 * function the completion continued: that brace goes to the program when it continued the prompt, and
 * is dropped when the program holds the whole function.
 */
export function nativeParts(p: Problem, code: string): NativeParts {
  let program = assemble(p, code);
  const tests = [...(p.tests ?? [])];
  const lead = /^\s*\}/.exec(tests[0] ?? "");
  if (lead) {
    tests[0] = tests[0]!.slice(lead[0].length);
    const whole = p.entry !== undefined && definesPattern(p.language, p.entry).test(code);
    if (p.prompt !== undefined && !whole && /\{\s*$/.test(p.prompt)) program += "\n}";
  }
  let declarations = "";
  if (p.prompt !== undefined && p.language !== "bash") declarations = p.prompt.replace(/\{\s*$/, ";\n");
  const setup = p.setup ? [p.setup] : [];
  return { program, declarations, tests: [...setup, ...tests].join("\n"), entry: p.entry ?? "" };
}

/**
 * The trusted code a judge runs before the tests: the prompt without the entry point's definition (its
 * imports and helpers, which tests such as HumanEval's may call), the test code that defines `check`,
 * and the reference's setup. None of it reaches the candidate.
 */
export function judgeCode(p: Problem): string {
  const parts: string[] = [];
  if (p.prompt !== undefined) parts.push(p.entry ? promptBefore(p.prompt, p.language, p.entry) : "");
  if (p.format === "humaneval") parts.push(p.test!);
  if (p.setup) parts.push(p.setup);
  return parts.join("\n\n");
}

/** JS and TS run as scripts: `export` keywords of top-level declarations are dropped. */
function scriptify(code: string): string {
  // Only at the start of a line: an indented `export` belongs to a namespace, and stays.
  return code.replace(/^export[ \t]+(default[ \t]+)?(?=(async\s+)?function|class|const|let|var|enum)/gm, "");
}

/** Brackets nested deeper than this are refused before esbuild parses them (its parser recurses). */
const MAX_NESTING = 1000;

/** The deepest bracket nesting of a text (a linear scan; strings and comments count too: a bound). */
function nesting(code: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return max;
}

/** How long one transpile may take before the service is stopped and the program refused. */
const TRANSPILE_MS = 10_000;

/** Transpiles run one at a time: when a program crashes esbuild's service, it is the one in flight. */
let queue: Promise<unknown> = Promise.resolve();
/** Whether the service has transpiled anything since it was (re)started: else a crash is this program's. */
let served = false;

type EsbuildError = { errors?: { text: string; location?: { line: number } }[]; message?: string };

const serviceGone = (e: unknown) =>
  /service (is no longer running|was stopped)|The service/i.test(String((e as Error)?.message));

/**
 * TypeScript to JavaScript (types stripped by esbuild; no type checking). Throws compile_error on a
 * syntax error. `const enum` becomes `enum`: transpiled one file at a time, esbuild drops a const enum's
 * object where it cannot inline its uses (an exported one in a namespace), and an honest program failed.
 * Input nested past MAX_NESTING is refused first (a cheap bound). Any other input deep enough to
 * overflow the stack of esbuild's service (200,000 `!` in a row, a chain of arrows or `typeof`) kills
 * that service: it is stopped, and the program is a compile_error (transpiled once more in a fresh
 * service first where the dead one had served others: something else may have killed it); the next
 * program gets a fresh service. Before, every later TypeScript program failed until the process restarted.
 * Asynchronous: a slow transpile never blocks the event loop.
 */
export function transpileTs(code: string, what: string): Promise<string> {
  if (nesting(code) > MAX_NESTING) {
    return Promise.reject(
      new RewardkitError("compile_error", `${what}: brackets nested more than ${MAX_NESTING} deep`),
    );
  }
  const source = scriptify(code).replace(/\bconst(\s+)enum\b/g, "enum$1    ");
  const run = queue.then(() => transpileOnce(source, what, served ? 1 : 0));
  queue = run.catch(() => {});
  return run;
}

async function transpileOnce(source: string, what: string, retries: number): Promise<string> {
  const esbuild = require("esbuild") as typeof import("esbuild");
  let timer: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timed out")), TRANSPILE_MS);
    });
    const r = await Promise.race([
      esbuild.transform(source, { loader: "ts", target: "es2022", sourcemap: false }),
      late,
    ]);
    served = true;
    return r.code;
  } catch (e) {
    const timedOut = (e as Error)?.message === "timed out";
    if (serviceGone(e) || timedOut) {
      await esbuild.stop(); // the next transform starts a fresh service
      served = false;
      if (timedOut)
        throw new RewardkitError("compile_error", `${what}: transpiling took over ${TRANSPILE_MS} ms`);
      if (retries > 0) return transpileOnce(source, what, retries - 1);
      throw new RewardkitError(
        "compile_error",
        `${what}: the TypeScript transpiler crashed on this program (nested too deep?)`,
      );
    }
    const errs = (e as EsbuildError).errors;
    const msg = errs?.length
      ? errs.map((x) => `line ${x.location?.line ?? "?"}: ${x.text}`).join("; ")
      : (e as Error).message;
    throw new RewardkitError("compile_error", `${what}: ${msg}`);
  } finally {
    clearTimeout(timer);
  }
}

export async function prepareJs(code: string, language: Language, what: string): Promise<string> {
  if (language === "ts") return transpileTs(code, what);
  if (language === "js") return scriptify(code);
  return code;
}
