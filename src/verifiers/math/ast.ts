/**
 * The math AST: what the parser produces from LaTeX or plain text, and what equivalence works on. Numbers
 * are exact rationals; a decimal literal remembers how many decimals it was written with, because the
 * precision of a gold answer sets the tolerance.
 */
import { type Rat, ratToString as ratString } from "./rational.js";

export type RelOp = "=" | "<" | "<=" | ">" | ">=" | "!=" | "~" | "in";

/** Function names after normalisation (`\arcsin` and `\sin^{-1}` are both "asin"). */
export type FnName =
  | "sin"
  | "cos"
  | "tan"
  | "sec"
  | "csc"
  | "cot"
  | "asin"
  | "acos"
  | "atan"
  | "asec"
  | "acsc"
  | "acot"
  | "sinh"
  | "cosh"
  | "tanh"
  | "sech"
  | "csch"
  | "coth"
  | "asinh"
  | "acosh"
  | "atanh"
  | "exp"
  | "ln"
  /** args [x] (natural) or [x, base]. */
  | "log"
  | "sqrt"
  /** args [index, radicand]. */
  | "root"
  | "abs"
  | "floor"
  | "ceil"
  | "fact"
  | "binom"
  | "gcd"
  | "lcm"
  | "max"
  | "min";

export type Node =
  /**
   * `ulp` is the power of ten of the last digit written in a decimal literal ("3.10" -> -2, "3.0e8" -> 7),
   * `sig` its count of significant digits; both are absent for integers and exact forms.
   */
  | { k: "num"; v: Rat; ulp?: number; sig?: number }
  | { k: "sym"; name: string }
  | { k: "const"; name: "pi" | "e" | "i" | "inf" }
  | { k: "add"; args: Node[] }
  | { k: "neg"; a: Node }
  /** `call` marks `f(2)`: a letter directly followed by a parenthesised argument (still a product). */
  | { k: "mul"; args: Node[]; call?: boolean }
  /** `ratio` marks a:b, read as the quotient a/b. */
  | { k: "div"; a: Node; b: Node; ratio?: boolean }
  | { k: "pow"; a: Node; b: Node }
  | { k: "fn"; name: FnName; args: Node[] }
  /** a ± b (a null for a unary ±b); `mp` for ∓. */
  | { k: "pm"; a: Node | null; b: Node; mp: boolean }
  | { k: "pct"; a: Node }
  | { k: "deg"; a: Node }
  /** A quantity with a unit: `unit` is the normalised unit text ("cm^2", "m/s", "apples"). */
  | { k: "unit"; a: Node; unit: string }
  | { k: "rel"; ops: RelOp[]; args: Node[] }
  /**
   * Collections. `set` from \{\}, `tuple` from (), `bracket` from [], `vector` from \langle\rangle, `list`
   * from bare commas; `joiner` says how a bare list was joined ("or", "and", ",").
   */
  | {
      k: "seq";
      kind: "set" | "list" | "tuple" | "bracket" | "vector";
      items: Node[];
      joiner?: "or" | "and" | ",";
    }
  | { k: "interval"; lo: Node; hi: Node; lc: boolean; rc: boolean }
  | { k: "setop"; op: "cup" | "cap" | "minus"; args: Node[] }
  | { k: "matrix"; rows: Node[][] }
  | { k: "empty" }
  /** \mathbb{R}, \mathbb{Z}, ... */
  | { k: "domain"; name: string }
  /** A number written in another base: `204_5`. `v` is its value (null when a digit is out of range). */
  | { k: "based"; digits: string; base: number; v: Rat | null }
  | { k: "text"; s: string };

export const num = (v: Rat): Node => ({ k: "num", v });

/** Children of a node, for generic walks. */
export function children(n: Node): Node[] {
  switch (n.k) {
    case "add":
    case "mul":
    case "fn":
    case "rel":
    case "setop":
      return n.args;
    case "neg":
    case "pct":
    case "deg":
    case "unit":
      return [n.a];
    case "div":
    case "pow":
      return [n.a, n.b];
    case "pm":
      return n.a ? [n.a, n.b] : [n.b];
    case "seq":
      return n.items;
    case "interval":
      return [n.lo, n.hi];
    case "matrix":
      return n.rows.flat();
    default:
      return [];
  }
}

/** Free variable names (iterative, so a deep tree cannot overflow the stack). */
export function freeVars(n: Node, out: Set<string> = new Set()): Set<string> {
  const stack: Node[] = [n];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.k === "sym") out.add(x.name);
    else for (const c of children(x)) stack.push(c);
  }
  return out;
}

