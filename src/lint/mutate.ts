/**
 * Text mutations, each a pure function of the text and of parameters that fast-check generates (and
 * shrinks). Positions are fractions in [0, 1) so that one parameter fits any text.
 */

/** Picks the element at a fraction of a list (fractions shrink towards the first). */
export function pick<T>(xs: readonly T[], at: number): T | undefined {
  if (xs.length === 0) return undefined;
  return xs[Math.min(xs.length - 1, Math.floor(at * xs.length))];
}

export interface WhitespaceEdit {
  /** 0: replace a run of spaces/tabs; 1: add spaces before a line end; 2: add spaces at the start or end. */
  kind: 0 | 1 | 2;
  at: number;
  /** Non-empty spaces and tabs. */
  ws: string;
}

/** Horizontal whitespace only: runs replaced by other runs, spaces added at line ends or text ends. */
export function whitespace(text: string, edits: readonly WhitespaceEdit[]): string {
  let t = text;
  for (const e of edits) {
    if (e.kind === 0) {
      // Runs not right after a backslash (a LaTeX control space "\ " is a command, not spacing).
      const runs = [...t.matchAll(/[ \t]+/g)].filter((m) => m.index === 0 || t[m.index! - 1] !== "\\");
      const r = pick(runs, e.at);
      if (r) t = t.slice(0, r.index!) + e.ws + t.slice(r.index! + r[0].length);
    } else if (e.kind === 1) {
      const ends = [...t.matchAll(/\r?\n/g)].map((m) => m.index!);
      const at = pick(ends, e.at);
      if (at !== undefined) t = t.slice(0, at) + e.ws + t.slice(at);
    } else {
      t = e.at < 0.5 ? e.ws + t : t + e.ws;
    }
  }
  return t;
}

/** LF -> CRLF, for the line ends whose flag is set (all of them when `all`). */
export function lineEndings(text: string, flags: readonly boolean[], all: boolean): string {
  let k = 0;
  return text.replace(/\r?\n/g, (m) => {
    const on = all || (flags.length > 0 && flags[k++ % flags.length]);
    return m === "\n" && on ? "\r\n" : m;
  });
}

/** Words whose NFC and NFD forms differ (and one whose NFKC differs from both). */
export const ACCENTED = [
  "café",
  "naïve",
  "Ångström",
  "résumé",
  "São Paulo",
  "Dvořák",
  "crème brûlée",
  "Éire",
  "ﬁancé",
];

/** Inserts a word at a whitespace position (or the end): the neighbourhood of a seed for the unicode law. */
export function insertWord(text: string, at: number, word: string): string {
  const spots = [...text.matchAll(/\s/g)].map((m) => m.index!);
  const p = pick(spots, at) ?? text.length;
  return `${text.slice(0, p)} ${word}${text.slice(p)}`;
}

export const SPACINGS = [" ", "\\,", "\\;", "\\:", "\\!", "\\ "] as const;

/** Inserts spacing at some of the given positions (indices into `positions`, as fractions). */
export function insertAt(
  text: string,
  positions: readonly number[],
  edits: readonly { at: number; s: string }[],
): string {
  const chosen = new Map<number, string>();
  for (const e of edits) {
    const p = pick(positions, e.at);
    if (p !== undefined) chosen.set(p, (chosen.get(p) ?? "") + e.s);
  }
  let t = text;
  for (const p of [...chosen.keys()].sort((a, b) => b - a)) t = t.slice(0, p) + chosen.get(p)! + t.slice(p);
  return t;
}

/** Random edits for totality: insert, delete, duplicate, truncate. */
export interface RandomEdit {
  kind: 0 | 1 | 2 | 3;
  at: number;
  len: number;
  s: string;
}

export function randomEdits(text: string, edits: readonly RandomEdit[]): string {
  let t = text;
  for (const e of edits) {
    const p = Math.floor(e.at * (t.length + 1));
    const n = Math.max(0, Math.min(e.len, t.length - p));
    if (e.kind === 0) t = t.slice(0, p) + e.s + t.slice(p);
    else if (e.kind === 1) t = t.slice(0, p) + t.slice(p + n);
    else if (e.kind === 2) t = t.slice(0, p + n) + t.slice(p, p + n) + t.slice(p + n);
    else t = t.slice(0, p);
  }
  return t;
}

