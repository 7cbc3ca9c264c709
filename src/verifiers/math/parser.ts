/**
 * Parser for answers, LaTeX or plain text, into our own AST (ast.ts). Recursive descent with explicit
 * limits on depth, node count and literal size, so it is total: it returns an AST or throws a ParseError,
 * in time linear in the input.
 *
 * Why hand-written rather than a library (the issue's "the LaTeX answer parser is one such case"): an
 * answer checker must know exactly what it refuses. The candidate libraries read what they do not know
 * as something else: nerdamer turns unknown commands into variables (`\dfrac{1}{2}` "equals"
 * `\dfrac{2}{1}`), compute-engine reads `1,000` as a tuple and `5 cm` as c times m, and each of them froze
 * the event loop on some input (10,000 nested parentheses, `100000!`). Here an unknown command is a parse
 * error (the answer is then compared as text, never as a stray number), answer conventions are decided in
 * one place (mixed numbers `2\frac{1}{2}`, thousands separators, intervals vs tuples, units after a
 * number, `\sin^{-1}`), and the cost is a few microseconds per answer.
 */
import { type FnName, freeVars, type Node, print, type RelOp } from "./ast.js";
import { LexError, lex, type Tok } from "./lexer.js";
import { LIMITS } from "./limits.js";
import { fromDecimal, powInt, type Rat, add as radd, rat, mul as rmul } from "./rational.js";

export class ParseError extends Error {
  /** True when the input broke a size limit (then the caller reports invalid_input, not a wrong answer). */
  constructor(
    message: string,
    readonly limit = false,
  ) {
    super(message);
    this.name = "ParseError";
  }
}

export interface ParseOptions {
  /** Read `i` as the imaginary unit (default true). */
  imaginaryUnit?: boolean;
  /** Read `e` as Euler's number (default true). */
  eulerE?: boolean;
}

const REL_OPS = new Set(["=", "<", "<=", ">", ">=", "!=", "~", "in"]);
const INVERSE: Partial<Record<string, FnName>> = {
  sin: "asin",
  cos: "acos",
  tan: "atan",
  sec: "asec",
  csc: "acsc",
  cot: "acot",
  sinh: "asinh",
  cosh: "acosh",
  tanh: "atanh",
};
const MATRIX_ENVS = new Set([
  "pmatrix",
  "bmatrix",
  "Bmatrix",
  "vmatrix",
  "Vmatrix",
  "matrix",
  "smallmatrix",
  "array",
]);

export function parseAnswer(text: string, opts: ParseOptions = {}): Node {
  if (text.length > LIMITS.maxAnswerChars) {
    throw new ParseError(
      `answer is ${text.length} characters, over the limit of ${LIMITS.maxAnswerChars}`,
      true,
    );
  }
  let toks: Tok[];
  try {
    toks = lex(normalizeUnicode(text));
  } catch (e) {
    if (e instanceof LexError) throw new ParseError(e.message, e.limit);
    throw e;
  }
  // Trailing punctuation and leading "=" or ":" carry nothing.
  while (
    toks.length &&
    toks[toks.length - 1]!.t === "op" &&
    [".", ",", ";", ":"].includes(toks[toks.length - 1]!.v)
  ) {
    toks.pop();
  }
  while (toks.length && toks[0]!.t === "op" && ["=", ":", "~"].includes(toks[0]!.v)) toks.shift();
  toks = stripAlignment(toks);
  // "x^2 = 9 \Rightarrow x = 3": what follows the last implication is the answer.
  const implies = toks.map((t) => t.t === "op" && t.v === "=>").lastIndexOf(true);
  if (implies >= 0) toks = toks.slice(implies + 1);
  if (toks.length === 0) throw new ParseError("empty answer");
  return new Parser(toks, opts).top();
}

class Parser {
  private pos = 0;
  private depth = 0;
  private nodes = 0;
  private absDepth = 0;
  private bracketDepth = 0;
  private readonly imaginary: boolean;
  private readonly euler: boolean;

  constructor(
    private readonly toks: Tok[],
    opts: ParseOptions,
  ) {
    this.imaginary = opts.imaginaryUnit ?? true;
    this.euler = opts.eulerE ?? true;
  }

  top(): Node {
    const n = this.list(["EOF"]);
    if (this.pos < this.toks.length) throw new ParseError(`unexpected ${describe(this.peek())}`);
    return n;
  }

  // ---- token helpers ----

  private peek(k = 0): Tok | undefined {
    return this.toks[this.pos + k];
  }

