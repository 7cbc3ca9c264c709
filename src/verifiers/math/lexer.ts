/**
 * Lexer for answer text, LaTeX or plain ("\frac{1}{2}", "1/2", "x^2+2x+1", "5\text{ cm}", "x ≤ 3").
 * One left-to-right pass, linear in the input. Spacing and sizing commands are dropped here, Unicode
 * symbols are mapped to the same tokens as their LaTeX spellings, `\text{...}` content is lexed in text
 * mode (letter runs become words, not products of variables), and unknown commands stay commands so the
 * parser can refuse them instead of reading them as variables.
 */
import { UNIT_WORDS } from "./units.js";

export type Tok =
  /** `v` is the digits with an optional '.', `e` a power-of-ten exponent, `rep` repeating decimals. */
  | { t: "num"; v: string; sp: boolean; e?: number; rep?: string }
  | { t: "id"; v: string; sp: boolean }
  | { t: "word"; v: string; sp: boolean }
  | { t: "fn"; v: string; sp: boolean }
  | { t: "const"; v: "pi" | "e" | "i" | "inf"; sp: boolean }
  | { t: "cmd"; v: string; sp: boolean }
  /** `group` marks a comma written between digit groups ("1,000"), which the parser may join. */
  | { t: "op"; v: string; sp: boolean; group?: boolean }
  | { t: "begin" | "end"; v: string; sp: boolean };

export class LexError extends Error {
  constructor(
    message: string,
    readonly limit = false,
  ) {
    super(message);
  }
}

const DROP = new Set(
  (
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr middle displaystyle textstyle " +
    "scriptstyle scriptscriptstyle limits nolimits quad qquad enspace thinspace medspace thickspace " +
    "negthinspace negmedspace hfill noindent nonumber notag mathstrut strut allowbreak therefore because " +
    "rm bf it displaylimits cr"
  ).split(" "),
);
const SKIP_ARG = new Set(["hspace", "vspace", "phantom", "hphantom", "vphantom", "label", "tag", "color"]);
const TEXT_CMDS = new Set([
  "text",
  "textrm",
  "textnormal",
  "textbf",
  "textit",
  "textsf",
  "texttt",
  "textup",
  "textmd",
  "mbox",
  "hbox",
  "emph",
  "textsc",
]);
const FONT_CMDS = new Set([
  "mathrm",
  "mathbf",
  "mathit",
  "mathsf",
  "mathtt",
  "boldsymbol",
  "bm",
  "mathnormal",
  "operatorname",
  "pmb",
  "mathbold",
  "textcolor",
  "boxed",
  "fbox",
  "framebox",
  "underline",
]);

export const FUNCTIONS: Record<string, string> = {
  sin: "sin",
  cos: "cos",
  tan: "tan",
  tg: "tan",
  sec: "sec",
  csc: "csc",
  cosec: "csc",
  cot: "cot",
  ctg: "cot",
  arcsin: "asin",
  arccos: "acos",
  arctan: "atan",
  arcsec: "asec",
  arccsc: "acsc",
  arccot: "acot",
  asin: "asin",
  acos: "acos",
  atan: "atan",
  sinh: "sinh",
  cosh: "cosh",
  tanh: "tanh",
  sech: "sech",
  csch: "csch",
  coth: "coth",
  arsinh: "asinh",
  arcsinh: "asinh",
  asinh: "asinh",
  arcosh: "acosh",
  arccosh: "acosh",
  acosh: "acosh",
  artanh: "atanh",
  arctanh: "atanh",
  atanh: "atanh",
  exp: "exp",
  ln: "ln",
  log: "log",
  lg: "lg",
  abs: "abs",
  gcd: "gcd",
  lcm: "lcm",
  max: "max",
  min: "min",
  floor: "floor",
  ceil: "ceil",
};

const GREEK = new Set(
  (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi omicron " +
    "rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Sigma " +
    "Upsilon Phi Psi Omega ell hbar"
  ).split(" "),
);
const GREEK_CHARS = "αβγδεζηθικλμνξοπρστυφχψω";
const GREEK_NAMES =
  "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho varsigma sigma tau upsilon phi chi psi omega".split(
    " ",
  );

