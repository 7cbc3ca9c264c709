/**
 * Answer forms: what an AST means as an answer. `x = 3` is an assignment of 3 to x, `x > 2` the interval
 * (2, oo) in x, `2 \pm \sqrt 3` the set of two values, `x = 1 or x = 2` an assignment of the set {1, 2},
 * `(1, 2]` an interval, `(1, 2)` a pair that may also be read as an open interval.
 */
import { freeVars, has, type Node, print, type RelOp } from "./ast.js";
import { LIMITS } from "./limits.js";

export interface Bound {
  /** null for an infinite end. */
  node: Node | null;
  /** -1 for -oo, +1 for +oo, 0 for a finite bound. */
  inf: -1 | 0 | 1;
}

export interface Ival {
  lo: Bound;
  hi: Bound;
  lc: boolean;
  rc: boolean;
}

export type Form =
  | { t: "expr"; n: Node }
  | { t: "text"; s: string }
  | { t: "coll"; kind: "set" | "list" | "tuple" | "bracket" | "vector"; items: Form[] }
  /** A union of intervals; `src` says whether it was written as intervals or as inequalities. */
  | { t: "ivals"; parts: Ival[]; src: "interval" | "ineq"; v?: string }
  | { t: "matrix"; rows: Form[][] }
  /** `lhs` is the label as written (x, f(x), (x, y)), for reading the assignment as an equation. */
  | { t: "assign"; name: string; lhs?: Node; value: Form }
  | { t: "eq"; lhs: Node; rhs: Node }
  | { t: "rel"; n: Node }
  | { t: "empty" }
  | { t: "domain"; name: string };

export class FormError extends Error {}

const SCALAR = new Set([
  "num",
  "sym",
  "const",
  "add",
  "neg",
  "mul",
  "div",
  "pow",
  "fn",
  "pct",
  "deg",
  "unit",
  "based",
]);

/** A name that can be assigned to: x, a_1, f(2), (x, y). */
export function labelOf(n: Node): string | null {
  if (n.k === "sym") return n.name;
  // V_1:V_2 = 11:21: the ratio of two named quantities is a quantity.
  if (n.k === "div" && n.ratio) {
    const a = labelOf(n.a);
    const b = labelOf(n.b);
    return a && b ? `${a}:${b}` : null;
  }
  if (n.k === "mul" && n.call && (n.args[0]?.k === "sym" || n.args[0]?.k === "pow")) return print(n);
  if (n.k === "seq" && (n.kind === "tuple" || n.kind === "list") && n.items.every((x) => x.k === "sym")) {
    return `(${n.items.map((x) => (x as { name: string }).name).join(",")})`;
  }
  return null;
}

export function isConstant(n: Node): boolean {
  return freeVars(n).size === 0;
}

/** Expands ± into the list of values it stands for (at most 2^maxPlusMinus). */
export function expandPm(n: Node): Node[] {
  if (!has(n, (x) => x.k === "pm")) return [n];
  let count = 0;
  const walk = (x: Node): Node[] => {
    switch (x.k) {
      case "pm": {
        if (++count > LIMITS.maxPlusMinus) throw new FormError("too many ± signs");
        const as = x.a ? walk(x.a) : [null];
        const bs = walk(x.b);
        const out: Node[] = [];
        for (const a of as) {
          for (const b of bs) {
            const plus: Node = a ? { k: "add", args: [a, b] } : b;
            const minus: Node = a ? { k: "add", args: [a, { k: "neg", a: b }] } : { k: "neg", a: b };
            out.push(...(x.mp ? [minus, plus] : [plus, minus]));
          }
        }
        return out;
      }
      case "add":
      case "mul":
      case "fn":
      case "rel": {
        let combos: Node[][] = [[]];
        for (const a of x.args) {
          const vs = walk(a);
          const next: Node[][] = [];
          for (const c of combos) for (const v of vs) next.push([...c, v]);
          combos = next;
        }
        return combos.map((args) => ({ ...x, args }) as Node);
      }
      case "neg":
      case "pct":
      case "deg":
        return walk(x.a).map((a) => ({ ...x, a }) as Node);
      case "unit":
        return walk(x.a).map((a) => ({ ...x, a }));
      case "div":
      case "pow": {
        const out: Node[] = [];
        for (const a of walk(x.a)) for (const b of walk(x.b)) out.push({ ...x, a, b });
        return out;
      }
      default:
        return [x];
    }
  };
  return walk(n);
}

