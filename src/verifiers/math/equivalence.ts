/**
 * Three-valued equivalence of answers: equal, not equal, or unknown (with the reason).
 *
 * - Numbers: exact rational comparison first (integers of any size within the limits); a gold written as a
 *   decimal accepts what rounds to it at the precision it is written with; tiny magnitudes are compared
 *   relatively, never rounded to zero.
 * - Expressions with variables: evaluation at fixed pseudo-random real points (then complex points when
 *   the real ones are not enough), with a running error bound, so a difference is only "not equal" when it
 *   is far above the rounding noise; where cancellation leaves no trustworthy digits, rational functions
 *   are compared exactly at rational points, and anything else is "unknown".
 * - Equations by proportionality of lhs - rhs, inequalities as unions of intervals, sets unordered,
 *   tuples ordered, matrices element-wise, units converted, percent and degrees by policy.
 */
import { children as childrenOf, freeVars, has, type Node, print } from "./ast.js";
import { type C, type Env, evalComplex, exactValue, inRealDomain, isBad } from "./evaluate.js";
import {
  type Bound,
  describeForm,
  type Form,
  type Ival,
  isConstant,
  pairInterval,
  setSortKey,
} from "./forms.js";
import { DEFAULT_EQUIV, type EquivOptions } from "./options.js";
import { preciseEqual } from "./precise.js";
import { isTerminating, type Rat, cmp as ratCmp, eq as ratEq, ratToString, toNumber } from "./rational.js";
import { normalizeUnitWord, parseUnit, sameDims } from "./units.js";

export type Verdict = "equal" | "not_equal" | "unknown";

/**
 * Which stage of the cascade decided: structural rules (forms, text, intervals...), exact rational
 * arithmetic, float64 numeric evaluation, the high-precision pass, or (wired by the spec) a model judge.
 */
export type Stage = "rules" | "exact" | "numeric" | "precise" | "judge";

export interface Judgement {
  verdict: Verdict;
  reason: string;
  /** Absent means "rules". */
  stage?: Stage;
}

const at = (j: Judgement, stage: Stage): Judgement => ({ ...j, stage });

export { DEFAULT_EQUIV, type EquivOptions };

/** A rational for feedback, shortened when it has thousands of digits. */
function ratString(r: Rat): string {
  const s = ratToString(r);
  return s.length > 60 ? `${s.slice(0, 28)}…${s.slice(-28)} (${s.length} characters)` : s;
}

const EQ = (reason: string): Judgement => ({ verdict: "equal", reason });
const NE = (reason: string): Judgement => ({ verdict: "not_equal", reason });
const UNK = (reason: string): Judgement => ({ verdict: "unknown", reason });

const NO_VARS: Env<C> = new Map();

setSortKey((n) => {
  if (freeVars(n).size) return Number.NaN;
  const z = evalComplex(n, NO_VARS);
  return !isBad(z) && Math.abs(z.im) <= z.err ? z.re : Number.NaN;
});

/** Combines several candidate readings: equal if any is equal, unknown if any is unknown, else not equal. */
function anyOf(js: Judgement[]): Judgement {
  return (
    js.find((j) => j.verdict === "equal") ??
    js.find((j) => j.verdict === "unknown") ??
    js[0] ??
    NE("no reading")
  );
}

/** Combines parts that must all hold. */
function allOf(js: Judgement[], what: string): Judgement {
  const ne = js.find((j) => j.verdict === "not_equal");
  if (ne) return ne;
  const unk = js.find((j) => j.verdict === "unknown");
  if (unk) return unk;
  return EQ(what);
}

// ---------------------------------------------------------------- forms

