/**
 * The math check as plain in-process functions: extraction, parsing and equivalence in one call. The
 * verifier runs `checkMath` in the worker pool (math-task.ts); benchmarks and other modules (majority
 * voting by equivalence classes) can call these directly.
 */
import { extractChoice } from "../text/multiple_choice.js";
import type { Node } from "./ast.js";
import { withConstants } from "./constants.js";
import {
  compareForms,
  isEmptyWord,
  type Judgement,
  normText,
  precisionReach,
  type Verdict,
  voteValue,
} from "./equivalence.js";
import { exactValue } from "./evaluate.js";
import { extractAnswer, findBoxes } from "./extract.js";
import { describeForm, type Form, FormError, toForm } from "./forms.js";
import { LIMITS } from "./limits.js";
import { DEFAULT_OPTIONS, type MathOptions } from "./options.js";
import { ParseError, parseAnswer } from "./parser.js";
import { ratToString as ratString, setExactBudget, toNumber } from "./rational.js";

export { DEFAULT_OPTIONS, type MathOptions };

export type CheckVerdict = Verdict | "no_answer" | "invalid_input";

export interface CheckResult {
  verdict: CheckVerdict;
  /** 1 equal, 0 not equal or no answer, null unknown or invalid input. */
  reward: 1 | 0 | null;
  feedback: string;
  details: Record<string, unknown>;
}

type Reading =
  | { ok: true; form: Form; shown: string }
  | { ok: false; raw: string; why: string; limit: boolean; textLike: boolean };

/** A whole answer written as a number word ("five", "one half"). */
const NUMBER_WORDS: Record<string, string> = Object.fromEntries([
  ...(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen " +
    "seventeen eighteen nineteen twenty"
  )
    .split(" ")
    .map((w, i) => [w, String(i)]),
  ...[
    ["thirty", "30"],
    ["forty", "40"],
    ["fifty", "50"],
    ["sixty", "60"],
    ["seventy", "70"],
    ["eighty", "80"],
    ["ninety", "90"],
    ["onehundred", "100"],
    ["ahundred", "100"],
    ["onehalf", "1/2"],
    ["ahalf", "1/2"],
    ["half", "1/2"],
    ["onethird", "1/3"],
    ["twothirds", "2/3"],
    ["onequarter", "1/4"],
    ["onefourth", "1/4"],
    ["threequarters", "3/4"],
    ["threefourths", "3/4"],
  ],
]);

const ALL_REALS = new Set([
  "allrealnumbers",
  "allreals",
  "allrealx",
  "allrealvaluesofx",
  "everyrealnumber",
  "realnumbers",
]);

/** Removes what wraps a whole answer: $...$, \boxed{...}, **...**, a trailing period. */
function unwrap(s: string): string {
  let t = s.trim();
  for (let k = 0; k < 4; k++) {
    const before = t;
    t = t.replace(/^\*\*([\s\S]*)\*\*$/, "$1").trim();
    t = t
      .replace(/^\$\$([\s\S]*)\$\$$/, "$1")
      .replace(/^\$([\s\S]*)\$$/, "$1")
      .trim();
    t = t
      .replace(/^\\\[([\s\S]*)\\\]$/, "$1")
      .replace(/^\\\(([\s\S]*)\\\)$/, "$1")
      .trim();
    const box = /^\\(?:boxed|fbox)\s*\{([\s\S]*)\}$/.exec(t);
    if (box && balanced(box[1]!)) t = box[1]!.trim();
    // A closing period, not the dots of a repeating decimal (0.333...).
    if (!/\.(\d)\1+\s*\.\.\.$/.test(t)) t = t.replace(/[.。]\s*$/, "").trim();
    // An option label before the value: "(B) 12", "\text{(B) } 12".
    t = t.replace(/^(?:\\text\w*\s*\{\s*\(?[A-E]\)\s*\}|\(?[A-E]\))\s*(?=[-\d\\(])/, "").trim();
    if (t === before) break;
  }
  return t;
}

function balanced(s: string): boolean {
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === "{") d++;
    else if (s[i] === "}" && --d < 0) return false;
  }
  return d === 0;
}

