/**
 * Locating the final answer of a completion and changing it: the lint checks that need "the answer"
 * (sensitivity, LaTeX spacing, equivalent rewrites, and the attacks that remove, multiply or hide it).
 *
 * The rules follow what the built-in extractors read, in this order: the last <answer> block (a \boxed{}
 * inside it wins), the last \boxed{}, the last "answer is ..." phrase, the last math environment, the last
 * bold span, a last line that is an option letter, the last number, and a short whole text. Only the part
 * after </think> is read, and never a fenced code block.
 */
import { print } from "../verifiers/math/ast.js";
import { compareAnswers } from "../verifiers/math/check.js";
import { DEFAULT_RULES, extractAnswer, findBoxes, findMathEnvs } from "../verifiers/math/extract.js";
import { parseAnswer } from "../verifiers/math/parser.js";

export interface AnswerSpan {
  /** The answer is text.slice(start, end). */
  start: number;
  end: number;
  how: "answer_tag" | "boxed" | "phrase" | "math" | "bold" | "letter" | "number" | "whole";
  /** The whole construct holding the answer (the \boxed{...}, the <answer> block), when there is one. */
  container?: { start: number; end: number };
  /** The answer is written in math mode (a box, $...$, \[...\]), so LaTeX spacing is spacing there. */
  math?: boolean;
}

/** Where the answer region starts: after the last </think>. */
export function regionStart(text: string): number {
  const close = text.lastIndexOf("</think>");
  return close >= 0 ? close + "</think>".length : 0;
}

