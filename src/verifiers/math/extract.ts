/**
 * Finding the final answer in a whole completion. Rules, in the default priority order (configurable):
 *
 *   boxed    the last \boxed{...} / \fbox{...}; several boxes close together ("\boxed{2} and \boxed{3}")
 *            form one answer;
 *   phrase   "final answer is ...", "Answer: ...", "the answer is ...", "#### ...": the last such phrase;
 *   math     the last math environment: $...$, $$...$$, \(...\), \[...\];
 *   bare     the whole text when it is one short formula, else the last number of the last line, else the
 *            whole text when it is a few words ("Monday").
 *
 * Only the part after </think> is read when a think block exists (an unclosed <think> means no answer),
 * and the body of the last <answer>...</answer> block when there is one. All scans are linear.
 *
 * A rule that finds a candidate decides: if that candidate later fails to parse, we never fall back to a
 * stray number elsewhere (Math-Verify's main source of false positives).
 */

import { UNIT_WORDS } from "./units.js";

export type Rule = "boxed" | "phrase" | "math" | "bare";

export const DEFAULT_RULES: readonly Rule[] = ["boxed", "phrase", "math", "bare"];

export interface Extracted {
  text: string;
  /** Which rule found it, for feedback. */
  how: string;
  /** Another reading to try when the first does not match: every repeated box kept (a multiset). */
  alt?: string;
  /** Where the rule found it (start and end in the region), to let a later answer statement win. */
  at?: number;
  end?: number;
}

export interface ExtractOptions {
  rules: readonly Rule[];
  /** Read only the part after </think> (default true). */
  think: boolean;
}

export type Extraction = Extracted | { none: string };

interface Box {
  start: number;
  end: number;
  content: string;
}

