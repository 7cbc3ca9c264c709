/**
 * Physical constants for science answers (opt-in: the math option `physical_constants`): a symbol such as
 * `c`, `h`, `\hbar`, `k_B`, `N_A`, `G` in an answer stands for its CODATA 2018 value, so `h c / \lambda`
 * with a number for lambda, or `3 k_B T / 2`, compares against a numeric gold. The SI defining constants
 * are exact; measured ones carry their published digits.
 *
 * Why a table and not mathjs's constants: loading mathjs costs 430-590 ms per worker thread (measured
 * here, Node 24, load average 13), a quarter of the default 2 s deadline on every fresh worker, for
 * twenty numbers that are the same CODATA values.
 */
import type { Node } from "./ast.js";
import { fromDecimal, rat } from "./rational.js";

/** "6.62607015e-34" as an exact rational. */
function num(s: string): Node {
  const [m, e = "0"] = s.split("e");
  const v = fromDecimal(m!)!;
  const k = BigInt(Math.abs(Number(e)));
  return { k: "num", v: (Number(e) >= 0 ? rat(v.n * 10n ** k, v.d) : rat(v.n, v.d * 10n ** k))! };
}

const H = num("6.62607015e-34");

/** Symbol name (as the parser spells it) -> value. `e` is the elementary charge only when euler_e is off. */
const TABLE: Record<string, Node> = {
  c: num("299792458"),
  c_0: num("299792458"),
  h: H,
  hbar: { k: "div", a: H, b: { k: "mul", args: [num("2"), { k: "const", name: "pi" }] } },
  k_B: num("1.380649e-23"),
  k_b: num("1.380649e-23"),
  N_A: num("6.02214076e23"),
  q_e: num("1.602176634e-19"),
  G: num("6.67430e-11"),
  R: num("8.314462618"),
  F: num("96485.33212"),
  m_e: num("9.1093837015e-31"),
  m_p: num("1.67262192369e-27"),
  m_n: num("1.67492749804e-27"),
  epsilon_0: num("8.8541878128e-12"),
  varepsilon_0: num("8.8541878128e-12"),
  mu_0: num("1.25663706212e-6"),
  a_0: num("5.29177210903e-11"),
  g_0: num("9.80665"),
  g_n: num("9.80665"),
};

const CHARGE = num("1.602176634e-19");

/** The node with every constant symbol replaced by its value (a structural copy; plain data). */
export function withConstants<T>(x: T, electronCharge: boolean): T {
  if (Array.isArray(x)) return x.map((y) => withConstants(y, electronCharge)) as T;
  if (x === null || typeof x !== "object") return x;
  const o = x as Record<string, unknown>;
  if (o.k === "sym" && typeof o.name === "string") {
    if (electronCharge && o.name === "e") return CHARGE as T;
    const v = Object.hasOwn(TABLE, o.name) ? TABLE[o.name] : undefined;
    if (v) return v as T;
  }
  if (o.k === "const" && o.name === "e" && electronCharge) return CHARGE as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = withConstants(v, electronCharge);
  return out as T;
}
