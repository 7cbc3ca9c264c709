/**
 * multiple_choice: extract the chosen letter and compare it with the reference letter (or 0-based index).
 * Extraction, first rule that finds something wins:
 *   1. \boxed{B} / \fbox{(B)} / \boxed{\text{B}}: several boxes naming different letters are ambiguous;
 *   2. "answer is (B)", "Answer: **B**", "the correct option is B": the last such phrase;
 *   3. the whole answer, or its last line, is a letter form: "B", "(B)", "B.", "B) Paris".
 * A choice followed by another option ("A or B", "A) x B) y") is ambiguous and scores 0: listing options
 * must never pay. Bare lowercase letters are not read (they are English words); "(b)" is.
 */
import { fail, ok, renderText, type Template, type Verifier } from "../../core/index.js";
import { INPUT, REFERENCE, template } from "../common.js";

interface Config {
  input?: string;
  reference?: string;
  letters?: string;
}

interface Compiled {
  input: Template;
  reference: Template;
  letters: string;
}

type Choice = { letter: string; how: string } | { ambiguous: string[]; how: string } | null;

const BOX = /\\(?:boxed|fbox)\s*\{/g;

/** Contents of each \boxed{...}, with nested braces balanced. */
function boxes(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(BOX)) {
    let depth = 1;
    let i = m.index! + m[0].length;
    const start = i;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
    }
    if (depth === 0) out.push(text.slice(start, i - 1));
  }
  return out;
}

function letterForm(s: string, letters: string): string | null {
  const t = s
    .replace(/\\(?:text|textbf|mathrm|mathbf|textrm)\s*\{([^{}]*)\}/g, "$1")
    .replace(/[*_$\s]/g, "")
    .replace(/^\\?\(|\\?\)$/g, (p) => (p.includes("\\") ? "" : p));
  const m = /^(?:\(([A-Za-z])\)|\[([A-Za-z])\]|([A-Z])[).:]?)$/.exec(t);
  const l = m && (m[1] ?? m[2] ?? m[3])!.toUpperCase();
  return l && letters.includes(l) ? l : null;
}

/** Another option marker after the chosen one: "or B", ", C", "B)" ... */
function othersAfter(rest: string, chosen: string, letters: string): string[] {
  const found = new Set<string>();
  const re = /(?:^|[\s,;/]|\bor\b|\band\b)\(?\**([A-Z])\**(?:[).\]:]|\s*(?:,|\bor\b|\band\b|$))/g;
  for (const m of rest.slice(0, 200).matchAll(re)) {
    const l = m[1]!;
    if (l !== chosen && letters.includes(l)) found.add(l);
  }
  return [...found];
}

export function extractChoice(raw: string, letters: string): Choice {
  const body = answerBody(raw);
  const choice = choiceIn(body, letters);
  if (!choice || "ambiguous" in choice || !body.includes("\n")) return choice;
  // "A\nB\nC\nD", "(A)\n(B)": several lines that are each only an option letter list the options.
  const listed = new Set<string>();
  for (const line of body.split(/\r?\n/)) {
    const l = /^[\s*_\-•]*(?:\(([A-Z])\)|\[([A-Z])\]|([A-Z])[).:]?)[\s*_]*$/.exec(line);
    const letter = l && (l[1] ?? l[2] ?? l[3])!;
    if (letter && letters.includes(letter)) listed.add(letter);
  }
  if (listed.size > 1) return { ambiguous: [...listed], how: "one option letter per line" };
  return choice;
}

/** The body of the last <answer>...</answer> block when there is one (the default input keeps the tags). */
function answerBody(text: string): string {
  if (!text.includes("</answer>")) return text;
  const close = text.lastIndexOf("</answer>");
  const open = close >= 0 ? text.lastIndexOf("<answer>", close) : -1;
  return open >= 0 ? text.slice(open + "<answer>".length, close) : text;
}