/** Prose, not a formula: letters, digits and punctuation only once \text{} wrappers are gone. */
function isTextLike(s: string): boolean {
  const t = s
    .replace(/\\(?:text\w*|mathrm|mbox|textbf)\s*\{([^{}]*)\}/g, "$1")
    .replace(/\$/g, "")
    .trim();
  return /[\p{L}]{2,}/u.test(t) && /^[\p{L}\p{N}\s,.'’()\-:;!?&/]+$/u.test(t);
}

export function readAnswer(text: string, o: Pick<MathOptions, "imaginaryUnit" | "eulerE">): Reading {
  // Wrappers are a few characters: anything much longer than the limit is refused before any scan.
  const raw = text.length > LIMITS.maxAnswerChars + 64 ? text : unwrap(text);
  if (raw.length > LIMITS.maxAnswerChars) {
    return {
      ok: false,
      raw: raw.slice(0, 80),
      why: `answer is ${raw.length} characters, over the limit of ${LIMITS.maxAnswerChars}`,
      limit: true,
      textLike: false,
    };
  }
  if (isEmptyWord(raw)) return { ok: true, form: { t: "empty" }, shown: "{}" };
  const word = NUMBER_WORDS[normText(raw)];
  if (word) return readAnswer(word, o);
  if (ALL_REALS.has(normText(raw))) {
    const form: Form = {
      t: "ivals",
      parts: [{ lo: { node: null, inf: -1 }, hi: { node: null, inf: 1 }, lc: false, rc: false }],
      src: "interval",
    };
    return { ok: true, form, shown: describeForm(form) };
  }
  try {
    const node = parseAnswer(raw, { imaginaryUnit: o.imaginaryUnit, eulerE: o.eulerE });
    const form = toForm(node);
    return { ok: true, form, shown: describeForm(form) };
  } catch (e) {
    if (e instanceof ParseError || e instanceof FormError) {
      return {
        ok: false,
        raw,
        why: e.message,
        limit: e instanceof ParseError && e.limit,
        textLike: isTextLike(raw),
      };
    }
    throw e;
  }
}

function clip(s: string, n = 120): string {
  const t = s.replace(/\s+/g, " ");
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

/**
 * A reference that is a whole solution ("... so the answer is $\boxed{5}$.", as in MATH's `solution`)
 * is read by its last box; a reference that is only an answer is used as it is.
 */
function goldAnswer(gold: string): string {
  if (gold.length > LIMITS.maxAnswerChars * 20 || !/\\(?:boxed|fbox)/.test(gold)) return gold;
  const boxes = findBoxes(gold);
  const last = boxes[boxes.length - 1];
  if (!last) return gold;
  const outside = gold.slice(0, last.start) + gold.slice(last.end);
  return /[A-Za-z]{4,}/.test(outside.replace(/\\[A-Za-z]+/g, "")) ? last.content : gold;
}

/**
 * Text equality for answers that do not both parse. normText drops punctuation, so the marks next to
 * digits must also agree: the ratio 2:5 is not 2.5 nor 25, [1,2[ is not [1,2].
 */
function sameText(a: string, b: string): boolean {
  const marks = (s: string) =>
    (
      s
        .replace(/\\[,;:! ]/g, " ")
        .replace(/(?<!\d)\s+|\s+(?!\d)/g, "")
        .match(/(?<=\d)[.,;:()[\] ]|[.,;:()[\]](?=\d)/g) ?? []
    ).join("");
  return normText(a) === normText(b) && marks(a) === marks(b);
}

/**
 * The answer with a decimal comma read as a point, when it is unmistakably written that way: "0,111" or
 * "0,25" (no thousands group starts with 0, and a list of roots rarely pairs 0 with a number written with
 * two digits or more) or "3{,}14". "3,5" and "0,7" stay lists of two numbers, as in most math datasets. `any`: for a prediction under a decimal-comma gold, every
 * single "d,d" number.
 */
function decimalComma(text: string, any = false): string | null {
  if (!text.includes(",")) return null;
  const t = unwrap(text);
  const m = /^(-?\d+)(,|\{,\})(\d+)$/.exec(t);
  if (!m) return null;
  if (!any && m[2] === "," && !(/^-?0$/.test(m[1]!) && m[3]!.length >= 2)) return null;
  return `${m[1]}.${m[3]}`;
}

/** Compares one predicted answer text with one gold answer text (no extraction). */
export function compareAnswers(
  pred: string,
  gold: string,
  options: Partial<MathOptions> = {},
): Judgement & { gold: string; prediction: string; error?: string } {
  const o = { ...DEFAULT_OPTIONS, ...options };
  setExactBudget(LIMITS.exactBudget);
  // A gold written with a decimal comma (0,111; 3,14) sets the convention for both sides.
  const goldText = goldAnswer(gold);
  const comma = decimalComma(goldText);
  const g = readAnswer(comma ?? goldText, o);
  const p = readAnswer(comma ? (decimalComma(pred, true) ?? pred) : pred, o);
  const gShown = clip(g.ok ? g.shown : g.raw, 200);
  const pShown = clip(p.ok ? p.shown : p.raw, 200);
  const out = (j: Judgement, error?: string) => ({
    ...j,
    gold: gShown,
    prediction: pShown,
    ...(error ? { error } : {}),
  });
  if (!g.ok && g.limit)
    return out({ verdict: "unknown", reason: `the gold is refused: ${g.why}` }, "invalid_input");
  if (!p.ok && p.limit)
    return out({ verdict: "unknown", reason: `the prediction is refused: ${p.why}` }, "invalid_input");
  if (!g.ok || !p.ok) {
    const same = sameText(g.ok ? gold : g.raw, p.ok ? pred : p.raw);
    if (same) return out({ verdict: "equal", reason: "the same text" });
    if (!g.ok && g.textLike) return out({ verdict: "not_equal", reason: "different text answers" });
    if (!g.ok) return out({ verdict: "unknown", reason: `the gold could not be parsed (${g.why})` });
    if (g.form.t === "empty" && !p.ok && isEmptyWord(p.raw))
      return out({ verdict: "equal", reason: "both empty" });
    return out({
      verdict: "not_equal",
      reason: `the prediction could not be parsed (${(p as { why: string }).why})`,
    });
  }
  const j = o.physicalConstants
    ? compareForms(withConstants(g.form, !o.eulerE), withConstants(p.form, !o.eulerE), o)
    : compareForms(g.form, p.form, o);
  // "1,5" for a gold of 1.5: a decimal comma, when the gold is that decimal (a list 1, 5 cannot be).
  const dc = /^(-?\d+),(\d+)$/.exec(unwrap(pred));
  if (
    j.verdict === "not_equal" &&
    dc &&
    /^-?\d+\.\d+$/.test(unwrap(gold)) &&
    `${dc[1]}.${dc[2]}` === unwrap(gold)
  ) {
    return out({ verdict: "equal", reason: `${dc[0]} read with a decimal comma` });
  }
  return out(j);
}

/** True, false, or null (unknown): is `pred` the same answer as `gold`? */
export function mathEqual(pred: string, gold: string, options: Partial<MathOptions> = {}): boolean | null {
  const j = compareAnswers(pred, gold, options);
  return j.verdict === "equal" ? true : j.verdict === "not_equal" ? false : null;
}

/**
 * A canonical key of an answer: equal keys mean equal answers (exact numbers by value, other answers by
 * their normalised printed form). Unequal keys may still be equivalent (x+1 vs 1+x): use
 * `groupEquivalent` to cluster by the full equivalence.
 */
export function answerKey(answer: string, options: Partial<MathOptions> = {}): string {
  return readKey(answer, { ...DEFAULT_OPTIONS, ...options }).key;
}

/**
 * An answer as votes see it, read once: its key, and the real values it can be compared by (an exact
 * number's value, also as written with a decimal comma or as the digits of a base-b numeral; an
 * expression's value at the first point comparison tries), each with how far an equal answer's value
 * can be from it. No values: it is compared with every class.
 */
interface VoteReading {
  key: string;
  anchors: Anchor[];
}

interface Anchor {
  x: number;
  /** Its written precision (10^ulp) or its float64 noise, as an upper bound; 0 for an exact value. */
  reach: number;
}

function readKey(answer: string, o: MathOptions): VoteReading {
  const r = readAnswer(answer, o);
  if (!r.ok) return { key: `text:${normText(r.raw)}`, anchors: [] };
  if (r.form.t !== "expr") return { key: `form:${r.shown}`, anchors: [] };
  const n = r.form.n;
  const v = exactValue(n);
  if (v) {
    const anchors = [{ x: toNumber(v), reach: precisionReach(n) }];
    for (const text of new Set([unwrap(answer), goldAnswer(answer)])) {
      const comma = decimalComma(text, true);
      const alt = comma === null ? null : readAnswer(comma, o);
      const av = alt?.ok && alt.form.t === "expr" ? exactValue(alt.form.n) : null;
      if (av && alt?.ok && alt.form.t === "expr")
        anchors.push({ x: toNumber(av), reach: precisionReach(alt.form.n) });
    }
    if (n.k === "based" && /^\d+$/.test(n.digits)) anchors.push({ x: Number(n.digits), reach: 0 });
    return {
      key: `num:${ratString(v)}`,
      // A value float64 cannot hold (10^400) is compared with every class.
      anchors: anchors.every((a) => Number.isFinite(a.x) && Number.isFinite(a.reach)) ? anchors : [],
    };
  }
  const form = o.physicalConstants ? withConstants(r.form, !o.eulerE) : r.form;
  const z = converts(form.n) ? null : voteValue(form.n, o);
  // classify (equivalence.ts) calls values unsure, not different, up to 1e3 times their noise.
  return { key: `form:${r.shown}`, anchors: z ? [{ x: z.x, reach: 2e3 * z.err }] : [] };
}

/** A degree or a unit on the whole answer: compared with and without the conversion, so no single value. */
function converts(n: Node): boolean {
  let m = n;
  while (m.k === "neg") m = m.a;
  return m.k === "deg" || m.k === "unit";
}

/** Relative float64 noise allowed between two values that compare equal (exact values, constants). */
const NOISE = 1e-8;
/** Percent readings: 50% can equal 50 or 0.5. */
const PERCENT_SCALES = [1, 100, 0.01];

/**
 * Classes by the values of their representatives: a sorted line of all values (for an answer's own
 * reach), and grids of the values that reach further than float64 noise, one per power of ten of their
 * reach (for the classes whose reach covers an answer).
 */
class ValueIndex {
  private xs: number[] = [];
  private cs: number[] = [];
  private grids = new Map<number, Map<number, number[]>>();

  add(a: Anchor, c: number): void {
    let lo = 0;
    let hi = this.xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.xs[mid]! < a.x) lo = mid + 1;
      else hi = mid;
    }
    this.xs.splice(lo, 0, a.x);
    this.cs.splice(lo, 0, c);
    if (a.reach > NOISE * Math.abs(a.x)) {
      const level = Math.ceil(Math.log10(a.reach));
      let grid = this.grids.get(level);
      if (!grid) {
        grid = new Map();
        this.grids.set(level, grid);
      }
      const cell = Math.floor(a.x / 10 ** level);
      const l = grid.get(cell);
      if (l) l.push(c);
      else grid.set(cell, [c]);
    }
  }

  /** Every class with a value within `reach` of y, or whose own reach covers y (a superset). */
  near(y: number, reach: number, into: Set<number>): void {
    const r = reach + 2 * NOISE * Math.abs(y);
    let lo = 0;
    let hi = this.xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.xs[mid]! < y - r) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < this.xs.length && this.xs[k]! <= y + r; k++) into.add(this.cs[k]!);
    for (const [level, grid] of this.grids) {
      const cell = Math.floor(y / 10 ** level);
      for (let d = -1; d <= 1; d++) for (const c of grid.get(cell + d) ?? []) into.add(c);
    }
  }
}