  private isOp(v: string, k = 0): boolean {
    const t = this.toks[this.pos + k];
    return t !== undefined && t.t === "op" && t.v === v;
  }

  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new ParseError(`expected '${v}' but found ${describe(this.peek())}`);
    this.pos++;
  }

  private mk<T extends Node>(n: T): T {
    if (++this.nodes > LIMITS.maxNodes)
      throw new ParseError(`answer has more than ${LIMITS.maxNodes} parts`, true);
    return n;
  }

  private enter(): void {
    if (++this.depth > LIMITS.maxDepth)
      throw new ParseError(`answer is nested deeper than ${LIMITS.maxDepth} levels`, true);
  }

  private leave(): void {
    this.depth--;
  }

  private atCloser(closers: string[]): boolean {
    const t = this.peek();
    if (!t) return true;
    if (t.t === "end") return closers.includes("end");
    return t.t === "op" && closers.includes(t.v);
  }

  // ---- grammar ----

  /** item ((, ; or and) item)*: one item, or a bare list. */
  private list(closers: string[]): Node {
    const items: Node[] = [];
    let joiner: "or" | "and" | "," | undefined;
    if (this.atCloser(closers)) return this.mk({ k: "seq", kind: "list", items: [] });
    for (;;) {
      items.push(this.rel(closers));
      if (items.length > LIMITS.maxItems) throw new ParseError(`more than ${LIMITS.maxItems} items`, true);
      const t = this.peek();
      if (t?.t === "op" && (t.v === "," || t.v === ";" || t.v === "or" || t.v === "and")) {
        this.pos++;
        // "x = 1, or x = 2", ", and": the word decides.
        if (this.isOp("or") || this.isOp("and")) {
          joiner = this.peek()!.v as "or" | "and";
          this.pos++;
        } else if (t.v === "or" || t.v === "and") joiner = t.v;
        else joiner ??= ",";
        if (this.atCloser(closers)) break; // trailing comma
        continue;
      }
      break;
    }
    if (items.length === 1) return items[0]!;
    return this.mk({ k: "seq", kind: "list", items, joiner: joiner ?? "," });
  }

  /** "2:3", "V_1:V_2": a ratio of two quantities is their quotient ("3:05", a time of day, is not). */
  private ratio(closers: string[]): Node {
    const a = this.setExpr(closers);
    if (!this.isOp(":") || closers.includes(":")) return a;
    const next = this.peek(1);
    if (next?.t === "num" && /^0\d$/.test(next.v)) throw new ParseError("a time of day, not a ratio");
    this.pos++;
    const b = this.setExpr(closers);
    if (this.isOp(":")) throw new ParseError("a ratio of more than two parts is not supported");
    return this.mk({ k: "div", a, b, ratio: true });
  }

  private rel(closers: string[]): Node {
    const args = [this.ratio(closers)];
    const ops: RelOp[] = [];
    for (;;) {
      const t = this.peek();
      if (t?.t !== "op") break;
      let op = t.v;
      if (op === "not" && (this.isOp("=", 1) || this.isOp("in", 1))) {
        this.pos++;
        op = this.peek()!.v === "=" ? "!=" : "notin";
        if (op === "notin") throw new ParseError("'not in' is not supported");
      }
      if (!REL_OPS.has(op)) break;
      this.pos++;
      ops.push(op as RelOp);
      args.push(this.ratio(closers));
    }
    return ops.length ? this.mk({ k: "rel", ops, args }) : args[0]!;
  }

  private setExpr(closers: string[]): Node {
    const first = this.additive(closers);
    const t = this.peek();
    if (t?.t !== "op" || (t.v !== "cup" && t.v !== "cap" && t.v !== "minus")) return first;
    const op = t.v as "cup" | "cap" | "minus";
    const args = [first];
    while (this.isOp(op)) {
      this.pos++;
      args.push(this.additive(closers));
    }
    if (this.isOp("cup") || this.isOp("cap") || this.isOp("minus")) {
      return this.mk({
        k: "setop",
        op: this.peek()!.v as "cup",
        args: [this.mk({ k: "setop", op, args }), this.setExpr(closers)],
      });
    }
    return this.mk({ k: "setop", op, args });
  }

  private additive(closers: string[]): Node {
    let sign: string | undefined;
    if (this.isOp("+") || this.isOp("-") || this.isOp("pm") || this.isOp("mp"))
      sign = this.toks[this.pos++]!.v;
    let first = this.term(closers);
    if (sign === "-") first = this.negate(first);
    else if (sign === "pm" || sign === "mp")
      first = this.mk({ k: "pm", a: null, b: first, mp: sign === "mp" });
    let acc: Node[] = [first];
    for (;;) {
      const t = this.peek();
      if (t?.t !== "op") break;
      if (t.v === "+") {
        this.pos++;
        acc.push(this.term(closers));
      } else if (t.v === "-") {
        this.pos++;
        acc.push(this.negate(this.term(closers)));
      } else if (t.v === "pm" || t.v === "mp") {
        this.pos++;
        const a = acc.length === 1 ? acc[0]! : this.mk({ k: "add", args: acc });
        acc = [this.mk({ k: "pm", a, b: this.term(closers), mp: t.v === "mp" })];
      } else break;
    }
    return acc.length === 1 ? acc[0]! : this.mk({ k: "add", args: acc });
  }

  private negate(n: Node): Node {
    if (n.k === "num" && n.v.n > 0n) return { ...n, v: { n: -n.v.n, d: n.v.d } };
    return this.mk({ k: "neg", a: n });
  }

  /** Products, quotients and implicit multiplication; a trailing unit word makes a quantity. */
  private term(closers: string[]): Node {
    const first = this.factor();
    let acc: Node = first;
    let factors: Node[] = [first];
    let lastTok = this.toks[this.pos - 1];
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.t === "op" && t.v === "*") {
        this.pos++;
        factors.push(this.factor());
      } else if (t.t === "op" && t.v === "/") {
        this.pos++;
        const den = this.factor();
        acc = factors.length === 1 ? factors[0]! : this.mk({ k: "mul", args: factors });
        factors = [this.mk({ k: "div", a: acc, b: den })];
      } else if (t.t === "word") {
        acc = factors.length === 1 ? factors[0]! : this.mk({ k: "mul", args: factors });
        // A unit or a counted noun follows a number ("5 cm", "18 apples"), never a variable.
        if (freeVars(acc).size > 0) throw new ParseError(`word '${t.v}' after an expression`);
        const unit = this.unitWords();
        if (unit.split(/\s+/).length > 3) throw new ParseError(`'${unit}' is prose, not a unit`);
        if (/^deg(ree)?s?$/i.test(unit)) return this.mk({ k: "deg", a: acc });
        if (/^rad(ian)?s?$/i.test(unit)) return acc;
        // 2.5 million, 3 thousand dollars: a magnitude word scales the number.
        const mag = /^(thousand|million|billion|trillion)s?\b\s*(.*)$/i.exec(unit);
        if (mag) {
          const p = { thousand: 3n, million: 6n, billion: 9n, trillion: 12n }[
            mag[1]!.toLowerCase() as "thousand"
          ];
          const scaledNode: Node = this.mk({
            k: "mul",
            args: [acc, { k: "num", v: { n: 10n ** p, d: 1n } }],
          });
          return mag[2] ? this.mk({ k: "unit", a: scaledNode, unit: mag[2] }) : scaledNode;
        }
        return this.mk({ k: "unit", a: acc, unit });
      } else if (this.startsAtom(t) && !this.atCloser(closers)) {
        const prev = factors[factors.length - 1]!;
        const mixed = this.mixedNumber(prev, factors.length === 1 && first === prev);
        if (mixed) {
          factors[factors.length - 1] = mixed;
          continue;
        }
        // "2 3" is two numbers (a list, or 23 mistyped), never the product 6.
        if (prev.k === "num" && lastTok?.t === "num" && t.t === "num")
          throw new ParseError("two numbers side by side");
        // f(2), P(A), f^{-1}(x): a function-like label; x(x+1) stays a product.
        const fname =
          prev.k === "sym" ? prev.name : prev.k === "pow" && prev.a.k === "sym" ? prev.a.name : null;
        const call = fname !== null && fname !== "x" && this.isOp("(") && !t.sp && lastTok?.t !== "num";
        const f = this.factor();
        if (call) {
          factors[factors.length - 1] = this.mk({ k: "mul", args: [prev, f], call: true });
        } else factors.push(f);
      } else break;
      lastTok = this.toks[this.pos - 1];
      if (factors.length > LIMITS.maxItems) throw new ParseError("product too long", true);
    }
    return factors.length === 1 ? factors[0]! : this.mk({ k: "mul", args: factors });
  }

  /** `2\frac{1}{3}` and `2 1/3` are mixed numbers when every part is a plain integer literal. */
  private mixedNumber(prev: Node, alone: boolean): Node | null {
    if (!alone || prev.k !== "num" || prev.v.d !== 1n || prev.v.n < 0n || prev.ulp !== undefined) return null;
    const prevTok = this.toks[this.pos - 1];
    if (prevTok?.t !== "num") return null;
    const t = this.peek()!;
    let a: Tok | undefined;
    let b: Tok | undefined;
    let len = 0;
    if (t.t === "cmd" && t.v === "frac") {
      // \frac{a}{b} or \frac ab with integer literals.
      if (
        this.isOp("{", 1) &&
        this.peek(2)?.t === "num" &&
        this.isOp("}", 3) &&
        this.isOp("{", 4) &&
        this.peek(5)?.t === "num" &&
        this.isOp("}", 6)
      ) {
        a = this.peek(2);
        b = this.peek(5);
        len = 7;
      } else if (this.peek(1)?.t === "num" && /^\d\d$/.test((this.peek(1) as { v: string }).v)) {
        // 1\frac13
        const d = (this.peek(1) as { v: string }).v;
        a = { t: "num", v: d[0]!, sp: false };
        b = { t: "num", v: d[1]!, sp: false };
        len = 2;
      } else return null;
    } else if (t.t === "num" && t.sp && this.isOp("/", 1) && this.peek(2)?.t === "num") {
      a = t;
      b = this.peek(2);
      len = 3;
      const after = this.peek(3);
      if (after && after.t === "op" && (after.v === "^" || after.v === "_")) return null;
    } else return null;
    if (
      a?.t !== "num" ||
      b?.t !== "num" ||
      !/^\d+$/.test(a.v) ||
      !/^\d+$/.test(b.v) ||
      a.e !== undefined ||
      b.e !== undefined
    )
      return null;
    const fa = BigInt(a.v);
    const fb = BigInt(b.v);
    if (fb === 0n || fa >= fb) return null;
    this.pos += len;
    const v = radd(prev.v, { n: fa, d: fb });
    return v ? this.mk({ k: "num", v: rat(v.n, v.d)! }) : null;
  }

  private unitWords(): string {
    const parts: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t?.t === "word") {
        if (t.v === "per") parts.push("/");
        else if (
          parts.length &&
          !parts[parts.length - 1]!.endsWith("/") &&
          !/^\^/.test(parts[parts.length - 1]!)
        )
          parts.push(` ${t.v}`);
        else parts.push(t.v);
        this.pos++;
        if (this.isOp("^") && this.peek(1)?.t === "num") {
          parts.push(`^${(this.peek(1) as { v: string }).v}`);
          this.pos += 2;
        } else if (this.isOp("^") && this.isOp("{", 1) && this.peek(2)?.t === "num" && this.isOp("}", 3)) {
          parts.push(`^${(this.peek(2) as { v: string }).v}`);
          this.pos += 4;
        }
        continue;
      }
      if (t?.t === "op" && t.v === "/" && this.peek(1)?.t === "word") {
        parts.push("/");
        this.pos++;
        continue;
      }
      break;
    }
    return parts.join("").trim();
  }

  private startsAtom(t: Tok): boolean {
    switch (t.t) {
      case "num":
      case "id":
      case "const":
      case "fn":
      case "cmd":
      case "begin":
        return true;
      case "op":
        return (
          t.v === "(" ||
          t.v === "{" ||
          t.v === "\\{" ||
          t.v === "langle" ||
          t.v === "lfloor" ||
          t.v === "lceil" ||
          (t.v === "|" && this.absDepth === 0)
        );
      default:
        return false;
    }
  }

  /** Unary signs, then a power. */
  private factor(): Node {
    this.enter();
    try {
      if (this.isOp("-")) {
        this.pos++;
        return this.negate(this.factor());
      }
      if (this.isOp("+")) {
        this.pos++;
        return this.factor();
      }
      if (this.isOp("pm") || this.isOp("mp")) {
        const mp = this.toks[this.pos++]!.v === "mp";
        return this.mk({ k: "pm", a: null, b: this.factor(), mp });
      }
      const base = this.postfix(this.atom());
      if (this.isOp("^")) {
        if (this.degreeMark()) return this.postfix(this.mk({ k: "deg", a: base }));
        this.pos++;
        const exp = this.exponent();
        return this.postfix(this.mk({ k: "pow", a: base, b: exp }));
      }
      return base;
    } finally {
      this.leave();
    }
  }

  /** `^\circ` or `^{\circ}` after a value: degrees. Consumes it when present. */
  private degreeMark(): boolean {
    if (!this.isOp("^")) return false;
    const t = this.peek(1);
    if (t?.t === "op" && t.v === "circ") {
      this.pos += 2;
      return true;
    }
    if (this.isOp("{", 1) && this.isOp("circ", 2) && this.isOp("}", 3)) {
      this.pos += 4;
      return true;
    }
    return false;
  }

  private exponent(): Node {
    this.enter();
    try {
      if (this.isOp("-")) {
        this.pos++;
        return this.negate(this.exponent());
      }
      if (this.isOp("+")) {
        this.pos++;
        return this.exponent();
      }
      const base = this.postfix(this.atom());
      if (this.isOp("^") && !this.degreeMark()) {
        this.pos++;
        return this.mk({ k: "pow", a: base, b: this.exponent() });
      }
      return base;
    } finally {
      this.leave();
    }
  }

  private postfix(a: Node): Node {
    for (;;) {
      const t = this.peek();
      if (t?.t !== "op") return a;
      if (t.v === "!") {
        this.pos++;
        a = this.mk({ k: "fn", name: "fact", args: [a] });
      } else if (t.v === "%") {
        this.pos++;
        a = this.mk({ k: "pct", a });
      } else if (t.v === "deg") {
        this.pos++;
        a = this.mk({ k: "deg", a });
      } else if (t.v === "^" && this.degreeMark()) {
        a = this.mk({ k: "deg", a });
      } else if (t.v === "'" && a.k === "sym") {
        this.pos++;
        a = this.mk({ k: "sym", name: `${a.name}'` });
      } else return a;
    }
  }

  private atom(): Node {
    this.enter();
    try {
      const t = this.peek();
      if (!t) throw new ParseError("unexpected end of answer");
      this.pos++;
      switch (t.t) {
        case "num":
          return this.number(t);
        case "id":
          return this.identifier(t.v);
        case "const":
          return this.mk({ k: "const", name: t.v });
        case "fn":
          return this.func(t.v);
        case "cmd":
          return this.command(t.v);
        case "begin":
          return this.environment(t.v);
        case "word":
          throw new ParseError(`word '${t.v}' in a formula`);
        case "end":
          throw new ParseError(`unexpected \\end{${t.v}}`);
        case "op":
          return this.bracketed(t.v);
      }
      throw new ParseError("unexpected token");
    } finally {
      this.leave();
    }
  }

  private number(t: Tok & { t: "num" }): Node {
    let text = t.v;
    // "1,000,000" / "1 000 000" outside brackets: digit groups of three.
    if (this.bracketDepth === 0 && /^\d{1,3}$/.test(text) && t.e === undefined && !t.rep) {
      let k = 0;
      let joined = text;
      let mode: string | null = null;
      for (;;) {
        const a = this.peek(k);
        let nt: Tok | undefined;
        let step: number;
        let m: string;
        if (a?.t === "op" && a.v === "," && a.group) {
          nt = this.peek(k + 1);
          step = 2;
          m = ",";
        } else if (a?.t === "num" && a.sp) {
          nt = a;
          step = 1;
          m = " ";
        } else break;
        if (nt?.t !== "num" || !/^\d{3}(\.\d+)?$/.test(nt.v) || nt.e !== undefined || nt.rep) break;
        if (mode && mode !== m) break;
        mode = m;
        joined += nt.v;
        k += step;
        if (nt.v.includes(".")) break;
      }
      if (k > 0) {
        this.pos += k;
        text = joined;
      }
    }
    if (text.length > LIMITS.maxDigits) throw new ParseError("number literal too long", true);
    let v = fromDecimal(text);
    if (!v) throw new ParseError(`bad number '${text}'`);
    const dot = text.indexOf(".");
    const decimals = dot < 0 ? 0 : text.length - dot - 1;
    if (t.rep) {
      // 0.1\overline{6} = 0.1 + 6 / (10 * 9)
      const r = BigInt(t.rep);
      const den = 10n ** BigInt(decimals) * (10n ** BigInt(t.rep.length) - 1n);
      const sum = radd(v, { n: r, d: den });
      if (!sum) throw new ParseError("repeating decimal too long", true);
      return this.mk({ k: "num", v: rat(sum.n, sum.d)! });
    }
    let ulp: number | undefined = dot >= 0 ? -decimals : undefined;
    if (t.e !== undefined) {
      const p = powInt({ n: 10n, d: 1n }, BigInt(t.e));
      const scaled = p && rmul(v, p);
      if (!scaled) throw new ParseError("exponent too large", true);
      v = scaled;
      ulp = (ulp ?? 0) + t.e;
    }
    const node: Node = { k: "num", v };
    if (ulp !== undefined && dot >= 0) {
      node.ulp = ulp;
      node.sig = text.replace(".", "").replace(/^0+/, "").length || 1;
    }
    // Base subscript: 204_5, 1011_{2}.
    if (this.isOp("_")) {
      const base = this.subscriptText();
      if (/^\d+$/.test(base) && dot < 0) {
        const b = Number(base);
        if (b < 2 || b > 36) throw new ParseError(`base ${b} out of range`);
        return this.mk({ k: "based", digits: text, base: b, v: baseValue(text, b) });
      }
      throw new ParseError("subscript on a number");
    }
    return this.mk(node);
  }

  /** The text of a subscript: `_5`, `_{10}`, `_n`, `_{n+1}`. */
  private subscriptText(): string {
    this.expectOp("_");
    const t = this.peek();
    if (!t) throw new ParseError("missing subscript");
    if (t.t === "op" && t.v === "{") {
      let depth = 0;
      let s = "";
      for (;;) {
        const u = this.toks[this.pos++];
        if (!u) throw new ParseError("unbalanced subscript");
        if (u.t === "op" && u.v === "{") {
          if (depth++ === 0) continue;
        } else if (u.t === "op" && u.v === "}") {
          if (--depth === 0) break;
        }
        s +=
          u.t === "num" || u.t === "id" || u.t === "word" || u.t === "op"
            ? u.v
            : u.t === "const"
              ? u.v
              : `\\${u.v}`;
        if (s.length > 100) throw new ParseError("subscript too long");
      }
      return s;
    }
    this.pos++;
    if (t.t === "num") {
      // `x_12` in LaTeX is x_1 followed by 2; for a base (204_5) the whole number is fine.
      return t.v;
    }
    if (t.t === "id" || t.t === "const" || t.t === "word") return t.v;
    throw new ParseError("bad subscript");
  }

  private identifier(name: string): Node {
    if (this.isOp("_")) {
      const sub = this.subscriptText();
      return this.mk({ k: "sym", name: `${name}_${sub}` });
    }
    if (name === "e" && this.euler) return this.mk({ k: "const", name: "e" });
    if (name === "i" && this.imaginary) return this.mk({ k: "const", name: "i" });
    return this.mk({ k: "sym", name });
  }

  /** One argument of \frac, \sqrt, \binom: a {group}, one digit of a number (\frac12), or one atom. */
  private arg(): Node {
    const t = this.peek();
    if (!t) throw new ParseError("missing argument");
    if (t.t === "op" && t.v === "{") {
      this.pos++;
      const n = this.list(["}"]);
      this.expectOp("}");
      if (n.k === "seq" && n.kind === "list" && n.items.length === 0) throw new ParseError("empty argument");
      return n;
    }
    if (t.t === "num" && t.v.length > 1 && /^\d\d/.test(t.v) && t.e === undefined && !t.rep) {
      // \frac12: the first digit only; the rest stays for what follows.
      this.toks[this.pos] = { ...t, v: t.v.slice(1), sp: false };
      if (this.toks[this.pos]!.t === "num" && (this.toks[this.pos] as { v: string }).v.startsWith(".")) {
        throw new ParseError("bad argument");
      }
      return this.mk({ k: "num", v: { n: BigInt(t.v[0]!), d: 1n } });
    }
    return this.atom();
  }

  private command(name: string): Node {
    switch (name) {
      case "frac": {
        const a = this.arg();
        const b = this.arg();
        return this.mk({ k: "div", a, b });
      }
      case "sqrt": {
        if (this.isOp("[")) {
          this.pos++;
          const index = this.list(["]"]);
          this.expectOp("]");
          return this.mk({ k: "fn", name: "root", args: [index, this.arg()] });
        }
        return this.mk({ k: "fn", name: "sqrt", args: [this.arg()] });
      }
      case "binom": {
        const a = this.arg();
        const b = this.arg();
        return this.mk({ k: "fn", name: "binom", args: [a, b] });
      }
      case "emptyset":
        return this.mk({ k: "empty" });
      case "angle":
      case "triangle":
      case "measuredangle": {
        // \angle ABC: the name of an angle.
        let label = "";
        while (this.peek()?.t === "id" && label.length < 8)
          label += (this.toks[this.pos++] as { v: string }).v;
        if (!label) throw new ParseError("an angle without a name");
        return this.mk({ k: "sym", name: `∠${label}` });
      }
      case "decor": {
        const a = this.arg();
        return this.mk({ k: "sym", name: `bar(${print(a)})` });
      }
    }
    if (name.startsWith("mathbb:")) return this.mk({ k: "domain", name: name.slice(7) });
    throw new ParseError(`unknown command \\${name}`);
  }

  private func(raw: string): Node {
    let name = raw as FnName | "lg";
    let power: Node | null = null;
    let base: Node | null = name === "lg" ? { k: "num", v: { n: 10n, d: 1n } } : null;
    if (name === "lg") name = "log";
    for (let k = 0; k < 2; k++) {
      if (this.isOp("^")) {
        this.pos++;
        const p = this.exponent();
        if (p.k === "num" && p.v.n === -1n && p.v.d === 1n && INVERSE[name]) name = INVERSE[name]!;
        else power = p;
      } else if (this.isOp("_") && name === "log") {
        this.pos++;
        base = this.arg();
      }
    }
    let args: Node[];
    if (this.isOp("(")) {
      this.pos++;
      this.bracketDepth++;
      const inner = this.list([")"]);
      this.bracketDepth--;
      this.expectOp(")");
      args = inner.k === "seq" && inner.kind === "list" ? inner.items : [inner];
    } else if (this.isOp("{") || this.isOp("[")) {
      const close = this.isOp("{") ? "}" : "]";
      this.pos++;
      const inner = this.list([close]);
      this.expectOp(close);
      args = inner.k === "seq" && inner.kind === "list" ? inner.items : [inner];
    } else {
      // \sin 2x, \ln x: a product of atoms up to the next operator or function.
      const fs: Node[] = [this.factor()];
      for (;;) {
        const t = this.peek();
        if (!t || !this.startsAtom(t) || t.t === "fn" || (t.t === "op" && t.v === "(" && t.sp)) break;
        fs.push(this.factor());
      }
      args = [fs.length === 1 ? fs[0]! : this.mk({ k: "mul", args: fs })];
    }
    if (args.length === 0) throw new ParseError(`${raw} without an argument`);
    const multi = name === "gcd" || name === "lcm" || name === "max" || name === "min";
    if (!multi && args.length !== 1) throw new ParseError(`${raw} takes one argument`);
    if (name === "log" && base) args = [args[0]!, base];
    let f: Node = this.mk({ k: "fn", name: name as FnName, args });
    if (power) f = this.mk({ k: "pow", a: f, b: power });
    return f;
  }

  private bracketed(open: string): Node {
    switch (open) {
      case "$cur": {
        // \$5.50: a money amount.
        const a = this.factor();
        return this.mk({ k: "unit", a, unit: "dollar" });
      }
      case "(":
      case "[":
        return this.interval(open);
      case "{": {
        this.bracketDepth++;
        const inner = this.list(["}"]);
        this.bracketDepth--;
        this.expectOp("}");
        // Plain {1, 2, 3} is a set; a LaTeX group with one item is just grouping.
        if (inner.k === "seq" && inner.kind === "list" && inner.joiner === ",")
          return this.mk({ ...inner, kind: "set" });
        if (inner.k === "seq" && inner.kind === "list" && inner.items.length === 0)
          return this.mk({ k: "empty" });
        return inner;
      }
      case "\\{": {
        this.bracketDepth++;
        const inner = this.list(["\\}", "|", ":"]);
        if (this.isOp("|") || this.isOp(":")) {
          // Set-builder {x | x > 2}, {x \in R : x > 2}: the condition is the answer.
          const head = inner.k === "rel" && inner.ops[0] === "in" ? inner.args[0]! : inner;
          if (head.k !== "sym") throw new ParseError("set-builder notation without a variable");
          this.pos++;
          const cond = this.list(["\\}"]);
          this.bracketDepth--;
          this.expectOp("\\}");
          return cond;
        }
        this.bracketDepth--;
        this.expectOp("\\}");
        if (inner.k === "seq" && inner.kind === "list") {
          return inner.items.length
            ? this.mk({ k: "seq", kind: "set", items: inner.items })
            : this.mk({ k: "empty" });
        }
        return this.mk({ k: "seq", kind: "set", items: [inner] });
      }
      case "langle": {
        this.bracketDepth++;
        const inner = this.list(["rangle"]);
        this.bracketDepth--;
        this.expectOp("rangle");
        return this.mk({
          k: "seq",
          kind: "vector",
          items: inner.k === "seq" && inner.kind === "list" ? inner.items : [inner],
        });
      }
      case "|": {
        this.absDepth++;
        const inner = this.list(["|"]);
        this.absDepth--;
        this.expectOp("|");
        return this.mk({ k: "fn", name: "abs", args: [inner] });
      }
      case "lfloor":
      case "lceil": {
        const close = open === "lfloor" ? "rfloor" : "rceil";
        const inner = this.list([close]);
        this.expectOp(close);
        return this.mk({ k: "fn", name: open === "lfloor" ? "floor" : "ceil", args: [inner] });
      }
    }
    throw new ParseError(`unexpected '${open}'`);
  }

  /** (a, b), [a, b), (a), ... : grouping, tuple, or interval by the brackets and contents. */
  private interval(open: string): Node {
    this.bracketDepth++;
    const saveAbs = this.absDepth;
    this.absDepth = 0;
    const inner = this.list([")", "]"]);
    this.absDepth = saveAbs;
    this.bracketDepth--;
    const closeTok = this.peek();
    if (closeTok?.t !== "op" || (closeTok.v !== ")" && closeTok.v !== "]")) {
      throw new ParseError(`unclosed '${open}'`);
    }
    this.pos++;
    const close = closeTok.v;
    const items = inner.k === "seq" && inner.kind === "list" && inner.joiner === "," ? inner.items : [inner];
    if (inner.k === "seq" && inner.kind === "list" && inner.items.length === 0) {
      throw new ParseError("empty brackets");
    }
    if (items.length === 1) {
      // (x + 1) and [x + 1] are grouping.
      if ((open === "(") === (close === ")")) return inner;
      throw new ParseError("mismatched brackets around one value");
    }
    const mixed = (open === "(") !== (close === ")");
    const infinite = items.length === 2 && items.some(isInfinite);
    if (items.length === 2 && (mixed || infinite)) {
      return this.mk({ k: "interval", lo: items[0]!, hi: items[1]!, lc: open === "[", rc: close === "]" });
    }
    if (mixed) throw new ParseError("mismatched brackets");
    return this.mk({ k: "seq", kind: open === "(" ? "tuple" : "bracket", items });
  }

  private environment(env: string): Node {
    const matrix = MATRIX_ENVS.has(env);
    const rows: Node[][] = [[]];
    for (;;) {
      const t = this.peek();
      if (!t) throw new ParseError(`unclosed \\begin{${env}}`);
      if (t.t === "end") {
        this.pos++;
        break;
      }
      if (t.t === "op" && t.v === "row") {
        this.pos++;
        rows.push([]);
        continue;
      }
      if (t.t === "op" && t.v === "&") {
        this.pos++;
        if (!matrix) continue;
        if (rows[rows.length - 1]!.length === 0) throw new ParseError("empty matrix cell");
        continue;
      }
      const cell = matrix ? this.rel(["&", "row", "end"]) : this.list(["&", "row", "end"]);
      rows[rows.length - 1]!.push(cell);
      if (rows.flat().length > LIMITS.maxItems) throw new ParseError("matrix too large", true);
    }
    const kept = rows.filter((r) => r.length > 0);
    if (!matrix) {
      // aligned / cases / gather: the rows form a list.
      const items = kept.map((r) =>
        r.length === 1 ? r[0]! : this.mk({ k: "rel" as const, ops: ["="] as RelOp[], args: r }),
      );
      if (items.length === 1) return items[0]!;
      return this.mk({ k: "seq", kind: "list", items, joiner: "," });
    }
    const width = kept[0]?.length ?? 0;
    if (width === 0 || kept.some((r) => r.length !== width)) throw new ParseError("ragged matrix");
    return this.mk({ k: "matrix", rows: kept });
  }
}

