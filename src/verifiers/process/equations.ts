/**
 * Finding and checking the computations a reasoning step states: `3 \times 4 = 12`, `$12/5 = 2.4$`,
 * GSM8K's `<<6*4=24>>`, and plain `12 - 2 = 10`. Each side is parsed by the math verifier's parser (never
 * eval) and compared exactly when both sides have exact values, otherwise to the precision the result is
 * written with (`22/7 = 3.14` holds, `2/3 = 0.6` does not). Only real computations count: a side must
 * hold an operation, so `5 = 5` or `x = 3` earns nothing.
 */
import { freeVars, type Node } from "../math/ast.js";
import { evalReal, exactValue } from "../math/evaluate.js";
import { parseAnswer } from "../math/parser.js";
import { eq, type Rat, toNumber } from "../math/rational.js";

export type EquationVerdict = "true" | "false" | "unknown";

export interface CheckedEquation {
  text: string;
  verdict: EquationVerdict;
  /** The value stated as the result (the last side), when it is a number. */
  result?: number;
}

const MATH_ENV = /\$\$([\s\S]+?)\$\$|\$([^$]+?)\$|\\\(([\s\S]+?)\\\)|\\\[([\s\S]+?)\\\]/g;
const GSM8K = /<<([^<>]+?)>>/g;
// Plain-text arithmetic: numbers joined by operators (also LaTeX ones written outside $...$:
// `3 \times 4 = 12`), then one or more "=" links, every one of which is checked (`12 + 7 + 5 = 19 + 5 = 25`).
const P_NUM = String.raw`\(*[-−]?(?:\d[\d.,]*|\\frac\s*\{\d+\}\s*\{\d+\})\)*`;
const P_OP = String.raw`(?:[+\-−*/×÷^·]|\\times|\\cdot|\\div)`;
const P_EXPR = String.raw`${P_NUM}(?:\s*${P_OP}\s*${P_NUM})*`;
const ARITH_RUN = /(?:[\d.,\s+\-−*/×÷^·()=≈{}]|\\(?:times|cdot|div|approx|frac))+/g;
const MAX_RUN = 2000;
const PLAIN = new RegExp(String.raw`${P_EXPR}(?:\s*(?:=|≈|\\approx)\s*${P_EXPR})+`, "g");

/** The equation texts of a step, from math environments, GSM8K annotations and plain text. */
export function findEquations(step: string): string[] {
  const out: string[] = [];
  let rest = step;
  for (const re of [GSM8K, MATH_ENV]) {
    rest = rest.replace(re, (m, ...groups) => {
      const inner = groups.slice(0, 4).find((g) => typeof g === "string") as string | undefined;
      if (inner?.includes("=") || inner?.includes("\\approx")) out.push(inner);
      return " ".repeat(m.length);
    });
  }
  // PLAIN backtracks quadratically on a long run of arithmetic with no "=" in it: it only runs inside the
  // runs of arithmetic characters that hold a relation, each bounded in length (linear overall).
  for (const run of rest.matchAll(ARITH_RUN)) {
    const r = run[0];
    if (r.length > MAX_RUN || !/=|≈|\\approx/.test(r)) continue;
    for (const m of r.matchAll(PLAIN)) out.push(m[0]);
  }
  return out.map((e) => e.trim()).filter((e) => e.length > 0 && e.length <= 2000);
}

function hasOperation(n: Node): boolean {
  return n.k !== "num" && !(n.k === "neg" && n.a.k === "num");
}

/** Allowed error of a decimal literal: half a unit in its last written place. */
function rounding(n: Node): number {
  if (n.k === "num" && n.ulp !== undefined) return 0.5 * 10 ** n.ulp;
  if (n.k === "neg") return rounding(n.a);
  return 0;
}

function sameValue(a: Node, b: Node, approx: boolean): EquationVerdict {
  const ea = exactValue(a);
  const eb = exactValue(b);
  const tol = Math.max(rounding(a), rounding(b), approx ? 0.5 : 0);
  if (ea && eb && tol === 0) return eq(ea, eb) ? "true" : "false";
  const x = ea ? toNumber(ea) : evalReal(a, new Map());
  const y = eb ? toNumber(eb) : evalReal(b, new Map());
  if (!Number.isFinite(x) || !Number.isFinite(y)) return "unknown";
  return Math.abs(x - y) <= tol * (1 + 1e-9) + 1e-12 * Math.max(1, Math.abs(x)) ? "true" : "false";
}

const numberOf = (n: Node): number | undefined => {
  const v = exactValue(n);
  if (v) return toNumber(v);
  const r = evalReal(n, new Map());
  return Number.isFinite(r) ? r : undefined;
};

/** Checks one equation text: every adjacent pair of constant sides must agree. */
export function checkEquation(text: string): CheckedEquation {
  const cleaned = text.replace(/(\d),(?=\d{3}\b)/g, "$1").replace(/−/g, "-");
  let node: Node;
  try {
    node = parseAnswer(cleaned);
  } catch {
    return { text, verdict: "unknown" };
  }
  if (node.k !== "rel" || !node.ops.every((o) => o === "=" || o === "~")) return { text, verdict: "unknown" };
  const sides = node.args;
  // A chain counts when it computes something somewhere: then every link must hold (3 + 4 = 7 = 8 fails).
  if (!sides.some(hasOperation)) return { text, verdict: "unknown" };
  let verdict: EquationVerdict = "unknown";
  for (let i = 0; i + 1 < sides.length; i++) {
    const a = sides[i]!;
    const b = sides[i + 1]!;
    if (freeVars(a).size || freeVars(b).size) continue;
    const v = sameValue(a, b, node.ops[i] === "~");
    if (v === "false") return { text, verdict: "false", result: numberOf(sides[sides.length - 1]!) };
    if (v === "true") verdict = "true";
  }
  const last = sides[sides.length - 1]!;
  return verdict === "unknown" ? { text, verdict } : { text, verdict, result: numberOf(last) };
}

/** Whether a stated value matches a reference value (exactly, or to the reference's written precision). */
export function matchesValue(
  stated: number,
  ref: { exact: Rat | null; value: number; tol: number },
): boolean {
  if (ref.exact && ref.tol === 0)
    return Math.abs(stated - ref.value) <= 1e-9 * Math.max(1, Math.abs(ref.value));
  return Math.abs(stated - ref.value) <= ref.tol * (1 + 1e-9) + 1e-12 * Math.max(1, Math.abs(ref.value));
}

/** A reference intermediate value, parsed once. */
export function readReference(text: string): { exact: Rat | null; value: number; tol: number } | null {
  try {
    const n = parseAnswer(String(text).replace(/(\d),(?=\d{3}\b)/g, "$1"));
    const exact = exactValue(n);
    const value = exact ? toNumber(exact) : evalReal(n, new Map());
    if (!Number.isFinite(value)) return null;
    return { exact, value, tol: rounding(n) };
  } catch {
    return null;
  }
}

/** The numbers a step states as results: the results of its computations, and its last number. */
export function statedResults(step: string, equations: CheckedEquation[]): number[] {
  const out = equations
    .filter((e) => e.verdict !== "unknown" && e.result !== undefined)
    .map((e) => e.result!);
  const nums = step.replace(/(\d),(?=\d{3}\b)/g, "$1").match(/-?\d+(?:\.\d+)?/g);
  if (nums?.length) out.push(Number(nums[nums.length - 1]));
  return out;
}
