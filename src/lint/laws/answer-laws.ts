/**
 * Laws about the final answer:
 *   sensitivity  a sample at the maximum reward whose final answer is changed (everywhere after
 *                </think>) must leave the maximum;
 *   symmetry     on a leaf that declares it, swapping the final answer and the reference gives the same
 *                result (checked on the leaf alone).
 */

import { jsonPath } from "../../spec/index.js";
import { answerTagBody, locateAnswer, sameAnswer, withChangedAnswer } from "../answer.js";
import { brief, sameOutcome } from "../compare.js";
import { referenceTexts, textOf, withText } from "../sample-text.js";
import { subSpec } from "../spec-walk.js";
import { type LintCheck, PASS, VACUOUS, violation } from "../types.js";

export const sensitivity: LintCheck<number> = {
  name: "sensitivity",
  kind: "law",
  description:
    "A sample at the maximum reward with its final answer changed (another option letter, a digit changed, an expression plus one, another word) is no longer at the maximum.",
  requirement: "changed answer < maximum",
  applies: (ctx) =>
    ctx.laws.runsCode
      ? "the spec runs programs (no final answer to change)"
      : ctx.laws.sensitive
        ? true
        : "not declared (no component sensitive to the final answer decides the maximum)",
  seeds: (ctx) => ctx.top,
  noSeeds: "no seed sample scores the maximum",
  params: (fc) => fc.nat({ max: 30 }),
  async run(ctx, seed, variant) {
    const s = ctx.samples[seed]!;
    const text = textOf(s);
    const span = locateAnswer(text);
    if (!span) return VACUOUS;
    const w = withChangedAnswer(text, span, variant, referenceTexts(s));
    // A change the math engine itself calls equal ("4! = 24" -> "5! = 24" still ends in 24) is no change.
    if (!w || sameAnswer(w.to, w.from)) return VACUOUS;
    const changed = withText(s, w.text);
    const r = await ctx.score(changed);
    if (!ctx.isTop(r)) return PASS;
    return violation(
      `final answer '${w.from}' changed to '${w.to}'`,
      changed,
      [
        { label: "original", result: brief(ctx.base[seed]) },
        { label: "changed answer", result: brief(r) },
      ],
      "a wrong answer still scores the maximum",
    );
  },
};

export const symmetry: LintCheck<number> = {
  name: "symmetry",
  kind: "law",
  description:
    "On each leaf declaring it (exact, token_f1): the final answer and a text reference swapped give the same result.",
  requirement: "same result",
  applies: (ctx) => (ctx.laws.symmetric.length ? true : "no component declares symmetry"),
  seeds: (ctx) => ctx.valid.filter((i) => typeof ctx.samples[i]!.reference === "string"),
  noSeeds: "no seed sample with a text reference",
  params: (fc) => fc.nat(),
  async run(ctx, seed, k) {
    const target = ctx.laws.symmetric[k % ctx.laws.symmetric.length]!;
    const s = ctx.samples[seed]!;
    const text = textOf(s);
    // Text comparisons read a whole <answer> block ("42 apples"), not the number in it.
    const span = answerTagBody(text) ?? locateAnswer(text);
    if (!span) return VACUOUS;
    const answer = text.slice(span.start, span.end);
    const ref = String(s.reference);
    if (answer === ref || ref.includes("\n")) return VACUOUS;
    const leaf = ctx.load(subSpec(ctx.spec, target.path));
    const swapped = {
      ...withText(s, text.slice(0, span.start) + ref + text.slice(span.end)),
      reference: answer,
    };
    const r0 = await ctx.score(s, leaf);
    const r1 = await ctx.score(swapped, leaf);
    if (sameOutcome(r0, r1)) return PASS;
    return violation(
      `on the leaf at ${jsonPath(target.path)}: answer '${answer}' and reference '${ref}' swapped`,
      swapped,
      [
        { label: "as given", result: brief(r0) },
        { label: "swapped", result: brief(r1) },
      ],
      "swapping the answer and the reference changed the result",
    );
  },
};