/**
 * Clusters answers into equivalence classes (indices into `answers`), for majority voting. Each answer
 * joins the first class whose representative it equals; answers that cannot be parsed join by text.
 *
 * Not quadratic: each answer is read once, to a key (equal keys are one class) and to real values (an
 * exact number's value, an expression's value at a fixed point), each with its reach (a written
 * precision: a gold of 10.0 accepts 9.96; float64 noise). An answer is compared only with the classes
 * whose value is within its reach or within theirs (also a hundred times or a hundredth of it, for
 * percents), with zero, and with every class that has no value (sets, intervals, equations, degrees,
 * units, text...). An answer with no value, or zero, is compared with every class, as is every answer
 * with extra tolerances (rel_tol, abs_tol). The candidates are tried in class order, so the result is the
 * one comparing against every class gives.
 */
export function groupEquivalent(answers: readonly string[], options: Partial<MathOptions> = {}): number[][] {
  const o = { ...DEFAULT_OPTIONS, ...options };
  const everyClass = o.relTol !== null || o.absTol !== null;
  const classes: number[][] = [];
  const byKey = new Map<string, number[]>();
  // Indices of classes: without a value, zero, and by value.
  const noValue: number[] = [];
  const zeros: number[] = [];
  const index = new ValueIndex();
  const candidates = (r: VoteReading): Iterable<number> => {
    if (everyClass || r.anchors.length === 0 || r.anchors.some((a) => a.x === 0)) return classes.keys();
    const set = new Set<number>([...noValue, ...zeros]);
    for (const a of r.anchors) for (const s of PERCENT_SCALES) index.near(a.x * s, a.reach * s, set);
    return [...set].sort((x, y) => x - y);
  };
  for (let i = 0; i < answers.length; i++) {
    const r = readKey(answers[i]!, o);
    const hit = byKey.get(r.key);
    if (hit) {
      hit.push(i);
      continue;
    }
    let joined = false;
    for (const c of candidates(r)) {
      if (mathEqual(answers[i]!, answers[classes[c]![0]!]!, options) === true) {
        classes[c]!.push(i);
        joined = true;
        break;
      }
    }
    if (joined) continue;
    const c = classes.length;
    const members = [i];
    classes.push(members);
    byKey.set(r.key, members);
    if (r.anchors.length === 0) noValue.push(c);
    else if (r.anchors.some((a) => a.x === 0)) zeros.push(c);
    else for (const a of r.anchors) index.add(a, c);
  }
  return classes;
}

