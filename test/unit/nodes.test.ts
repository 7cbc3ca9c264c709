/**
 * Composition nodes, driven by the `value` test verifier so each child's result is exactly what the test
 * says (a number, "abstain" or "error").
 */
import { describe, expect, it } from "vitest";
import { loadReward } from "../../src/index.js";
import { scoreValues, testRegistry, val } from "../helpers.js";

const w = (terms: object[], extra: object = {}) => ({ type: "weighted", terms, ...extra });

describe("weighted", () => {
  it("sums weighted rewards, and normalises by the sum of |weights| when asked", async () => {
    const terms = [val("a", { weight: 2 }), val("b", { weight: 1 })];
    expect((await scoreValues(w(terms), { a: 0.5, b: 1 })).reward).toBeCloseTo(2);
    expect((await scoreValues(w(terms, { normalize: true }), { a: 0.5, b: 1 })).reward).toBeCloseTo(2 / 3);
  });

  it("skips an abstaining child and renormalises", async () => {
    const terms = [val("a", { weight: 3 }), val("b", { weight: 1 })];
    const norm = await scoreValues(w(terms, { normalize: true }), { a: "abstain", b: 0.4 });
    expect(norm.reward).toBeCloseTo(0.4);
    const sum = await scoreValues(w(terms), { a: "abstain", b: 0.4 });
    expect(sum.reward).toBeCloseTo(0.4 * 4);
    expect(sum.components?.a?.status).toBe("abstain");
    expect(sum.components?.a?.weight).toBe(0);
  });

  it("abstains when every child abstains", async () => {
    const r = await scoreValues(w([val("a"), val("b")]), { a: "abstain", b: "abstain" });
    expect(r.status).toBe("abstain");
    expect(r.reward).toBeNull();
  });

  it("is an error when a child errors, unless a policy says otherwise", async () => {
    const terms = [val("a"), val("b")];
    const r = await scoreValues(w(terms), { a: "error", b: 1 });
    expect(r.status).toBe("error");
    expect(r.error?.message).toContain("component 'a'");
    expect(r.components?.b?.reward).toBe(1);
    expect(
      (await scoreValues(w(terms, { on_error: "skip", normalize: true }), { a: "error", b: 1 })).reward,
    ).toBe(1);
    expect((await scoreValues(w(terms, { on_error: -1 }), { a: "error", b: 1 })).reward).toBe(0);
    const prop = await scoreValues(w(terms, { on_abstain: "propagate" }), { a: "abstain", b: 1 });
    expect(prop.status).toBe("abstain");
  });

  it("computes and reports weight-0 children without letting them count", async () => {
    const r = await scoreValues(w([val("a", { weight: 0 }), val("b")], { normalize: true }), {
      a: 1,
      b: 0.25,
    });
    expect(r.reward).toBe(0.25);
    expect(r.components?.a?.reward).toBe(1);
    expect(r.components?.a?.weight).toBe(0);
  });

  it("supports negative weights and derives its range", async () => {
    const spec = w([val("a", { weight: 1 }), val("b", { weight: -0.5 })]);
    // When one child abstains the other's share is scaled up to the full 1.5: hence +-1.5.
    expect(loadReward(spec, { registry: testRegistry() }).range).toEqual([-1.5, 1.5]);
    expect((await scoreValues(spec, { a: 1, b: 1 })).reward).toBeCloseTo(0.5);
  });
});

describe("min, max, product", () => {
  it("picks the extreme and marks the deciding child", async () => {
    const terms = [val("a"), val("b"), val("c")];
    const mn = await scoreValues({ type: "min", terms }, { a: 0.5, b: 0.2, c: 0.9 });
    expect(mn.reward).toBe(0.2);
    expect(mn.components?.b?.weight).toBe(1);
    expect(mn.components?.a?.weight).toBe(0);
    expect((await scoreValues({ type: "max", terms }, { a: 0.5, b: 0.2, c: 0.9 })).reward).toBe(0.9);
    expect((await scoreValues({ type: "max", terms }, { a: "abstain", b: 0.2, c: "abstain" })).reward).toBe(
      0.2,
    );
  });

  it("multiplies", async () => {
    const terms = [val("a"), val("b")];
    expect((await scoreValues({ type: "product", terms }, { a: 0.5, b: 0.5 })).reward).toBe(0.25);
    expect((await scoreValues({ type: "product", terms }, { a: 0.5, b: "error" })).status).toBe("error");
  });
});

describe("gate", () => {
  const gate = (extra: object = {}) => ({ type: "gate", condition: val("fmt"), term: val("ans"), ...extra });

  it("gives the body's reward when the condition reaches the threshold", async () => {
    const r = await scoreValues(gate(), { fmt: 1, ans: 0.7 });
    expect(r.reward).toBe(0.7);
    expect(r.components?.ans?.weight).toBe(1);
  });

  it("gives the fixed value and does not evaluate the body when closed", async () => {
    // The body would error if it ran: a closed gate must not run it.
    const r = await scoreValues(gate({ otherwise: -1 }), { fmt: 0, ans: "error" });
    expect(r.reward).toBe(-1);
    expect(r.components?.ans).toBeUndefined();
    expect(r.feedback).toContain("gate closed");
  });

  it("can abstain when closed, and honours the threshold", async () => {
    expect((await scoreValues(gate({ otherwise: "abstain" }), { fmt: 0, ans: 1 })).status).toBe("abstain");
    expect((await scoreValues(gate({ threshold: 0.5 }), { fmt: 0.6, ans: 0.3 })).reward).toBe(0.3);
    expect((await scoreValues(gate({ threshold: 0.5 }), { fmt: 0.4, ans: 0.3 })).reward).toBe(0);
  });

  it("propagates the condition's abstain by default, or opens with skip", async () => {
    expect((await scoreValues(gate(), { fmt: "abstain", ans: 1 })).status).toBe("abstain");
    expect((await scoreValues(gate({ on_abstain: "skip" }), { fmt: "abstain", ans: 0.6 })).reward).toBe(0.6);
  });
});