const isInfNode = (n: Node): -1 | 0 | 1 => {
  if (n.k === "const" && n.name === "inf") return 1;
  if (n.k === "neg") return (-isInfNode(n.a) as -1 | 0 | 1) || 0;
  if (n.k === "add" && n.args.length === 1) return isInfNode(n.args[0]!);
  return 0;
};

function bound(n: Node): Bound {
  const inf = isInfNode(n);
  return inf ? { node: null, inf } : { node: n, inf: 0 };
}

export function toForm(n: Node): Form {
  if (SCALAR.has(n.k)) {
    // A ± anywhere in a value ("\frac{-1 \pm \sqrt 5}{2}") stands for the set of its values.
    if (has(n, (x) => x.k === "pm"))
      return { t: "coll", kind: "set", items: expandPm(n).map((v) => ({ t: "expr", n: v })) };
    return { t: "expr", n };
  }
  switch (n.k) {
    case "text":
      return { t: "text", s: n.s };
    case "empty":
      return { t: "empty" };
    case "domain":
      if (n.name === "R")
        return {
          t: "ivals",
          parts: [{ lo: { node: null, inf: -1 }, hi: { node: null, inf: 1 }, lc: false, rc: false }],
          src: "interval",
        };
      return { t: "domain", name: n.name };
    case "pm": {
      const vs = expandPm(n);
      return { t: "coll", kind: "set", items: vs.map((v) => toForm(v)) };
    }
    case "interval":
      return {
        t: "ivals",
        parts: [{ lo: bound(n.lo), hi: bound(n.hi), lc: n.lc, rc: n.rc }],
        src: "interval",
      };
    case "matrix":
      return { t: "matrix", rows: n.rows.map((r) => r.map(toForm)) };
    case "setop":
      return setopForm(n);
    case "seq":
      return seqForm(n);
    case "rel":
      return relForm(n);
  }
  throw new FormError(`cannot read ${n.k} as an answer`);
}

function seqForm(n: Node & { k: "seq" }): Form {
  if (n.kind !== "list") return { t: "coll", kind: n.kind, items: n.items.map(toForm) };
  const forms = n.items.flatMap((x) => {
    const f = toForm(x);
    // A ± inside a list item stands for its values: "1 \pm 2, 5".
    return f.t === "coll" && f.kind === "set" && x.k === "pm" ? f.items : [f];
  });
  // Inequalities joined by or / and: one union of intervals.
  if (forms.every((f) => f.t === "ivals") && forms.length > 1) {
    const vars = new Set(forms.map((f) => (f as { v?: string }).v));
    const ivs = forms as (Form & { t: "ivals" })[];
    if (vars.size === 1) {
      const src = ivs.every((f) => f.src === "ineq") ? "ineq" : "interval";
      const parts = n.joiner === "and" ? intersectAll(ivs.map((f) => f.parts)) : ivs.flatMap((f) => f.parts);
      if (parts) return { t: "ivals", parts, src, ...(ivs[0]!.v ? { v: ivs[0]!.v } : {}) };
    }
  }
  // Assignments: "x = 1 or x = 2", "x = 1, 2", "x = 1, y = 2".
  if (forms[0]?.t === "assign") {
    const first = forms[0];
    const sameName = forms.every((f) => f.t !== "assign" || f.name === first.name);
    if (sameName) {
      const values = forms.flatMap((f) => {
        const v = f.t === "assign" ? f.value : f;
        return v.t === "coll" && v.kind === "set" ? v.items : [v];
      });
      if (values.every((v) => v.t === "ivals")) {
        return {
          t: "assign",
          name: first.name,
          ...(first.lhs ? { lhs: first.lhs } : {}),
          value: {
            ...(values[0] as Form & { t: "ivals" }),
            parts: values.flatMap((v) => (v as { parts: Ival[] }).parts),
          },
        };
      }
      return {
        t: "assign",
        name: first.name,
        ...(first.lhs ? { lhs: first.lhs } : {}),
        value: { t: "coll", kind: "set", items: values },
      };
    }
  }
  return { t: "coll", kind: "list", items: forms };
}