export function compareForms(g: Form, p: Form, o: EquivOptions, depth = 0): Judgement {
  if (depth > 40) return UNK("answers nested too deeply to compare");
  const rec = (a: Form, b: Form) => compareForms(a, b, o, depth + 1);

  // Assignments: names must agree; a bare value is compared with the assigned value.
  if (g.t === "assign" && p.t === "assign") {
    if (g.name === p.name) return rec(g.value, p.value);
    // f(x) = x^2 vs f(t) = t^2: the same function of a renamed argument.
    const fg = /^([A-Za-z])\*([A-Za-z])$/.exec(g.name);
    const fp = /^([A-Za-z])\*([A-Za-z])$/.exec(p.name);
    if (fg && fp && fg[1] === fp[1] && g.lhs?.k === "mul" && g.lhs.call && p.lhs?.k === "mul" && p.lhs.call) {
      const [from, to] = [fp[2]!, fg[2]!];
      if (p.value.t !== "expr" || !freeVars(p.value.n).has(to))
        return rec(g.value, renameVar(p.value, from, to));
    }
    // y = 2x + 3 vs f(x) = 2x + 3: both name the dependent quantity; the right-hand sides decide.
    if (sameDependent(g.name, p.name) && g.value.t === "expr" && p.value.t === "expr") {
      if (freeVars(g.value.n).size || freeVars(p.value.n).size) return rec(g.value, p.value);
    }
    if (
      g.value.t === "expr" &&
      p.value.t === "expr" &&
      (freeVars(g.value.n).size || freeVars(p.value.n).size)
    ) {
      return compareEquations(labelNode(g), g.value.n, labelNode(p), p.value.n);
    }
    return NE(`the prediction gives ${p.name}, the gold ${g.name}`);
  }
  if (g.t === "assign" && p.t === "eq" && g.value.t === "expr" && labelNode(g).k !== "seq") {
    return compareEquations(labelNode(g), g.value.n, p.lhs, p.rhs);
  }
  if (p.t === "assign" && g.t === "eq" && p.value.t === "expr" && labelNode(p).k !== "seq") {
    return compareEquations(g.lhs, g.rhs, labelNode(p), p.value.n);
  }
  if (g.t === "assign") {
    if (p.t === "ivals" && p.v && g.value.t === "ivals" && p.v !== g.name)
      return NE(`the prediction is about ${p.v}, the gold about ${g.name}`);
    return rec(g.value, p);
  }
  if (p.t === "assign") {
    if (g.t === "ivals" && g.v && p.name !== g.v)
      return NE(`the prediction is about ${p.name}, the gold about ${g.v}`);
    return rec(g, p.value);
  }
  if (g.t === "eq" && p.t === "eq") return compareEquations(g.lhs, g.rhs, p.lhs, p.rhs);
  // m + n = 37 for a gold of 37: the quantity asked for (an expression in names), then its value. Not
  // "... = 0", which is how an unsolved equation is written.
  if (g.t === "expr" && p.t === "eq" && isConstant(g.n) && !isConstant(p.lhs) && isConstant(p.rhs)) {
    const v = exactValue(p.rhs);
    if (v?.n !== 0n) return rec(g, { t: "expr", n: p.rhs });
  }
  if (g.t === "eq" || p.t === "eq") return NE("an equation and a value");

  // An inequality that is not a plain bound (|x| <= 2, x^2 < 4) against intervals: compare truth sets.
  if ((g.t === "rel") !== (p.t === "rel")) {
    const other = g.t === "rel" ? p : g;
    const rel = (g.t === "rel" ? g : p) as Form & { t: "rel" };
    const iv = other.t === "ivals" ? other : other.t === "coll" ? pairAsIvals(other) : null;
    if (iv) {
      if (g.t === "ivals" && g.src === "interval" && o.inequalityInterval !== "both") {
        return NE("the gold is an interval, the prediction an inequality");
      }
      // The gold is solved (x > 3) and the prediction is not (2x - 6 > 0): restating the question is not
      // an answer, even with the same solution set.
      if (g.t !== "rel" && o.inequalityInterval !== "both") {
        return NE("the prediction is an unsolved relation, the gold a solved one");
      }
      if (g.t === "rel" && o.inequalityInterval === "never")
        return NE("the gold is an inequality, the prediction an interval");
      return compareByTruth(iv, rel.n as Node & { k: "rel" });
    }
  }

  // Intervals and inequalities.
  if (g.t === "ivals" || p.t === "ivals") return compareIntervalForms(g, p, o, rec);

  if (g.t === "empty" || p.t === "empty") {
    const isEmpty = (f: Form) => f.t === "empty" || (f.t === "coll" && f.items.length === 0);
    return isEmpty(g) && isEmpty(p) ? EQ("both empty") : NE("one side is the empty set");
  }
  if (g.t === "text" || p.t === "text") {
    if (g.t === "text" && p.t === "text")
      return normText(g.s) === normText(p.s) ? EQ("same text") : NE("different text");
    return NE("text and a value");
  }
  if (g.t === "domain" || p.t === "domain") {
    return g.t === "domain" && p.t === "domain" && g.name === p.name
      ? EQ("same number set")
      : NE("different sets");
  }
  if (g.t === "rel" || p.t === "rel") {
    if (g.t === "rel" && p.t === "rel" && print(g.n) === print(p.n)) return EQ("identical relation");
    return g.t === "rel" && p.t === "rel" ? compareInequalities(g.n, p.n) : NE("a relation and a value");
  }

  // Matrices and vectors.
  if (g.t === "matrix" || p.t === "matrix") {
    const gm = asMatrix(g);
    const pm = asMatrix(p);
    if (!gm || !pm) return NE("a matrix and something else");
    const flatG = gm.rows.length === 1 || gm.rows[0]!.length === 1;
    const flatP = pm.rows.length === 1 || pm.rows[0]!.length === 1;
    // A vector written as a row or a column: compare the entries in order.
    if (flatG && flatP && (g.t !== "matrix" || p.t !== "matrix")) {
      const a = gm.rows.flat();
      const b = pm.rows.flat();
      if (a.length !== b.length) return NE(`${a.length} entries vs ${b.length}`);
      return allOf(
        a.map((x, i) => rec(x, b[i]!)),
        "same entries",
      );
    }
    if (gm.rows.length !== pm.rows.length || gm.rows[0]!.length !== pm.rows[0]!.length) {
      return NE(
        `a ${gm.rows.length}x${gm.rows[0]!.length} matrix vs ${pm.rows.length}x${pm.rows[0]!.length}`,
      );
    }
    return allOf(
      gm.rows.flatMap((r, i) => r.map((x, j) => rec(x, pm.rows[i]![j]!))),
      "same matrix entries",
    );
  }

  if (g.t === "coll" && p.t === "coll") return compareCollections(g, p, o, rec);
  if (g.t === "coll" && g.items.length === 1 && (g.kind === "set" || g.kind === "list"))
    return rec(g.items[0]!, p);
  if (p.t === "coll" && p.items.length === 1 && (p.kind === "set" || p.kind === "list"))
    return rec(g, p.items[0]!);
  if (g.t === "coll" || p.t === "coll") {
    const n = g.t === "coll" ? g.items.length : (p as { items: Form[] }).items.length;
    return NE(
      g.t === "coll"
        ? `the gold has ${n} values, the prediction one`
        : `the prediction has ${n} values, the gold one`,
    );
  }
  if (g.t === "expr" && p.t === "expr") return compareScalars(g.n, p.n, o);
  return NE(`different kinds of answer (${g.t} vs ${p.t})`);
}

/** A copy of a form with the variable `from` renamed `to` (plain data: a structural copy). */
function renameVar<T>(x: T, from: string, to: string): T {
  if (Array.isArray(x)) return x.map((y) => renameVar(y, from, to)) as T;
  if (x === null || typeof x !== "object") return x;
  const o = x as Record<string, unknown>;
  if (o.k === "sym" && o.name === from) return { ...o, name: to } as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = renameVar(v, from, to);
  return out as T;
}

/** The label of an assignment as an expression (f(x) is f times x here, on both sides alike). */
function labelNode(a: Form & { t: "assign" }): Node {
  return a.lhs ?? { k: "sym", name: a.name };
}

/** `y` and a function value `f(x)` (label f*x) name the same dependent quantity; f(x) and g(x) do not. */
function sameDependent(a: string, b: string): boolean {
  const call = (n: string) => /^[A-Za-z](?:\^\(-1\))?\*[A-Za-z]$/.test(n);
  return (a === "y" && call(b)) || (b === "y" && call(a));
}

function asMatrix(f: Form): { rows: Form[][] } | null {
  if (f.t === "matrix") return f;
  if (
    f.t === "coll" &&
    (f.kind === "tuple" || f.kind === "bracket" || f.kind === "vector" || f.kind === "list")
  ) {
    if (
      f.items.length &&
      f.items.every((x) => x.t === "coll" && (x.kind === "bracket" || x.kind === "tuple"))
    ) {
      const rows = f.items.map((x) => (x as { items: Form[] }).items);
      if (rows.every((r) => r.length === rows[0]!.length)) return { rows };
    }
    return { rows: [f.items] };
  }
  return null;
}

type Rec = (a: Form, b: Form) => Judgement;

function compareCollections(
  g: Form & { t: "coll" },
  p: Form & { t: "coll" },
  o: EquivOptions,
  rec: Rec,
): Judgement {
  const unordered = (k: string) => k === "set" || (k === "list" && !o.orderedLists);
  const ordered = (k: string) => !unordered(k);
  const gu = unordered(g.kind);
  const pu = unordered(p.kind);
  // \{(1, 2)\} vs (1, 2): a solution set with one point, and the point.
  if (gu !== pu) {
    const single = gu ? g : p;
    const other = gu ? p : g;
    if (single.items.length === 1 && single.items[0]!.t === "coll" && other.kind !== "list") {
      return gu ? rec(single.items[0]!, other) : rec(other, single.items[0]!);
    }
  }
  if (g.kind === "set" && ordered(p.kind) && p.kind !== "list")
    return NE("a set in the gold, a tuple or interval in the prediction");
  if (p.kind === "set" && ordered(g.kind) && g.kind !== "list")
    return NE("a tuple or interval in the gold, a set in the prediction");
  if (gu && pu) return matchUnordered(g.items, p.items, rec);
  const bracketOf = (k: string) => (k === "vector" ? "tuple" : k);
  if (g.kind !== "list" && p.kind !== "list" && bracketOf(g.kind) !== bracketOf(p.kind)) {
    return NE(`different brackets: ${g.kind} vs ${p.kind}`);
  }
  if (g.items.length !== p.items.length) return NE(`${g.items.length} entries vs ${p.items.length}`);
  return allOf(
    g.items.map((x, i) => {
      const j = rec(x, p.items[i]!);
      return j.verdict === "equal" ? j : { ...j, reason: `entry ${i + 1}: ${j.reason}` };
    }),
    "same entries in order",
  );
}

