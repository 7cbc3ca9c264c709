import { afterAll, describe, expect, it } from "vitest";
import { closeSharedPool } from "../../src/index.js";
import { score } from "../helpers.js";

afterAll(async () => {
  await closeSharedPool();
});

describe("math verifier through the spec layer and the worker pool", () => {
  it("rewards a boxed answer equal to the reference", async () => {
    const r = await score(
      { type: "math" },
      { completion: "So the result is $\\boxed{\\frac{1}{2}}$.", reference: "0.5" },
    );
    expect(r.status).toBe("ok");
    expect(r.reward).toBe(1);
    expect(r.feedback).toContain("boxed");
    expect(r.details?.prediction).toBe("1/2");
  });

  it("gives 0 with a feedback for a wrong answer", async () => {
    const r = await score("math", {
      completion: "The answer is $1 - \\frac{1}{e}$.",
      reference: "1+\\frac1e",
    });
    expect(r.status).toBe("ok");
    expect(r.reward).toBe(0);
    expect(r.feedback).toMatch(/not equal/);
  });

  it("abstains when the gold does not parse", async () => {
    const r = await score({ type: "math" }, { completion: "\\boxed{3}", reference: "\\foo{3}" });
    expect(r.status).toBe("abstain");
    expect(r.reward).toBeNull();
  });

  it("refuses an oversized reference with invalid_input", async () => {
    const r = await score(
      { type: "math" },
      { completion: "\\boxed{3}", reference: `${"(".repeat(10_000)}1${")".repeat(10_000)}` },
    );
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("invalid_input");
  });

  it("accepts a list of references", async () => {
    const r = await score({ type: "math" }, { completion: "\\boxed{x=4}", reference: ["3", "4"] });
    expect(r.reward).toBe(1);
    expect(r.details?.gold_index).toBe(1);
  });

  it("strict mode only reads boxes", async () => {
    const s = { type: "math", strict: true };
    expect((await score(s, { completion: "The answer is 4.", reference: "4" })).reward).toBe(0);
    expect((await score(s, { completion: "so \\boxed{4}", reference: "4" })).reward).toBe(1);
  });
});