/** Inputs that break naive parsers, regexes and sandboxes: each becomes an insertion. */
export const HOSTILE: readonly { name: string; make: () => string }[] = [
  { name: "unclosed box", make: () => "\\boxed{" },
  { name: "5000 open braces", make: () => "{".repeat(5000) },
  { name: "3000 open parentheses", make: () => "(".repeat(3000) },
  { name: "nested \\frac", make: () => `${"\\frac{".repeat(500)}1${"}{2}".repeat(500)}` },
  { name: "1001 dollar signs", make: () => "$".repeat(1001) },
  { name: "1000 think tags", make: () => "<think>".repeat(1000) },
  { name: "stray closing tags", make: () => "</answer></think></answer>" },
  { name: "NUL and control characters", make: () => "\u0000\u0001\u001b[2J\u0007" },
  { name: "lone surrogates", make: () => "\ud800x\udfff" },
  { name: "bidi override", make: () => "\u202e24\u202c" },
  { name: "math and full-width digits", make: () => "𝟜𝟚 ４２ ⁴²" },
  { name: "a 5000-digit number", make: () => `\\boxed{${"9".repeat(5000)}}` },
  { name: "a huge exponent", make: () => "\\boxed{10^{10^{10^{10}}}}" },
  { name: "a huge factorial", make: () => "\\boxed{99999999!}" },
  { name: "1e999999", make: () => "\\boxed{1e999999}" },
  { name: "zero over zero", make: () => "\\boxed{0/0}" },
  { name: "infinity minus infinity", make: () => "\\boxed{\\infty - \\infty}" },
  { name: "nested square roots", make: () => `${"\\sqrt{".repeat(400)}2${"}".repeat(400)}` },
  { name: "a power tower", make: () => `${"x^".repeat(1000)}2` },
  { name: "nested \\left(", make: () => `${"\\left(".repeat(200)}x${"\\right)".repeat(200)}` },
  { name: "200 kB of text", make: () => "lorem ipsum ".repeat(17000) },
  { name: "backtracking bait", make: () => `${"a".repeat(5000)}!` },
  { name: "2000 boxes", make: () => "\\boxed{1}".repeat(2000) },
  { name: "unclosed \\text{", make: () => "\\text{" },
  { name: "a LaTeX comment", make: () => "% \\boxed{" },
  { name: "an unclosed code fence", make: () => "\n```python\n" },
  { name: "an infinite loop", make: () => "\n```python\nwhile True:\n    pass\n```\n" },
  { name: "an unterminated string", make: () => "'''\"\"\"`" },
  {
    name: "a matrix of 300 rows",
    make: () => `\\begin{pmatrix}${"1 & 2 \\\\ ".repeat(300)}\\end{pmatrix}`,
  },
  { name: "template syntax", make: () => "{{completion}} {{reference|json}} {{" },
  { name: "emoji", make: () => "🎉👍🏽‍🔥" },
];

/** Samples that are not samples, or samples with odd fields: every one must give a result, not a throw. */
export const ODD_SAMPLES: readonly { name: string; make: (s: Record<string, unknown>) => unknown }[] = [
  { name: "completion is a number", make: (s) => ({ ...s, completion: 42 }) },
  { name: "completion is null", make: (s) => ({ ...s, completion: null }) },
  { name: "completion is an object", make: (s) => ({ ...s, completion: { text: "x" } }) },
  { name: "no completion", make: ({ completion: _c, ...rest }) => rest },
  {
    name: "messages without an assistant",
    make: (s) => ({ ...s, completion: [{ role: "user", content: "hi" }] }),
  },
  {
    name: "assistant content null",
    make: (s) => ({ ...s, completion: [{ role: "assistant", content: null }] }),
  },
  { name: "no reference", make: ({ reference: _r, ...rest }) => rest },
  { name: "reference is an object", make: (s) => ({ ...s, reference: { x: [1, 2] } }) },
  { name: "reference is an empty list", make: (s) => ({ ...s, reference: [] }) },
  { name: "reference is null", make: (s) => ({ ...s, reference: null }) },
  { name: "not an object", make: () => "just a string" },
  { name: "an array", make: (s) => [s] },
];