function matchUnordered(gs: Form[], ps: Form[], rec: Rec): Judgement {
  if (gs.length * ps.length > 40_000) return UNK("sets too large to compare");
  const dedupe = (xs: Form[]) => {
    const out: Form[] = [];
    for (const x of xs) if (!out.some((y) => rec(y, x).verdict === "equal")) out.push(x);
    return out;
  };
  const G = dedupe(gs);
  const P = dedupe(ps);
  const used = new Array<boolean>(P.length).fill(false);
  let unknown = false;
  let missing: Form | null = null;
  for (const x of G) {
    let found = false;
    let maybe = false;
    for (let j = 0; j < P.length; j++) {
      if (used[j]) continue;
      const v = rec(x, P[j]!).verdict;
      if (v === "equal") {
        used[j] = found = true;
        break;
      }
      if (v === "unknown") maybe = true;
    }
    if (!found) {
      if (maybe) unknown = true;
      else missing ??= x;
    }
  }
  if (missing) return NE(`the prediction is missing ${describeForm(missing)}`);
  const extra = P.filter((_, j) => !used[j]);
  if (extra.length && !unknown) return NE(`the prediction has the extra value ${describeForm(extra[0]!)}`);
  if (unknown) return UNK("could not match every value");
  // Sets by default (a root written twice on one side only still matches), but when both sides repeat
  // values they state multiplicities, and those must agree: 1, 1, 2 is not 1, 2, 2.
  if (G.length < gs.length && P.length < ps.length) {
    for (const x of G) {
      const count = (xs: Form[]) => xs.filter((y) => rec(x, y).verdict === "equal").length;
      const [a, b] = [count(gs), count(ps)];
      if (a !== b) return NE(`${describeForm(x)} appears ${a} times in the gold, ${b} in the prediction`);
    }
  }
  return EQ(`the same ${G.length} value${G.length === 1 ? "" : "s"} in any order`);
}

function compareIntervalForms(g: Form, p: Form, o: EquivOptions, rec: Rec): Judgement {
  const asIvals = (f: Form): (Form & { t: "ivals" }) | null => {
    if (f.t === "ivals") return f;
    if (f.t === "coll") {
      const iv = pairInterval(f);
      if (iv) return { t: "ivals", parts: [iv], src: "interval" };
    }
    return null;
  };
  const gi = asIvals(g);
  const pi = asIvals(p);
  if (!gi || !pi) {
    if (g.t === "empty" || p.t === "empty") return NE("an interval and the empty set");
    return NE("an interval and something else");
  }
  if (gi.src === "interval" && pi.src === "ineq" && o.inequalityInterval !== "both") {
    return NE("the gold is an interval, the prediction an inequality");
  }
  if (gi.src === "ineq" && pi.src === "interval" && o.inequalityInterval === "never") {
    return NE("the gold is an inequality, the prediction an interval");
  }
  if (gi.v && pi.v && gi.v !== pi.v) return NE(`inequalities in ${gi.v} and ${pi.v}`);
  const a = sortIvals(gi.parts);
  const b = sortIvals(pi.parts);
  if (a.length !== b.length) return NE(`${a.length} interval${a.length === 1 ? "" : "s"} vs ${b.length}`);
  const js: Judgement[] = [];
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    const lo = compareBounds(x.lo, y.lo, rec);
    const hi = compareBounds(x.hi, y.hi, rec);
    if (lo.verdict === "not_equal" || hi.verdict === "not_equal")
      return NE(`interval ends differ: ${ivText(x)} vs ${ivText(y)}`);
    if (!x.lo.inf && x.lc !== y.lc)
      return NE(`${ivText(x)} vs ${ivText(y)}: the left end is ${x.lc ? "closed" : "open"} in the gold`);
    if (!x.hi.inf && x.rc !== y.rc)
      return NE(`${ivText(x)} vs ${ivText(y)}: the right end is ${x.rc ? "closed" : "open"} in the gold`);
    js.push(lo, hi);
  }
  return allOf(js, "same intervals");
}

function pairAsIvals(f: Form & { t: "coll" }): (Form & { t: "ivals" }) | null {
  const iv = pairInterval(f);
  return iv ? { t: "ivals", parts: [iv], src: "interval" } : null;
}

function boundNumber(b: Bound): number {
  if (b.inf) return b.inf * Number.POSITIVE_INFINITY;
  const z = evalComplex(b.node!, NO_VARS);
  return isBad(z) || Math.abs(z.im) > z.err ? Number.NaN : z.re;
}

/** Whether a one-variable relation holds at x (exactly when x is rational and the sides are). */
function relHolds(n: Node & { k: "rel" }, v: string, x: number, xr: Rat | null): boolean {
  const ex = xr ? n.args.map((a) => exactValue(a, new Map([[v, xr]]))) : [];
  const env = new Map([[v, { re: x, im: 0, err: 0 }]]);
  const fl = n.args.map((a) => evalComplex(a, env));
  for (let i = 0; i < n.ops.length; i++) {
    let c: number;
    const ea = ex[i];
    const eb = ex[i + 1];
    if (ea && eb) c = ratCmp(ea, eb);
    else {
      const a = fl[i]!;
      const b = fl[i + 1]!;
      if (isBad(a) || isBad(b) || Math.abs(a.im) > 4 * a.err || Math.abs(b.im) > 4 * b.err) return false;
      const d = a.re - b.re;
      c =
        Math.abs(d) <= 8 * (a.err + b.err) + 1e-12 * Math.max(Math.abs(a.re), Math.abs(b.re))
          ? 0
          : Math.sign(d);
    }
    const op = n.ops[i];
    const ok =
      op === "<"
        ? c < 0
        : op === "<="
          ? c <= 0
          : op === ">"
            ? c > 0
            : op === ">="
              ? c >= 0
              : op === "="
                ? c === 0
                : op === "!="
                  ? c !== 0
                  : false;
    if (!ok) return false;
  }
  return true;
}

function ivalsHold(parts: Ival[], x: number): boolean {
  return parts.some((p) => {
    const lo = boundNumber(p.lo);
    const hi = boundNumber(p.hi);
    const aboveLo = x > lo || (x === lo && p.lc && !p.lo.inf);
    const belowHi = x < hi || (x === hi && p.rc && !p.hi.inf);
    return aboveLo && belowHi;
  });
}

/**
 * An interval set against a one-variable relation (|x| <= 2, x^2 < 4): the same truth value at every
 * end point, just beside it, between ends, beyond them and on a grid. A sampled check, exact at the ends.
 */