/** Commands that become op tokens. */
const CMD_OPS: Record<string, string> = {
  cdot: "*",
  times: "*",
  ast: "*",
  div: "/",
  pm: "pm",
  mp: "mp",
  le: "<=",
  leq: "<=",
  leqslant: "<=",
  ge: ">=",
  geq: ">=",
  geqslant: ">=",
  ne: "!=",
  neq: "!=",
  lt: "<",
  gt: ">",
  approx: "~",
  simeq: "~",
  approxeq: "~",
  doteq: "=",
  cup: "cup",
  bigcup: "cup",
  cap: "cap",
  bigcap: "cap",
  setminus: "minus",
  backslash: "minus",
  in: "in",
  langle: "langle",
  rangle: "rangle",
  vert: "|",
  lvert: "|",
  rvert: "|",
  Vert: "|",
  lVert: "|",
  rVert: "|",
  mid: "|",
  lfloor: "lfloor",
  rfloor: "rfloor",
  lceil: "lceil",
  rceil: "rceil",
  lbrace: "\\{",
  rbrace: "\\}",
  lbrack: "[",
  rbrack: "]",
  circ: "circ",
  degree: "deg",
  textdegree: "deg",
  prime: "'",
  dots: "...",
  ldots: "...",
  cdots: "...",
  dotsc: "...",
  dotsb: "...",
  colon: ":",
  land: "and",
  wedge: "and",
  lor: "or",
  vee: "or",
  to: "=>",
  rightarrow: "=>",
  Rightarrow: "=>",
  implies: "=>",
  iff: "=>",
  choose: "choose",
  not: "not",
  cdotp: "*",
};

const UNICODE_OPS: Record<string, string> = {
  "≤": "<=",
  "⩽": "<=",
  "≥": ">=",
  "⩾": ">=",
  "≠": "!=",
  "×": "*",
  "·": "*",
  "⋅": "*",
  "∙": "*",
  "÷": "/",
  "−": "-",
  "–": "-",
  "—": "-",
  "‐": "-",
  "±": "pm",
  "∓": "mp",
  "°": "deg",
  "∈": "in",
  "∪": "cup",
  "∩": "cap",
  "∖": "minus",
  "⟨": "langle",
  "〈": "langle",
  "⟩": "rangle",
  "〉": "rangle",
  "≈": "~",
  "′": "'",
  "…": "...",
  "⌊": "lfloor",
  "⌋": "rfloor",
  "⌈": "lceil",
  "⌉": "rceil",
  "∣": "|",
};

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isLetter = (c: string | undefined): boolean =>
  c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));

/** Reads a balanced {...} group starting at src[i] === "{"; returns [content, index after "}"]. */
export function readGroup(src: string, i: number): [string, number] {
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === "\\") {
      j++;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return [src.slice(i + 1, j), j + 1];
    }
  }
  throw new LexError("unbalanced braces");
}

function skipSpaces(src: string, i: number): number {
  while (i < src.length && /\s/.test(src[i]!)) i++;
  return i;
}

export interface LexOptions {
  /** Text mode: letter runs are words (inside \text{}). */
  text?: boolean;
  /** True when the whole answer looks like LaTeX (letter runs are products of variables). */
  latex?: boolean;
}

