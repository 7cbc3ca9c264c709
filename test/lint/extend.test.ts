/** User extensions: a law or an attack in TypeScript, registered globally or passed to one run. */
import { describe, expect, it } from "vitest";
import { type LintCheck, lint, lintSpec, registerLintAttack, registerLintLaw } from "../../src/index.js";

const SEEDS = [
  { id: 1, completion: "<think>7 * 6 = 42</think>\n<answer>42</answer>", reference: "42" },
  { id: 2, completion: "<think>7 * 6 = 43</think>\n<answer>43</answer>", reference: "42" },
];

describe("extending lint", () => {
  it("registerLintAttack: a removal attack built with lint.removal runs in every later lint", async () => {
    registerLintAttack(
      lint.removal<number>({
        name: "shouting",
        description: "The answer in capitals and repeated: must not keep the maximum? (it must score lower)",
        params: (fc) => fc.integer({ min: 2, max: 5 }),
        make(ctx, seed, n) {
          const s = ctx.samples[seed]!;
          const t = lint
            .textOf(s)
            .replace(/<answer>(.*)<\/answer>/, (_, a: string) => `<answer>${`${a} `.repeat(n)}</answer>`);
          return { sample: lint.withText(s, t), change: `answer repeated ${n} times` };
        },
      }),
    );
    const r = await lintSpec("think-answer", SEEDS, { runs: 40, seed: 1, only: ["attack.shouting"] });
    expect(r.checks.map((c) => [c.name, c.status])).toEqual([["attack.shouting", "pass"]]);
    expect(() => registerLintAttack({ ...r.checks[0], name: "attack.shouting" } as never)).toThrow(
      /already exists/,
    );
  });

  it("registerLintLaw: a law as a plain check (fast-check parameters, one variation per run)", async () => {
    const law: LintCheck<number> = {
      name: "law.reward_is_zero_or_more",
      kind: "law",
      description: "No reward below 0.",
      requirement: "reward >= 0",
      applies: () => true,
      seeds: (ctx) => ctx.valid,
      params: (fc) => fc.nat({ max: 3 }),
      async run(ctx, seed, k) {
        const s = ctx.samples[seed]!;
        const r = await ctx.score(lint.withText(s, lint.textOf(s).repeat(k + 1)));
        return r.status !== "ok" || (r.reward as number) >= 0
          ? lint.PASS
          : lint.violation(`text repeated ${k + 1} times`, s, [], "negative reward");
      },
    };
    registerLintLaw(law);
    const r = await lintSpec({ type: "overlong", max_length: 20, buffer: 10 }, SEEDS, {
      runs: 20,
      seed: 2,
      only: ["law.reward_is_zero_or_more"],
    });
    const c = r.checks[0]!;
    expect(c.status).toBe("fail");
    expect(c.counterexample!.change).toMatch(/repeated/);
  });

  it("checks passed for one run only, and JSON mutations through the library", async () => {
    const r = await lintSpec("think-answer", SEEDS, {
      runs: 30,
      seed: 3,
      only: ["mutation.upper"],
      mutations: lint.parseMutations([
        { name: "upper", find: "<answer>42</answer>", replace: "<answer>XLII</answer>", expect: "lower" },
      ]),
    });
    expect(r.checks).toHaveLength(1);
    expect(r.checks[0]!.status).toBe("pass");
    expect(() => lint.parseMutations([{ name: "x", find: "a", replace: "b", expect: "sideways" }])).toThrow(
      /expect must be/,
    );
  });
});
