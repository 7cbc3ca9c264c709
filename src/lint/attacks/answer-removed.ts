/** The completion with its final answer taken out: the text around the answer, without it. */
import { answerPattern, locateAnswer, regionStart, sameAnswer } from "../answer.js";
import { textOf, withText } from "../sample-text.js";
import { removal } from "./common.js";

export const answerRemoved = removal<boolean>({
  name: "answer_removed",
  description:
    "The final answer removed everywhere after </think>, leaving its container (an empty \\boxed{} or <answer></answer>) or removing it too.",
  applies: (ctx) => (ctx.laws.runsCode ? "the spec runs programs (no final answer)" : true),
  params: (fc) => fc.boolean(),
  make(ctx, seed, keepContainer) {
    const s = ctx.samples[seed]!;
    let text = textOf(s);
    const span = locateAnswer(text);
    if (!span) return null;
    const answer = text.slice(span.start, span.end);
    if (span.how === "answer_tag" && span.container) {
      // "<answer>0 degrees Celsius</answer>": the answer is the block's whole body, not only the number
      // the extractor read in it; leaving " degrees Celsius" would leave an answer behind.
      const body = {
        start: span.container.start + "<answer>".length,
        end: span.container.end - "</answer>".length,
      };
      text = keepContainer
        ? text.slice(0, body.start) + text.slice(body.end)
        : text.slice(0, span.container.start) + text.slice(span.container.end);
    } else if (!keepContainer && span.container)
      text = text.slice(0, span.container.start) + text.slice(span.container.end);
    const from = regionStart(text);
    text = text.slice(0, from) + text.slice(from).replace(answerPattern(answer), "");
    // An equivalent answer still stated elsewhere ("\\sin 60^\\circ = \\frac{\\sqrt3}{2}" in the working) means the
    // answer was not removed.
    const left = locateAnswer(text);
    if (left && sameAnswer(text.slice(left.start, left.end), answer)) return null;
    const where = keepContainer || !span.container ? "" : ", with its container";
    return { sample: withText(s, text), change: `answer '${answer}' removed${where}` };
  },
});