export function lex(src: string, opts: LexOptions = {}, out: Tok[] = [], depth = 0): Tok[] {
  if (depth > 20) throw new LexError("text nested too deeply", true);
  const latex = opts.latex ?? /\\[A-Za-z]|[{}]/.test(src);
  let i = 0;
  let sp = false;
  const n = src.length;
  const push = (t: Tok) => {
    out.push(t);
    sp = false;
  };
  while (i < n) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "~" || c === "\u00a0") {
      sp = true;
      i++;
      continue;
    }
    if (isDigit(c) || (c === "." && isDigit(src[i + 1]))) {
      i = lexNumber(src, i, sp, push);
      continue;
    }
    if (isLetter(c)) {
      let j = i;
      while (j < n && isLetter(src[j])) j++;
      lexWord(src.slice(i, j), src.slice(j, j + 40), sp, opts.text === true, latex, out, push);
      i = j;
      continue;
    }
    if (c === "\\") {
      const before = out.length;
      const r = lexCommand(src, i, sp, opts, latex, out, push, depth);
      i = r.i;
      if (r.space) sp = true;
      else if (out.length > before) sp = false;
      continue;
    }
    const gi = GREEK_CHARS.indexOf(c);
    if (gi >= 0) {
      const name = GREEK_NAMES[gi]!;
      push(name === "pi" ? { t: "const", v: "pi", sp } : { t: "id", v: name, sp });
      i++;
      continue;
    }
    if (c === "√") {
      push({ t: "cmd", v: "sqrt", sp });
      i++;
      continue;
    }
    if (c === "∞") {
      push({ t: "const", v: "inf", sp });
      i++;
      continue;
    }
    if (c === "∅") {
      push({ t: "cmd", v: "emptyset", sp });
      i++;
      continue;
    }
    if ("ℝℤℕℚℂ".includes(c)) {
      push({ t: "cmd", v: `mathbb:${"RZNQC"["ℝℤℕℚℂ".indexOf(c)]}`, sp });
      i++;
      continue;
    }
    const u = UNICODE_OPS[c];
    if (u) {
      push({ t: "op", v: u, sp });
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (
      two === "<=" ||
      two === ">=" ||
      two === "!=" ||
      two === "=>" ||
      two === "**" ||
      two === "==" ||
      two === "<>"
    ) {
      const v = two === "**" ? "^" : two === "==" ? "=" : two === "<>" ? "!=" : two;
      push({ t: "op", v, sp });
      i += 2;
      continue;
    }
    if (two === "=<") {
      push({ t: "op", v: "<=", sp });
      i += 2;
      continue;
    }
    if (src.startsWith("...", i)) {
      push({ t: "op", v: "...", sp });
      i += 3;
      continue;
    }
    if (c === "$") {
      // Math delimiters inside an answer carry no meaning.
      sp = true;
      i++;
      continue;
    }
    if ("+-*/^_()[]{},;=<>!|&':.%?\"".includes(c)) {
      push({ t: "op", v: c, sp });
      i++;
      continue;
    }
    if (c.charCodeAt(0) < 128) throw new LexError(`unexpected character '${c}'`);
    // Any other Unicode letter (accented words, other scripts) is text.
    let j = i + 1;
    while (j < n && /[\p{L}\p{M}]/u.test(src[j]!)) j++;
    push({ t: "word", v: src.slice(i, j), sp });
    i = j;
  }
  return out;
}

