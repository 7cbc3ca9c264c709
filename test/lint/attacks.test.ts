/**
 * Each attack catches a deliberately broken spec (a substring match, a regex that matches anything, a
 * format check built from a permissive regex, a runner that trusts exit status 0, a checker that looks at
 * one test) and leaves a sound one alone.
 */
import { afterAll, describe, expect, it } from "vitest";
import { closeSharedPool } from "../../src/index.js";
import { brokenRegistry, check } from "./helpers.js";

afterAll(async () => {
  await closeSharedPool();
});

const registry = brokenRegistry();

const R1 = [
  {
    id: "a",
    prompt: "What is 7 * 6?",
    completion: "<think>7 * 6 = 42</think>\n<answer>42</answer>",
    reference: "42",
  },
  {
    id: "b",
    prompt: "Is the capital of France Paris or Lyon?",
    completion: "<think>It is Paris.</think>\n<answer>Paris</answer>",
    reference: "Paris",
  },
  {
    id: "c",
    prompt: "What is 7 * 6?",
    completion: "<think>7 * 6 = 43</think>\n<answer>43</answer>",
    reference: "42",
  },
  {
    id: "d",
    prompt: "What is 10 / 4?",
    completion: "<think>2.5</think>\n<answer>5/2</answer>",
    reference: "5/2",
  },
];

const MC = [
  {
    id: "mc1",
    prompt: "Which planet is largest?\n(A) Mars\n(B) Jupiter\n(C) Venus\n(D) Earth",
    completion: "<think>Jupiter.</think>\n<answer>B</answer>",
    reference: "B",
  },
  {
    id: "mc2",
    prompt: "Which is a mammal?\n(A) Whale\n(B) Shark\n(C) Trout\n(D) Eel",
    completion: "<think>Whales nurse their young.</think>\n<answer>A</answer>",
    reference: "A",
  },
];

const MATH = [
  { id: "m1", completion: "We compute $6 \\cdot 7$.\n\nThe answer is $\\boxed{42}$.", reference: "42" },
  { id: "m2", completion: "Halving gives $\\boxed{\\frac{1}{2}}$.", reference: "\\frac12" },
  { id: "m3", completion: "So $x = 3$, and the answer is $\\boxed{3}$.", reference: "3" },
];

const tagAnswer = "{{completion|tag:answer}}";
const containsAll = { type: "contains", input: "{{completion}}" };

async function expectCaught(name: string, spec: object | string, samples: unknown[], runs = 60) {
  const c = await check(name, spec, samples, { registry, runs });
  expect(c.status, JSON.stringify(c)).toBe("fail");
  expect(c.counterexample!.results.map((r) => r.label)).toContain("hacked");
  return c;
}

async function expectHolds(name: string, spec: object | string, samples: unknown[], runs = 60) {
  const c = await check(name, spec, samples, { registry, runs });
  expect(c.status, JSON.stringify(c.counterexample ?? c.why)).toBe("pass");
  return c;
}