const SUPERSCRIPTS: Record<string, string> = {
  "⁰": "0",
  "¹": "1",
  "²": "2",
  "³": "3",
  "⁴": "4",
  "⁵": "5",
  "⁶": "6",
  "⁷": "7",
  "⁸": "8",
  "⁹": "9",
  "⁻": "-",
  "⁺": "+",
};
const VULGAR: Record<string, string> = {
  "½": "1/2",
  "⅓": "1/3",
  "⅔": "2/3",
  "¼": "1/4",
  "¾": "3/4",
  "⅕": "1/5",
  "⅖": "2/5",
  "⅗": "3/5",
  "⅘": "4/5",
  "⅙": "1/6",
  "⅚": "5/6",
  "⅛": "1/8",
  "⅜": "3/8",
  "⅝": "5/8",
  "⅞": "7/8",
};

/** x² -> x^{2}, 2½ -> 2 1/2 (a mixed number), then NFKC (full-width digits and the like). */
function normalizeUnicode(s: string): string {
  if (/[\u0080-\uffff]/.test(s)) {
    s = s
      .replace(/[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+/g, (m) => `^{${[...m].map((c) => SUPERSCRIPTS[c]).join("")}}`)
      .replace(/[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞]/g, (m) => ` ${VULGAR[m]}`)
      .normalize("NFKC")
      .replace(/[⁄∕]/g, "/");
  }
  return s;
}

/** Drops the `&` alignment marks of aligned/cases/gather environments (matrix cells keep theirs). */
function stripAlignment(toks: Tok[]): Tok[] {
  const stack: boolean[] = [];
  return toks.filter((t) => {
    if (t.t === "begin") stack.push(MATRIX_ENVS.has(t.v));
    else if (t.t === "end") stack.pop();
    else if (t.t === "op" && t.v === "&") return stack.length > 0 && stack[stack.length - 1] === true;
    return true;
  });
}

function isInfinite(n: Node): boolean {
  if (n.k === "const" && n.name === "inf") return true;
  if (n.k === "neg") return isInfinite(n.a);
  return false;
}

function baseValue(digits: string, base: number): Rat | null {
  let v = 0n;
  const B = BigInt(base);
  for (const c of digits) {
    const d = Number.parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return null;
    v = v * B + BigInt(d);
  }
  return { n: v, d: 1n };
}

function describe(t: Tok | undefined): string {
  if (!t) return "end of answer";
  return `'${t.t === "cmd" ? `\\${t.v}` : t.v}'`;
}
