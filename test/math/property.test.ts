/**
 * Property tests (fast-check): reflexivity over printed forms, rewriting invariance, perturbation
 * sensitivity and totality. Expressions are generated as a small tree of our own here and printed as
 * LaTeX or plain text in many styles, so the parser sees forms it was not written against.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { closeSharedPool, loadReward } from "../../src/index.js";
import { checkMath, compareAnswers } from "../../src/verifiers/math/index.js";

afterAll(async () => {
  await closeSharedPool();
});

type E =
  | { k: "int"; v: number }
  | { k: "frac"; a: number; b: number }
  | { k: "sqrt"; v: number }
  | { k: "var"; name: "x" | "y" }
  | { k: "add"; a: E; b: E }
  | { k: "mul"; a: E; b: E }
  | { k: "div"; a: E; b: E }
  | { k: "pow"; a: E; e: number };

/** Positive expressions in which every literal changes the value when it changes. */
function exprArb(withVars: boolean): fc.Arbitrary<E> {
  const leaf: fc.Arbitrary<E>[] = [
    fc.integer({ min: 2, max: 30 }).map((v) => ({ k: "int", v })),
    fc
      .record({ a: fc.integer({ min: 1, max: 12 }), b: fc.integer({ min: 2, max: 12 }) })
      .filter(({ a, b }) => a !== b)
      .map(({ a, b }) => ({ k: "frac", a, b })),
    fc.integer({ min: 2, max: 30 }).map((v) => ({ k: "sqrt", v })),
  ];
  if (withVars) leaf.push(fc.constantFrom<E>({ k: "var", name: "x" }, { k: "var", name: "y" }));
  const { e } = fc.letrec<{ e: E }>((tie) => ({
    e: fc.oneof(
      { maxDepth: 3, depthIdentifier: "e" },
      ...leaf,
      fc.record({ k: fc.constant("add" as const), a: tie("e"), b: tie("e") }),
      fc.record({ k: fc.constant("mul" as const), a: tie("e"), b: tie("e") }),
      fc.record({ k: fc.constant("div" as const), a: tie("e"), b: tie("e") }),
      // A power's base is a leaf, so it is never identically 1 (then its exponent would not matter).
      fc.record({ k: fc.constant("pow" as const), a: fc.oneof(...leaf), e: fc.constantFrom(2, 3) }),
    ),
  }));
  return e;
}

interface Style {
  latex: boolean;
  frac: "\\frac" | "\\dfrac" | "\\tfrac" | "slash";
  times: "\\cdot" | "\\times" | "*" | "implicit";
  leftRight: boolean;
  spaces: boolean;
  braceExp: boolean;
}

const styleArb: fc.Arbitrary<Style> = fc.record({
  latex: fc.boolean(),
  frac: fc.constantFrom("\\frac", "\\dfrac", "\\tfrac", "slash"),
  times: fc.constantFrom("\\cdot", "\\times", "*", "implicit"),
  leftRight: fc.boolean(),
  spaces: fc.boolean(),
  braceExp: fc.boolean(),
});

/** Prints an expression; `lit` may replace the text of the i-th literal (for perturbation). */
function show(e: E, st: Style, lit?: { index: number; text: (s: string) => string }): string {
  let counter = 0;
  const num = (s: string) => {
    const i = counter++;
    return lit && lit.index === i ? lit.text(s) : s;
  };
  const sp = st.spaces ? " " : "";
  const paren = (s: string) =>
    st.latex && st.leftRight ? `\\left(${sp}${s}${sp}\\right)` : `(${sp}${s}${sp})`;
  const go = (x: E): string => {
    switch (x.k) {
      case "int":
        return num(String(x.v));
      case "var":
        return x.name;
      case "frac": {
        const a = num(String(x.a));
        const b = num(String(x.b));
        return st.latex && st.frac !== "slash" ? `${st.frac}{${a}}{${b}}` : paren(`${a}/${b}`);
      }
      case "sqrt": {
        const v = num(String(x.v));
        return st.latex ? `\\sqrt{${v}}` : `sqrt(${v})`;
      }
      case "add":
        return paren(`${go(x.a)}${sp}+${sp}${go(x.b)}`);
      case "mul": {
        const a = paren(go(x.a));
        const b = paren(go(x.b));
        if (st.times === "implicit") return `${a}${b}`;
        const op = st.latex ? st.times : "*";
        return `${a}${sp}${op}${sp}${b}`;
      }
      case "div": {
        const a = go(x.a);
        const b = go(x.b);
        return st.latex && st.frac !== "slash"
          ? `${st.frac}{${a}}{${b}}`
          : `${paren(a)}${sp}/${sp}${paren(b)}`;
      }
      case "pow": {
        const k = num(String(x.e));
        return `${paren(go(x.a))}^${st.latex && st.braceExp ? `{${k}}` : k}`;
      }
    }
  };
  return go(e);
}

function literals(e: E): number {
  switch (e.k) {
    case "int":
    case "sqrt":
      return 1;
    case "frac":
      return 2;
    case "var":
      return 0;
    case "pow":
      return literals(e.a) + 1;
    default:
      return literals(e.a) + literals(e.b);
  }
}

const hasVar = (e: E): boolean =>
  e.k === "var" ||
  ("a" in e && typeof e.a === "object" && hasVar(e.a)) ||
  ("b" in e && typeof e.b === "object" && hasVar(e.b));