function compareByTruth(iv: Form & { t: "ivals" }, rel: Node & { k: "rel" }): Judgement {
  const vs = [...freeVars(rel)];
  if (vs.length !== 1) return UNK("a relation in more than one variable");
  const v = vs[0]!;
  if (iv.v && iv.v !== v) return NE(`inequalities in ${iv.v} and ${v}`);
  const pts: { x: number; r: Rat | null }[] = [];
  const ends: number[] = [];
  for (const p of iv.parts) {
    for (const b of [p.lo, p.hi]) {
      if (b.inf) continue;
      const x = boundNumber(b);
      if (Number.isNaN(x)) return UNK("an interval end that cannot be evaluated");
      ends.push(x);
      pts.push({ x, r: exactValue(b.node!) });
      const d = 1e-6 * Math.max(1, Math.abs(x));
      pts.push({ x: x - d, r: null }, { x: x + d, r: null });
    }
  }
  ends.sort((a, b) => a - b);
  for (let k = 0; k + 1 < ends.length; k++) pts.push({ x: (ends[k]! + ends[k + 1]!) / 2, r: null });
  if (ends.length) pts.push({ x: ends[0]! - 1, r: null }, { x: ends[ends.length - 1]! + 1, r: null });
  for (let k = -24; k <= 24; k++) pts.push({ x: k / 2 + 0.0731, r: null });
  pts.push({ x: -1e3, r: null }, { x: 1e3, r: null }, { x: -1e6, r: null }, { x: 1e6, r: null });
  for (const { x, r } of pts) {
    const a = ivalsHold(iv.parts, x);
    const b = relHolds(rel, v, x, r);
    if (a !== b)
      return NE(`at ${v} = ${fmt({ re: x, im: 0, err: 0 })} one side holds and the other does not`);
  }
  return EQ("the same solution set at every end point and between them");
}

function ivText(iv: Ival): string {
  return describeForm({ t: "ivals", parts: [iv], src: "interval" });
}

function sortIvals(ps: Ival[]): Ival[] {
  const key = (b: Bound): number => {
    if (b.inf) return b.inf * Number.POSITIVE_INFINITY;
    const z = evalComplex(b.node!, NO_VARS);
    return isBad(z) ? Number.NaN : z.re;
  };
  const keyed = ps.map((p) => ({ p, k: key(p.lo), h: key(p.hi) }));
  if (keyed.some((x) => Number.isNaN(x.k))) return ps;
  return keyed.sort((x, y) => x.k - y.k || x.h - y.h).map((x) => x.p);
}

function compareBounds(a: Bound, b: Bound, rec: Rec): Judgement {
  if (a.inf || b.inf) return a.inf === b.inf ? EQ("same infinite end") : NE("an infinite and a finite end");
  return rec({ t: "expr", n: a.node! }, { t: "expr", n: b.node! });
}

// ---------------------------------------------------------------- scalars

interface Decor {
  kind: "none" | "pct" | "deg" | "unit";
  unit?: string;
  n: Node;
}

function peel(n: Node): Decor {
  if (n.k === "pct") return { kind: "pct", n: n.a };
  if (n.k === "deg") return { kind: "deg", n: n.a };
  if (n.k === "unit") return { kind: "unit", unit: n.unit, n: n.a };
  if (n.k === "neg") {
    const d = peel(n.a);
    if (d.kind !== "none") return { ...d, n: { k: "neg", a: d.n } };
  }
  return { kind: "none", n };
}

const HUNDRED: Node = { k: "num", v: { n: 100n, d: 1n } };
const DEG: Node = { k: "div", a: { k: "const", name: "pi" }, b: { k: "num", v: { n: 180n, d: 1n } } };
const scaled = (n: Node, f: Rat): Node =>
  f.n === 1n && f.d === 1n ? n : { k: "mul", args: [n, { k: "num", v: f }] };

export function compareScalars(gn: Node, pn: Node, o: EquivOptions): Judgement {
  let g = peel(gn);
  let p = peel(pn);
  const note: string[] = [];
  if (g.kind === "unit" || p.kind === "unit") {
    if (g.kind === "unit" && p.kind === "unit") {
      const gu = parseUnit(g.unit!);
      const pu = parseUnit(p.unit!);
      if (gu && pu) {
        if (!sameDims(gu.dims, pu.dims)) return NE(`units of different kinds: ${g.unit} vs ${p.unit}`);
        const j = numericCore(scaled(g.n, gu.factor), scaled(p.n, pu.factor), o);
        return { ...j, reason: `${j.reason} (after converting ${p.unit} to ${g.unit})` };
      }
      if (normalizeUnitWord(g.unit!) !== normalizeUnitWord(p.unit!))
        note.push(`units '${g.unit}' and '${p.unit}' ignored`);
      g = peel(g.n);
      p = peel(p.n);
    } else {
      if (o.units === "strict") return NE(`only one side has a unit (${g.unit ?? p.unit})`);
      note.push(`unit '${g.unit ?? p.unit}' ignored`);
      if (g.kind === "unit") g = peel(g.n);
      else p = peel(p.n);
    }
  }
  const based = compareBased(g.n, p.n);
  if (based) return based;
  if (p.n.k === "based" && p.n.v) p = { ...p, n: { k: "num", v: p.n.v } };
  const cands: [Node, Node, string][] = [];
  if (g.kind === p.kind) cands.push([g.n, p.n, ""]);
  else if (g.kind === "pct" || p.kind === "pct") {
    const other = g.kind === "pct" ? p : g;
    if (other.kind !== "none") return NE("a percentage and an angle");
    const pctSide = g.kind === "pct" ? "gold" : "prediction";
    if (o.percent !== "divide") cands.push([g.n, p.n, `the ${pctSide}'s % sign ignored`]);
    if (o.percent !== "strip") {
      if (g.kind === "pct") cands.push([{ k: "div", a: g.n, b: HUNDRED }, p.n, "50% read as 0.5"]);
      else cands.push([g.n, { k: "div", a: p.n, b: HUNDRED }, "50% read as 0.5"]);
    }
  } else {
    // degrees vs a plain value
    if (o.degrees === "either") cands.push([g.n, p.n, "the degree sign ignored"]);
    if (g.kind === "deg") cands.push([{ k: "mul", args: [g.n, DEG] }, p.n, "degrees converted to radians"]);
    else cands.push([g.n, { k: "mul", args: [p.n, DEG] }, "degrees converted to radians"]);
  }
  const js = cands.map(([a, b, why]) => {
    const j = numericCore(a, b, o);
    return why && j.verdict === "equal" ? { ...j, reason: `${j.reason}; ${why}` } : j;
  });
  const j = anyOf(js);
  return note.length ? { ...j, reason: `${j.reason} (${note.join(", ")})` } : j;
}

/**
 * A gold written in base b asks for the digits in that base: `204_5` accepts `204_5` and `204`, not 54
 * (which restates the question). A plain gold accepts a based prediction of the same value.
 */
function compareBased(g: Node, p: Node): Judgement | null {
  if (g.k !== "based") return null;
  if (p.k === "based") {
    if (p.base !== g.base) return NE(`base ${p.base} instead of base ${g.base}`);
    return g.v && p.v && ratEq(g.v, p.v)
      ? EQ(`the same base-${g.base} number`)
      : NE(`different base-${g.base} digits`);
  }
  const strip = (d: string) => d.replace(/^0+(?=.)/, "").toUpperCase();
  if (p.k === "num" && p.v.d === 1n && p.v.n >= 0n && p.ulp === undefined) {
    return strip(p.v.n.toString()) === strip(g.digits)
      ? EQ(`the same base-${g.base} digits`)
      : NE(`the gold is ${g.digits} in base ${g.base}; the prediction gives ${p.v.n}`);
  }
  return NE(`the gold is a base-${g.base} numeral`);
}