const BOX_RE = /\\(?:boxed|fbox|framebox)\s*(?:\{|(?=[^\s{]))/g;

/** Every outermost \boxed{...}, with nested braces balanced (linear: one pass per outermost box). */
export function findBoxes(text: string): Box[] {
  const out: Box[] = [];
  BOX_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let from = 0;
  // biome-ignore lint/suspicious/noAssignInExpressions: the classic exec loop
  while ((m = BOX_RE.exec(text))) {
    if (m.index < from) continue;
    const open = m[0].endsWith("{");
    let i = m.index + m[0].length;
    if (!open) {
      // \boxed 5: one token.
      const t = /^[^\s$]+/.exec(text.slice(i, i + 200));
      if (t) {
        out.push({ start: m.index, end: i + t[0].length, content: t[0] });
        from = i + t[0].length;
      }
      continue;
    }
    let depth = 1;
    const start = i;
    for (; i < text.length && depth > 0; i++) {
      const c = text[i];
      if (c === "\\") {
        i++;
        continue;
      }
      if (c === "{") depth++;
      else if (c === "}") depth--;
    }
    if (depth !== 0) break; // unclosed box: nothing after it can be trusted as a box either
    out.push({ start: m.index, end: i, content: text.slice(start, i - 1) });
    from = i;
    BOX_RE.lastIndex = i;
  }
  return out;
}

/** The text between two boxes that still makes them one answer: "\boxed{2} and \boxed{3}", "$, $". */
const JOIN_GAP =
  /^(?:[\s,;.&$]|\\[()[\]]|\\q?quad|\\text\s*\{\s*(?:and|or|,)\s*\}|\band\b|\bor\b|[a-zA-Z](?:_\{?\d\}?)?\s*=)*$/;

function boxedAnswer(region: string): Extracted | null {
  const boxes = findBoxes(region);
  if (!boxes.length) return null;
  const picked = [boxes[boxes.length - 1]!];
  for (let k = boxes.length - 2; k >= 0 && picked.length < 12; k--) {
    const gap = region.slice(boxes[k]!.end, picked[0]!.start);
    if (gap.length > 40 || !JOIN_GAP.test(gap)) break;
    picked.unshift(boxes[k]!);
  }
  const distinct = [...new Set(picked.map((b) => b.content.trim()))];
  const end = picked[picked.length - 1]!.end;
  const pos = { at: picked[0]!.start, end };
  // "\boxed{-2} and \boxed{-2}" against a gold "-2, -2" (a double root): the repeated boxes as a multiset.
  const alt = picked.length > distinct.length ? { alt: picked.map((b) => b.content.trim()).join(", ") } : {};
  if (distinct.length === 1)
    return { text: distinct[0]!, how: picked.length > 1 ? "boxed (repeated)" : "boxed", ...pos, ...alt };
  return { text: distinct.join(", "), how: `${distinct.length} boxes read as one answer`, ...pos, ...alt };
}

interface Env {
  start: number;
  end: number;
  content: string;
}

/** Math environments $$..$$, $..$, \[..\], \(..\) in order (linear scan; \$ is a dollar sign). */
export function findMathEnvs(text: string): Env[] {
  const out: Env[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === "\\") {
      const d = text[i + 1];
      if (d === "[" || d === "(") {
        const close = d === "[" ? "\\]" : "\\)";
        const j = text.indexOf(close, i + 2);
        if (j < 0) return out;
        out.push({ start: i, end: j + 2, content: text.slice(i + 2, j) });
        i = j + 2;
        continue;
      }
      i += 2;
      continue;
    }
    if (c === "$") {
      const dbl = text[i + 1] === "$";
      const open = dbl ? 2 : 1;
      let j = i + open;
      for (; j < n; j++) {
        if (text[j] === "\\") {
          j++;
          continue;
        }
        if (text[j] === "$") break;
        // A single $ does not span paragraphs: it was a dollar sign.
        if (!dbl && text[j] === "\n" && text[j + 1] === "\n") break;
      }
      if (j >= n || text[j] !== "$") {
        i += open;
        continue;
      }
      if (dbl && text[j + 1] !== "$") {
        i += 1;
        continue;
      }
      out.push({ start: i, end: j + open, content: text.slice(i + open, j) });
      i = j + open;
      continue;
    }
    i++;
  }
  return out;
}

const PHRASE_RE =
  /(?:\bfinal\s+answer|\bthe\s+answer|\banswer|\bans\.|####)(?:\s*\([^)]{0,20}\))?\s*(?:is\s*(?:equal\s+to|:)?|=|:|would\s+be|should\s+be|will\s+be)?\s*:?/gi;

/** Cuts a phrase's text at the end of its sentence and strips decoration. */
/** The contents of envs[from..] that are joined only by connectives ("$x=2$ and $y=3$"). */
function joinedEnvs(text: string, envs: Env[], from: number, backwards: boolean): string {
  const picked = [envs[from]!];
  for (
    let k = backwards ? from - 1 : from + 1;
    k >= 0 && k < envs.length && picked.length < 12;
    k += backwards ? -1 : 1
  ) {
    const a = backwards ? envs[k]! : picked[picked.length - 1]!;
    const b = backwards ? picked[0]! : envs[k]!;
    const gap = text.slice(a.end, b.start);
    if (gap.length > 40 || !JOIN_GAP.test(gap)) break;
    if (backwards) picked.unshift(envs[k]!);
    else picked.push(envs[k]!);
  }
  return picked.map((e) => e.content.trim()).join(", ");
}

/** Drops braces left over from a wrapper the phrase started or ended inside (\textbf{Answer: 5}). */
function trimBraces(s: string): string {
  let t = s.replace(/^\s*\}\s*/, "");
  let open = 0;
  let close = 0;
  for (const c of t) {
    if (c === "{") open++;
    else if (c === "}") close++;
  }
  while (close > open && t.endsWith("}")) {
    t = t.slice(0, -1).trimEnd();
    close--;
  }
  return t;
}

/** Cuts a phrase's text at the end of its sentence and strips decoration. */
function cleanPhrase(rest: string): string | null {
  // The dots of a repeating decimal (0.333...) belong to it; the sentence ends after them.
  let s = trimBraces(rest.replace(/^\s+/, "")).replace(/(\.(\d)\2+)\.\.\.(?=\s|$)/g, "$1\\ldots.");
  // "Answer: (B) 12": an option label before the value.
  s = s.replace(/^\(?[A-E]\)\s+(?=\S)/, "");
  if (!s) return null;
  const box = findBoxes(s);
  if (box.length && box[0]!.start < 3) return box[0]!.content;
  const envs = findMathEnvs(s);
  if (envs.length && envs[0]!.start === 0) return joinedEnvs(s, envs, 0, false);
  // End of the sentence: ". " (not a decimal point), a newline, a clause word, ", word", " (since".
  const stop =
    /\.(?=\s|$)|\n|;|\s(?:because|since|which|where|as|so|and\s+the|for\s+the|i\s+hope|this\s+is)\b|,\s+(?=(?!(?:and|or)\b)[A-Za-z]{3,})|\s\((?=[A-Za-z]{3,})/i.exec(
      s,
    );
  if (stop) s = s.slice(0, stop.index);
  s = afterCopula(s);
  const inner = findMathEnvs(s);
  if (inner.length) return inner.map((e) => e.content).join(", ");
  s = s
    .replace(/\*\*/g, "")
    .replace(/^["'`]+|["'`]+$/g, "")
    .trim();
  return s || null;
}

/** A math environment or box that holds only a variable name: $n$, \(x_1\), $\alpha$. */
const BARE_VARIABLE = /^\s*(?:[A-Za-z]|\\[a-zA-Z]+)(?:_\{?[A-Za-z0-9]\}?)?'?\s*$/;

/**
 * "The largest $n$ is 34", "the values of \(x\) are \(x=5\) and \(x=-2\)": a sentence that names what it
 * is about and then gives it, after its last copula ("is", "are", "equals", "="). Only used when the
 * text before the copula is prose or a bare variable, so "x^2 = 4" keeps its equation.
 */
function afterCopula(s: string): string {
  const envs = findMathEnvs(s);
  let last: RegExpExecArray | null = null;
  const re =
    /\s(?:is|are|was|were|equals|be|becomes|gives)\s+(?:(?:equal\s+to|exactly|about|approximately|then)\s+)?/gi;
  // biome-ignore lint/suspicious/noAssignInExpressions: the classic exec loop
  for (let m: RegExpExecArray | null; (m = re.exec(s)); ) {
    if (envs.some((e) => m!.index >= e.start && m!.index < e.end)) continue;
    last = m;
  }
  if (!last) return s;
  const before = s.slice(0, last.index);
  const after = s.slice(last.index + last[0].length).trim();
  if (!after || !/[\d\\$]/.test(after)) return s;
  // The subject must not itself be the value: "the answer $5$ is correct" keeps 5.
  const subjectEnvs = findMathEnvs(before);
  if (subjectEnvs.some((e) => !BARE_VARIABLE.test(e.content))) return s;
  return after;
}

const SELF_CORRECTION =
  /\b(?:wait|actually|correction|oops|mistake|i made an error|let me (?:re)?check|recheck|re-?evaluate|on second thought|no,)\b/i;

function phraseAnswer(region: string): Extracted | null {
  let last: RegExpExecArray | null = null;
  PHRASE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  // biome-ignore lint/suspicious/noAssignInExpressions: the classic exec loop
  while ((m = PHRASE_RE.exec(region))) {
    if (m[0].length === 0) {
      PHRASE_RE.lastIndex++;
      continue;
    }
    // "answer" must be followed by a marker (is, :, =) unless it is "####" or "final answer".
    if (!/is|=|:|be|####/i.test(m[0]) && !/final/i.test(m[0])) continue;
    last = m;
  }
  if (!last) return null;
  const after = region.slice(last.index + last[0].length);
  // "The answer is 5. Wait, I forgot ...: the total is 8.": a correction after the phrase overrides it.
  const sentenceEnd = /\.(?=\s|$)|\n/.exec(after);
  if (sentenceEnd && SELF_CORRECTION.test(after.slice(sentenceEnd.index))) return null;
  const sameLine = after.split("\n", 1)[0]!;
  let text = cleanPhrase(sameLine);
  if (!text) {
    // "The answer is:\n$$42$$": the next non-empty line.
    const next = after.split("\n").find((l) => l.trim() !== "");
    text = next ? cleanPhrase(next) : null;
  }
  return text ? { text, how: `answer phrase '${last[0].trim()}'`, at: last.index } : null;
}

function mathAnswer(region: string): Extracted | null {
  const envs = findMathEnvs(region);
  // "... a total of \(2+1=3\) possible values for \(n\).": an environment naming a variable is not the
  // answer; the formula before it in the same paragraph is.
  let n = envs.length - 1;
  while (
    n > 0 &&
    BARE_VARIABLE.test(envs[n]!.content) &&
    !region.slice(envs[n - 1]!.end, envs[n]!.start).includes("\n\n")
  )
    n--;
  const last = envs[n];
  if (!last?.content.trim()) return null;
  // "Setting $2x+6=0$ we find x = -3.": a number in the prose after the last formula is the answer.
  if (/\d/.test(region.slice(last.end).split("\n\n", 1)[0]!)) return null;
  const text = joinedEnvs(region, envs, n, true);
  return {
    text,
    how: text === last.content.trim() ? "last math environment" : "last math environments, joined",
  };
}

/** Words that are not prose: function names, units, small connectives. */
const MATHY_WORD =
  /^(?:sin|cos|tan|sec|csc|cot|ln|log|exp|sqrt|pi|inf|infinity|or|and|units?|degrees?|percent|thousand|million|billion|trillion)$/i;

function proseWords(line: string): string[] {
  // LaTeX command names (\frac), environment names and \text{...} annotations are not prose.
  const t = line
    .replace(/\\(?:begin|end)\s*\{[^{}]*\}/g, " ")
    .replace(/\\(?:text\w*|mathrm|mbox|operatorname)\s*\{[^{}]*\}/g, " ")
    .replace(/\\[A-Za-z]+/g, " ");
  const long = (t.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !MATHY_WORD.test(w) && !UNIT_WORDS.has(w));
  // Short English words ("So it's 1/9") are prose too; single letters and "dx" stay mathematics.
  const short = t.match(SHORT_PROSE) ?? [];
  return [...long, ...short];
}

const SHORT_PROSE =
  /(?<![A-Za-z\\])(?:[A-Za-z]+'[a-z]+|so|it|is|we|be|to|of|as|at|by|if|on|an|us|my)(?![A-Za-z])/gi;
const SHORT_WORD = /^(?:[A-Za-z]+'[a-z]+|so|it|is|we|be|to|of|as|at|by|if|on|an|us|my)$/i;

/** One word of a line that is prose (the same test as proseWords, for a single word). */
function isProseWord(w: string): boolean {
  return SHORT_WORD.test(w) || (w.length >= 3 && !MATHY_WORD.test(w) && !UNIT_WORDS.has(w));
}

/** "So it's \frac{1}{9}": the formula that ends a line of prose, after its last prose word. */
function trailingFormula(line: string): string | null {
  let w: RegExpExecArray | undefined;
  for (const m of line.matchAll(/(?<![A-Za-z\\])(?:[A-Za-z]+'[a-z]+|[A-Za-z]{2,})(?![A-Za-z])/g))
    if (isProseWord(m[0])) w = m;
  if (!w) return null;
  const tail = line
    .slice(w.index + w[0].length)
    .replace(/^[\s:,]+/, "")
    .replace(/[.!]\s*$/, "")
    .trim();
  // A formula: LaTeX, operators or several numbers; a lone number is left to the last-number rule.
  if (!tail || !/\d/.test(tail) || !/\\[A-Za-z]|[=^/*+]/.test(tail) || /\$|\\[([]/.test(tail)) return null;
  return proseWords(tail).length === 0 ? tail : null;
}

/** A last line that repeats the question or an instruction ("Convert 3/4 to a decimal.") has no answer. */
const QUESTION_LINE =
  /^(?:\*\*)?(?:convert|find|compute|calculate|evaluate|simplify|solve|determine|express|write|round|show|prove|what|how|given|suppose)\b|\?\s*(?:\*\*)?$/i;

/** Numbers standing as words: not the digits of "AZYUK2A" or "x2y"; "5cm" and "2nd" are still numbers. */
function standaloneNumbers(plain: string): RegExpMatchArray[] {
  const out: RegExpMatchArray[] = [];
  for (const m of plain.matchAll(/-?\d+(?:,\d{3})*(?:\.\d+)?(?:\s*\/\s*\d+)?\s*%?/g)) {
    const before = plain[m.index! - 1] ?? "";
    if (/[A-Za-z_]/.test(before)) continue;
    const letters = /^[A-Za-z]+/.exec(plain.slice(m.index! + m[0].trimEnd().length))?.[0];
    if (letters && !UNIT_WORDS.has(letters) && !/^(?:st|nd|rd|th)$/i.test(letters)) continue;
    out.push(m);
  }
  return out;
}

const TRAILING_CUT =
  /(?:[,(=+\-*/]|\b(?:to|is|are|was|be|the|a|an|of|and|so|then|get|gives|with|by|for|that|which|we|has|have|equals))\s*$/i;

function bareAnswer(region: string): Extracted | null {
  const t = region.trim();
  if (!t) return null;
  const lines = t.split(/\r?\n/).filter((l) => l.trim() !== "");
  const last = lines[lines.length - 1]!;
  // **Tuesday**, **73**: a bold span on the last line is the answer.
  const bold = [...last.matchAll(/\*\*([^*\n]{1,80})\*\*/g)];
  const b = bold[bold.length - 1];
  if (b && !/^\s*(?:final\s+)?answer\s*:?\s*$/i.test(b[1]!))
    return { text: b[1]!.replace(/[.:]\s*$/, "").trim(), how: "bold text on the last line" };
  const plain = last.replace(/(^|[\s:(])\*\*|\*\*(?=[\s:.,)!]|$)/g, "$1").trim();
  // A last line that is a formula, however long, is the answer (never a number picked out of it).
  if (proseWords(plain).length === 0)
    return { text: plain, how: lines.length === 1 ? "whole answer" : "last line" };
  // "... = 12, and the area of the triangle is": a line cut off mid-sentence (a completion that ran out of
  // tokens) has no answer, only intermediate numbers.
  if (TRAILING_CUT.test(plain)) return null;
  if (QUESTION_LINE.test(plain)) return null;
  const formula = trailingFormula(plain);
  if (formula) return { text: formula, how: "formula ending the last line" };
  // "maybe 5 or 6": a hedge between numbers is read whole (a list, which no single gold equals).
  const hedge = /(-?\d[\d,.]*\s+or\s+-?\d[\d,.]*)\s*[.?!]*\s*$/.exec(plain);
  if (hedge) return { text: hedge[1]!, how: "numbers at the end of the last line" };
  const nums = standaloneNumbers(plain);
  const lastNum = nums[nums.length - 1];
  if (lastNum) return { text: lastNum[0].trim(), how: "last number of the last line" };
  // A short last line of words ("Monday", "No solution") can only match a gold with the same text.
  if (plain.length <= 100)
    return { text: plain, how: lines.length === 1 ? "whole answer (text)" : "last line (text)" };
  return null;
}

export function extractAnswer(completion: string, opts: ExtractOptions): Extraction {
  let region = completion;
  if (opts.think) {
    const close = region.lastIndexOf("</think>");
    if (close >= 0) region = region.slice(close + "</think>".length);
    else if (region.includes("<think>")) return { none: "the <think> block is never closed" };
  }
  let how = "";
  const aClose = region.lastIndexOf("</answer>");
  if (aClose >= 0) {
    const aOpen = region.lastIndexOf("<answer>", aClose);
    if (aOpen >= 0) {
      region = region.slice(aOpen + "<answer>".length, aClose);
      how = "<answer> block, ";
    }
  }
  for (const rule of opts.rules) {
    const found =
      rule === "boxed"
        ? boxedAnswer(region)
        : rule === "phrase"
          ? phraseAnswer(region)
          : rule === "math"
            ? mathAnswer(region)
            : bareAnswer(region);
    if (!found) continue;
    if (rule === "boxed" && opts.rules.includes("phrase")) {
      // "\boxed{255} ... The final answer is $10,455$": a final-answer statement after the last box is the
      // model's last word. It must be a value, not prose ("the answer is the number of apples").
      const later = found.end === undefined ? null : phraseAnswer(region.slice(found.end));
      if (later && /\d/.test(later.text) && proseWords(later.text).length === 0)
        return { text: later.text.trim(), how: `${how}${later.how}, after the last box` };
    }
    return { text: found.text.trim(), how: how + found.how, ...(found.alt ? { alt: found.alt } : {}) };
  }
  return {
    none:
      opts.rules.length === 1 && opts.rules[0] === "boxed"
        ? "no \\boxed{} answer (strict mode)"
        : "no answer found",
  };
}
