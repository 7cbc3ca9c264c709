/**
 * The high-precision second pass: a constant expression evaluated with decimal.js (the BigNumber engine
 * of mathjs) at 50 significant digits, for the comparisons float64 cannot settle: a difference at or
 * below its noise floor (sqrt(2) + 10^-20 - sqrt(2) is 0 in doubles) or a verdict left inconclusive.
 * decimal.js is loaded on the first such check only (about 4 ms), never on the common path. Real values
 * only: anything complex, unsupported or too large returns null and the float64 verdict stands.
 */
import { createRequire } from "node:module";
import type { Node } from "./ast.js";

type Dec = import("decimal.js").default;
type DecCtor = typeof import("decimal.js").default;

const DIGITS = 50;
let D: DecCtor | null = null;
let PI: Dec | undefined;
let E: Dec | undefined;

function engine(): DecCtor {
  if (!D) {
    const load = createRequire(import.meta.url)("decimal.js") as DecCtor & { default?: DecCtor };
    const Ctor = load.default ?? load;
    D = Ctor.clone({ precision: DIGITS, rounding: 4, toExpNeg: -9e15, toExpPos: 9e15 });
  }
  return D;
}

class Unsupported extends Error {}

/** Most nodes visited by one evaluation: a bounded amount of bignum work. */
const MAX_STEPS = 2000;

export function preciseValue(n: Node): Dec | null {
  const Dc = engine();
  let steps = 0;
  const ev = (x: Node): Dec => {
    if (++steps > MAX_STEPS) throw new Unsupported();
    switch (x.k) {
      case "num":
        return new Dc(x.v.n.toString()).div(x.v.d.toString());
      case "const":
        if (x.name === "pi") {
          PI ??= Dc.acos(-1);
          return PI;
        }
        if (x.name === "e") {
          E ??= Dc.exp(1);
          return E;
        }
        throw new Unsupported();
      case "neg":
        return ev(x.a).neg();
      case "add":
        return x.args.reduce((acc, a) => acc.plus(ev(a)), new Dc(0));
      case "mul":
        return x.args.reduce((acc, a) => acc.times(ev(a)), new Dc(1));
      case "div": {
        const b = ev(x.b);
        if (b.isZero()) throw new Unsupported();
        return ev(x.a).div(b);
      }
      case "pow": {
        const a = ev(x.a);
        const b = ev(x.b);
        if (b.abs().gt(10_000)) throw new Unsupported();
        if (a.isNeg() && !b.isInteger()) throw new Unsupported();
        if (a.isZero() && b.lte(0)) throw new Unsupported();
        return a.pow(b);
      }
      case "pct":
        return ev(x.a).div(100);
      case "fn":
        return fn(Dc, x.name, x.args.map(ev));
      default:
        throw new Unsupported();
    }
  };
  try {
    const v = ev(n);
    return v.isFinite() ? v : null;
  } catch (e) {
    if (e instanceof Unsupported) return null;
    // decimal.js throws on invalid arguments (a domain error): not a value.
    if (e instanceof Error && /DecimalError/.test(e.message)) return null;
    throw e;
  }
}

function fn(Dc: DecCtor, name: string, a: Dec[]): Dec {
  const [x, y] = a as [Dec, Dec | undefined];
  const positive = (v: Dec) => {
    if (!v.gt(0)) throw new Unsupported();
    return v;
  };
  switch (name) {
    case "sqrt":
      if (x.isNeg()) throw new Unsupported();
      return x.sqrt();
    case "root": {
      // args [index, radicand]
      const r = y!;
      if (r.isNeg()) {
        if (!x.isInteger() || x.mod(2).isZero()) throw new Unsupported();
        return r.neg().pow(new Dc(1).div(x)).neg();
      }
      return r.pow(new Dc(1).div(x));
    }
    case "exp":
      return Dc.exp(x);
    case "ln":
      return Dc.ln(positive(x));
    case "log":
      return y ? Dc.ln(positive(x)).div(Dc.ln(positive(y))) : Dc.ln(positive(x));
    case "sin":
      return Dc.sin(x);
    case "cos":
      return Dc.cos(x);
    case "tan":
      return Dc.tan(x);
    case "asin":
      return Dc.asin(x);
    case "acos":
      return Dc.acos(x);
    case "atan":
      return Dc.atan(x);
    case "sinh":
      return Dc.sinh(x);
    case "cosh":
      return Dc.cosh(x);
    case "tanh":
      return Dc.tanh(x);
    case "abs":
      return x.abs();
    case "floor":
      return x.floor();
    case "ceil":
      return x.ceil();
    default:
      throw new Unsupported();
  }
}

/**
 * Equal, not equal, or null (cannot evaluate). Two values are equal when they agree to 42 of the 50
 * digits, relative to the larger of their magnitude and 1 (so 10^-20 is not 0, and sin(pi) is).
 */
export function preciseEqual(g: Node, p: Node): { equal: boolean; g: string; p: string } | null {
  const a = preciseValue(g);
  const b = preciseValue(p);
  if (!a || !b) return null;
  const Dc = engine();
  const scale = Dc.max(a.abs(), b.abs(), 1);
  const equal = a.minus(b).abs().lte(scale.times("1e-42"));
  const show = (v: Dec) =>
    v.isZero() || v.abs().gte("1e-6")
      ? v.toSignificantDigits(12).toString()
      : v.toSignificantDigits(12).toExponential();
  return { equal, g: show(a), p: show(b) };
}