function divides0(n: Node): boolean {
  return has(n, (x) => x.k === "div" && exactValue(x.b)?.n === 0n);
}

function infSign(n: Node): -1 | 0 | 1 {
  if (n.k === "const" && n.name === "inf") return 1;
  if (n.k === "neg") return -infSign(n.a) as -1 | 0 | 1;
  if (n.k === "add" && n.args.length === 1) return infSign(n.args[0]!);
  return 0;
}

const hasInf = (n: Node) => has(n, (x) => x.k === "const" && x.name === "inf");
const NON_SCALAR = new Set(["seq", "interval", "matrix", "rel", "setop", "empty", "domain", "text", "pm"]);

/** Compares two plain expressions (no decorations at the top). */
function numericCore(g: Node, p: Node, o: EquivOptions): Judgement {
  if (print(g) === print(p)) return EQ("identical");
  if (has(g, (x) => NON_SCALAR.has(x.k)) || has(p, (x) => NON_SCALAR.has(x.k)))
    return NE("a value and a collection");
  if (hasInf(g) || hasInf(p)) {
    const a = infSign(g);
    const b = infSign(p);
    if (a && b) return a === b ? EQ("same infinity") : NE("opposite infinities");
    return NE(a || b ? "infinity and a finite value" : "different expressions with infinity");
  }
  const vars = new Set([...freeVars(g), ...freeVars(p)]);
  if (vars.size === 0) return constCompare(g, p, o);
  return symbolicCompare(g, p, [...vars].sort(), o);
}

interface Precision {
  /** Power of ten of the last written digit. */
  ulp: number;
  sig: number;
}

function powerOfTen(n: Node): number | null {
  const v = exactValue(n);
  if (!v || v.n <= 0n) return null;
  let k = 0;
  let a = v.n;
  let b = v.d;
  while (a % 10n === 0n && a > 1n) {
    a /= 10n;
    k++;
  }
  while (b % 10n === 0n && b > 1n) {
    b /= 10n;
    k--;
  }
  return a === 1n && b === 1n ? k : null;
}

/** The written precision of a gold decimal: 3.14, -0.50, 3.0 \times 10^8, 12.5% (as 0.125). */
function precisionOf(n: Node): Precision | null {
  switch (n.k) {
    case "num":
      return n.ulp !== undefined && n.sig !== undefined ? { ulp: n.ulp, sig: n.sig } : null;
    case "neg":
      return precisionOf(n.a);
    case "mul": {
      if (n.args.length !== 2) return null;
      for (const [a, b] of [
        [n.args[0]!, n.args[1]!],
        [n.args[1]!, n.args[0]!],
      ] as const) {
        const pa = precisionOf(a);
        const k = pa && powerOfTen(b);
        if (pa && k !== null) return { ulp: pa.ulp + k, sig: pa.sig };
      }
      return null;
    }
    case "div": {
      const pa = precisionOf(n.a);
      const k = pa && powerOfTen(n.b);
      return pa && k !== null ? { ulp: pa.ulp - k, sig: pa.sig } : null;
    }
    default:
      return null;
  }
}

const fromRat = (r: Rat): C => {
  const x = toNumber(r);
  return { re: x, im: 0, err: Math.abs(x) * 2 ** -53 };
};

function fmt(z: C): string {
  const f = (x: number) =>
    Math.abs(x) >= 1e-4 && Math.abs(x) < 1e7 ? String(Number(x.toPrecision(8))) : x.toExponential(6);
  if (Math.abs(z.im) <= z.err) return f(z.re);
  return `${f(z.re)}${z.im < 0 ? "-" : "+"}${f(Math.abs(z.im))}i`;
}

/**
 * Exactly: does p round to g at 10^ulp, halves away from zero (12.45 rounds to 12.5, 12.55 does not)?
 * That is |g| - half <= |p| < |g| + half, with the same sign.
 */
function roundsTo(p: Rat, g: Rat, ulp: number): boolean {
  if (g.n !== 0n && p.n !== 0n && g.n < 0n !== p.n < 0n) return false;
  const abs = (x: bigint) => (x < 0n ? -x : x);
  const diff = abs(p.n) * g.d - abs(g.n) * p.d; // (|p| - |g|) * p.d * g.d
  const m = p.d * g.d;
  const [hn, hd] = ulp >= 0 ? [10n ** BigInt(ulp), 2n] : [1n, 2n * 10n ** BigInt(-ulp)];
  return -hn * m <= diff * hd && diff * hd < hn * m;
}

function constCompare(g: Node, p: Node, o: EquivOptions): Judgement {
  const ge = exactValue(g);
  const pe = exactValue(p);
  if (ge && pe && ratEq(ge, pe)) return at(EQ(`the same exact value ${ratString(ge)}`), "exact");
  const gz = ge ? fromRat(ge) : evalComplex(g, NO_VARS);
  const pz = pe ? fromRat(pe) : evalComplex(p, NO_VARS);
  const good = !isBad(gz) && !isBad(pz);
  const bothReal = good && Math.abs(gz.im) <= gz.err && Math.abs(pz.im) <= pz.err;
  if (bothReal && (o.relTol !== null || o.absTol !== null)) {
    const tol = Math.max(o.absTol ?? 0, (o.relTol ?? 0) * Math.abs(gz.re));
    if (Math.abs(gz.re - pz.re) <= tol + gz.err + pz.err)
      return EQ(`within the configured tolerance (${fmt(gz)} vs ${fmt(pz)})`);
  }
  const prec = o.goldPrecision === "written" ? precisionOf(g) : null;
  if (prec && bothReal) {
    const pp = precisionOf(p);
    const half = 0.5 * 10 ** prec.ulp;
    const coarser = pp !== null && pp.ulp > prec.ulp;
    const terminating = pp !== null || (pe !== null && isTerminating(pe));
    const allowed = !coarser && (terminating ? prec.sig >= 3 : prec.sig >= 2);
    const rounds =
      ge && pe && Math.abs(prec.ulp) <= 400
        ? roundsTo(pe, ge, prec.ulp)
        : Math.abs(gz.re - pz.re) <= half * (1 + 1e-9) + pz.err;
    if (allowed && rounds) {
      return EQ(`${fmt(pz)} rounds to the gold ${print(g)} (written to 10^${prec.ulp})`);
    }
    if (coarser && Math.abs(gz.re - pz.re) <= 0.5 * 10 ** pp!.ulp * (1 + 1e-9)) {
      return NE(`the prediction is rounded more coarsely than the gold (${print(p)} vs ${print(g)})`);
    }
  }
  // A decimal written with many digits that is the gold to its last digit (0.3333333333333333 for 1/3).
  const pp = precisionOf(p);
  if (pp && pp.sig >= 10 && bothReal && Math.abs(gz.re - pz.re) <= 10 ** pp.ulp * (1 + 1e-9) + gz.err) {
    return EQ(`the prediction is the gold to ${pp.sig} significant digits`);
  }
  if (ge && pe) return at(NE(`different values: ${ratString(ge)} vs ${ratString(pe)}`), "exact");
  if (!good) {
    if (divides0(p) && !divides0(g)) return NE("the prediction divides by zero");
    return at(magnitudeVerdict(g, p, gz, pz), "numeric");
  }
  const c = classify(gz, pz, false);
  // Equal only up to float64 noise, or inconclusive: the high-precision pass decides where it can.
  const noise = gz.err + pz.err;
  const scale = Math.max(Math.hypot(gz.re, gz.im), Math.hypot(pz.re, pz.im));
  // Where it matters only: an inconclusive verdict, an "equal" at the noise floor (both sides 0 up to
  // rounding), or a side with a term float64 cannot see (sqrt(3)^2 + 10^-25 is not 3). decimal.js costs
  // 0.1-8 ms a check (trigonometry at 50 digits), so arccos(1/2) vs pi/3 stays with float64.
  if (
    c === "unsure" ||
    (c === "eq" && noise > 0 && (noise > 1e-6 * scale || hasHiddenTerm(g) || hasHiddenTerm(p)))
  ) {
    const hp = preciseEqual(g, p);
    if (hp)
      return at(
        hp.equal ? EQ(`equal to 42 digits (${hp.g})`) : NE(`different at high precision: ${hp.g} vs ${hp.p}`),
        "precise",
      );
  }
  if (c === "eq") return at(EQ(`equal numerically (${fmt(gz)})`), "numeric");
  if (c === "ne") return at(NE(`different values: ${fmt(gz)} vs ${fmt(pz)}`), "numeric");
  return at(UNK(`values too close to tell apart in floating point (${fmt(gz)} vs ${fmt(pz)})`), "numeric");
}