const LETTER = /^\(?([A-J])\)?\.?$/;

function goldLetter(g: string): string | null {
  const t = g
    .replace(/\\(?:text\w*|mathrm|mathbf)\s*\{([^{}]*)\}/g, "$1")
    .replace(/[$\s*]/g, "")
    .replace(/^\\boxed\{(.*)\}$/, "$1");
  return LETTER.exec(t)?.[1] ?? null;
}

function regionAfterThink(text: string, think: boolean): string | null {
  if (!think) return text;
  const close = text.lastIndexOf("</think>");
  if (close >= 0) return text.slice(close + 8);
  return text.includes("<think>") ? null : text;
}

/** The whole check: extract the final answer from a completion and compare it with the gold answer(s). */
export function checkMath(
  completion: string,
  golds: string | readonly string[],
  options: Partial<MathOptions> = {},
): CheckResult {
  const o = { ...DEFAULT_OPTIONS, ...options };
  const goldList = typeof golds === "string" ? [golds] : [...golds];
  if (goldList.length === 0) return invalid("the reference list is empty");
  if (completion.length > o.maxInputChars) {
    return invalid(`the completion is ${completion.length} characters, over the limit of ${o.maxInputChars}`);
  }
  for (const g of goldList) {
    if (g.length > LIMITS.maxAnswerChars)
      return invalid(`the gold answer is ${g.length} characters, over the limit of ${LIMITS.maxAnswerChars}`);
  }

  // Multiple choice: every gold is a letter.
  const letters = o.multipleChoice === "auto" ? goldList.map(goldLetter) : [];
  if (letters.length && letters.every((l) => l !== null)) {
    const region = regionAfterThink(completion, o.think);
    if (region === null) return noAnswer("the <think> block is never closed", {});
    let choice = extractChoice(region, "ABCDEFGHIJ");
    if (!choice) {
      // \boxed{\text{(B)}\ 12}: the answer starts with an option label.
      const ex = extractAnswer(region, { rules: o.strict ? ["boxed"] : o.rules, think: false });
      const text = "none" in ex ? "" : ex.text.trim();
      const label = /^(?:\\text\w*\s*\{\s*)?\(([A-J])\)/.exec(text);
      // Several boxes read as one answer ("(B) 12, (A) 12") name several options: ambiguous.
      const all = new Set(
        [...text.matchAll(/(?:^|,\s*)(?:\\text\w*\s*\{\s*)?\(([A-J])\)/g)].map((m) => m[1]!),
      );
      const how = `option label in '${clip(text, 40)}'`;
      if (label) choice = all.size > 1 ? { ambiguous: [...all], how } : { letter: label[1]!, how };
    }
    if (!choice) return noAnswer("no option letter found", { gold: letters });
    if ("ambiguous" in choice)
      return result("not_equal", `ambiguous choice ${choice.ambiguous.join(", ")} (${choice.how})`, {
        chosen: choice.ambiguous,
        gold: letters,
      });
    const hit = letters.includes(choice.letter);
    return result(
      hit ? "equal" : "not_equal",
      `chose ${choice.letter} (${choice.how}), gold ${letters.join(" or ")}`,
      {
        chosen: choice.letter,
        gold: letters,
      },
    );
  }

  const ex = extractAnswer(completion, { rules: o.strict ? ["boxed"] : o.rules, think: o.think });
  if ("none" in ex) return noAnswer(ex.none, { gold: goldList.map((g) => clip(g)) });
  const judgements = goldList.map((g) => {
    const j = compareAnswers(ex.text, g, o);
    if (j.verdict === "equal" || ex.alt === undefined) return j;
    const k = compareAnswers(ex.alt, g, o);
    return k.verdict === "equal" ? { ...k, reason: `${k.reason} (every box counted)` } : j;
  });
  const hit = judgements.findIndex((j) => j.verdict === "equal");
  const pick =
    hit >= 0
      ? hit
      : Math.max(
          judgements.findIndex((j) => j.verdict === "unknown"),
          0,
        );
  const j = judgements[pick]!;
  const details: Record<string, unknown> = {
    extracted: clip(ex.text, 500),
    extracted_by: ex.how,
    prediction: j.prediction,
    gold: goldList.length === 1 ? j.gold : judgements.map((x) => x.gold),
    reason: j.reason,
    stage: j.stage ?? "rules",
  };
  if (goldList.length > 1) details.gold_index = pick;
  const head = `extracted '${clip(ex.text, 80)}' (${ex.how}) -> ${j.prediction}; gold ${j.gold}`;
  if (j.error)
    return {
      verdict: "invalid_input",
      reward: null,
      feedback: `${head}: ${j.reason}`,
      details: { ...details, verdict: "invalid_input" },
    };
  return result(
    j.verdict,
    `${head}: ${j.verdict === "equal" ? "equal" : j.verdict === "not_equal" ? "not equal" : "cannot decide"}, ${j.reason}`,
    details,
  );
}

function result(verdict: Verdict, feedback: string, details: Record<string, unknown>): CheckResult {
  return {
    verdict,
    reward: verdict === "equal" ? 1 : verdict === "not_equal" ? 0 : null,
    feedback,
    details: { ...details, verdict },
  };
}

function noAnswer(why: string, details: Record<string, unknown>): CheckResult {
  return { verdict: "no_answer", reward: 0, feedback: why, details: { ...details, verdict: "no_answer" } };
}

function invalid(why: string): CheckResult {
  return { verdict: "invalid_input", reward: null, feedback: why, details: { verdict: "invalid_input" } };
}