function lexNumber(src: string, i: number, sp: boolean, push: (t: Tok) => void): number {
  const n = src.length;
  let j = i;
  let digits = "";
  while (j < n) {
    const c = src[j]!;
    if (isDigit(c)) {
      digits += c;
      j++;
      continue;
    }
    // Digit grouping written as 1{,}000 or 1\,000 (or a decimal comma 3{,}14).
    // Also "32,\! 349", "1\;000", "1,~000": a comma and/or LaTeX spacing between groups of three.
    const sepM =
      c === "{" || c === "," || c === "\\"
        ? /^(?:\{,\}|,?(?:\s*(?:\\[!,;: ]|~))+\s*)/.exec(src.slice(j, j + 24))
        : null;
    const grp = sepM ? sepM[0].length : 0;
    if (grp && isDigit(src[j + grp]) && !digits.includes(".")) {
      let k = j + grp;
      while (k < n && isDigit(src[k])) k++;
      if (k - (j + grp) === 3) {
        j += grp;
        continue;
      }
      if (src.startsWith("{,}", j)) {
        digits += ".";
        j += grp;
        continue;
      }
    }
    if (c === "." && !digits.includes(".") && /^\\(?:overline|dot|bar)\b/.test(src.slice(j + 1, j + 11))) {
      digits += ".";
      j++;
      break;
    }
    if (c === "." && isDigit(src[j + 1]) && !digits.includes(".")) {
      digits += ".";
      j++;
      continue;
    }
    break;
  }
  if (digits.length > 2000) throw new LexError("number literal over 2000 digits", true);
  const tok: Tok & { t: "num" } = { t: "num", v: digits, sp };
  // Scientific notation 1.5e-3 / 2E5 (not followed by a letter: "2ex" is 2*e*x).
  const m = /^[eE]([+-]?)(\d{1,6})(?![A-Za-z\d])/.exec(src.slice(j, j + 9));
  if (m && /\d/.test(digits)) {
    tok.e = Number(`${m[1]}${m[2]}`);
    j += m[0].length;
  }
  // Repeating decimals: 0.\overline{3}, 0.\dot{3}, 0.333... (a single repeated digit).
  if (digits.includes(".")) {
    const rm = /^\\(?:overline|dot|bar)\s*\{?\s*(\d+)\s*\}?/.exec(src.slice(j, j + 60));
    if (rm) {
      tok.rep = rm[1]!;
      j += rm[0].length;
    } else {
      const dm = /^\s*(?:\.\.\.|\\[lc]?dots|…)/.exec(src.slice(j, j + 12));
      const dec = digits.slice(digits.indexOf(".") + 1);
      if (dm && dec.length >= 2 && /^(\d)\1+$/.test(dec)) {
        tok.rep = dec[0]!;
        j += dm[0].length;
      }
    }
  }
  // "1,000,000": commas between groups of exactly three digits.
  push(tok);
  if (
    src[j] === "," &&
    isDigit(src[j + 1]) &&
    isDigit(src[j + 2]) &&
    isDigit(src[j + 3]) &&
    !isDigit(src[j + 4])
  ) {
    if (!digits.includes(".") && digits.length <= 3) {
      push({ t: "op", v: ",", sp: false, group: true });
      return j + 1;
    }
  }
  return j;
}

function lexWord(
  w: string,
  rest: string,
  sp: boolean,
  text: boolean,
  latex: boolean,
  out: Tok[],
  push: (t: Tok) => void,
) {
  const lower = w.toLowerCase();
  if (lower === "or" || lower === "and") return push({ t: "op", v: lower, sp });
  if (lower === "infinity" || lower === "infty") return push({ t: "const", v: "inf", sp });
  if (text) return push({ t: "word", v: w, sp });
  if (FUNCTIONS[w]) return push({ t: "fn", v: FUNCTIONS[w]!, sp });
  if (w === "sqrt") return push({ t: "cmd", v: "sqrt", sp });
  if (w === "pi") return push({ t: "const", v: "pi", sp });
  if (w === "inf" || w === "infty" || w === "infinity" || w === "oo" || w === "Infinity") {
    return push({ t: "const", v: "inf", sp });
  }
  if (lower === "percent") return push({ t: "op", v: "%", sp });
  const prev = out[out.length - 1];
  const afterQuantity = prev && (prev.t === "num" || (prev.t === "op" && (prev.v === ")" || prev.v === "}")));
  if (w.length >= 2 && afterQuantity && UNIT_WORDS.has(w)) return push({ t: "word", v: w, sp });
  // "5 m", "3 m/s", "2 h": a one-letter unit after a number and a space, at the end or before / or ^.
  if (
    w.length === 1 &&
    sp &&
    (prev?.t === "num" || afterPowerOfTen(out)) &&
    "mgshLNJW".includes(w) &&
    /^(?:\s*[.]?\s*$|\s*[/^])/.test(rest) &&
    // "\pi r^2 h" is a product: a one-letter unit only follows a plain number.
    // (10^{7} in scientific notation is still a plain number: "1.8 \times 10^7 J".)
    !out.some(
      (t, i) =>
        t.t === "id" ||
        (t.t === "op" && t.v === "_") ||
        (t.t === "op" && t.v === "^" && !(out[i - 1]?.t === "num" && out[i - 1]?.v === "10")),
    )
  ) {
    return push({ t: "word", v: w, sp });
  }
  if (
    prev?.t === "op" &&
    prev.v === "/" &&
    out[out.length - 2]?.t === "word" &&
    (UNIT_WORDS.has(w) || "mgshLNJW".includes(w))
  ) {
    return push({ t: "word", v: w, sp });
  }
  if (!latex && w.length >= 3) {
    // "sinx", "lnx": a function name glued to one variable.
    const f = /^(sin|cos|tan|sec|csc|cot|ln|log|exp)([a-z])$/.exec(w);
    if (f) {
      push({ t: "fn", v: FUNCTIONS[f[1]!]!, sp });
      return push({ t: "id", v: f[2]!, sp: false });
    }
    return push({ t: "word", v: w, sp });
  }
  if (!latex && w.length === 2 && (lower === "no" || lower === "is" || lower === "of" || lower === "to")) {
    return push({ t: "word", v: w, sp });
  }
  for (let k = 0; k < w.length; k++) push({ t: "id", v: w[k]!, sp: k === 0 ? sp : false });
}