/**
 * A sum with a term below float64's resolution of the others (sqrt2 + 10^-20 - sqrt2): its float value
 * cannot show that term, so only the high-precision pass can.
 */
function hasHiddenTerm(n: Node, depth = 0): boolean {
  if (depth > 40) return false;
  if (n.k === "add") {
    let lo = Number.POSITIVE_INFINITY;
    let hi = 0;
    for (const a of n.args) {
      const z = evalComplex(a, NO_VARS);
      if (isBad(z)) return false;
      const m = Math.hypot(z.re, z.im);
      if (m > 0) lo = Math.min(lo, m);
      hi = Math.max(hi, m);
    }
    if (lo < 1e-12 * hi) return true;
  }
  return childrenOf(n).some((c) => hasHiddenTerm(c, depth + 1));
}

/** log10 of the magnitude of a product/power/quotient of positive quantities, when it can be bounded. */
function logMagnitude(n: Node, depth = 0): number | null {
  if (depth > 60) return null;
  switch (n.k) {
    case "num": {
      if (n.v.n === 0n) return null;
      const x = Math.abs(toNumber(n.v));
      return x > 0 && Number.isFinite(x) ? Math.log10(x) : logBig(n.v);
    }
    case "const":
      return n.name === "pi" ? Math.log10(Math.PI) : n.name === "e" ? Math.log10(Math.E) : null;
    case "neg":
      return logMagnitude(n.a, depth + 1);
    case "mul": {
      let s = 0;
      for (const a of n.args) {
        const l = logMagnitude(a, depth + 1);
        if (l === null) return null;
        s += l;
      }
      return s;
    }
    case "div": {
      const a = logMagnitude(n.a, depth + 1);
      const b = logMagnitude(n.b, depth + 1);
      return a === null || b === null ? null : a - b;
    }
    case "pow": {
      const a = logMagnitude(n.a, depth + 1);
      if (a === null) return null;
      const bz = evalComplex(n.b, NO_VARS);
      if (!isBad(bz) && bz.im === 0) return a * bz.re;
      const lb = logMagnitude(n.b, depth + 1);
      if (lb === null || exactValue(n.b)?.n === 0n) return null;
      // b is astronomically large: |a^b| is huge or tiny by the sign of log|a| (b > 0 assumed when not negated).
      if (n.b.k === "neg" || a === 0) return null;
      return a > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    }
    case "fn":
      if (n.name === "fact") {
        const z = evalComplex(n.args[0]!, NO_VARS);
        if (isBad(z) || z.im !== 0 || z.re < 0) return null;
        return lgammaLog10(z.re + 1);
      }
      return null;
    default:
      return null;
  }
}

function logBig(v: Rat): number {
  return (v.n.toString().length - v.d.toString().length) * 1;
}

function lgammaLog10(x: number): number {
  // Stirling: ln Gamma(x) ~ (x - 1/2) ln x - x + ln(2 pi)/2
  return ((x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI)) / Math.LN10;
}

function magnitudeVerdict(g: Node, p: Node, gz: C, pz: C): Judgement {
  // One side is beyond floating point: judge by orders of magnitude when they can be bounded.
  const lg = isBad(gz)
    ? logMagnitude(g)
    : gz.re === 0 && gz.im === 0
      ? Number.NEGATIVE_INFINITY
      : Math.log10(Math.hypot(gz.re, gz.im));
  const lp = isBad(pz)
    ? logMagnitude(p)
    : pz.re === 0 && pz.im === 0
      ? Number.NEGATIVE_INFINITY
      : Math.log10(Math.hypot(pz.re, pz.im));
  if (lg !== null && lp !== null && Number.isFinite(lg) !== Number.isFinite(lp)) {
    return NE(`orders of magnitude differ (10^${fmtLog(lg)} vs 10^${fmtLog(lp)})`);
  }
  if (lg !== null && lp !== null && Math.abs(lg - lp) > 3) {
    return NE(`orders of magnitude differ (10^${fmtLog(lg)} vs 10^${fmtLog(lp)})`);
  }
  return UNK(`cannot evaluate ${isBad(gz) ? "the gold" : "the prediction"} within floating point`);
}

function fmtLog(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : x > 0 ? "oo" : "-oo";
}

type PointVerdict = "eq" | "ne" | "unsure" | "skip";

function classify(a: C, b: C, partialDomain: boolean): PointVerdict {
  if (isBad(a) || isBad(b)) return "skip";
  if (partialDomain) {
    const ar = Math.abs(a.im) <= 4 * a.err;
    const br = Math.abs(b.im) <= 4 * b.err;
    // Outside the real domain of either side (sqrt(1/n) vs 1/sqrt(n) at n < 0), nothing is compared: the
    // complex points are only tried when too few real points agreed.
    if (ar !== br || (!ar && !br)) return "skip";
  }
  const d = Math.hypot(a.re - b.re, a.im - b.im);
  const noise = a.err + b.err;
  const scale = Math.max(Math.hypot(a.re, a.im), Math.hypot(b.re, b.im));
  if (d <= 8 * noise + 1e-12 * scale) {
    if (noise <= 1e-6 * scale || noise === 0) return "eq";
    // Both sides are zero up to rounding (sin(pi), e^{i pi} + 1): in an answer, that is a zero. Only an
    // expression built to cancel to below 1e-10 of its own terms could fool this.
    return noise <= 1e-10 ? "eq" : "unsure";
  }
  if (d > 1e-9 * scale && d > 1e3 * noise) return "ne";
  return "unsure";
}