function setopForm(n: Node & { k: "setop" }): Form {
  const parts = n.args.map(toForm);
  if (n.op === "cup") {
    if (parts.every((p) => p.t === "coll" && p.kind === "set")) {
      return { t: "coll", kind: "set", items: parts.flatMap((p) => (p as { items: Form[] }).items) };
    }
    const ivs: Ival[] = [];
    for (const p of parts) {
      if (p.t === "ivals") ivs.push(...p.parts);
      else if (p.t === "coll" && (p.kind === "tuple" || p.kind === "bracket") && p.items.length === 2)
        ivs.push(pairInterval(p)!);
      else if (p.t === "coll" && p.kind === "set" && p.items.every((x) => x.t === "expr")) {
        for (const x of p.items) {
          const b = bound((x as { n: Node }).n);
          ivs.push({ lo: b, hi: b, lc: true, rc: true });
        }
      } else if (p.t === "empty") continue;
      else throw new FormError("union of things that are not intervals or sets");
    }
    return { t: "ivals", parts: ivs, src: "interval" };
  }
  if (
    n.op === "minus" &&
    parts.length === 2 &&
    parts[0]!.t === "ivals" &&
    parts[1]!.t === "coll" &&
    parts[1].kind === "set"
  ) {
    // R \ {a, b}: the line with points removed (points sorted by the comparer).
    const pts = parts[1].items.map((x) => {
      if (x.t !== "expr") throw new FormError("set difference with non-values");
      return x.n;
    });
    return { t: "ivals", parts: removePoints(parts[0].parts, pts), src: "interval" };
  }
  throw new FormError(`set operation ${n.op} is not supported`);
}

/** Reads a tuple (a, b) or bracket [a, b] as the open or closed interval it may also be. */
export function pairInterval(f: Form & { t: "coll" }): Ival | null {
  if (f.items.length !== 2 || (f.kind !== "tuple" && f.kind !== "bracket")) return null;
  const [a, b] = f.items;
  if (a?.t !== "expr" || b?.t !== "expr") return null;
  const closed = f.kind === "bracket";
  return { lo: bound(a.n), hi: bound(b.n), lc: closed, rc: closed };
}

/** Removing points from intervals needs the points' order: done numerically by the comparer later. */
function removePoints(parts: Ival[], pts: Node[]): Ival[] {
  if (parts.length !== 1 || parts[0]!.lo.inf !== -1 || parts[0]!.hi.inf !== 1)
    throw new FormError("only R minus points is supported");
  const sorted = sortNodes(pts);
  const out: Ival[] = [];
  let lo: Bound = { node: null, inf: -1 };
  for (const p of sorted) {
    out.push({ lo, hi: { node: p, inf: 0 }, lc: false, rc: false });
    lo = { node: p, inf: 0 };
  }
  out.push({ lo, hi: { node: null, inf: 1 }, lc: false, rc: false });
  return out;
}

let sortKey: (n: Node) => number = () => Number.NaN;
/** The comparer installs a numeric evaluator (avoids an import cycle). */
export function setSortKey(f: (n: Node) => number): void {
  sortKey = f;
}

function sortNodes(ns: Node[]): Node[] {
  const keyed = ns.map((n) => ({ n, v: sortKey(n) }));
  if (keyed.some((k) => Number.isNaN(k.v))) throw new FormError("cannot order the points");
  return keyed.sort((a, b) => a.v - b.v).map((k) => k.n);
}

const FLIP: Record<string, string> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