/** The tokens end with 10^{...} (scientific notation in braces): a unit may follow. */
function afterPowerOfTen(out: Tok[]): boolean {
  let k = out.length - 1;
  if (out[k]?.t !== "op" || out[k]!.v !== "}") return false;
  while (k > 0 && !(out[k]!.t === "op" && out[k]!.v === "{")) {
    k--;
    if (out.length - k > 6) return false;
  }
  return out[k - 1]?.t === "op" && out[k - 1]!.v === "^" && out[k - 2]?.t === "num" && out[k - 2]!.v === "10";
}

function lexCommand(
  src: string,
  i: number,
  sp: boolean,
  opts: LexOptions,
  latex: boolean,
  out: Tok[],
  push: (t: Tok) => void,
  depth: number,
): { i: number; space?: boolean } {
  const n = src.length;
  const c1 = src[i + 1];
  if (c1 === undefined) throw new LexError("trailing backslash");
  if (!isLetter(c1)) {
    // One-character commands.
    switch (c1) {
      case "{":
      case "}":
        push({ t: "op", v: `\\${c1}`, sp });
        return { i: i + 2 };
      case "\\":
        push({ t: "op", v: "row", sp });
        return { i: i + 2 };
      case "|":
        push({ t: "op", v: "|", sp });
        return { i: i + 2 };
      case "%":
        push({ t: "op", v: "%", sp });
        return { i: i + 2 };
      case "$":
        // A dollar sign in an answer is currency: the parser reads it as a unit.
        push({ t: "op", v: "$cur", sp });
        return { i: i + 2 };
      case "(":
      case ")":
      case "[":
      case "]":
      case ",":
      case ";":
      case ":":
      case "!":
      case " ":
      case ">":
        // Math delimiters, currency and spacing: nothing but a space.
        return { i: i + 2, space: true };
      case "#":
      case "&":
      case "_":
        push({ t: "op", v: c1 === "_" ? "_" : c1, sp });
        return { i: i + 2 };
      default:
        throw new LexError(`unknown command '\\${c1}'`);
    }
  }
  let j = i + 1;
  while (j < n && isLetter(src[j])) j++;
  const name = src.slice(i + 1, j);
  if (DROP.has(name)) {
    // \left. and \right. are invisible delimiters.
    if ((name === "left" || name === "right") && src[j] === ".") return { i: j + 1, space: true };
    return { i: j, space: true };
  }
  if (name === "begin" || name === "end") {
    const k = skipSpaces(src, j);
    if (src[k] !== "{") throw new LexError(`\\${name} without an environment name`);
    const [env, after] = readGroup(src, k);
    let next = after;
    // \begin{array}{cc}: skip the column spec.
    if (name === "begin" && env.trim() === "array") {
      const a = skipSpaces(src, next);
      if (src[a] === "{") next = readGroup(src, a)[1];
    }
    push({ t: name, v: env.trim(), sp });
    return { i: next };
  }
  if (SKIP_ARG.has(name)) {
    const k = skipSpaces(src, j);
    return { i: src[k] === "{" ? readGroup(src, k)[1] : j };
  }
  if (
    TEXT_CMDS.has(name) ||
    FONT_CMDS.has(name) ||
    name === "mathbb" ||
    name === "mathcal" ||
    name === "mathscr" ||
    name === "mathfrak"
  ) {
    let k = skipSpaces(src, j);
    if (name === "textcolor" && src[k] === "{") k = skipSpaces(src, readGroup(src, k)[1]);
    if (src[k] !== "{") {
      if (name === "boxed" || name === "fbox") return { i: j };
      if (name === "mathbb" && isLetter(src[k])) {
        push({ t: "cmd", v: `mathbb:${src[k]}`, sp });
        return { i: k + 1 };
      }
      throw new LexError(`\\${name} without an argument`);
    }
    const [content, after] = readGroup(src, k);
    if (name === "mathbb") {
      push({ t: "cmd", v: `mathbb:${content.trim()}`, sp });
      return { i: after };
    }
    if (name === "mathcal" || name === "mathscr" || name === "mathfrak") {
      push({ t: "word", v: content.trim(), sp });
      return { i: after };
    }
    if (content.trim() === "") return { i: after };
    const isText = TEXT_CMDS.has(name);
    const trimmed = content.trim();
    // \mathrm{cm}, \operatorname{lcm}: a letter run; \mathbf{v}, \mathrm{e}: math.
    const wordLike = /^[A-Za-z]{2,}$/.test(trimmed);
    if (name === "boxed" || name === "fbox" || name === "framebox" || name === "underline") {
      out.push({ t: "op", v: "{", sp });
      lex(content, { latex }, out, depth + 1);
      out.push({ t: "op", v: "}", sp: false });
      return { i: after };
    }
    if (name === "operatorname" && FUNCTIONS[trimmed]) {
      push({ t: "fn", v: FUNCTIONS[trimmed]!, sp });
      return { i: after };
    }
    const start = out.length;
    if (isText || wordLike) {
      const inner = content.replace(/\$/g, " ");
      lex(inner, { text: true, latex }, out, depth + 1);
    } else {
      lex(content, { text: opts.text ?? false, latex }, out, depth + 1);
    }
    if (out.length > start) out[start]!.sp = sp || /^\s/.test(content);
    return { i: after };
  }
  if (name === "frac" || name === "dfrac" || name === "tfrac" || name === "cfrac") {
    push({ t: "cmd", v: "frac", sp });
    return { i: j };
  }
  if (name === "binom" || name === "dbinom" || name === "tbinom") {
    push({ t: "cmd", v: "binom", sp });
    return { i: j };
  }
  if (name === "sqrt") {
    push({ t: "cmd", v: "sqrt", sp });
    return { i: j };
  }
  if (name === "overline" || name === "bar" || name === "dot" || name === "vec" || name === "hat") {
    push({ t: "cmd", v: "decor", sp });
    return { i: j };
  }
  if (name === "pi") {
    push({ t: "const", v: "pi", sp });
    return { i: j };
  }
  if (name === "infty" || name === "infin") {
    push({ t: "const", v: "inf", sp });
    return { i: j };
  }
  if (name === "emptyset" || name === "varnothing" || name === "O" || name === "empty") {
    push({ t: "cmd", v: "emptyset", sp });
    return { i: j };
  }
  if (name === "imath" || name === "jmath") {
    push({ t: "const", v: "i", sp });
    return { i: j };
  }
  if (FUNCTIONS[name]) {
    push({ t: "fn", v: FUNCTIONS[name]!, sp });
    return { i: j };
  }
  if (GREEK.has(name)) {
    push({ t: "id", v: name, sp });
    return { i: j };
  }
  if (name === "Pi") {
    push({ t: "id", v: "Pi", sp });
    return { i: j };
  }
  const op = CMD_OPS[name];
  if (op) {
    push({ t: "op", v: op, sp });
    return { i: j };
  }
  if (name === "percent") {
    push({ t: "op", v: "%", sp });
    return { i: j };
  }
  push({ t: "cmd", v: name, sp });
  return { i: j };
}