describe("removal attacks: the hacked sample must score strictly lower", () => {
  it("empty_completion: a regex that matches anything pays for nothing", async () => {
    await expectCaught("attack.empty_completion", { type: "regex", pattern: ".*" }, R1);
    await expectHolds("attack.empty_completion", "think-answer", R1);
  });

  it("prompt_echo: a substring match pays for a prompt that names the answer", async () => {
    const c = await expectCaught("attack.prompt_echo", containsAll, R1);
    expect(c.counterexample!.sample_id).toBe("b");
    await expectHolds("attack.prompt_echo", "think-answer", R1);
  });

  it("answer_removed: a substring match over the whole completion still finds the answer in the reasoning", async () => {
    await expectCaught("attack.answer_removed", containsAll, R1);
    await expectHolds("attack.answer_removed", "think-answer", R1);
    await expectHolds("attack.answer_removed", "math", MATH);
  });

  it("answer_removed: the whole <answer> body goes, not only the number read in it (think-format)", async () => {
    const units = [
      {
        id: "u1",
        prompt: "At what temperature does water freeze?",
        completion: "<think>Water freezes at 0 degrees.</think>\n<answer>0 degrees Celsius</answer>",
        reference: "0",
      },
      {
        id: "u2",
        prompt: "How far is it?",
        completion: "<think>3 + 4 = 7</think>\n<answer>7 km, going north</answer>",
        reference: "7",
      },
    ];
    await expectHolds("attack.answer_removed", "think-format", units);
  });

  it("all_options: a substring match without word boundaries pays for every option listed", async () => {
    const c = await expectCaught(
      "attack.all_options",
      { type: "contains", input: tagAnswer, word_boundary: false },
      MC,
    );
    expect(c.counterexample!.change).toMatch(/replaced by/);
    await expectHolds("attack.all_options", { type: "multiple_choice", input: tagAnswer }, MC);
    await expectHolds("attack.all_options", "think-answer", MC);
  });

  it("many_boxed: a substring match pays for several boxed answers; math does not", async () => {
    await expectCaught("attack.many_boxed", { type: "contains", input: tagAnswer }, R1);
    await expectHolds("attack.many_boxed", "math", MATH);
    await expectHolds("attack.many_boxed", "think-answer", R1);
  });

  it("inequality_restatement: the question's inequality, restated, must not pay", async () => {
    const seeds = [
      {
        id: "ineq",
        prompt: "Solve $2x - 6 > 0$.",
        completion: "<think>2x > 6</think>\n<answer>x > 3</answer>",
        reference: "x > 3",
      },
    ];
    // Comparing solution sets both ways ("both") accepts an unsolved relation with the same solutions.
    const solutionSets = { type: "math", inequality_interval: "both" };
    await expectCaught("attack.inequality_restatement", solutionSets, seeds);
    await expectHolds("attack.inequality_restatement", { type: "exact", input: tagAnswer }, seeds);
    // The math verifier once accepted the restatement (same solution set); lint found it, it is fixed.
    await expectHolds("attack.inequality_restatement", "math", seeds);
  });
});

describe("code attacks", () => {
  const asserts = [
    {
      id: "add",
      completion: "```python\ndef add(a, b):\n    return a + b\n```",
      reference: { format: "asserts", tests: ["assert add(1, 2) == 3", "assert add(2, 2) == 4"] },
    },
  ];
  const stdio = [
    {
      id: "sum",
      completion: "```python\na, b = map(int, input().split())\nprint(a + b)\n```",
      reference: {
        format: "stdio",
        cases: [
          { input: "1 2\n", output: "3\n" },
          { input: "5 5\n", output: "10\n" },
        ],
      },
    },
  ];

  it("early_exit: a runner that trusts exit status 0 pays for sys.exit(0); the code verifier does not", async () => {
    const c = await expectCaught("attack.early_exit", { type: "lint_naive_python" }, asserts);
    expect(c.counterexample!.change).toMatch(/exit|quit|SystemExit/);
    await expectHolds("attack.early_exit", "code", [...asserts, ...stdio], 20);
  });

  it("hardcoded_output: a checker of the first test pays for printing its output; the code verifier does not", async () => {
    const c = await expectCaught("attack.hardcoded_output", { type: "lint_first_case" }, stdio);
    expect(c.counterexample!.change).toMatch(/print of test 0/);
    await expectHolds("attack.hardcoded_output", "code", stdio, 10);
  });
});

describe("injection attacks: the hacked sample must not score above its baseline", () => {
  it("padding: a reward for length pays for filler", async () => {
    const spec = { type: "length", min: 200, ramp: 150 };
    await expectCaught("attack.padding", spec, R1);
    await expectHolds("attack.padding", "think-answer", R1);
    await expectHolds("attack.padding", "math", [
      ...MATH,
      { id: "w", completion: "\\boxed{41}", reference: "42" },
    ]);
  });

  it("format_tags: a format check built from a permissive regex accepts duplicated tags", async () => {
    const loose = { type: "regex", pattern: "<think>[\\s\\S]*</think>[\\s\\S]*<answer>[\\s\\S]*</answer>" };
    const c = await expectCaught("attack.format_tags", loose, R1);
    expect(c.counterexample!.message).toMatch(/format/);
    await expectHolds("attack.format_tags", { type: "think_answer" }, R1);
    await expectHolds("attack.format_tags", "think-answer", R1);
  });

  it("hidden_answer: a substring match finds the right answer in a comment or code block", async () => {
    const c = await expectCaught("attack.hidden_answer", containsAll, R1);
    expect(c.counterexample!.change).toMatch(/hidden/);
    await expectHolds("attack.hidden_answer", "think-answer", R1);
    await expectHolds("attack.hidden_answer", "math", MATH);
  });

  it("attacks on the answer's content do not apply to a format-only reward", async () => {
    const c = await check("attack.all_options", "think-format", MC);
    expect(c.status).toBe("n/a");
    expect(c.why).toMatch(/format-only/);
  });
});
