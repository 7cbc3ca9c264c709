/** A bare restatement of the question's inequality given as the answer ("solve 2x - 6 > 0" -> "2x - 6 > 0"). */
import { findMathEnvs } from "../../verifiers/math/extract.js";
import { locateAnswer } from "../answer.js";
import { promptOf, textOf, withText } from "../sample-text.js";
import { judgesContent, removal } from "./common.js";

const REL = /<|>|≤|≥|\\(?:le|ge|leq|geq|lt|gt|leqslant|geqslant)(?![A-Za-z])/;
const PLAIN = /[\w()^*+\-/. ]*[\w)]\s*(?:<=|>=|<|>|≤|≥)\s*[\w(-][\w()^*+\-/. ]*/g;

/** The inequalities stated in a prompt: math environments holding a relation, else plain-text ones. */
export function promptInequalities(prompt: string): string[] {
  const out = findMathEnvs(prompt)
    .map((e) => e.content.trim())
    .filter((c) => REL.test(c));
  if (out.length) return [...new Set(out)];
  return [
    ...new Set(
      [...prompt.matchAll(PLAIN)].map((m) => m[0].trim()).filter((x) => /[a-z]/i.test(x) && /\d/.test(x)),
    ),
  ];
}

export const inequalityRestatement = removal<{ which: number; dollars: boolean }>({
  name: "inequality_restatement",
  description:
    "The final answer replaced by the inequality stated in the question, restated rather than solved.",
  applies: judgesContent,
  seeds: (ctx) =>
    ctx.high.filter((i) => {
      const p = promptOf(ctx.samples[i]!);
      return p !== null && promptInequalities(p).length > 0 && locateAnswer(textOf(ctx.samples[i]!)) !== null;
    }),
  noSeeds: "no high-scoring seed sample whose prompt states an inequality",
  params: (fc) => fc.record({ which: fc.nat({ max: 5 }), dollars: fc.boolean() }),
  make(ctx, seed, p) {
    const s = ctx.samples[seed]!;
    const ineqs = promptInequalities(promptOf(s)!);
    const ineq = ineqs[p.which % ineqs.length]!;
    const text = textOf(s);
    const span = locateAnswer(text)!;
    const inMath = span.how === "boxed" || span.how === "math";
    const put = p.dollars && !inMath ? `$${ineq}$` : ineq;
    const hacked = text.slice(0, span.start) + put + text.slice(span.end);
    return {
      sample: withText(s, hacked),
      change: `answer '${text.slice(span.start, span.end)}' replaced by the question's '${ineq}'`,
    };
  },
});
