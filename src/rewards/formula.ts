/**
 * The `formula` node's expression language: numbers, component names, + - * / ^ (right-associative),
 * unary minus, parentheses and the functions min max abs floor ceil exp sqrt log. A small recursive-descent
 * parser builds an AST that is evaluated directly: model or user text is never handed to eval.
 */
import { RewardkitError } from "../core/index.js";
import type { Range } from "./node.js";

export type Ast =
  | { k: "num"; v: number }
  | { k: "var"; name: string }
  | { k: "neg"; a: Ast }
  | { k: "bin"; op: "+" | "-" | "*" | "/" | "^"; a: Ast; b: Ast }
  | { k: "call"; fn: FnName; args: Ast[] };

const FUNCS = {
  min: { arity: [1, 64], f: (xs: number[]) => Math.min(...xs) },
  max: { arity: [1, 64], f: (xs: number[]) => Math.max(...xs) },
  abs: { arity: [1, 1], f: (xs: number[]) => Math.abs(xs[0]!) },
  floor: { arity: [1, 1], f: (xs: number[]) => Math.floor(xs[0]!) },
  ceil: { arity: [1, 1], f: (xs: number[]) => Math.ceil(xs[0]!) },
  exp: { arity: [1, 1], f: (xs: number[]) => Math.exp(xs[0]!) },
  sqrt: { arity: [1, 1], f: (xs: number[]) => Math.sqrt(xs[0]!) },
  log: { arity: [1, 1], f: (xs: number[]) => Math.log(xs[0]!) },
} as const;
type FnName = keyof typeof FUNCS;

const MAX_LENGTH = 4096;
const MAX_DEPTH = 64;

type Tok =
  | { t: "num"; v: number; at: number }
  | { t: "id"; v: string; at: number }
  | { t: "op"; v: string; at: number };

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  const re =
    /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/^(),]))/y;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw syntax(src, i, `unexpected character '${src[i]}'`);
    const at = m.index + m[0].length - (m[1] ?? m[2] ?? m[3])!.length;
    if (m[1] !== undefined) toks.push({ t: "num", v: Number(m[1]), at });
    else if (m[2] !== undefined) toks.push({ t: "id", v: m[2], at });
    else toks.push({ t: "op", v: m[3]!, at });
    i = re.lastIndex;
  }
  return toks;
}

function syntax(src: string, at: number, msg: string): RewardkitError {
  return new RewardkitError("config_error", `formula '${src}' at character ${at + 1}: ${msg}`);
}

export function parseFormula(src: string): Ast {
  if (src.length > MAX_LENGTH)
    throw new RewardkitError("config_error", `formula longer than ${MAX_LENGTH} characters`);
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (v: string) => peek()?.t === "op" && peek()!.v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw syntax(src, peek()?.at ?? src.length, `expected '${v}'`);
    p++;
  };
  const guard = (depth: number) => {
    if (depth > MAX_DEPTH) throw syntax(src, peek()?.at ?? 0, `nested deeper than ${MAX_DEPTH}`);
  };

  function expr(d: number): Ast {
    guard(d);
    let a = term(d + 1);
    while (isOp("+") || isOp("-")) {
      const op = toks[p++]!.v as "+" | "-";
      a = { k: "bin", op, a, b: term(d + 1) };
    }
    return a;
  }
  function term(d: number): Ast {
    guard(d);
    let a = unary(d + 1);
    while (isOp("*") || isOp("/")) {
      const op = toks[p++]!.v as "*" | "/";
      a = { k: "bin", op, a, b: unary(d + 1) };
    }
    return a;
  }
  function unary(d: number): Ast {
    guard(d);
    if (isOp("-")) {
      p++;
      return { k: "neg", a: unary(d + 1) };
    }
    if (isOp("+")) {
      p++;
      return unary(d + 1);
    }
    return power(d + 1);
  }
  function power(d: number): Ast {
    guard(d);
    const base = atom(d + 1);
    if (isOp("^")) {
      p++;
      return { k: "bin", op: "^", a: base, b: unary(d + 1) };
    }
    return base;
  }
  function atom(d: number): Ast {
    guard(d);
    const t = peek();
    if (!t) throw syntax(src, src.length, "unexpected end of formula");
    if (t.t === "num") {
      p++;
      return { k: "num", v: t.v };
    }
    if (t.t === "id") {
      p++;
      if (isOp("(")) {
        if (!(t.v in FUNCS)) {
          throw syntax(src, t.at, `unknown function '${t.v}' (known: ${Object.keys(FUNCS).join(", ")})`);
        }
        const fn = t.v as FnName;
        p++;
        const args: Ast[] = [expr(d + 1)];
        while (isOp(",")) {
          p++;
          args.push(expr(d + 1));
        }
        expect(")");
        const [lo, hi] = FUNCS[fn].arity;
        if (args.length < lo || args.length > hi) {
          throw syntax(
            src,
            t.at,
            `${fn} takes ${lo === hi ? lo : `${lo} to ${hi}`} argument(s), got ${args.length}`,
          );
        }
        return { k: "call", fn, args };
      }
      return { k: "var", name: t.v };
    }
    if (t.v === "(") {
      p++;
      const e = expr(d + 1);
      expect(")");
      return e;
    }
    throw syntax(src, t.at, `unexpected '${t.v}'`);
  }

  const ast = expr(0);
  if (p < toks.length) throw syntax(src, toks[p]!.at, `unexpected '${toks[p]!.v}'`);
  return ast;
}