function relForm(n: Node & { k: "rel" }): Form {
  let { ops, args } = n;
  // "1/6 ≈ 0.167", "k = 14/3 ≈ 4.67": what comes before the first ≈ is the exact answer.
  const approx = ops.indexOf("~");
  if (approx > 0 && ops.slice(0, approx).every((o) => o === "=")) {
    ops = ops.slice(0, approx);
    args = args.slice(0, approx + 1);
  } else if (approx === 0 && ops.length > 1) {
    ops = ops.slice(0, 1);
    args = args.slice(0, 2);
  }
  if (ops.length === 0) return toForm(args[0]!);
  if (ops.length === 1 && ops[0] === "~" && isConstant(args[0]!) && isConstant(args[1]!))
    return toForm(args[0]!);
  if (ops.every((o) => o === "=" || o === "~")) {
    if (args.length === 2) {
      const [l, r] = args as [Node, Node];
      const ll = labelOf(l);
      if (ll) return { t: "assign", name: ll, lhs: l, value: toForm(r) };
      const rl = labelOf(r);
      if (rl && isConstant(l)) return { t: "assign", name: rl, lhs: r, value: toForm(l) };
      if (isConstant(l) && isConstant(r)) return toForm(chainValue(args));
      if (hasSeq(l) || hasSeq(r)) throw new FormError("equation between collections");
      return { t: "eq", lhs: l, rhs: r };
    }
    // Chains: x = 2 + 3 = 5, 2 + 3 = 5: the last value (or the exact value a last decimal rounds).
    const last = chainValue(args);
    const ll = labelOf(args[0]!);
    if (ll && isConstant(last)) return { t: "assign", name: ll, lhs: args[0]!, value: toForm(last) };
    if (args.every(isConstant)) return toForm(last);
    // a + b = -1 + 2 = 1: an expression, then a computation that ends in a value.
    if (isConstant(last) && args.slice(1).every(isConstant)) return toForm(last);
    return { t: "eq", lhs: args[0]!, rhs: last };
  }
  if (ops.length === 1 && ops[0] === "in") {
    const ll = labelOf(args[0]!);
    if (!ll) throw new FormError("'in' without a variable");
    // x \in [2, 3], x \in (2, 3): a variable in a pair is in an interval, not in a list of two values.
    const value = toForm(args[1]!);
    const iv = value.t === "coll" ? pairInterval(value) : null;
    const interval: Form | null = iv ? { t: "ivals", parts: [iv], src: "interval" } : null;
    return { t: "assign", name: ll, lhs: args[0]!, value: interval ?? value };
  }
  if (ops.every((o) => o in FLIP || o === "!=")) {
    const iv = inequalityIntervals(n);
    if (iv) return iv;
  }
  return { t: "rel", n };
}

function decimalUlp(n: Node): number | null {
  if (n.k === "num" && n.ulp !== undefined) return n.ulp;
  if (n.k === "neg") return decimalUlp(n.a);
  return null;
}

/**
 * The value a chain of equalities ends in. When the last member is a decimal that an earlier exact
 * member rounds to ("\frac{3}{8} = 0.38", "\sqrt{2} = 1.41"), the exact member is the answer.
 */
function chainValue(args: Node[]): Node {
  const last = args[args.length - 1]!;
  const ulp = decimalUlp(last);
  if (ulp === null || !isConstant(last)) return last;
  const lv = sortKey(last);
  for (let k = args.length - 2; k >= 0; k--) {
    const a = args[k]!;
    if (!isConstant(a) || decimalUlp(a) !== null) continue;
    const v = sortKey(a);
    if (Math.abs(v - lv) <= 0.5 * 10 ** ulp * (1 + 1e-9)) return a;
  }
  return last;
}

function hasSeq(n: Node): boolean {
  return has(n, (x) => x.k === "seq" || x.k === "interval" || x.k === "matrix");
}