export function has(n: Node, pred: (x: Node) => boolean): boolean {
  const stack: Node[] = [n];
  while (stack.length) {
    const x = stack.pop()!;
    if (pred(x)) return true;
    for (const c of children(x)) stack.push(c);
  }
  return false;
}

const PREC: Partial<Record<Node["k"], number>> = { rel: 1, pm: 2, add: 2, neg: 3, mul: 4, div: 4, pow: 6 };

function prec(n: Node): number {
  if (n.k === "num" && n.v.n < 0n) return 3;
  if (n.k === "num" && n.v.d !== 1n && n.ulp === undefined) return 4;
  return PREC[n.k] ?? 9;
}

function wrap(n: Node, min: number): string {
  const s = print(n);
  return prec(n) < min ? `(${s})` : s;
}

const FN_PRINT: Partial<Record<FnName, (a: string[]) => string>> = {
  root: (a) => `root(${a[1]}, ${a[0]})`,
  log: (a) => (a.length > 1 ? `log_(${a[1]})(${a[0]})` : `ln(${a[0]})`),
  fact: (a) => `(${a[0]})!`,
  abs: (a) => `|${a[0]}|`,
};

/** A plain-text rendering, used in feedback and as a structural key. */
export function print(n: Node): string {
  switch (n.k) {
    case "num":
      if (n.ulp !== undefined && n.ulp < 0 && n.ulp > -60) return decimalText(n.v, -n.ulp);
      return ratString(n.v);
    case "sym":
      return n.name;
    case "const":
      return n.name === "inf" ? "oo" : n.name;
    case "add":
      return n.args
        .map((a, i) => {
          if (i > 0 && a.k === "neg") return ` - ${wrap(a.a, 3)}`;
          if (i > 0 && a.k === "num" && a.v.n < 0n)
            return ` - ${print({ ...a, v: { n: -a.v.n, d: a.v.d } })}`;
          return i > 0 ? ` + ${wrap(a, 2)}` : wrap(a, 2);
        })
        .join("");
    case "neg":
      return `-${wrap(n.a, 4)}`;
    case "mul":
      return n.args.map((a) => wrap(a, 4)).join("*");
    case "div":
      return `${wrap(n.a, 4)}/${wrap(n.b, 5)}`;
    case "pow":
      return `${wrap(n.a, 7)}^${wrap(n.b, 7)}`;
    case "fn": {
      const args = n.args.map(print);
      return FN_PRINT[n.name]?.(args) ?? `${n.name}(${args.join(", ")})`;
    }
    case "pm":
      return `${n.a ? `${print(n.a)} ` : ""}${n.mp ? "-+" : "+-"} ${wrap(n.b, 3)}`;
    case "pct":
      return `${wrap(n.a, 9)}%`;
    case "deg":
      return `${wrap(n.a, 9)} deg`;
    case "unit":
      return `${wrap(n.a, 4)} ${n.unit}`;
    case "rel":
      return n.args.map((a, i) => (i === 0 ? print(a) : ` ${n.ops[i - 1]} ${print(a)}`)).join("");
    case "seq": {
      const inner = n.items.map(print).join(", ");
      if (n.kind === "set") return `{${inner}}`;
      if (n.kind === "tuple") return `(${inner})`;
      if (n.kind === "bracket") return `[${inner}]`;
      if (n.kind === "vector") return `<${inner}>`;
      return n.joiner && n.joiner !== "," ? n.items.map(print).join(` ${n.joiner} `) : inner;
    }
    case "interval":
      return `${n.lc ? "[" : "("}${print(n.lo)}, ${print(n.hi)}${n.rc ? "]" : ")"}`;
    case "setop":
      return n.args.map(print).join(n.op === "cup" ? " U " : n.op === "cap" ? " n " : " \\ ");
    case "matrix":
      return `[${n.rows.map((r) => `[${r.map(print).join(", ")}]`).join(", ")}]`;
    case "empty":
      return "{}";
    case "domain":
      return `${n.name}${n.name.length === 1 ? n.name : ""}`;
    case "based":
      return `${n.digits}_${n.base}`;
    case "text":
      return JSON.stringify(n.s);
  }
}

/** Renders an exact rational as a decimal with `dec` places (it was written that way). */
export function decimalText(v: Rat, dec: number): string {
  const neg = v.n < 0n;
  const scaled = ((neg ? -v.n : v.n) * 10n ** BigInt(dec)) / v.d;
  let s = scaled.toString().padStart(dec + 1, "0");
  if (dec > 0) s = `${s.slice(0, s.length - dec)}.${s.slice(s.length - dec)}`;
  return neg ? `-${s}` : s;
}