// Points: a low-discrepancy sequence, away from 0, 1 and small integers where identities degenerate.
const R1 = 0.7548776662466927;
const R2 = 0.5698402909980532;
function coord(k: number, j: number): number {
  return ((k + 1) * R1 + (j + 1) * R2 * 1.37) % 1;
}
function realPoint(k: number, j: number): number {
  // The last point has a large magnitude: min(x, 10) and x agree on every small point.
  if (k === REAL_POINTS - 1) return 37.71 + 11.3 * j;
  const u = 0.35 + 2.6 * coord(k, j);
  // The first five points are positive; then signs vary.
  return k >= 5 && (k + j) % 2 === 0 ? -u : u;
}
const REAL_POINTS = 9;
/**
 * When an integer-valued function is used: a larger magnitude, then integers (small ones, squares, powers
 * of two, past 100), compared exactly.
 */
const WIDE_POINTS = [1234.3, 3, 4, 7, 9, 16, 26, 101, 1024];
const INTEGERISH = new Set(["floor", "ceil", "fact", "gcd", "lcm", "binom", "mod"]);
const COMPLEX_POINTS = 4;

function pointEnv(names: string[], k: number, complex: boolean): Env<C> {
  const m = new Map<string, C>();
  names.forEach((v, j) => {
    const re = realPoint(k, j);
    m.set(v, { re: complex ? re * 0.8 : re, im: complex ? 0.3 + 1.7 * coord(k + 7, j + 3) : 0, err: 0 });
  });
  return m;
}

function describePoint(names: string[], env: Env<C>): string {
  return names.map((v) => `${v}=${fmt(env.get(v)!)}`).join(", ");
}

/**
 * A fingerprint for votes: an expression's value where comparison looks first (a constant's value; with
 * variables, the first real point of symbolicCompare, variables by their sorted names), so that equal
 * expressions have values there within float64 noise of each other (`err`, as classify reads it). Null
 * when that value is not a finite real number that float64 knows to 1e-6: such an answer is compared with
 * every class.
 */
export function voteValue(
  n: Node,
  o: Pick<EquivOptions, "partialDomain">,
): { x: number; err: number } | null {
  const names = [...freeVars(n)].sort();
  if (names.length > 16) return null;
  const env = pointEnv(names, 0, false);
  const z =
    names.length === 0
      ? evalComplex(n, NO_VARS)
      : o.partialDomain
        ? inRealDomain(() => evalComplex(n, env))
        : evalComplex(n, env);
  if (isBad(z) || !Number.isFinite(z.re) || Math.abs(z.im) > 4 * z.err) return null;
  return z.err <= 1e-6 * Math.abs(z.re) ? { x: z.re, err: z.err } : null;
}

/**
 * How far from a number its written precision reaches, in the units of its value: 10^ulp of its last
 * written digit (for a percent, 10^-2 of that); 0 for a number written without one (an integer, a fraction).
 */
export function precisionReach(n: Node): number {
  let m = n;
  while (m.k === "neg") m = m.a;
  const pct = m.k === "pct";
  const p = precisionOf(pct ? (m as { a: Node }).a : m);
  return p ? 10 ** (p.ulp - (pct ? 2 : 0)) : 0;
}

function symbolicCompare(g: Node, p: Node, names: string[], o: EquivOptions): Judgement {
  if (names.length > 16) return UNK("too many variables");
  let eq = 0;
  let unsure = 0;
  // Under partial_domain the real points are evaluated in the real domain (no complex intermediates).
  const evalReal = (n: Node, env: Env<C>) =>
    o.partialDomain ? inRealDomain(() => evalComplex(n, env)) : evalComplex(n, env);
  for (let k = 0; k < REAL_POINTS; k++) {
    const env = pointEnv(names, k, false);
    const gz = evalReal(g, env);
    const pz = evalReal(p, env);
    const c = classify(gz, pz, o.partialDomain);
    if (c === "ne")
      return at(NE(`different at ${describePoint(names, env)}: ${fmt(gz)} vs ${fmt(pz)}`), "numeric");
    if (c === "eq") eq++;
    else if (c === "unsure") unsure++;
  }
  // Integer-valued functions (floor, ceil, mod, factorials) agree on small reals by accident
  // (floor(n/2) = floor(sqrt(n-1)) for n in [2, 3)): also try integers and large magnitudes.
  const integerish = (x: Node) => x.k === "fn" && INTEGERISH.has(x.name);
  const wide = has(g, integerish) || has(p, integerish) ? WIDE_POINTS : [];
  for (const [k, base] of wide.entries()) {
    const env = new Map<string, C>();
    for (const [j, v] of names.entries()) env.set(v, { re: base + j * 3, im: 0, err: 0 });
    if (k >= 1) {
      // At integers, floors of exact values are exact (floor(sqrt(4)) is 2, not "2 up to rounding").
      const renv = new Map<string, Rat>();
      for (const [v, z] of env) renv.set(v, { n: BigInt(z.re), d: 1n });
      const ge = exactValue(g, renv);
      const pe = exactValue(p, renv);
      if (ge && pe) {
        if (!ratEq(ge, pe))
          return at(
            NE(
              `different at ${names.map((v) => `${v}=${renv.get(v)!.n}`).join(", ")}: ${ratString(ge)} vs ${ratString(pe)}`,
            ),
            "exact",
          );
        continue;
      }
    }
    const gz = evalReal(g, env);
    const pz = evalReal(p, env);
    const c = classify(gz, pz, o.partialDomain);
    if (c === "ne" && (k < 1 || Math.abs(gz.re) < 2 ** 52))
      return at(NE(`different at ${describePoint(names, env)}: ${fmt(gz)} vs ${fmt(pz)}`), "numeric");
  }
  if (!o.partialDomain || eq < 3) {
    for (let k = 0; k < COMPLEX_POINTS; k++) {
      const env = pointEnv(names, k, true);
      const gz = evalComplex(g, env);
      const pz = evalComplex(p, env);
      const c = classify(gz, pz, false);
      if (c === "ne")
        return at(NE(`different at ${describePoint(names, env)}: ${fmt(gz)} vs ${fmt(pz)}`), "numeric");
      if (c === "eq") eq++;
      else if (c === "unsure") unsure++;
    }
  }
  if (unsure === 0 && eq >= 3) return at(EQ(`equal at ${eq} random points`), "numeric");
  const exact = rationalPoints(g, p, names);
  if (exact) return at(exact, "exact");
  if (eq >= 3 && unsure <= 1)
    return at(EQ(`equal at ${eq} random points (${unsure} inconclusive)`), "numeric");
  return at(
    UNK(eq + unsure === 0 ? "neither side could be evaluated" : "evaluation was inconclusive"),
    "numeric",
  );
}

