/** Worker-pool task: the whole math check, run where a deadline can kill it. */
import { type CheckResult, checkMath, DEFAULT_OPTIONS, groupEquivalent, type MathOptions } from "./check.js";
import { extractAnswer } from "./extract.js";

export interface MathTaskArg {
  completion: string;
  golds: string[];
  options: Partial<MathOptions>;
}

export function checkMathTask(arg: MathTaskArg): CheckResult {
  return checkMath(arg.completion, arg.golds, arg.options);
}

export interface MathClassesArg {
  answers: (string | null)[];
  /** The answers are whole completions: extract each final answer first. */
  extract: boolean;
  options: Partial<MathOptions>;
}

/**
 * Worker-pool task for majority votes: the equivalence class of each answer (null where there is none),
 * so `0.5`, `1/2` and `\frac12` fall in one class.
 */
export function mathClassesTask(arg: MathClassesArg): (number | null)[] {
  const o = { ...DEFAULT_OPTIONS, ...arg.options };
  const texts = arg.answers.map((a) => {
    if (a === null) return null;
    if (!arg.extract) return a;
    const ex = extractAnswer(a, { rules: o.strict ? ["boxed"] : o.rules, think: o.think });
    return "none" in ex ? null : ex.text.trim() || null;
  });
  const present = texts.flatMap((t, i) => (t === null ? [] : [i]));
  const classes = groupEquivalent(
    present.map((i) => texts[i]!),
    o,
  );
  const out: (number | null)[] = texts.map(() => null);
  classes.forEach((members, c) => {
    for (const k of members) out[present[k]!] = c;
  });
  return out;
}
