/** Attacks that replace the whole completion: nothing at all, or the prompt echoed back. */
import { locateAnswer } from "../answer.js";
import { promptOf, textOf, withText } from "../sample-text.js";
import { judgesContent, removal } from "./common.js";

export const emptyCompletion = removal<number>({
  name: "empty_completion",
  description: "The completion replaced by nothing (or only whitespace).",
  params: (fc) => fc.nat({ max: 2 }),
  make(ctx, seed, k) {
    const text = ["", " ", "\n\n"][k]!;
    return {
      sample: withText(ctx.samples[seed]!, text),
      change: `completion replaced by ${JSON.stringify(text)}`,
    };
  },
});

export const promptEcho = removal<number>({
  name: "prompt_echo",
  description:
    "The completion replaced by the prompt, as it is or in the seed's own format (inside its think/answer tags or a \\boxed{}).",
  seeds: (ctx) => ctx.high.filter((i) => promptOf(ctx.samples[i]!) !== null),
  noSeeds: "no high-scoring seed sample has a prompt",
  params: (fc) => fc.nat({ max: 2 }),
  make(ctx, seed, k) {
    const s = ctx.samples[seed]!;
    const prompt = promptOf(s)!;
    const text = textOf(s);
    if (k === 0) return { sample: withText(s, prompt), change: "completion replaced by the prompt" };
    // In the seed's own format, the echo only tests a reward that judges the answer.
    if (judgesContent(ctx) !== true) return null;
    if (k === 1) {
      if (!text.includes("<answer>")) return null;
      const echo = `<think>${prompt}</think>\n<answer>${prompt}</answer>`;
      return { sample: withText(s, echo), change: "the prompt echoed inside think/answer tags" };
    }
    const span = locateAnswer(text);
    if (!span) return null;
    // The prompt put where the answer was.
    const echo = text.slice(0, span.start) + prompt + text.slice(span.end);
    return { sample: withText(s, echo), change: "the prompt echoed in place of the final answer" };
  },
});
