/**
 * Exact rational numbers on bigint, with a size cap: every operation that would produce a numerator or
 * denominator over MAX_BITS returns null, so an exact computation can never run away (the caller falls
 * back to floating point, which is bounded).
 */
import { LIMITS } from "./limits.js";

export interface Rat {
  /** Numerator; carries the sign. */
  n: bigint;
  /** Denominator, always > 0; the fraction is always in lowest terms. */
  d: bigint;
}

export const ZERO: Rat = { n: 0n, d: 1n };
export const ONE: Rat = { n: 1n, d: 1n };

function abs(a: bigint): bigint {
  return a < 0n ? -a : a;
}

export function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function bitLength(a: bigint): number {
  a = abs(a);
  if (a === 0n) return 0;
  // toString(16) is linear and exact; fine for numbers under the cap.
  const h = a.toString(16);
  return (h.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(h[0]!, 16)));
}

function tooBig(a: bigint): boolean {
  // Fast path: small numbers never need the bit count.
  if (a < 0x1000000000000n && a > -0x1000000000000n) return false;
  return bitLength(a) > LIMITS.maxBits;
}

const BIG = 1n << 256n;
const HUGE = 1n << 4096n;
const HUGE2 = 1n << 8192n;
const HUGE3 = 1n << 16384n;
let budget = Number.POSITIVE_INFINITY;

/**
 * Work budget of exact arithmetic for one check, in units of one operation on numbers over 256 bits
 * (more for bigger numbers). Past it, exact results are null and the caller uses floating point: a
 * sum of hundreds of huge fractions cannot eat the deadline.
 */
export function setExactBudget(units: number): void {
  budget = units;
}

/** True once this check has used up its exact-arithmetic budget. */
export function exhausted(): boolean {
  return budget < 0;
}

function charge(n: bigint, d: bigint): boolean {
  const a = n < 0n ? -n : n;
  if (a < BIG && d < BIG) return true;
  const m = a > d ? a : d;
  // Operations cost about the square of the size: 1 unit to 4096 bits, then 16, 64, 256.
  budget -= m < HUGE ? 1 : m < HUGE2 ? 16 : m < HUGE3 ? 64 : 256;
  return budget >= 0;
}

export function rat(n: bigint, d: bigint = 1n): Rat | null {
  if (d === 0n) return null;
  if (!charge(n, d)) return null;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  if (g !== 1n && g !== 0n) {
    n /= g;
    d /= g;
  }
  if (tooBig(n) || tooBig(d)) return null;
  return { n, d };
}

export function fromInt(n: number | bigint): Rat {
  return { n: BigInt(n), d: 1n };
}

/** Parses "123", "-1.25", "0.5", ".5" exactly. */
export function fromDecimal(text: string): Rat | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  if ((m[2]?.length ?? 0) + (m[3]?.length ?? 0) > LIMITS.maxDigits) return null;
  const frac = m[3] ?? "";
  const n = BigInt(`${m[2] || "0"}${frac}`);
  return rat(m[1] === "-" ? -n : n, 10n ** BigInt(frac.length));
}

export const add = (a: Rat, b: Rat): Rat | null => rat(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rat, b: Rat): Rat | null => rat(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rat, b: Rat): Rat | null => rat(a.n * b.n, a.d * b.d);
export const div = (a: Rat, b: Rat): Rat | null => (b.n === 0n ? null : rat(a.n * b.d, a.d * b.n));
export const neg = (a: Rat): Rat => ({ n: -a.n, d: a.d });
export const isZero = (a: Rat): boolean => a.n === 0n;
export const isInt = (a: Rat): boolean => a.d === 1n;
export const eq = (a: Rat, b: Rat): boolean => a.n === b.n && a.d === b.d;
export const cmp = (a: Rat, b: Rat): number => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};