export function formulaVariables(ast: Ast, out = new Set<string>()): Set<string> {
  if (ast.k === "var") out.add(ast.name);
  else if (ast.k === "neg") formulaVariables(ast.a, out);
  else if (ast.k === "bin") {
    formulaVariables(ast.a, out);
    formulaVariables(ast.b, out);
  } else if (ast.k === "call") for (const a of ast.args) formulaVariables(a, out);
  return out;
}

export function evaluateFormula(ast: Ast, env: Record<string, number>): number {
  switch (ast.k) {
    case "num":
      return ast.v;
    case "var":
      return env[ast.name]!;
    case "neg":
      return -evaluateFormula(ast.a, env);
    case "bin": {
      const a = evaluateFormula(ast.a, env);
      const b = evaluateFormula(ast.b, env);
      if (ast.op === "+") return a + b;
      if (ast.op === "-") return a - b;
      if (ast.op === "*") return a * b;
      if (ast.op === "/") return a / b;
      return a ** b;
    }
    case "call":
      return FUNCS[ast.fn].f(ast.args.map((x) => evaluateFormula(x, env)));
  }
}

const ALL: Range = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];

/** Interval arithmetic: bounds of the formula given bounds of its variables (conservative). */
export function formulaRange(ast: Ast, env: Record<string, Range>): Range {
  const r = (x: Ast) => formulaRange(x, env);
  const span = (xs: number[]): Range => (xs.some(Number.isNaN) ? ALL : [Math.min(...xs), Math.max(...xs)]);
  switch (ast.k) {
    case "num":
      return [ast.v, ast.v];
    case "var":
      return env[ast.name] ?? ALL;
    case "neg": {
      const [a, b] = r(ast.a);
      return [-b, -a];
    }
    case "bin": {
      const [a, b] = r(ast.a);
      const [c, d] = r(ast.b);
      if (ast.op === "+") return [a + c, b + d];
      if (ast.op === "-") return [a - d, b - c];
      if (ast.op === "*") return span([a * c, a * d, b * c, b * d]);
      if (ast.op === "/") return c > 0 || d < 0 ? span([a / c, a / d, b / c, b / d]) : ALL;
      if (c === d && Number.isInteger(c) && c >= 0) {
        const ends = [a ** c, b ** c];
        const lo = c % 2 === 0 && a < 0 && b > 0 ? 0 : Math.min(...ends);
        return [lo, Math.max(...ends)];
      }
      return ALL;
    }
    case "call": {
      const rs = ast.args.map(r);
      switch (ast.fn) {
        case "min":
          return [Math.min(...rs.map((x) => x[0])), Math.min(...rs.map((x) => x[1]))];
        case "max":
          return [Math.max(...rs.map((x) => x[0])), Math.max(...rs.map((x) => x[1]))];
        case "abs": {
          const [a, b] = rs[0]!;
          return a >= 0 ? [a, b] : b <= 0 ? [-b, -a] : [0, Math.max(-a, b)];
        }
        case "floor":
          return [Math.floor(rs[0]![0]), Math.floor(rs[0]![1])];
        case "ceil":
          return [Math.ceil(rs[0]![0]), Math.ceil(rs[0]![1])];
        case "exp":
          return [Math.exp(rs[0]![0]), Math.exp(rs[0]![1])];
        case "sqrt":
          return rs[0]![0] >= 0 ? [Math.sqrt(rs[0]![0]), Math.sqrt(rs[0]![1])] : ALL;
        case "log":
          return rs[0]![0] > 0 ? [Math.log(rs[0]![0]), Math.log(rs[0]![1])] : ALL;
      }
    }
  }
}
