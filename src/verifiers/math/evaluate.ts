/**
 * Two evaluators over the AST, both total and bounded:
 *
 * - `exactValue`: exact rational arithmetic (bigint), for expressions whose value is rational: integers of
 *   any size up to LIMITS.maxBits, fractions, integer powers, perfect roots, factorials, binomials. Returns
 *   null as soon as something is irrational or over a limit.
 * - `evalComplex`: complex floating point with a running absolute error bound (a forward error analysis),
 *   so that a difference can be judged against the rounding noise of the two computations. Anything
 *   undefined, overflowing or underflowing becomes NaN: "cannot tell here", never a wrong number.
 *
 * Why not mathjs `compile().evaluate()`: it would need our AST translated to mathjs nodes on every check
 * and 0.9 s of module loading per worker; it has no error bound, which is what lets this module tell
 * "equal up to rounding" from "cancellation ate every digit" (so `1/2^{99}` is never rounded to
 * `1/2^{98}` or to 0).
 */
import type { Node } from "./ast.js";
import { LIMITS } from "./limits.js";
import {
  add,
  binomial,
  cmp,
  div,
  exactRoot,
  exhausted,
  factorial,
  gcd,
  isInt,
  mul,
  neg,
  ONE,
  powInt,
  type Rat,
  rat,
  toNumber,
  ZERO,
} from "./rational.js";

// ---------------------------------------------------------------- exact

export type Env<T> = ReadonlyMap<string, T>;

const NO_ENV: Env<Rat> = new Map();

/** The exact rational value, or null when it is not rational or not computable within the limits. */
export function exactValue(n: Node, env: Env<Rat> = NO_ENV, depth = 0): Rat | null {
  if (depth > LIMITS.maxDepth * 2 || exhausted()) return null;
  const ev = (x: Node) => exactValue(x, env, depth + 1);
  switch (n.k) {
    case "num":
      return n.v;
    case "based":
      return n.v;
    case "sym":
      return env.get(n.name) ?? null;
    case "neg": {
      const a = ev(n.a);
      return a && neg(a);
    }
    case "add": {
      let acc: Rat | null = ZERO;
      for (const a of n.args) {
        const v = ev(a);
        if (!v || !acc) return null;
        acc = add(acc, v);
      }
      return acc;
    }
    case "mul": {
      let acc: Rat | null = ONE;
      for (const a of n.args) {
        const v = ev(a);
        if (!v || !acc) return null;
        acc = mul(acc, v);
      }
      return acc;
    }
    case "div": {
      const a = ev(n.a);
      const b = ev(n.b);
      return a && b ? div(a, b) : null;
    }
    case "pow": {
      const a = ev(n.a);
      const b = ev(n.b);
      if (!a || !b) return null;
      return exactPow(a, b);
    }
    case "pct": {
      const a = ev(n.a);
      return a && div(a, { n: 100n, d: 1n });
    }
    case "fn":
      return exactFn(n.name, n.args.map(ev));
    default:
      return null;
  }
}

/** a^b for rationals: integer b, or b = p/q with an exact q-th root. */
export function exactPow(a: Rat, b: Rat): Rat | null {
  if (b.d === 1n) {
    if (b.n < 0n && a.n === 0n) return null;
    return powInt(a, b.n);
  }
  if (b.d > 64n) return null;
  const q = Number(b.d);
  const r = exactRootRat(a, q);
  return r && powInt(r, b.n);
}

function exactRootRat(a: Rat, q: number): Rat | null {
  if (a.n < 0n) {
    if (q % 2 === 0) return null;
    const r = exactRootRat(neg(a), q);
    return r && neg(r);
  }
  const n = exactRoot(a.n, q);
  const d = n === null ? null : exactRoot(a.d, q);
  return n !== null && d !== null ? { n, d } : null;
}