/** 7 -> 7.007: the literal changed by a relative 1e-3, written exactly. */
function perturb(s: string): string {
  const v = Number(s);
  return String(Math.round(v * 1.001 * 1e6) / 1e6);
}

describe("math properties", () => {
  it("reflexivity and rewriting invariance: a gold equals itself in any printed form", () => {
    fc.assert(
      fc.property(exprArb(true), styleArb, styleArb, (e, s1, s2) => {
        const gold = show(e, s1);
        const pred = show(e, s2);
        const j = compareAnswers(pred, gold);
        expect(j.verdict, `${pred} vs ${gold}: ${j.reason}`).toBe("equal");
      }),
      { numRuns: Number(process.env.MATH_FC_RUNS ?? 400) },
    );
  });

  it("reflexivity of numbers: integers, decimals and fractions in their printed forms", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
        fc.integer({ min: 1, max: 10_000 }),
        (n, d) => {
          const g = `\\frac{${n}}{${d}}`;
          expect(compareAnswers(`${n}/${d}`, g).verdict).toBe("equal");
          expect(compareAnswers(`\\dfrac{${n}}{${d}}`, g).verdict).toBe("equal");
          expect(compareAnswers(`\\left(\\frac{${n}}{${d}}\\right)`, g).verdict).toBe("equal");
        },
      ),
      { numRuns: Number(process.env.MATH_FC_RUNS ?? 200) },
    );
  });

  it("perturbation sensitivity: changing any number of an exact gold by 1e-3 gives not equal", () => {
    fc.assert(
      fc.property(
        exprArb(false).chain((e) =>
          fc.tuple(fc.constant(e), fc.nat({ max: Math.max(literals(e) - 1, 0) }), styleArb),
        ),
        ([e, index, st]) => {
          const gold = show(e, st);
          const pred = show(e, st, { index, text: perturb });
          const j = compareAnswers(pred, gold);
          expect(j.verdict, `${pred} vs ${gold}: ${j.reason}`).toBe("not_equal");
        },
      ),
      { numRuns: Number(process.env.MATH_FC_RUNS ?? 400) },
    );
  });

  it("perturbation sensitivity with variables", () => {
    fc.assert(
      fc.property(
        exprArb(true)
          .filter(hasVar)
          .chain((e) => fc.tuple(fc.constant(e), fc.nat({ max: Math.max(literals(e) - 1, 0) }), styleArb)),
        ([e, index, st]) => {
          fc.pre(literals(e) > 0);
          const gold = show(e, st);
          const pred = show(e, st, { index, text: perturb });
          const j = compareAnswers(pred, gold);
          expect(j.verdict, `${pred} vs ${gold}: ${j.reason}`).toBe("not_equal");
        },
      ),
      { numRuns: Number(process.env.MATH_FC_RUNS ?? 300) },
    );
  });

  const TOKENS = [
    "\\frac",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\\sqrt",
    "^",
    "_",
    "1",
    "2",
    "0",
    "x",
    "y",
    "\\pi",
    "=",
    ",",
    "\\left",
    "\\right",
    "\\{",
    "\\}",
    "-",
    "+",
    "\\pm",
    "\\infty",
    "\\text{ cm}",
    "\\%",
    "^\\circ",
    "\\boxed{",
    "$",
    "\\begin{pmatrix}",
    "&",
    "\\\\",
    "\\end{pmatrix}",
    "e",
    "i",
    "!",
    "|",
    ".",
    "9",
    "/",
    "\\cdot",
    "<",
    "\\le",
    " ",
    "\\cup",
    "\\sin",
    "\\log_",
    "10^{",
    "\\dfrac12",
    "</think>",
    "<think>",
    "The answer is ",
    "**",
    "\n",
    "\\mathbb{R}",
    "\\emptyset",
    "\\in",
    "or",
    "\\text{",
    "\\$",
  ];
  const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((a) => a.join(""));

  it("totality: any input gives a verdict and never throws", () => {
    fc.assert(
      fc.property(
        fc.oneof(soup, fc.string({ maxLength: 60 }), fc.string({ unit: "grapheme", maxLength: 30 })),
        soup,
        (pred, gold) => {
          const r = checkMath(pred, gold);
          expect(["equal", "not_equal", "unknown", "no_answer", "invalid_input"]).toContain(r.verdict);
          expect(typeof r.feedback).toBe("string");
          if (r.verdict === "equal") expect(r.reward).toBe(1);
          if (r.verdict === "not_equal" || r.verdict === "no_answer") expect(r.reward).toBe(0);
          if (r.verdict === "unknown" || r.verdict === "invalid_input") expect(r.reward).toBeNull();
        },
      ),
      { numRuns: Number(process.env.MATH_FC_RUNS ?? 2000) },
    );
  });

  it("totality through the worker pool: a result within the deadline, never an internal error or a timeout", async () => {
    const reward = loadReward({ type: "math" });
    const samples = fc.sample(fc.tuple(soup, soup), { numRuns: 150, seed: 42 });
    for (const [pred, gold] of samples) {
      const r = await reward.score({ completion: pred, reference: gold });
      expect(["ok", "abstain", "error"]).toContain(r.status);
      if (r.status === "error") expect(r.error?.kind).toBe("invalid_input");
    }
  });
});
