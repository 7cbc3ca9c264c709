import { describe, expect, it } from "vitest";
import { extractChoice } from "../../src/index.js";
import { reward, score } from "../helpers.js";

const L = "ABCD";
const chosen = (t: string) => {
  const c = extractChoice(t, L);
  return c === null ? null : "letter" in c ? c.letter : `ambiguous:${c.ambiguous.join("")}`;
};

describe("multiple_choice extraction", () => {
  it.each([
    ["(B)", "B"],
    ["B", "B"],
    ["B)", "B"],
    ["B. Paris", "B"],
    ["The answer is B.", "B"],
    ["The answer is (b).", "B"],
    ["**Answer:** C", "C"],
    ["Answer: D", "D"],
    ["I think the correct option is A because ...", "A"],
    ["\\boxed{B}", "B"],
    ["so \\boxed{\\text{(C)}}", "C"],
    ["Let me think. A seems wrong, C is too small.\n\nThe answer is B", "B"],
    ["Reasoning...\n\n**B**", "B"],
    ["First I thought the answer is A. Wait, the answer is C.", "C"],
  ])("%s -> %s", (text, want) => {
    expect(chosen(text)).toBe(want);
  });

  it.each([["A, B, C, D"], ["The answer is A or B"], ["\\boxed{A} \\boxed{B}"], ["A) 1 B) 2 C) 3 D) 4"]])(
    "refuses to pick from a hedge: %s",
    (text) => {
      expect(String(chosen(text))).toMatch(/^ambiguous:|^null$/);
    },
  );

  it.each([["I don't know"], ["The answer is because of gravity"], ["a"], ["the answer is a bird"], ["E"]])(
    "finds no choice in %s",
    (text) => {
      expect(chosen(text)).toBeNull();
    },
  );
});

describe("multiple_choice verifier", () => {
  it("compares with a letter or a 0-based index", async () => {
    expect(await reward({ type: "multiple_choice" }, { completion: "The answer is C", reference: "C" })).toBe(
      1,
    );
    expect(await reward({ type: "multiple_choice" }, { completion: "The answer is C", reference: 2 })).toBe(
      1,
    );
    expect(
      await reward({ type: "multiple_choice" }, { completion: "The answer is C", reference: "(B)" }),
    ).toBe(0);
  });

  it("ignores what the model wrote inside its think block", async () => {
    const completion = "<think>The answer is A? No.</think>The answer is D";
    expect(await reward({ type: "multiple_choice" }, { completion, reference: "D" })).toBe(1);
  });

  it("never pays for listing every option", async () => {
    expect(await reward({ type: "multiple_choice" }, { completion: "A, B, C, D", reference: "A" })).toBe(0);
    expect(
      await reward({ type: "multiple_choice" }, { completion: "\\boxed{A}\\boxed{B}", reference: "A" }),
    ).toBe(0);
  });

  it("is an input error when the reference is not a letter", async () => {
    const r = await score({ type: "multiple_choice" }, { completion: "A", reference: "Paris" });
    expect(r.error?.kind).toBe("invalid_input");
  });
});

describe("multiple_choice: listing options never pays; the default input reads <answer> blocks", () => {
  const layouts = [
    "<answer>A\nB\nC\nD</answer>",
    "<answer>(A)\n(B)\n(C)\n(D)</answer>",
    "<answer>A.\nB.\nC.\nD.</answer>",
    "A\nB\nC\nD",
    "<answer>- A\n- B\n- C\n- D</answer>",
    "<answer>A, B, C, D</answer>",
    "<answer>A B C D</answer>",
    "<answer>A or B or C or D</answer>",
    "The answer is A\nB\nC\nD",
    "\\boxed{A} \\boxed{B} \\boxed{C} \\boxed{D}",
  ];
  for (const completion of layouts) {
    for (const reference of ["A", "B", "D"]) {
      it(`${JSON.stringify(completion)} scores 0 against ${reference}`, async () => {
        expect(await reward({ type: "multiple_choice" }, { completion, reference })).toBe(0);
      });
    }
  }
  it("<answer>B</answer> with the default input", async () => {
    expect(
      await reward({ type: "multiple_choice" }, { completion: "<answer>B</answer>", reference: "B" }),
    ).toBe(1);
    expect(
      await reward(
        { type: "multiple_choice" },
        { completion: "<think>B or C? C is wrong.</think>\n<answer>B</answer>", reference: "B" },
      ),
    ).toBe(1);
    expect(
      await reward({ type: "multiple_choice" }, { completion: "<answer>C</answer>", reference: "B" }),
    ).toBe(0);
  });
  it("$E$ and \\text{E} are the letter E", async () => {
    expect(
      await reward({ type: "multiple_choice" }, { completion: "The answer is $E$.", reference: "E" }),
    ).toBe(1);
    expect(
      await reward(
        { type: "multiple_choice" },
        { completion: "Final answer: \\(\\text{E}\\)", reference: "E" },
      ),
    ).toBe(1);
  });
});
