import { describe, expect, it } from "vitest";
import { loadReward } from "../../src/index.js";
import { checkEquation, findEquations } from "../../src/verifiers/process/equations.js";

const verdicts = (step: string) => findEquations(step).map((e) => checkEquation(e).verdict);

describe("equations in a step", () => {
  it.each([
    ["There are $3 \\times 4 = 12$ eggs.", ["true"]],
    ["So $12/5 = 2.5$.", ["false"]],
    ["Then 49 - 9 = 41.", ["false"]],
    ["Tom has <<3*5=15>>15 apples.", ["true"]],
    ["It costs 6 * 4 = <<6*4=26>>26 dollars.", ["false", "false"]],
    ["\\(2^{10} = 1024\\)", ["true"]],
    ["$\\frac{1}{3} + \\frac{1}{6} = \\frac{1}{2}$", ["true"]],
    ["Total 1,200 + 300 = 1,500", ["true"]],
    ["$22/7 \\approx 3.14$ and $2/3 = 0.67$", ["true", "true"]],
    ["$2/3 = 0.6$", ["false"]],
    ["$\\sqrt{2} \\approx 1.41$", ["true"]],
    ["$3 + 4 = 7 = 8$", ["false"]],
    // LaTeX operators written outside $...$, and every link of a plain-text chain.
    ["So 3 \\times 4 = 12 apples.", ["true"]],
    ["So 3 \\times 4 = 13 apples.", ["false"]],
    ["We have 12 \\div 4 = 3 and 2 \\cdot 5 = 11.", ["true", "false"]],
    ["12 + 7 + 5 = 19 + 5 = 25", ["false"]],
    ["12 + 7 + 5 = 19 + 5 = 24", ["true"]],
    ["3 + 4 = 7 = 8", ["false"]],
    ["(3 + 4) × 2 = 14.", ["true"]],
    ["\\frac{1}{2} + \\frac{1}{4} = \\frac{3}{4} and so on", ["true"]],
    ["Step 2: 5 * 6 = 30, then 30 - 4 = 27.", ["true", "false"]],
  ])("%s", (step, want) => {
    expect(verdicts(step)).toEqual(want);
  });

  it("does not count statements that compute nothing", () => {
    expect(verdicts("Let $x = 3$. Clearly $5 = 5$.").filter((v) => v !== "unknown")).toEqual([]);
    expect(verdicts("No maths here.")).toEqual([]);
  });
});

describe("arithmetic", () => {
  const c =
    "Step 1: $3 \\times 4 = 12$.\nStep 2: $12 - 3 = 10$.\nStep 3: $10 + 5 = 15$.\nStep 4: The answer is 15.";

  it("gives each step a value and propagates errors by policy", async () => {
    const vals = async (propagation: string) =>
      (await loadReward({ type: "arithmetic", propagation } as object).score({ completion: c })).spans!.map(
        (s) => s.value,
      );
    expect(await vals("independent")).toEqual([1, -1, 1, 0]);
    expect(await vals("first")).toEqual([1, -1, 0, 0]);
    expect(await vals("all")).toEqual([1, -1, -1, -1]);
  });

  it("reduces step values (min by default) and reports the false computation", async () => {
    const r = await loadReward({ type: "arithmetic" }).score({ completion: c });
    expect(r.reward).toBe(-1);
    expect(r.feedback).toContain("step 2: 12 - 3 = 10");
    const mean = await loadReward({ type: "arithmetic", reduce: "mean", propagation: "independent" }).score({
      completion: c,
    });
    expect(mean.reward).toBeCloseTo(0.25);
  });

  it("survives hostile steps within its deadline", async () => {
    const hostile = `Step 1: $${"(".repeat(5000)}1${")".repeat(5000)} = 1$\nStep 2: $10^{10^{10^{10}}} + 1 = 2$\nStep 3: $100000! = 1$`;
    const r = await loadReward({ type: "arithmetic", propagation: "independent" }).score({
      completion: hostile,
    });
    expect(["ok", "error"]).toContain(r.status);
    if (r.status === "error") expect(r.error?.kind).toBe("timeout");
  });
});

describe("step_reference", () => {
  it("credits each reference value once, to the first step that reaches it", async () => {
    const completion = "Step 1: $3 \\times 4 = 12$.\nStep 2: So 12 again, 12.\nStep 3: $12 - 2 = 10$.";
    const r = await loadReward({ type: "step_reference" }).score({
      completion,
      intermediates: ["12", "10", "7"],
    });
    expect(r.spans!.map((s) => s.value)).toEqual([1, 0, 1]);
    expect(r.reward).toBeCloseTo(2 / 3);
  });

  it("needs a list of numeric references", async () => {
    const none = await loadReward({ type: "step_reference" }).score({ completion: "x" });
    expect(none.error?.kind).toBe("invalid_input");
    const bad = await loadReward({ type: "step_reference" }).score({
      completion: "x",
      intermediates: ["twelve"],
    });
    expect(bad.error?.kind).toBe("invalid_input");
  });
});
