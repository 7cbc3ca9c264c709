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
  const plain = [...prompt.matchAll(PLAIN)]
    .map((m) => formulaPart(m[0]))
    .filter((x) => /[a-z]/i.test(x) && /\d/.test(x));
  return [...new Set(plain)];
}

const FUNCS = /^(?:sin|cos|tan|ln|log|exp|sqrt|abs)\b/;

/** The formula in "For which x is x^2 - 4 <= 0 for all": the tokens between the words around it. */
function formulaPart(s: string): string {
  const toks = s.trim().split(/\s+/);
  const rel = toks.findIndex((t) => /<|>|≤|≥/.test(t));
  const word = (t: string) => /^[A-Za-z]{2,}[.,;:?!]*$/.test(t) && !FUNCS.test(t);
  let a = 0;
  for (let i = 0; i < rel; i++) if (word(toks[i]!)) a = i + 1;
  let b = toks.length;
  for (let i = toks.length - 1; i > rel; i--) if (word(toks[i]!)) b = i;
  return toks
    .slice(a, b)
    .join(" ")
    .replace(/[.,;:?!]+$/, "");
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