/** x > 2, 1 < x <= 3, 3 >= x, x != 0: the intervals in x (bounds must be constants). */
function inequalityIntervals(n: Node & { k: "rel" }): Form | null {
  const { ops, args } = n;
  // -x > -1 is x < 1: multiplying every side by -1 flips the relations.
  const negs = args.filter((a) => a.k === "neg" && a.a.k === "sym");
  if (
    negs.length === 1 &&
    !args.some((a) => a.k === "sym") &&
    args.every((a) => negs.includes(a) || isConstant(a))
  )
    return inequalityIntervals({
      k: "rel",
      ops: ops.map((o) => (FLIP[o] ?? o) as RelOp),
      args: args.map((a) => (a.k === "neg" ? a.a : { k: "neg", a })),
    });
  const vi = args.findIndex((a) => a.k === "sym");
  if (vi < 0) return null;
  const v = (args[vi] as { name: string }).name;
  if (args.some((a, i) => i !== vi && !isConstant(a))) return null;
  if (ops.length === 1 && ops[0] === "!=") {
    const p = args[1 - vi]!;
    return {
      t: "ivals",
      parts: [
        { lo: { node: null, inf: -1 }, hi: bound(p), lc: false, rc: false },
        { lo: bound(p), hi: { node: null, inf: 1 }, lc: false, rc: false },
      ],
      src: "ineq",
      v,
    };
  }
  if (ops.includes("!=")) return null;
  let lo: Bound = { node: null, inf: -1 };
  let hi: Bound = { node: null, inf: 1 };
  let lc = false;
  let rc = false;
  // Each op relates args[i] and args[i+1]; read every one as a bound on the variable.
  for (let i = 0; i < ops.length; i++) {
    let op = ops[i]!;
    let other: Node;
    if (i === vi) other = args[i + 1]!;
    else if (i + 1 === vi) {
      other = args[i]!;
      op = FLIP[op] as typeof op;
    } else return null;
    const b = bound(other);
    if (op === ">" || op === ">=") {
      if (lo.inf !== -1) return null;
      lo = b;
      lc = op === ">=";
    } else {
      if (hi.inf !== 1) return null;
      hi = b;
      rc = op === "<=";
    }
  }
  return { t: "ivals", parts: [{ lo, hi, lc, rc }], src: "ineq", v };
}

/** Intersection of unions of intervals; null when bounds cannot be ordered. */
function intersectAll(sets: Ival[][]): Ival[] | null {
  let acc = sets[0]!;
  for (const s of sets.slice(1)) {
    const next: Ival[] = [];
    for (const a of acc) {
      for (const b of s) {
        const lo = maxBound(a.lo, a.lc, b.lo, b.lc);
        const hi = minBound(a.hi, a.rc, b.hi, b.rc);
        if (!lo || !hi) return null;
        const lv = boundValue(lo[0]);
        const hv = boundValue(hi[0]);
        if (lv > hv || (lv === hv && !(lo[1] && hi[1]))) continue;
        next.push({ lo: lo[0], hi: hi[0], lc: lo[1], rc: hi[1] });
      }
    }
    acc = next;
  }
  return acc;
}

function boundValue(b: Bound): number {
  return b.inf ? b.inf * Number.POSITIVE_INFINITY : sortKey(b.node!);
}

function maxBound(a: Bound, ac: boolean, b: Bound, bc: boolean): [Bound, boolean] | null {
  const av = boundValue(a);
  const bv = boundValue(b);
  if (Number.isNaN(av) || Number.isNaN(bv)) return null;
  if (av === bv) return [a, ac && bc];
  return av > bv ? [a, ac] : [b, bc];
}

function minBound(a: Bound, ac: boolean, b: Bound, bc: boolean): [Bound, boolean] | null {
  const av = boundValue(a);
  const bv = boundValue(b);
  if (Number.isNaN(av) || Number.isNaN(bv)) return null;
  if (av === bv) return [a, ac && bc];
  return av < bv ? [a, ac] : [b, bc];
}

/** Feedback rendering of a form. */
export function describeForm(f: Form): string {
  switch (f.t) {
    case "expr":
      return print(f.n);
    case "text":
      return JSON.stringify(f.s);
    case "coll": {
      const inner = f.items.map(describeForm).join(", ");
      return f.kind === "set"
        ? `{${inner}}`
        : f.kind === "tuple"
          ? `(${inner})`
          : f.kind === "bracket"
            ? `[${inner}]`
            : f.kind === "vector"
              ? `<${inner}>`
              : inner;
    }
    case "ivals":
      return `${f.v ? `${f.v} in ` : ""}${f.parts
        .map(
          (p) =>
            `${p.lc ? "[" : "("}${p.lo.inf ? "-oo" : print(p.lo.node!)}, ${p.hi.inf ? "oo" : print(p.hi.node!)}${p.rc ? "]" : ")"}`,
        )
        .join(" U ")}`;
    case "matrix":
      return `[${f.rows.map((r) => `[${r.map(describeForm).join(", ")}]`).join(", ")}]`;
    case "assign":
      return `${f.name} = ${describeForm(f.value)}`;
    case "eq":
      return `${print(f.lhs)} = ${print(f.rhs)}`;
    case "rel":
      return print(f.n);
    case "empty":
      return "{}";
    case "domain":
      return f.name;
  }
}