function exactFn(name: string, args: (Rat | null)[]): Rat | null {
  if (args.some((a) => a === null)) return null;
  const a = args as Rat[];
  const x = a[0]!;
  switch (name) {
    case "sqrt":
      return exactRootRat(x, 2);
    case "root": {
      // args [index, radicand]
      if (!isInt(x) || x.n < 1n || x.n > 64n) return null;
      return exactRootRat(a[1]!, Number(x.n));
    }
    case "abs":
      return x.n < 0n ? neg(x) : x;
    case "floor":
      return rat(floorDiv(x.n, x.d));
    case "ceil":
      return rat(-floorDiv(-x.n, x.d));
    case "fact":
      return isInt(x) && x.n >= 0n && x.n <= BigInt(LIMITS.maxFactorial) ? factorial(Number(x.n)) : null;
    case "binom":
      return isInt(x) && isInt(a[1]!) ? binomial(x.n, a[1]!.n) : null;
    case "gcd":
    case "lcm": {
      if (!a.every(isInt)) return null;
      let g = a[0]!.n;
      for (const y of a.slice(1)) g = name === "gcd" ? gcd(g, y.n) : lcm(g, y.n);
      return rat(g < 0n ? -g : g);
    }
    case "max":
      return a.reduce((m, y) => (cmp(y, m) > 0 ? y : m));
    case "min":
      return a.reduce((m, y) => (cmp(y, m) < 0 ? y : m));
    case "log": {
      // log_b(x) is rational when x = b^k for an integer k (small).
      const b = a[1];
      if (!b || b.n <= 0n || x.n <= 0n || (b.n === 1n && b.d === 1n)) return null;
      return exactLog(x, b);
    }
    case "ln":
      return x.n === 1n && x.d === 1n ? ZERO : null;
    case "exp":
      return x.n === 0n ? ONE : null;
    case "sin":
    case "tan":
    case "asin":
    case "atan":
    case "sinh":
    case "tanh":
    case "asinh":
    case "atanh":
      return x.n === 0n ? ZERO : null;
    case "cos":
    case "cosh":
    case "sec":
      return x.n === 0n ? ONE : null;
    default:
      return null;
  }
}

