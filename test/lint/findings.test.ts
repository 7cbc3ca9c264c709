/**
 * Bugs that `rewardkit lint` found in the built-in verifiers, fixed, each with the check that found it.
 * (Found and not fixed: see KNOWN in presets.test.ts.)
 */
import { afterAll, describe, expect, it } from "vitest";
import { closeSharedPool, extractChoice, lintSpec } from "../../src/index.js";
import { checkMath } from "../../src/verifiers/math/index.js";

afterAll(async () => {
  await closeSharedPool();
});

describe("found by rewardkit lint", () => {
  it("multiple_choice (invariance.unicode): NFD 'Ångström' is not option A", () => {
    const nfc = "I think the final answer is Ångström (A).";
    expect(extractChoice(nfc.normalize("NFD"), "ABCD")).toEqual(extractChoice(nfc, "ABCD"));
    expect(extractChoice("The answer is A.", "ABCD")).toEqual({ letter: "A", how: "answer phrase" });
  });

  it("multiple_choice keeps its declared unicode invariance on phrase answers", async () => {
    const seeds = [
      { id: 1, completion: "Checking each option, the answer is C", reference: "C" },
      { id: 2, completion: "<think>hmm</think>\nThe answer is B", reference: "C" },
      { id: 3, completion: "I think the final answer is (A).", reference: "A" },
    ];
    const r = await lintSpec({ type: "multiple_choice" }, seeds, {
      runs: 400,
      seed: 3,
      only: ["invariance."],
    });
    expect(r.checks.filter((c) => c.status === "fail")).toEqual([]);
  });

  it("math (attack.many_boxed): several boxes naming different option labels are ambiguous", () => {
    expect(checkMath("$\\boxed{\\textbf{(B) }12}, \\boxed{\\textbf{(A) }12}$", "B").verdict).toBe(
      "not_equal",
    );
    expect(checkMath("$\\boxed{\\textbf{(B) }12}$", "B").verdict).toBe("equal");
  });
});