describe("sequence", () => {
  const seq = (extra: object = {}) => ({ type: "sequence", steps: [val("a"), val("b"), val("c")], ...extra });

  it("stops at the first failing step", async () => {
    const r = await scoreValues(seq(), { a: 1, b: 0.3, c: "error" });
    expect(r.reward).toBe(0.3);
    expect(r.components?.c).toBeUndefined();
    expect((await scoreValues(seq({ fail_value: -1 }), { a: 0, b: 1, c: 1 })).reward).toBe(-1);
  });

  it("gives the last step's reward when all pass", async () => {
    expect((await scoreValues(seq({ threshold: 0.5 }), { a: 1, b: 0.6, c: 0.8 })).reward).toBe(0.8);
  });

  it("skips abstaining steps", async () => {
    expect((await scoreValues(seq(), { a: 1, b: "abstain", c: 0.2 })).reward).toBe(0.2);
    expect((await scoreValues(seq(), { a: "abstain", b: "abstain", c: "abstain" })).status).toBe("abstain");
  });
});

describe("clip and affine", () => {
  it("clips", async () => {
    const spec = { type: "clip", min: 0.2, max: 0.5, term: val("a") };
    expect((await scoreValues(spec, { a: 0.9 })).reward).toBe(0.5);
    expect((await scoreValues(spec, { a: 0.1 })).reward).toBe(0.2);
    expect((await scoreValues(spec, { a: 0.3 })).reward).toBe(0.3);
    expect(loadReward(spec, { registry: testRegistry() }).range).toEqual([0.2, 0.5]);
  });

  it("scales and offsets", async () => {
    const spec = { type: "affine", scale: 2, offset: -1, term: val("a") };
    expect((await scoreValues(spec, { a: 0.75 })).reward).toBe(0.5);
    expect(loadReward(spec, { registry: testRegistry() }).range).toEqual([-1, 1]);
    expect((await scoreValues(spec, { a: "abstain" })).status).toBe("abstain");
    expect((await scoreValues({ ...spec, on_abstain: 0 }, { a: "abstain" })).reward).toBe(-1);
  });
});

describe("formula", () => {
  const f = (expr: string) => ({ type: "formula", expr, terms: { a: val("a"), b: val("b") } });

  it("evaluates expressions over named components", async () => {
    expect((await scoreValues(f("0.3*a + 0.7*b^2"), { a: 1, b: 0.5 })).reward).toBeCloseTo(0.3 + 0.7 * 0.25);
    expect((await scoreValues(f("min(a, b) - abs(a - b) / 2"), { a: 1, b: 0.5 })).reward).toBeCloseTo(0.25);
    expect(
      (await scoreValues(f("sqrt(a) * exp(log(b)) + floor(a) + ceil(b)"), { a: 0.25, b: 0.5 })).reward,
    ).toBeCloseTo(0.5 * 0.5 + 0 + 1);
    expect((await scoreValues(f("-a^2"), { a: 0.5, b: 0 })).reward).toBeCloseTo(-0.25);
    expect((await scoreValues(f("2^3^2 * a"), { a: 1, b: 0 })).reward).toBe(512);
  });

  it("is a numeric_error, not a number, when the value is not finite", async () => {
    const r = await scoreValues(f("a / b"), { a: 1, b: 0 });
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("numeric_error");
  });

  it("propagates a child's abstain", async () => {
    expect((await scoreValues(f("a + b"), { a: "abstain", b: 1 })).status).toBe("abstain");
  });

  it("derives its range by interval arithmetic", () => {
    const reg = testRegistry();
    expect(loadReward(f("0.5*a + 0.5*b"), { registry: reg }).range).toEqual([0, 1]);
    expect(loadReward(f("a - b"), { registry: reg }).range).toEqual([-1, 1]);
    expect(loadReward(f("a / b"), { registry: reg }).range).toEqual([
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
  });
});

describe("nesting", () => {
  it("nests deeply and reports the whole tree", async () => {
    const spec = w(
      [
        {
          type: "gate",
          name: "g",
          condition: val("fmt"),
          term: { type: "max", name: "m", terms: [val("a"), val("b")] },
        },
        { type: "affine", name: "aff", scale: 0.5, term: val("c"), weight: 2 },
      ],
      { normalize: true },
    );
    const r = await scoreValues(spec, { fmt: 1, a: 0.2, b: 0.8, c: 1 });
    expect(r.reward).toBeCloseTo((0.8 + 2 * 0.5) / 3);
    expect(r.components?.g?.components?.m?.components?.b?.reward).toBe(0.8);
  });
});