function exactLog(x: Rat, b: Rat): Rat | null {
  // Try k in [-200, 200]: x = b^k.
  const bf = Math.abs(Math.log(toNumber(b)));
  if (!(bf > 0)) return null;
  const k = Math.round(Math.log(toNumber(x)) / Math.log(toNumber(b)));
  if (!Number.isFinite(k) || Math.abs(k) > 200) return null;
  for (const kk of [k, k - 1, k + 1]) {
    const p = powInt(b, BigInt(kk));
    if (p && p.n === x.n && p.d === x.d) return rat(BigInt(kk));
  }
  // Fractional exponents: x^q = b^p with small q (log_4 2 = 1/2, log_8 4 = 2/3).
  for (let q = 2n; q <= 6n; q++) {
    const xq = powInt(x, q);
    if (!xq) return null;
    const p = Math.round((Math.log(toNumber(x)) * Number(q)) / Math.log(toNumber(b)));
    if (Math.abs(p) > 400) continue;
    const bp = powInt(b, BigInt(p));
    if (bp && bp.n === xq.n && bp.d === xq.d) return rat(BigInt(p), q);
  }
  return null;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function lcm(a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n;
  return (a / gcd(a, b)) * b;
}

// ---------------------------------------------------------------- complex with error bound

/** A complex value with an absolute error bound. NaN in `re` means undefined or unreliable. */
export interface C {
  re: number;
  im: number;
  err: number;
}

const EPS = 2 ** -52;
const BAD: C = { re: Number.NaN, im: Number.NaN, err: Number.POSITIVE_INFINITY };

const mag = (z: C) => Math.hypot(z.re, z.im);
const real = (x: number, err = 0): C => ({ re: x, im: 0, err });
export const isBad = (z: C): boolean =>
  !Number.isFinite(z.re) || !Number.isFinite(z.im) || !Number.isFinite(z.err);

function checked(re: number, im: number, err: number, inputsNonZero = false): C {
  if (!Number.isFinite(re) || !Number.isFinite(im) || !Number.isFinite(err)) return BAD;
  // Underflow to zero from non-zero inputs: the value is tiny but not zero, and we cannot tell how tiny.
  if (inputsNonZero && re === 0 && im === 0) return BAD;
  return { re, im, err };
}

function cadd(a: C, b: C): C {
  const re = a.re + b.re;
  const im = a.im + b.im;
  return checked(re, im, a.err + b.err + EPS * (Math.abs(re) + Math.abs(im)));
}

function cmul(a: C, b: C): C {
  const re = a.re * b.re - a.im * b.im;
  const im = a.re * b.im + a.im * b.re;
  const ma = mag(a);
  const mb = mag(b);
  return checked(re, im, ma * b.err + mb * a.err + a.err * b.err + 2 * EPS * ma * mb, ma > 0 && mb > 0);
}

function cdiv(a: C, b: C): C {
  const den = b.re * b.re + b.im * b.im;
  if (den === 0 || !(mag(b) > b.err)) return BAD;
  const re = (a.re * b.re + a.im * b.im) / den;
  const im = (a.im * b.re - a.re * b.im) / den;
  const mb = Math.sqrt(den);
  const q = Math.hypot(re, im);
  return checked(re, im, (a.err + q * b.err) / (mb - b.err) + 2 * EPS * q, mag(a) > 0);
}

function cexp(a: C): C {
  const m = Math.exp(a.re);
  const re = m * Math.cos(a.im);
  const im = m * Math.sin(a.im);
  return checked(re, im, m * (a.err * 1.0000001 + 4 * EPS * (1 + Math.abs(a.im))), true);
}

function clog(a: C): C {
  const m = mag(a);
  if (m === 0 || !(m > a.err)) return BAD;
  const re = Math.log(m);
  const im = Math.atan2(a.im, a.re);
  // Near the branch cut (negative reals) a tiny error flips the imaginary part by 2*pi.
  if (a.re < 0 && Math.abs(a.im) <= a.err) {
    if (a.im === 0 && a.err === 0) return checked(re, Math.PI, EPS * (Math.abs(re) + 4));
    return BAD;
  }
  return checked(re, im, a.err / (m - a.err) + EPS * (Math.abs(re) + 4));
}

function csqrt(a: C): C {
  if (a.im === 0 && a.re >= 0) {
    const r = Math.sqrt(a.re);
    return checked(r, 0, r > 0 ? a.err / (2 * r) + EPS * r : Math.sqrt(a.err));
  }
  if (a.im === 0 && a.re < 0) {
    const r = Math.sqrt(-a.re);
    return checked(0, r, a.err / (2 * r) + EPS * r);
  }
  const m = mag(a);
  let re = Math.sqrt((m + a.re) / 2);
  let im = Math.sqrt((m - a.re) / 2);
  if (a.im < 0) im = -im;
  if (a.re < 0 && Math.abs(a.im) <= a.err) return BAD; // on the branch cut
  const r = Math.hypot(re, im);
  re = Number.isFinite(re) ? re : Number.NaN;
  return checked(re, im, r > 0 ? a.err / (2 * r) + 2 * EPS * r : Math.sqrt(a.err));
}

function cpowInt(a: C, k: number): C {
  if (k === 0) return real(1);
  if (k < 0) return cdiv(real(1), cpowInt(a, -k));
  if (a.im === 0) {
    const r = a.re ** k;
    const m = Math.abs(a.re);
    return checked(r, 0, k * m ** (k - 1) * a.err + 2 * EPS * Math.abs(r) * Math.log2(k + 1), m > 0);
  }
  let result: C = real(1);
  let base = a;
  let e = k;
  while (e > 0) {
    if (e & 1) result = cmul(result, base);
    e >>= 1;
    if (e) base = cmul(base, base);
    if (isBad(result) || isBad(base)) return BAD;
  }
  return result;
}

function cpow(a: C, b: C, bExact: Rat | null): C {
  if (bExact) {
    if (bExact.d === 1n) {
      if (bExact.n > 1_000_000n || bExact.n < -1_000_000n) {
        // Only 0, 1 and -1 survive huge integer powers.
        if (a.im === 0 && a.err === 0 && (a.re === 1 || a.re === 0)) return a;
        if (a.im === 0 && a.err === 0 && a.re === -1) return real(bExact.n % 2n === 0n ? 1 : -1);
        return BAD;
      }
      return cpowInt(a, Number(bExact.n));
    }
    // Real odd roots of negative reals: (-8)^{1/3} = -2.
    if (a.im === 0 && a.re < 0 && bExact.d % 2n === 1n && bExact.d < 1_000_000n) {
      const r = Math.abs(a.re) ** toNumber(bExact);
      const sign = bExact.n % 2n === 0n ? 1 : -1;
      const be = toNumber(bExact);
      return checked(sign * r, 0, Math.abs(be) * (r / Math.abs(a.re)) * a.err + 4 * EPS * r, true);
    }
  }
  if (a.im === 0 && b.im === 0 && a.re > 0) {
    const r = a.re ** b.re;
    const err = r * (Math.abs(b.re) * (a.err / a.re) + Math.abs(Math.log(a.re)) * b.err) + 4 * EPS * r;
    return checked(r, 0, err, true);
  }
  if (a.re === 0 && a.im === 0) {
    if (b.re > 0 && a.err === 0) return real(0);
    return BAD;
  }
  if (realDomain && !(bExact && bExact.d === 1n)) return BAD;
  return cexp(cmul(b, clog(a)));
}

const I: C = { re: 0, im: 1, err: 0 };
const ONE_C: C = real(1);

function csin(a: C): C {
  const re = Math.sin(a.re) * Math.cosh(a.im);
  const im = Math.cos(a.re) * Math.sinh(a.im);
  const g = Math.cosh(a.im);
  return checked(re, im, g * a.err + EPS * (4 + Math.abs(a.re)) * g);
}

function ccos(a: C): C {
  const re = Math.cos(a.re) * Math.cosh(a.im);
  const im = -Math.sin(a.re) * Math.sinh(a.im);
  const g = Math.cosh(a.im);
  return checked(re, im, g * a.err + EPS * (4 + Math.abs(a.re)) * g);
}

function casin(a: C): C {
  if (a.im === 0 && Math.abs(a.re) <= 1) {
    const r = Math.asin(a.re);
    const d = Math.sqrt(1 - a.re * a.re);
    return checked(r, 0, d > 0 ? a.err / d + EPS : Math.sqrt(2 * a.err) + EPS);
  }
  // -i ln(iz + sqrt(1 - z^2))
  const s = csqrt(cadd(ONE_C, neg1(cmul(a, a))));
  const l = clog(cadd(cmul(I, a), s));
  return cmul({ re: 0, im: -1, err: 0 }, l);
}

function catan(a: C): C {
  if (a.im === 0) return checked(Math.atan(a.re), 0, a.err / (1 + a.re * a.re) + EPS);
  // (i/2) (ln(1 - iz) - ln(1 + iz))
  const iz = cmul(I, a);
  const d = cadd(clog(cadd(ONE_C, neg1(iz))), neg1(clog(cadd(ONE_C, iz))));
  return cmul({ re: 0, im: 0.5, err: 0 }, d);
}

const neg1 = (a: C): C => ({ re: -a.re, im: -a.im, err: a.err });
const inv = (a: C): C => cdiv(ONE_C, a);

function gammaReal(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gammaReal(1 - x));
  if (x > 171.7) return Number.POSITIVE_INFINITY;
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  x -= 1;
  let s = c[0]!;
  for (let k = 1; k < g + 2; k++) s += c[k]! / (x + k);
  const t = x + g + 0.5;
  return Math.sqrt(2 * Math.PI) * t ** (x + 0.5) * Math.exp(-t) * s;
}

