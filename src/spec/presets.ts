/**
 * Built-in specs usable by name (`--spec think-answer`). Each is an ordinary spec: `rewardkit preset
 * <name>` prints it, so a user can copy it into a file and change it.
 */

export interface Preset {
  description: string;
  spec: Record<string, unknown>;
}

export const PRESETS: Record<string, Preset> = {
  "think-answer": {
    description:
      "R1-style: 0.2 for the <think>...</think><answer>...</answer> format, 0.8 for an answer equal to the reference.",
    spec: {
      type: "weighted",
      normalize: true,
      terms: [
        { type: "think_answer", name: "format", weight: 0.2 },
        {
          type: "exact",
          name: "answer",
          weight: 0.8,
          input: "{{completion|tag:answer}}",
          ignore_case: true,
        },
      ],
    },
  },
  "think-format": {
    description: "Only the <think>...</think><answer>...</answer> format (no reference needed).",
    spec: { type: "think_answer", name: "format" },
  },
  code: {
    description:
      "Runs the code in the completion against the tests in each sample's reference (HumanEval, asserts, appended tests, stdin/stdout, calls; Python, JS, TS, C, C++, bash): 1 when all pass.",
    spec: { type: "code", name: "code" },
  },
  math: {
    description:
      "The final answer of a math completion (\\boxed{}, 'answer is', last formula; after </think>) equals the reference as mathematics: 1 or 0, abstain when the reference does not parse.",
    spec: { type: "math", name: "math" },
  },
};

/** The preset of that name; never an Object.prototype member (`constructor`, `__proto__`). */
export function presetOf(name: string): Preset | undefined {
  return Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
}

export function presetNames(): string[] {
  return Object.keys(PRESETS).sort();
}
