/**
 * Output comparators for stdin/stdout tests and the value comparison of call tests. Comparators are
 * pure host functions over text: they never run model code.
 */

export interface Comparison {
  pass: boolean;
  /** Why it failed, e.g. "line 3: expected '7', got '8'". */
  message?: string;
}

export type Comparator = (expected: string, actual: string, input: string) => Comparison;

export interface CompareOptions {
  ignoreCase: boolean;
  /** Absolute and relative tolerance of the numeric comparator. */
  tolerance: number;
}

/** Lines with trailing whitespace trimmed; trailing empty lines (and a final newline) dropped. */
export function normalizedLines(text: string): string[] {
  const lines = text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.replace(/\s+$/, ""));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function show(s: string | undefined): string {
  if (s === undefined) return "(nothing)";
  const t = s.length > 80 ? `${s.slice(0, 77)}...` : s;
  return `'${t}'`;
}

function byLines(eq: (a: string, b: string) => boolean): (expected: string, actual: string) => Comparison {
  return (expected, actual) => {
    const e = normalizedLines(expected);
    const a = normalizedLines(actual);
    const n = Math.max(e.length, a.length);
    for (let i = 0; i < n; i++) {
      const x = e[i];
      const y = a[i];
      if (x === undefined || y === undefined || !eq(x, y)) {
        return { pass: false, message: `line ${i + 1}: expected ${show(x)}, got ${show(y)}` };
      }
    }
    return { pass: true };
  };
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function numbersClose(a: number, b: number, tol: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const d = Math.abs(a - b);
  return d <= tol || d <= tol * Math.max(Math.abs(a), Math.abs(b));
}

const INTEGER = /^[+-]?\d+$/;

/**
 * An expected integer met by a float: within the tolerance as an absolute difference only. A relative
 * tolerance scales with the integer (1e-6 of 123456789 is 123), so `float(a + b + 1)` would pass where
 * `a + b + 1` does not; an integral float is compared through bigint, every digit.
 */
export function integerMetByFloat(expected: bigint, actual: number, tol: number): boolean {
  if (!Number.isFinite(actual)) return false;
  if (Number.isInteger(actual)) {
    const d = BigInt(actual) - expected;
    return Number(d < 0n ? -d : d) <= tol;
  }
  return Math.abs(Number(expected) - actual) <= tol;
}

/**
 * Numeric tokens: integers (no '.', no exponent) compare exactly; an expected integer takes the
 * tolerance as an absolute difference only (integerMetByFloat); anything else within the tolerance.
 */
function tokensClose(p: string, q: string, tol: number): boolean {
  const ip = INTEGER.test(p);
  if (ip && INTEGER.test(q)) return BigInt(p.replace(/^\+/, "")) === BigInt(q.replace(/^\+/, ""));
  if (ip) return integerMetByFloat(BigInt(p.replace(/^\+/, "")), Number(q), tol);
  return numbersClose(Number(p), Number(q), tol);
}

function tokensEqual(opts: CompareOptions): (a: string, b: string) => boolean {
  return (x, y) => {
    const ta = x.trim().split(/\s+/);
    const tb = y.trim().split(/\s+/);
    if (ta.length !== tb.length) return false;
    for (let i = 0; i < ta.length; i++) {
      const p = ta[i]!;
      const q = tb[i]!;
      if (NUMBER.test(p) && NUMBER.test(q)) {
        if (!tokensClose(p, q, opts.tolerance)) return false;
      } else if (opts.ignoreCase ? p.toLowerCase() !== q.toLowerCase() : p !== q) {
        return false;
      }
    }
    return true;
  };
}

export const BUILTIN_COMPARATORS = ["exact", "lines", "tokens", "numeric"] as const;
export type BuiltinComparator = (typeof BUILTIN_COMPARATORS)[number];

const customCheckers = new Map<string, Comparator>();

/**
 * Registers a custom checker usable as `"compare": "<name>"` (in the spec or a sample's reference). It
 * runs in the host: register only your own trusted code. It receives the expected output, the program's
 * output and the test input.
 */
export function registerCodeChecker(name: string, checker: Comparator): void {
  if (BUILTIN_COMPARATORS.includes(name as BuiltinComparator)) {
    throw new Error(`'${name}' is a built-in comparator`);
  }
  customCheckers.set(name, checker);
}

export function hasComparator(name: string): boolean {
  return BUILTIN_COMPARATORS.includes(name as BuiltinComparator) || customCheckers.has(name);
}

export function comparator(name: string, opts: CompareOptions): Comparator | undefined {
  const fold = (s: string) => (opts.ignoreCase ? s.toLowerCase() : s);
  switch (name) {
    case "exact":
      return (e, a) => {
        if (fold(e) === fold(a)) return { pass: true };
        const el = e.split("\n");
        const al = a.split("\n");
        for (let i = 0; i < Math.max(el.length, al.length); i++) {
          if (fold(el[i] ?? "") !== fold(al[i] ?? "") || el[i] === undefined || al[i] === undefined) {
            return {
              pass: false,
              message: `exact: first difference on line ${i + 1}: expected ${show(el[i])}, got ${show(al[i])}`,
            };
          }
        }
        return { pass: false, message: "exact: outputs differ" };
      };
    case "lines":
      return byLines((x, y) => fold(x) === fold(y));
    case "tokens":
      return (e, a) => {
        const te = fold(e).split(/\s+/).filter(Boolean);
        const ta = fold(a).split(/\s+/).filter(Boolean);
        for (let i = 0; i < Math.max(te.length, ta.length); i++) {
          if (te[i] !== ta[i])
            return { pass: false, message: `token ${i + 1}: expected ${show(te[i])}, got ${show(ta[i])}` };
        }
        return { pass: true };
      };
    case "numeric":
      return byLines(tokensEqual(opts));
    default:
      return customCheckers.get(name);
  }
}

/**
 * JSON text parsed without losing a digit: integers (written without '.' or exponent) become bigint,
 * other numbers stay floats (number). Needs Node >= 22 (the reviver's `context.source`).
 */
export function parseExact(text: string): unknown {
  return JSON.parse(text, (_k, v, ctx?: { source?: string }) =>
    typeof v === "number" && ctx?.source !== undefined && INTEGER.test(ctx.source) ? BigInt(ctx.source) : v,
  );
}

/**
 * JSON text parsed as JSON.parse does, except that an integer too large for a double to hold exactly
 * becomes a bigint (call tests' arguments: small integers stay numbers, as JavaScript programs expect).
 */
export function parseLossless(text: string): unknown {
  return JSON.parse(text, (_k, v, ctx?: { source?: string }) =>
    typeof v === "number" && !Number.isSafeInteger(v) && ctx?.source !== undefined && INTEGER.test(ctx.source)
      ? BigInt(ctx.source)
      : v,
  );
}

/**
 * The path of the first integer in `v` that a double may have rounded (a JS number past 2^53: from
 * JSON.parse, 1152921504606846977 arrives as 1152921504606846976), or null. Such a value cannot be
 * compared exactly: whoever parsed it has already lost the digits.
 */
export function roundedInteger(v: unknown, path: string, depth = 0): string | null {
  if (typeof v === "number") return Number.isInteger(v) && !Number.isSafeInteger(v) ? path : null;
  if (depth > 200 || !v || typeof v !== "object") return null;
  for (const [k, x] of Object.entries(v)) {
    const p = roundedInteger(x, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`, depth + 1);
    if (p) return p;
  }
  return null;
}

/** A value from a JS object with its integer numbers as bigint (how parseExact reads integers). */
export function exactNumbers(v: unknown): unknown {
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(exactNumbers);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, exactNumbers(x)]));
  return v;
}

/** JSON text of a value that may hold bigints (written as their exact digits). */
export function showJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? rawJson(x.toString()) : x));
}

const rawJson = (JSON as unknown as { rawJSON: (s: string) => unknown }).rawJSON;

/**
 * Deep equality of JSON values for call tests: integers (bigint, see parseExact) exactly, an expected
 * integer met by a float within the tolerance as an absolute difference, an expected float within the
 * tolerance, arrays element-wise, objects with the same keys; a bool is
 * never a number. Returns the path of the first difference, or null when equal.
 */
export function jsonDiff(expected: unknown, actual: unknown, tol: number, path = "$"): string | null {
  const e = typeof expected;
  const a = typeof actual;
  if ((e === "number" || e === "bigint") && (a === "number" || a === "bigint")) {
    if (e === "bigint" && a === "bigint") return expected === actual ? null : path;
    if (e === "bigint") return integerMetByFloat(expected as bigint, actual as number, tol) ? null : path;
    return numbersClose(Number(expected), Number(actual), tol) ? null : path;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return path;
    for (let i = 0; i < expected.length; i++) {
      const d = jsonDiff(expected[i], actual[i], tol, `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (expected && typeof expected === "object") {
    if (!actual || typeof actual !== "object" || Array.isArray(actual)) return path;
    const ek = Object.keys(expected).sort();
    const ak = Object.keys(actual).sort();
    if (ek.length !== ak.length || ek.some((k, i) => k !== ak[i])) return path;
    for (const k of ek) {
      const d = jsonDiff(
        (expected as Record<string, unknown>)[k],
        (actual as Record<string, unknown>)[k],
        tol,
        `${path}.${k}`,
      );
      if (d) return d;
    }
    return null;
  }
  return expected === actual ? null : path;
}