/** For rational functions: exact comparison at rational points (Schwartz-Zippel). */
function rationalPoints(g: Node, p: Node, names: string[]): Judgement | null {
  const PRIMES = [3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n, 53n, 59n, 61n];
  let seen = 0;
  for (let k = 0; k < 5; k++) {
    const env = new Map<string, Rat>();
    names.forEach((v, j) => {
      env.set(v, {
        n: PRIMES[(j + k) % PRIMES.length]! * BigInt(k + 2) + 1n,
        d: PRIMES[(j * 3 + k + 5) % PRIMES.length]!,
      });
    });
    const a = exactValue(g, env);
    const b = exactValue(p, env);
    if (!a || !b) continue;
    if (!ratEq(a, b))
      return NE(`different exact values at a rational point: ${ratString(a)} vs ${ratString(b)}`);
    seen++;
  }
  return seen >= 3 ? EQ(`equal exactly at ${seen} rational points`) : null;
}

// ---------------------------------------------------------------- equations

/** Two equations are the same when lhs - rhs of one is a constant non-zero multiple of the other's. */
export function compareEquations(l1: Node, r1: Node, l2: Node, r2: Node): Judgement {
  const f: Node = { k: "add", args: [l1, { k: "neg", a: r1 }] };
  const h: Node = { k: "add", args: [l2, { k: "neg", a: r2 }] };
  const direct = proportional(f, h);
  if (direct.verdict !== "not_equal") return direct;
  // xy = 1 vs y = 1/x: the same equation once the denominators with variables are cleared.
  const fc = clearDenominators(f);
  const hc = clearDenominators(h);
  if (fc === f && hc === h) return direct;
  const cleared = proportional(fc, hc);
  return cleared.verdict === "equal"
    ? { ...cleared, reason: `${cleared.reason}, once denominators are cleared` }
    : direct;
}

/** lhs - rhs times the product of the denominators that contain variables (at most four). */
function clearDenominators(f: Node): Node {
  const dens: Node[] = [];
  const seen = new Set<string>();
  const stack: Node[] = [f];
  while (stack.length && dens.length <= 4) {
    const x = stack.pop()!;
    if (x.k === "div" && freeVars(x.b).size > 0 && !seen.has(print(x.b))) {
      seen.add(print(x.b));
      dens.push(x.b);
    }
    if (x.k === "pow" && freeVars(x.a).size > 0) {
      const e = exactValue(x.b);
      if (e && e.n < 0n && e.d === 1n && e.n > -8n && !seen.has(print(x.a))) {
        seen.add(print(x.a));
        dens.push({ k: "pow", a: x.a, b: { k: "num", v: { n: -e.n, d: 1n } } });
      }
    }
    for (const c of childrenOf(x)) stack.push(c);
  }
  if (dens.length === 0 || dens.length > 4) return f;
  return { k: "mul", args: [f, ...dens] };
}

/**
 * Two single inequalities: x^2 < 4 vs 4 > x^2 vs 2x^2 - 8 < 0. Each is read as f < 0, f <= 0, f > 0 or
 * f >= 0 with f = lhs - rhs; they are equal when the strictness matches and one f is a constant multiple
 * of the other, positive when the directions agree and negative when they are opposite.
 */
function compareInequalities(a: Node, b: Node): Judgement {
  if (a.k !== "rel" || b.k !== "rel" || a.ops.length !== 1 || b.ops.length !== 1)
    return UNK("relations that are not intervals");
  const dir = (op: string) => (op === "<" || op === "<=" ? -1 : op === ">" || op === ">=" ? 1 : 0);
  const da = dir(a.ops[0]!);
  const db = dir(b.ops[0]!);
  if (!da || !db) return UNK("relations that are not intervals");
  if ((a.ops[0]!.length === 1) !== (b.ops[0]!.length === 1))
    return NE("a strict and a non-strict inequality");
  const f: Node = { k: "add", args: [a.args[0]!, { k: "neg", a: a.args[1]! }] };
  const h: Node = { k: "add", args: [b.args[0]!, { k: "neg", a: b.args[1]! }] };
  const ratio: { value?: C } = {};
  const j = proportional(f, h, ratio);
  if (j.verdict !== "equal")
    return j.verdict === "not_equal"
      ? NE("not the same inequality")
      : UNK("could not compare the inequalities");
  const r = ratio.value!;
  if (Math.abs(r.im) > 4 * r.err) return UNK("could not compare the inequalities");
  return Math.sign(r.re) * da === db ? EQ("the same inequality") : NE("the inequality points the other way");
}

function proportional(f: Node, h: Node, out: { value?: C } = {}): Judgement {
  const names = [...new Set([...freeVars(f), ...freeVars(h)])].sort();
  if (names.length === 0) return print(f) === print(h) ? EQ("identical") : UNK("equations without variables");
  if (names.length > 16) return UNK("too many variables");
  let ratio: C | null = null;
  let agree = 0;
  let unsure = 0;
  for (let k = 0; k < REAL_POINTS + COMPLEX_POINTS; k++) {
    const env = pointEnv(names, k % REAL_POINTS, k >= REAL_POINTS);
    const fz = evalComplex(f, env);
    const hz = evalComplex(h, env);
    if (isBad(fz) || isBad(hz)) continue;
    const fm = Math.hypot(fz.re, fz.im);
    const hm = Math.hypot(hz.re, hz.im);
    if (fm <= 8 * fz.err && hm <= 8 * hz.err) continue; // both vanish here
    if (fm <= 8 * fz.err || hm <= 8 * hz.err)
      return NE(`not the same equation: at ${describePoint(names, env)} only one side vanishes`);
    const q: C = {
      re: (fz.re * hz.re + fz.im * hz.im) / (hm * hm),
      im: (fz.im * hz.re - fz.re * hz.im) / (hm * hm),
      err: (fz.err + (fm / hm) * hz.err) / hm + 1e-15 * (fm / hm),
    };
    if (!ratio) {
      ratio = q;
      continue;
    }
    const c = classify(ratio, q, false);
    if (c === "ne")
      return NE(
        `not the same equation (lhs - rhs differ by a non-constant factor at ${describePoint(names, env)})`,
      );
    if (c === "eq") agree++;
    else unsure++;
    if (agree >= 6 && k >= REAL_POINTS) break;
  }
  if (agree >= 3 && unsure === 0) {
    out.value = ratio!;
    return EQ(`the same equation up to the factor ${fmt(ratio!)}`);
  }
  return UNK("could not compare the equations");
}

// ---------------------------------------------------------------- text

const EMPTY_WORDS = new Set([
  "nosolution",
  "nosolutions",
  "norealsolution",
  "norealsolutions",
  "none",
  "emptyset",
  "thereisnosolution",
  "nosuchnumber",
  "noreal",
]);

/** Case- and space-insensitive text with LaTeX text wrappers, braces and punctuation removed. */
export function normText(s: string): string {
  return s
    .normalize("NFKC")
    .replace(/\\(?:text\w*|mathrm|mathbf|mbox|operatorname|emph)\s*/g, "")
    .replace(/\\[,;:! ]|~|\$/g, " ")
    .replace(/[{}\\*_]/g, "")
    .toLowerCase()
    .replace(/^\s*(?:the|a|an)\s+/, "")
    .replace(/[\s.,;:!?'"()[\]]+/g, "")
    .trim();
}

export function isEmptyWord(s: string): boolean {
  return EMPTY_WORDS.has(normText(s));
}
