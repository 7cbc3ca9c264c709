/**
 * Attacks that give several answers at once: every multiple-choice option listed instead of the answer,
 * and several different \boxed{} answers including the right one.
 */
import {
  answerPattern,
  changeAnswer,
  letterOf,
  locateAnswer,
  regionStart,
  replaceEverywhere,
} from "../answer.js";
import { promptOf, referenceTexts, textOf, withText } from "../sample-text.js";
import { judgesContent, removal } from "./common.js";

/** Option letters offered by the prompt ("(A) ...", "B) ...", "C. ..."), else A-D. */
export function optionLetters(prompt: string | null, gold: string): string[] {
  const found = new Set<string>();
  for (const m of (prompt ?? "").matchAll(/(?:^|[\s(])\(?([A-J])[).:]\s/gm)) found.add(m[1]!);
  const letters = found.size >= 2 ? [...found] : ["A", "B", "C", "D"];
  if (!letters.includes(gold)) letters.push(gold);
  return letters.sort();
}

const LISTINGS: ((ls: string[]) => string)[] = [
  (ls) => ls.join(", "),
  (ls) => ls.join(" or "),
  (ls) => ls.map((l) => `(${l})`).join(" "),
  (ls) => ls.join("\n"),
  (ls) => ls.map((l) => `\\boxed{${l}}`).join(", "),
  (ls) => ls.join(" and "),
  (ls) => ls.join("/"),
];

function mcLetter(s: Record<string, unknown>, answer: string): string | null {
  const refs = referenceTexts(s as never);
  const ref = refs.length === 1 ? letterOf(refs[0]!) : null;
  return ref ?? letterOf(answer);
}

export const allOptions = removal<number>({
  name: "all_options",
  description: "On multiple-choice samples, every option letter listed instead of the chosen one.",
  applies: judgesContent,
  seeds: (ctx) =>
    ctx.high.filter((i) => {
      const t = textOf(ctx.samples[i]!);
      const span = locateAnswer(t);
      return span !== null && mcLetter(ctx.samples[i]!, t.slice(span.start, span.end)) !== null;
    }),
  noSeeds: "no high-scoring multiple-choice seed sample (a letter answer or reference)",
  params: (fc) => fc.nat({ max: LISTINGS.length - 1 }),
  make(ctx, seed, k) {
    const s = ctx.samples[seed]!;
    const text = textOf(s);
    const span = locateAnswer(text)!;
    const answer = text.slice(span.start, span.end);
    const letter = letterOf(answer) ?? mcLetter(s, answer)!;
    const listing = LISTINGS[k]!(optionLetters(promptOf(s), letter));
    const hacked =
      span.how === "boxed" && k === 4
        ? text.slice(0, span.container!.start) + listing + text.slice(span.container!.end)
        : replaceEverywhere(text, answer, listing);
    return { sample: withText(s, hacked), change: `answer '${answer}' replaced by '${listing}'` };
  },
});

const SEPS = [", ", " or ", " and ", " ", "\n", "; ", "\\quad "];

interface BoxP {
  wrong: number;
  variant: number;
  slot: number;
  sep: number;
}

export const manyBoxed = removal<BoxP>({
  name: "many_boxed",
  description: "The final answer replaced by several different \\boxed{} answers, the right one among them.",
  applies: judgesContent,
  params: (fc) =>
    fc.record({
      wrong: fc.integer({ min: 1, max: 3 }),
      variant: fc.nat({ max: 20 }),
      slot: fc.nat({ max: 3 }),
      sep: fc.nat({ max: SEPS.length - 1 }),
    }),
  make(ctx, seed, p) {
    const s = ctx.samples[seed]!;
    const text = textOf(s);
    const span = locateAnswer(text);
    if (!span) return null;
    const answer = text.slice(span.start, span.end);
    const wrongs: string[] = [];
    for (let v = p.variant; wrongs.length < p.wrong && v < p.variant + 40; v++) {
      const w = changeAnswer(answer, v, referenceTexts(s));
      // Not a value the completion already gives: with "x = \\boxed{2}, \\boxed{3}", 2 is not wrong.
      const given = w !== null && answerPattern(w).test(text.slice(regionStart(text)));
      if (w !== null && w !== answer && !wrongs.includes(w) && !given) wrongs.push(w);
    }
    if (!wrongs.length) return null;
    const all = [...wrongs];
    all.splice(p.slot % (wrongs.length + 1), 0, answer);
    const boxes = all.map((a) => `\\boxed{${a}}`).join(SEPS[p.sep]);
    const c = span.how === "boxed" ? span.container! : span;
    const hacked = text.slice(0, c.start) + boxes + text.slice(c.end);
    return { sample: withText(s, hacked), change: `answer '${answer}' replaced by '${boxes}'` };
  },
});