function choiceIn(raw: string, letters: string): Choice {
  // "$E$", "\text{E}", "\(\mathrm{(B)}\)": a letter wrapped in math or text markup is the letter.
  const text = !/[$\\]/.test(raw)
    ? raw
    : raw
        .replace(/\\(?:text\w*|mathrm|mathbf|textrm)\s*\{\s*(\(?[A-Za-z]\)?)\s*\}/g, "$1")
        .replace(/(?:\$|\\\()\s*(\(?[A-Z]\)?)\s*(?:\$|\\\))/g, "$1");
  const boxed = boxes(text)
    .map((b) => letterForm(b, letters))
    .filter((x): x is string => x !== null);
  if (boxed.length) {
    const distinct = [...new Set(boxed)];
    return distinct.length === 1
      ? { letter: distinct[0]!, how: "boxed" }
      : { ambiguous: distinct, how: "boxed" };
  }
  // A letter followed by a combining mark (NFD "Å") is part of a word, as its NFC form is.
  const phrase =
    /(?:final\s+answer|correct\s+(?:answer|option|choice)|answer|option|choice)[\s*_]*(?:is|would\s+be|:|=)[\s*_:]*(?:option\s+|choice\s+)?(?:\(([A-Za-z])\)|\[([A-Za-z])\]|([A-Z]))(?![\p{L}\p{M}\p{N}])/giu;
  let last: RegExpExecArray | null = null;
  for (const m of text.matchAll(phrase)) {
    const bare = m[3];
    // The bare capture is case-sensitive even under the i flag: only an uppercase letter counts.
    if (bare !== undefined && bare !== bare.toUpperCase()) continue;
    last = m as RegExpExecArray;
  }
  if (last) {
    const l = (last[1] ?? last[2] ?? last[3])!.toUpperCase();
    if (letters.includes(l)) {
      const others = othersAfter(text.slice(last.index + last[0].length), l, letters);
      return others.length
        ? { ambiguous: [l, ...others], how: "answer phrase" }
        : { letter: l, how: "answer phrase" };
    }
  }
  const trimmed = text.trim();
  const lines = trimmed.split(/\r?\n/).filter((x) => x.trim() !== "");
  for (const [line, how] of [
    [trimmed, "whole answer"],
    [lines[lines.length - 1] ?? "", "last line"],
  ] as const) {
    // A bare capital must be followed by ) . : or the end of the line, so "I think" and "A good" are prose.
    const m = /^[\s*_]*(?:\(([A-Za-z])\)|\[([A-Za-z])\]|([A-Z])[*_]*(?:[).:]|$))[*_]*/.exec(line);
    if (!m) continue;
    const l = (m[1] ?? m[2] ?? m[3])!.toUpperCase();
    if (!letters.includes(l)) continue;
    const rest = line.slice(m[0].length);
    const others = othersAfter(rest, l, letters);
    return others.length ? { ambiguous: [l, ...others], how } : { letter: l, how };
  }
  return null;
}

function referenceLetter(v: unknown, letters: string): string | null {
  if (typeof v === "number" && Number.isInteger(v)) return letters[v] ?? null;
  if (typeof v !== "string") return null;
  if (/^\d+$/.test(v.trim())) return letters[Number(v.trim())] ?? null;
  return letterForm(v, letters) ?? letterForm(v.toUpperCase(), letters);
}

export const multipleChoice: Verifier<Config, Compiled> = {
  type: "multiple_choice",
  pure: true,
  description: "The chosen option letter equals the reference letter.",
  laws: { invariant: ["whitespace", "line_endings", "unicode"], sensitive_to_answer: true, asymmetric: true },
  configSchema: {
    properties: {
      input: { ...INPUT, default: "{{completion|after:</think>}}" },
      reference: {
        ...REFERENCE,
        description: "The correct letter, or its 0-based index. Template; default {{reference}}.",
      },
      letters: { type: "string", pattern: "^[A-Z]{2,26}$", default: "ABCDEFGHIJ" },
    },
  },
  compile: (c) => ({
    input: template(c.input, "{{completion|after:</think>}}"),
    reference: template(c.reference, "{{reference}}"),
    letters: c.letters ?? "ABCDEFGHIJ",
  }),
  verify(sample, c) {
    const raw = c.reference.render(sample);
    const want = referenceLetter(raw, c.letters);
    if (!want) {
      return fail(
        "invalid_input",
        `reference ${JSON.stringify(raw)} is not one of the letters ${c.letters} or an index`,
      );
    }
    const got = extractChoice(renderText(c.input, sample, "input"), c.letters);
    if (!got) return ok(0, { feedback: "no choice found", details: { expected: want } });
    if ("ambiguous" in got) {
      return ok(0, {
        feedback: `ambiguous: ${got.ambiguous.join(", ")} (${got.how})`,
        details: { expected: want },
      });
    }
    const hit = got.letter === want;
    return ok(hit ? 1 : 0, {
      feedback: `chose ${got.letter} (${got.how}), expected ${want}`,
      details: { chosen: got.letter, expected: want },
    });
  },
};
