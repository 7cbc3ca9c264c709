import { describe, expect, it } from "vitest";
import { reward, score } from "../helpers.js";

const spec = { type: "think_answer" };

describe("think_answer", () => {
  it("accepts one think block then one answer block", async () => {
    expect(await reward(spec, { completion: "<think>2+2=4</think><answer>4</answer>" })).toBe(1);
    expect(await reward(spec, { completion: "  <think>\nsteps\n</think>\n\n<answer> 4 </answer>\n" })).toBe(
      1,
    );
  });

  it.each([
    ["prose before", "Sure! <think>x</think><answer>4</answer>"],
    ["prose between", "<think>x</think> so <answer>4</answer>"],
    ["prose after", "<think>x</think><answer>4</answer> done"],
    ["duplicated answer", "<think>x</think><answer>4</answer><answer>5</answer>"],
    ["duplicated think", "<think>x</think><think>y</think><answer>4</answer>"],
    ["nested think", "<think><think>x</think></think><answer>4</answer>"],
    ["answer tag inside think", "<think>x <answer>3</answer></think><answer>4</answer>"],
    ["empty answer", "<think>x</think><answer>  </answer>"],
    ["empty think", "<think></think><answer>4</answer>"],
    ["wrong order", "<answer>4</answer><think>x</think>"],
    ["missing think", "<answer>4</answer>"],
    ["unclosed answer", "<think>x</think><answer>4"],
    ["no tags", "4"],
    ["empty", ""],
  ])("rejects %s", async (_, completion) => {
    const r = await score(spec, { completion });
    expect(r.status).toBe("ok");
    expect(r.reward).toBe(0);
    expect(r.feedback).toBeTruthy();
  });

  it("uses custom tag names", async () => {
    const s = { type: "think_answer", think_tag: "reasoning", answer_tag: "final" };
    expect(await reward(s, { completion: "<reasoning>r</reasoning><final>f</final>" })).toBe(1);
    expect(await reward(s, { completion: "<think>r</think><answer>f</answer>" })).toBe(0);
  });

  it("handles a think block opened by the chat template", async () => {
    const s = { type: "think_answer", opened_in_prompt: true };
    expect(await reward(s, { completion: "let me see</think><answer>4</answer>" })).toBe(1);
    expect(await reward(s, { completion: "<think>x</think><answer>4</answer>" })).toBe(0);
  });

  it("scores the last assistant message of a chat completion", async () => {
    const completion = [
      { role: "user", content: "2+2?" },
      { role: "assistant", content: [{ type: "text", text: "<think>add</think><answer>4</answer>" }] },
    ];
    expect(await reward(spec, { completion })).toBe(1);
  });

  it("is linear on hostile input", async () => {
    const completion = `<think>${"<answer>".repeat(100_000)}</think>`;
    expect(await reward(spec, { completion })).toBe(0);
  });
});