/** a^k for an integer k, or null when the result would be over the size cap. */
export function powInt(a: Rat, k: bigint): Rat | null {
  if (k === 0n) return ONE;
  if (budget < 0) return null;
  if (k < 0n) {
    if (a.n === 0n) return null;
    return powInt({ n: a.d * (a.n < 0n ? -1n : 1n), d: abs(a.n) }, -k);
  }
  const n = abs(a.n);
  if (n <= 1n && a.d === 1n) return { n: a.n < 0n && k % 2n === 1n ? -n : n, d: 1n };
  // Estimate the size before computing: bits(a^k) ~ k * bits(a).
  const bits = Math.max(bitLength(a.n), bitLength(a.d));
  if (k > BigInt(LIMITS.maxBits) || Number(k) * Math.max(bits - 1, 1) > LIMITS.maxBits) return null;
  return rat(a.n ** k, a.d ** k);
}

/** The exact integer k-th root of a non-negative bigint, or null when it is not a perfect power. */
export function exactRoot(x: bigint, k: number): bigint | null {
  if (x < 0n) return null;
  if (x < 2n) return x;
  if (k === 1) return x;
  const bits = bitLength(x);
  // Newton's method on integers, from an over-estimate.
  let r = 1n << BigInt(Math.ceil(bits / k) + 1);
  const K = BigInt(k);
  for (let i = 0; i < 4000; i++) {
    const next = ((K - 1n) * r + x / r ** (K - 1n)) / K;
    if (next >= r) break;
    r = next;
  }
  return r ** K === x ? r : null;
}

/** Converts to the nearest double, accurately even when numerator and denominator overflow doubles. */
export function toNumber(a: Rat): number {
  const n = a.n;
  const d = a.d;
  const small = 1n << 53n;
  if (abs(n) < small && d < small) return Number(n) / Number(d);
  const bn = bitLength(n);
  const bd = bitLength(d);
  // Scale so that the quotient keeps 64 significant bits.
  const shift = bd - bn + 64;
  const q = shift >= 0 ? (n << BigInt(shift)) / d : n / (d << BigInt(-shift));
  return Number(q) * 2 ** -shift;
}

export function ratToString(a: Rat): string {
  return a.d === 1n ? a.n.toString() : `${a.n}/${a.d}`;
}

/** True when the rational has a finite decimal expansion (denominator of the form 2^a 5^b). */
export function isTerminating(a: Rat): boolean {
  let d = a.d;
  while (d % 2n === 0n) d /= 2n;
  while (d % 5n === 0n) d /= 5n;
  return d === 1n;
}

/** Number of decimal places of a terminating rational (null when it does not terminate). */
export function decimalPlaces(a: Rat): number | null {
  if (!isTerminating(a)) return null;
  let k = 0;
  let d = a.d;
  let n = abs(a.n);
  while (d !== 1n && k < 10_000) {
    n *= 10n;
    const g = gcd(n, d);
    n /= g;
    d /= g;
    k++;
  }
  return k;
}

const factorials = new Map<number, Rat>();
const binomials = new Map<string, Rat>();

export function factorial(k: number): Rat | null {
  const hit = factorials.get(k);
  if (hit) return hit;
  const r = factorialUncached(k);
  if (r && k > 20) {
    if (factorials.size > 64) factorials.clear();
    factorials.set(k, r);
  }
  return r;
}

function factorialUncached(k: number): Rat | null {
  if (!Number.isInteger(k) || k < 0 || k > LIMITS.maxFactorial) return null;
  if (k > 100) {
    budget -= k / 8;
    if (budget < 0) return null;
  }
  let r = 1n;
  for (let i = 2n; i <= BigInt(k); i++) r *= i;
  return tooBig(r) ? null : { n: r, d: 1n };
}

export function binomial(n: bigint, k: bigint): Rat | null {
  const key = `${n},${k}`;
  const hit = binomials.get(key);
  if (hit) return hit;
  const r = binomialUncached(n, k);
  if (r && k > 20n) {
    if (binomials.size > 64) binomials.clear();
    binomials.set(key, r);
  }
  return r;
}

function binomialUncached(n: bigint, k: bigint): Rat | null {
  if (k < 0n) return ZERO;
  if (n >= 0n && k > n) return ZERO;
  if (k > BigInt(LIMITS.maxFactorial)) return null;
  // Works for negative n as well (generalised binomial).
  let r: Rat = ONE;
  for (let i = 0n; i < k; i++) {
    const next = mul(r, { n: n - i, d: 1n });
    if (!next) return null;
    const q = div(next, { n: i + 1n, d: 1n });
    if (!q) return null;
    r = q;
  }
  return r;
}