/** [start, end) ranges of fenced code blocks (an unclosed fence runs to the end). */
export function codeFences(text: string): [number, number][] {
  const out: [number, number][] = [];
  const re = /^[ \t]*(```|~~~)/gm;
  let open: number | null = null;
  let fence = "";
  for (const m of text.matchAll(re)) {
    if (open === null) {
      open = m.index!;
      fence = m[1]!;
    } else if (m[1] === fence) {
      const end = text.indexOf("\n", m.index! + m[0].length);
      out.push([open, end < 0 ? text.length : end]);
      open = null;
    }
  }
  if (open !== null) out.push([open, text.length]);
  return out;
}

function inRanges(i: number, ranges: [number, number][]): boolean {
  return ranges.some(([a, b]) => i >= a && i < b);
}

function trimSpan(text: string, start: number, end: number): [number, number] {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return [start, end];
}

const PHRASE = /(?:\bfinal\s+answer|\bthe\s+answer|\banswer)\s*(?:is\s*:?|:|=)\s*/gi;
const LETTER_LINE = /^[\s*_]*\(?([A-J])\)?[).:]?[\s*_]*$/;

/**
 * The final answer of a completion, or null when none is found: where the math engine's extractor finds
 * it (the same rules as the built-in verifiers), else by the rules above.
 */
export function locateAnswer(text: string): AnswerSpan | null {
  return viaExtractor(text) ?? byRules(text);
}

function viaExtractor(text: string): AnswerSpan | null {
  let ex: ReturnType<typeof extractAnswer>;
  try {
    ex = extractAnswer(text, { rules: DEFAULT_RULES, think: true });
  } catch {
    return null;
  }
  if ("none" in ex || !ex.text) return null;
  const ans = ex.text;
  const fences = codeFences(text);
  let lo = regionStart(text);
  let hi = text.length;
  let tag: { start: number; end: number } | undefined;
  const aClose = text.lastIndexOf("</answer>");
  const aOpen = aClose >= lo ? text.lastIndexOf("<answer>", aClose) : -1;
  if (aOpen >= lo) {
    tag = { start: aOpen, end: aClose + "</answer>".length };
    lo = aOpen + "<answer>".length;
    hi = aClose;
  }
  let at = text.lastIndexOf(ans, hi - ans.length);
  while (at >= lo && inRanges(at, fences)) at = at > 0 ? text.lastIndexOf(ans, at - 1) : -1;
  if (at < lo) return null;
  const end = at + ans.length;
  const inside = (a: number, b: number) => a <= at && end <= b;
  const region = text.slice(lo, hi);
  const box = findBoxes(region).find((b) => inside(lo + b.start, lo + b.end));
  if (box)
    return {
      start: at,
      end,
      how: "boxed",
      container: { start: lo + box.start, end: lo + box.end },
      math: true,
    };
  const env = findMathEnvs(region).find((v) => inside(lo + v.start, lo + v.end));
  if (env)
    return {
      start: at,
      end,
      how: "math",
      container: { start: lo + env.start, end: lo + env.end },
      math: true,
    };
  if (tag) return { start: at, end, how: "answer_tag", container: tag, math: ans.includes("\\") };
  const how = ex.how.includes("phrase")
    ? "phrase"
    : ex.how.includes("number")
      ? "number"
      : ex.how.includes("bold")
        ? "bold"
        : "whole";
  return { start: at, end, how };
}

function byRules(text: string, from = regionStart(text)): AnswerSpan | null {
  const fences = codeFences(text);
  const region = text.slice(from);
  const ok = (i: number) => !inRanges(i, fences);

  // <answer> block: a box inside it is the answer, else its trimmed body.
  const aClose = text.lastIndexOf("</answer>");
  const aOpen = aClose >= from ? text.lastIndexOf("<answer>", aClose) : -1;
  if (aOpen >= from) {
    const bodyStart = aOpen + "<answer>".length;
    const inner = byRules(text.slice(0, aClose), bodyStart);
    const container = { start: aOpen, end: aClose + "</answer>".length };
    if (inner && inner.how === "boxed") return inner;
    const [s, e] = trimSpan(text, bodyStart, aClose);
    return s < e ? { start: s, end: e, how: "answer_tag", container } : null;
  }

  const boxes = findBoxes(region).filter((b) => ok(from + b.start));
  const box = boxes[boxes.length - 1];
  if (box) {
    const braced = text[from + box.end - 1] === "}" && box.content.length < box.end - box.start;
    const cEnd = from + box.end - (braced ? 1 : 0);
    const [s, e] = trimSpan(text, cEnd - box.content.length, cEnd);
    if (s < e)
      return { start: s, end: e, how: "boxed", container: { start: from + box.start, end: from + box.end } };
  }

  let phrase: RegExpExecArray | null = null;
  for (const m of region.matchAll(PHRASE)) if (ok(from + m.index!)) phrase = m as RegExpExecArray;
  if (phrase) {
    const at = from + phrase.index + phrase[0].length;
    const rest = text.slice(at);
    const stop = /\.(?=\s|$)|\n|$/.exec(rest)!;
    let [s, e] = trimSpan(text, at, at + stop.index);
    // "$x = 2$", "**5**": the answer inside the wrapper.
    const wrapped = /^(\${1,2}|\*\*)([\s\S]*?)\1$/.exec(text.slice(s, e));
    if (wrapped) [s, e] = trimSpan(text, s + wrapped[1]!.length, e - wrapped[1]!.length);
    if (s < e && e - s <= 200) return { start: s, end: e, how: "phrase", math: wrapped?.[1]?.[0] === "$" };
  }

  const envs = findMathEnvs(region).filter((v) => ok(from + v.start));
  const env = envs[envs.length - 1];
  if (env) {
    const open = text.startsWith("$$", from + env.start) ? 2 : text[from + env.start] === "$" ? 1 : 2;
    const [s, e] = trimSpan(text, from + env.start + open, from + env.end - open);
    if (s < e)
      return { start: s, end: e, how: "math", container: { start: from + env.start, end: from + env.end } };
  }

  const bolds = [...region.matchAll(/\*\*([^*\n]{1,80})\*\*/g)].filter((m) => ok(from + m.index!));
  const bold = bolds[bolds.length - 1];
  if (bold) {
    const [s, e] = trimSpan(text, from + bold.index! + 2, from + bold.index! + 2 + bold[1]!.length);
    if (s < e) return { start: s, end: e, how: "bold" };
  }

  const lines = region.split("\n");
  let lineStart = from + region.length;
  for (let k = lines.length - 1; k >= 0; k--) {
    const line = lines[k]!;
    lineStart -= line.length + (k < lines.length - 1 ? 1 : 0);
    if (line.trim() === "") continue;
    if (!ok(lineStart)) break;
    const m = LETTER_LINE.exec(line);
    if (m) {
      const at = lineStart + line.indexOf(m[1]!, line.search(/\S/));
      return { start: at, end: at + 1, how: "letter" };
    }
    break;
  }

  const nums = [...region.matchAll(/-?\d+(?:[.,]\d+)*/g)].filter((m) => ok(from + m.index!));
  const num = nums[nums.length - 1];
  if (num) return { start: from + num.index!, end: from + num.index! + num[0].length, how: "number" };

  const [s, e] = trimSpan(text, from, text.length);
  if (s < e && e - s <= 80 && !text.slice(s, e).includes("\n")) return { start: s, end: e, how: "whole" };
  return null;
}

const WORDS = ["London", "seventeen", "purple", "Tuesday", "elephant", "quartz", "Neptune", "banjo"];

/** A letter answer: "B", "(B)", "B." */
export function letterOf(answer: string): string | null {
  const m = /^\s*\(?([A-J])\)?\.?\s*$/.exec(answer.replace(/\\text\s*\{([^{}]*)\}/g, "$1"));
  return m ? m[1]! : null;
}

function norm(s: string): string {
  return s.toLowerCase().replace(/[\s$]/g, "");
}

/**
 * A different answer of the same kind: another option letter, a number with one digit changed, an
 * expression plus one, or another word. `variant` picks among the possibilities; null when every
 * candidate is one of the references.
 */
export function changeAnswer(
  answer: string,
  variant: number,
  references: readonly string[] = [],
): string | null {
  const refs = new Set(references.map(norm));
  const good = (s: string) => !refs.has(norm(s)) && norm(s) !== norm(answer);
  // A multiple-choice gold: the option label in the answer ("\textbf{(B) } 12") is what is read.
  const gold = references.length === 1 ? letterOf(references[0]!) : null;
  const label = gold ? new RegExp(`(?<![A-Za-z])${gold}(?![A-Za-z])`).exec(answer) : null;
  const letter = label ? gold : letterOf(answer);
  if (letter) {
    // The usual four options first, so a changed letter is an option that exists.
    const others = "ABCDEFGHIJ".replace(letter, "");
    for (let k = 0; k < others.length; k++) {
      const at = label ? label.index : answer.indexOf(letter);
      const c =
        answer.slice(0, at) + others[(variant + k) % (k < 3 ? 3 : others.length)]! + answer.slice(at + 1);
      if (good(c)) return c;
    }
    return null;
  }
  // "4! = 24", "x = 3": the value after the last "=" is the answer.
  const eq = answer.lastIndexOf("=");
  const off = eq >= 0 && /\d/.test(answer.slice(eq + 1)) ? eq + 1 : 0;
  const digits = /\d+/.exec(answer.slice(off));
  if (digits) {
    const at = off + digits.index + digits[0].length - 1;
    for (let k = 0; k < 9; k++) {
      const d = (Number(answer[at]) + 1 + ((variant + k) % 9)) % 10;
      const c = answer.slice(0, at) + String(d) + answer.slice(at + 1);
      if (good(c)) return c;
    }
    return null;
  }
  if (/[\\^_{}()=+\-*/<>]/.test(answer) || /^[A-Za-z]$/.test(answer.trim())) {
    const c = `${answer}+1`;
    return good(c) ? c : null;
  }
  for (let k = 0; k < WORDS.length; k++) {
    const c = WORDS[(variant + k) % WORDS.length]!;
    if (good(c)) return c;
  }
  return null;
}

/** The trimmed body of the last <answer> block after </think>, or null. */
export function answerTagBody(text: string): { start: number; end: number } | null {
  const from = regionStart(text);
  const close = text.lastIndexOf("</answer>");
  const open = close >= from ? text.lastIndexOf("<answer>", close) : -1;
  if (open < from) return null;
  const [s, e] = trimSpan(text, open + "<answer>".length, close);
  return s < e ? { start: s, end: e } : null;
}

/** Whether two answers are the same: the same text, or equal for the math engine. */
export function sameAnswer(a: string, b: string): boolean {
  if (a.trim() === b.trim()) return true;
  try {
    return compareAnswers(a, b).verdict === "equal";
  } catch {
    return false;
  }
}

/** Escapes text for use in a RegExp. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A pattern for `answer` standing alone (not inside a longer number or word). */
export function answerPattern(answer: string): RegExp {
  const head = /^[\p{L}\p{N}_]/u.test(answer) ? "(?<![\\p{L}\\p{N}_.])" : "";
  const tail = /[\p{L}\p{N}_]$/u.test(answer) ? "(?![\\p{L}\\p{N}_]|\\.\\d)" : "";
  return new RegExp(`${head}${escapeRe(answer)}${tail}`, "gu");
}

/** Replaces every occurrence of `answer` in the answer region (after </think>) by `by`. */
export function replaceEverywhere(text: string, answer: string, by: string): string {
  const from = regionStart(text);
  return text.slice(0, from) + text.slice(from).replace(answerPattern(answer), () => by);
}

/** The completion with its final answer changed everywhere in the answer region. */
export function withChangedAnswer(
  text: string,
  span: AnswerSpan,
  variant: number,
  references: readonly string[] = [],
): { text: string; from: string; to: string } | null {
  const answer = text.slice(span.start, span.end);
  const to = changeAnswer(answer, variant, references);
  if (to === null) return null;
  const out = replaceEverywhere(text, answer, to);
  return out === text ? null : { text: out, from: answer, to };
}

/** Equivalent forms of an answer printed by the math engine (kept only when the engine agrees). */
export function equivalentRewrites(answer: string): string[] {
  const out = new Set<string>();
  try {
    out.add(print(parseAnswer(answer)));
  } catch {
    // not a formula: no rewrite
  }
  if (answer.includes("\\dfrac")) out.add(answer.replace(/\\dfrac/g, "\\frac"));
  else if (answer.includes("\\frac")) out.add(answer.replace(/\\frac/g, "\\dfrac"));
  if (answer.includes("\\left")) out.add(answer.replace(/\\left|\\right/g, ""));
  return [...out].filter((c) => {
    if (c === answer || c.trim() === "") return false;
    try {
      return compareAnswers(c, answer).verdict === "equal" && compareAnswers(answer, c).verdict === "equal";
    } catch {
      return false;
    }
  });
}

/**
 * Positions inside [start, end) where LaTeX spacing (\, \; \! \: or a space) can go without changing
 * what is written: next to an operator, a parenthesis or existing space, never inside a command, a
 * number, a multi-character operator, \text{...}, or before an argument brace, a script or a prime.
 */
export function spacingPositions(text: string, start: number, end: number): number[] {
  const seg = text.slice(start, end);
  const blocked: [number, number][] = [];
  for (const m of seg.matchAll(/\\(?:text\w*|mathrm|mbox|operatorname)\s*\{[^{}]*\}/g))
    blocked.push([m.index!, m.index! + m[0].length]);
  const op = "+-=<>()";
  const multi = "+-=<>!*/:|";
  const out: number[] = [];
  for (let p = 1; p < seg.length; p++) {
    const a = seg[p - 1]!;
    const b = seg[p]!;
    if (inRanges(p, blocked) || inRanges(p - 1, blocked)) continue;
    if (a === "\\" || a === "^" || a === "_") continue;
    if ("{[^_'!%".includes(b)) continue;
    if (/[A-Za-z]/.test(a)) {
      // The end of a command name (\frac, \left): spacing there would become its argument.
      let k = p - 1;
      while (k > 0 && /[A-Za-z]/.test(seg[k - 1]!)) k--;
      if (k > 0 && seg[k - 1] === "\\") continue;
    }
    if (multi.includes(a) && multi.includes(b)) continue;
    const left = seg.slice(0, p).trimEnd().slice(-1);
    const right = seg.slice(p).trimStart().slice(0, 1);
    if (/\d/.test(left) && /\d/.test(right)) continue;
    const spaced = /\s/.test(a) || /\s/.test(b);
    const byOp = op.includes(a) || op.includes(b) || (a === "," && /\s/.test(b));
    if (spaced || byOp) out.push(start + p);
  }
  return out;
}
