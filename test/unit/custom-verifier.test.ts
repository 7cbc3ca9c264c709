/** The README's example of a user-registered verifier, as a user would write it. */
import { describe, expect, it } from "vitest";
import {
  compileTemplate,
  loadReward,
  ok,
  RewardkitError,
  registerVerifier,
  renderText,
  type Template,
  type Verifier,
} from "../../src/index.js";

const endsWithPeriod: Verifier<{ input?: string }, { input: Template }> = {
  type: "ends_with_period",
  description: "The text ends with a period.",
  configSchema: { properties: { input: { type: "string" } } },
  compile: (c) => ({ input: compileTemplate(c.input ?? "{{completion}}") }),
  verify: (sample, c) => ok(renderText(c.input, sample, "input").trimEnd().endsWith(".") ? 1 : 0),
};

describe("registerVerifier", () => {
  it("makes a user verifier usable in specs, validated like the built-ins", async () => {
    registerVerifier(endsWithPeriod);
    const reward = loadReward({
      type: "weighted",
      terms: [{ type: "ends_with_period", weight: 2 }],
    } as object);
    expect((await reward.score({ completion: "Done. " })).reward).toBe(2);
    expect((await reward.score({ completion: "Done" })).reward).toBe(0);
    expect(() => loadReward({ type: "ends_with_period", inputt: "x" } as object)).toThrow(
      /unknown property 'inputt'/,
    );
    expect(() => registerVerifier(endsWithPeriod)).toThrow(/already registered/);
    expect(() => registerVerifier({ ...endsWithPeriod, type: "weighted" })).toThrow(/composition node type/);
  });

  it("turns what a buggy verifier does into error results, never numbers it did not mean", async () => {
    const cases: [string, Verifier["verify"], string][] = [
      [
        "throws",
        () => {
          throw new Error("boom");
        },
        "internal",
      ],
      [
        "throws_kind",
        () => {
          throw new RewardkitError("parse_error", "cannot read the reference");
        },
        "parse_error",
      ],
      ["nan", () => ok(Number.NaN), "numeric_error"],
      ["out_of_range", () => ok(3), "internal"],
      ["garbage", () => ({ reward: 1 }) as never, "internal"],
      ["hangs", () => new Promise(() => {}), "timeout"],
    ];
    for (const [type, verify, kind] of cases) {
      registerVerifier({ type: `buggy_${type}`, description: "", configSchema: {}, verify, timeoutMs: 100 });
      const r = await loadReward({ type: `buggy_${type}` } as object).score({ completion: "x" });
      expect(r.status, type).toBe("error");
      expect(r.reward).toBeNull();
      expect(r.error?.kind, type).toBe(kind);
    }
  });
});