/**
 * Real-domain evaluation: a square root or logarithm of a negative (or non-real) value, or a fractional
 * power of one, is undefined rather than complex. Used for partial_domain comparisons, where
 * sqrt(x) sqrt(x+1) must not meet sqrt(x^2+x) at x = -2 through two imaginary factors.
 */
let realDomain = false;
export function inRealDomain<T>(f: () => T): T {
  const prev = realDomain;
  realDomain = true;
  try {
    return f();
  } finally {
    realDomain = prev;
  }
}
const notPositiveReal = (z: C, allowZero: boolean) =>
  Math.abs(z.im) > 4 * z.err || (allowZero ? z.re < -z.err : z.re <= z.err);

function fnC(name: string, args: C[], exactArgs: (Rat | null)[]): C {
  const a = args[0]!;
  if (args.some(isBad)) return BAD;
  if (realDomain) {
    if (name === "sqrt" && notPositiveReal(a, true)) return BAD;
    if ((name === "ln" || name === "log") && args.some((x) => notPositiveReal(x, false))) return BAD;
    if (
      name === "root" &&
      exactArgs[0]?.n !== undefined &&
      exactArgs[0].n % 2n === 0n &&
      notPositiveReal(args[1]!, true)
    )
      return BAD;
  }
  switch (name) {
    case "sqrt":
      return csqrt(a);
    case "root": {
      const k = exactArgs[0];
      const x = args[1]!;
      if (!k || !isInt(k) || k.n < 1n || k.n > 1000n) return BAD;
      return cpow(x, real(1 / Number(k.n)), { n: 1n, d: k.n });
    }
    case "exp":
      return cexp(a);
    case "ln":
      return clog(a);
    case "log": {
      const l = clog(a);
      return args[1] ? cdiv(l, clog(args[1])) : l;
    }
    case "sin":
      return csin(a);
    case "cos":
      return ccos(a);
    case "tan":
      return cdiv(csin(a), ccos(a));
    case "sec":
      return inv(ccos(a));
    case "csc":
      return inv(csin(a));
    case "cot":
      return cdiv(ccos(a), csin(a));
    case "asin":
      return casin(a);
    case "acos": {
      if (a.im === 0 && Math.abs(a.re) <= 1) {
        const d = Math.sqrt(1 - a.re * a.re);
        return checked(Math.acos(a.re), 0, d > 0 ? a.err / d + EPS : Math.sqrt(2 * a.err) + EPS);
      }
      return cadd(real(Math.PI / 2, EPS), neg1(casin(a)));
    }
    case "atan":
      return catan(a);
    case "asec":
      return fnC("acos", [inv(a)], []);
    case "acsc":
      return casin(inv(a));
    case "acot":
      return catan(inv(a));
    case "sinh": {
      const e1 = cexp(a);
      const e2 = cexp(neg1(a));
      return cmul(real(0.5), cadd(e1, neg1(e2)));
    }
    case "cosh":
      return cmul(real(0.5), cadd(cexp(a), cexp(neg1(a))));
    case "tanh": {
      const e1 = cexp(a);
      const e2 = cexp(neg1(a));
      return cdiv(cadd(e1, neg1(e2)), cadd(e1, e2));
    }
    case "sech":
      return inv(fnC("cosh", [a], []));
    case "csch":
      return inv(fnC("sinh", [a], []));
    case "coth":
      return inv(fnC("tanh", [a], []));
    case "asinh":
      return clog(cadd(a, csqrt(cadd(cmul(a, a), ONE_C))));
    case "acosh":
      return clog(cadd(a, cmul(csqrt(cadd(a, ONE_C)), csqrt(cadd(a, real(-1))))));
    case "atanh":
      return cmul(real(0.5), cadd(clog(cadd(ONE_C, a)), neg1(clog(cadd(ONE_C, neg1(a))))));
    case "abs": {
      const m = mag(a);
      return checked(m, 0, a.err + EPS * m);
    }
    case "floor":
    case "ceil": {
      if (a.im !== 0) return BAD;
      const r = name === "floor" ? Math.floor(a.re) : Math.ceil(a.re);
      // Too close to an integer to know which side it falls on.
      if (Math.abs(a.re - Math.round(a.re)) <= a.err && a.err > 0) return BAD;
      return real(r);
    }
    case "fact": {
      if (a.im !== 0) return BAD;
      const g = gammaReal(a.re + 1);
      return checked(g, 0, Math.abs(g) * (a.err * 20 + 1e-13));
    }
    case "binom": {
      const b = args[1]!;
      if (a.im !== 0 || b.im !== 0) return BAD;
      const g = gammaReal(a.re + 1) / (gammaReal(b.re + 1) * gammaReal(a.re - b.re + 1));
      return checked(g, 0, Math.abs(g) * ((a.err + b.err) * 40 + 1e-13));
    }
    case "max":
    case "min": {
      if (args.some((x) => x.im !== 0)) return BAD;
      let best = args[0]!;
      for (const x of args) if (name === "max" ? x.re > best.re : x.re < best.re) best = x;
      return best;
    }
    default:
      return BAD;
  }
}

