/**
 * math: the final answer of a completion equals the gold answer, as mathematics rather than as text.
 * Extraction (extract.ts), our own LaTeX/plain-text parser (lexer.ts, parser.ts), answer forms
 * (forms.ts) and three-valued equivalence (equivalence.ts); every check runs in the worker pool under a
 * hard deadline (default 2 s), so no input can freeze the process. Reward 1 (equal), 0 (not equal or no
 * answer), abstain (cannot decide, e.g. the gold does not parse), error invalid_input (over a size limit)
 * or error timeout.
 */
export type { CheckResult } from "./check.js";
export { answerKey, checkMath, compareAnswers, groupEquivalent, mathEqual, readAnswer } from "./check.js";
export type { Judgement, Verdict } from "./equivalence.js";
export type { MathOptions } from "./options.js";
export { math, mathClasses, toOutcome } from "./verifier.js";