/** Exact exponents are looked up once per node. */
const exactCache = new WeakMap<Node, Rat | null>();
function exactConst(n: Node): Rat | null {
  let v = exactCache.get(n);
  if (v === undefined) {
    v = exactValue(n);
    exactCache.set(n, v);
  }
  return v;
}

/**
 * Evaluates at a point. `env` maps variable names to complex values. Returns BAD (NaN) where the
 * expression is undefined, infinite, or its value cannot be trusted.
 */
export function evalComplex(n: Node, env: Env<C>, depth = 0): C {
  if (depth > LIMITS.maxDepth * 2) return BAD;
  const ev = (x: Node) => evalComplex(x, env, depth + 1);
  switch (n.k) {
    case "num":
    case "based": {
      const v = n.v;
      if (!v) return BAD;
      const x = toNumber(v);
      const exact = v.d === 1n && x <= Number.MAX_SAFE_INTEGER && x >= -Number.MAX_SAFE_INTEGER;
      return checked(x, 0, exact ? 0 : EPS * Math.abs(x), v.n !== 0n);
    }
    case "sym": {
      const v = env.get(n.name);
      return v ?? BAD;
    }
    case "const":
      if (n.name === "pi") return real(Math.PI, EPS * 4);
      if (n.name === "e") return real(Math.E, EPS * 3);
      if (n.name === "i") return I;
      return BAD;
    case "neg":
      return neg1(ev(n.a));
    case "add": {
      let acc = real(0);
      for (const a of n.args) {
        acc = cadd(acc, ev(a));
        if (isBad(acc)) return BAD;
      }
      return acc;
    }
    case "mul": {
      let acc = real(1);
      for (const a of n.args) {
        acc = cmul(acc, ev(a));
        if (isBad(acc)) return BAD;
      }
      return acc;
    }
    case "div":
      return cdiv(ev(n.a), ev(n.b));
    case "pow": {
      const a = ev(n.a);
      if (isBad(a)) return BAD;
      const be = exactConst(n.b);
      if (be && be.d === 1n) return cpow(a, real(0), be);
      const b = ev(n.b);
      if (isBad(b)) return BAD;
      return cpow(a, b, be);
    }
    case "fn":
      return fnC(
        n.name,
        n.args.map(ev),
        n.args.map((x) => (n.name === "root" ? exactConst(x) : null)),
      );
    case "pct":
      return cmul(ev(n.a), real(0.01, EPS * 0.01));
    case "deg":
      return cmul(ev(n.a), real(Math.PI / 180, EPS * 0.02));
    case "unit":
      return ev(n.a);
    default:
      return BAD;
  }
}

export const evalReal = (n: Node, env: Env<C>): number => {
  const z = evalComplex(n, env);
  return Math.abs(z.im) <= z.err ? z.re : Number.NaN;
};
