/**
 * invariance.<kind>: where the spec declares it, a change that means nothing leaves the result as it was.
 *   whitespace       runs of spaces/tabs replaced, spaces added at line ends or at the ends of the text;
 *   line_endings     LF -> CRLF (some or all);
 *   unicode          NFC versus NFD of the completion (with an accented word inserted, so there is a
 *                    difference to make);
 *   latex_spacing    \, \; \: \! "\ " or a space inserted between the tokens of the final answer;
 *   answer_rewrites  the final answer replaced by an equivalent form printed by the math engine.
 */
import type { Invariance, Result } from "../../core/index.js";
import { equivalentRewrites, locateAnswer, replaceEverywhere, spacingPositions } from "../answer.js";
import { brief, sameOutcome } from "../compare.js";
import {
  ACCENTED,
  insertAt,
  insertWord,
  lineEndings,
  SPACINGS,
  type WhitespaceEdit,
  whitespace,
} from "../mutate.js";
import { textOf, withText } from "../sample-text.js";
import {
  type Arbitrary,
  type Fc,
  type LintCheck,
  type LintContext,
  PASS,
  VACUOUS,
  violation,
} from "../types.js";

type Mutation = { before: string; after: string; change: string } | null;

interface Kind<P> {
  description: string;
  params(fc: Fc): Arbitrary<P>;
  mutate(text: string, p: P): Mutation;
}

const frac = (fc: Fc) => fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** Erases a kind's parameter type (each kind's params and mutate agree by construction). */
function kind<P>(k: Kind<P>): Kind<unknown> {
  return k as unknown as Kind<unknown>;
}

const KINDS: Record<Invariance, Kind<unknown>> = {
  whitespace: kind({
    description: "Runs of spaces/tabs replaced by other runs, spaces added at line ends and text ends.",
    params: (fc) =>
      fc.array(
        fc.record({
          kind: fc.constantFrom(0 as const, 1 as const, 2 as const),
          at: frac(fc),
          ws: fc.array(fc.constantFrom(" ", "\t"), { minLength: 1, maxLength: 4 }).map((a) => a.join("")),
        }),
        { minLength: 1, maxLength: 5 },
      ),
    mutate: (text, edits: WhitespaceEdit[]) => {
      const after = whitespace(text, edits);
      return { before: text, after, change: `whitespace edits ${JSON.stringify(edits)}` };
    },
  }),
  line_endings: kind({
    description: "Line feeds turned into CRLF (some or all of them).",
    params: (fc) => fc.record({ all: fc.boolean(), flags: fc.array(fc.boolean(), { maxLength: 8 }) }),
    mutate: (text, p: { all: boolean; flags: boolean[] }) => ({
      before: text,
      after: lineEndings(text, p.flags, p.all),
      change: p.all ? "every LF -> CRLF" : `LF -> CRLF where ${JSON.stringify(p.flags)} (cycled)`,
    }),
  }),
  unicode: kind({
    description: "The completion in NFC versus NFD, after inserting an accented word at a word boundary.",
    params: (fc) => fc.record({ word: fc.nat({ max: ACCENTED.length - 1 }), at: frac(fc) }),
    mutate: (text, p: { word: number; at: number }) => {
      const t = insertWord(text, p.at, ACCENTED[p.word]!);
      return {
        before: t.normalize("NFC"),
        after: t.normalize("NFD"),
        change: `inserted "${ACCENTED[p.word]}", then NFC versus NFD`,
      };
    },
  }),
  latex_spacing: kind({
    description:
      "LaTeX spacing (\\, \\; \\: \\! '\\ ' or a space) inserted between the tokens of the final answer.",
    params: (fc) =>
      fc.array(fc.record({ at: frac(fc), s: fc.constantFrom(...SPACINGS) }), { minLength: 1, maxLength: 4 }),
    mutate: (text, edits: { at: number; s: string }[]) => {
      const span = locateAnswer(text);
      // Outside math mode a space is a space in prose ("(C)" is not "( C)").
      if (!span?.math) return null;
      const positions = spacingPositions(text, span.start, span.end);
      if (!positions.length) return null;
      const after = insertAt(text, positions, edits);
      return {
        before: text,
        after,
        change: `spacing in the answer '${text.slice(span.start, span.end)}': ${JSON.stringify(edits.map((e) => e.s))}`,
      };
    },
  }),
  answer_rewrites: kind({
    description: "The final answer replaced by an equivalent form printed by the math engine.",
    params: (fc) => fc.nat({ max: 10 }),
    mutate: (text, k: number) => {
      const span = locateAnswer(text);
      if (!span) return null;
      const answer = text.slice(span.start, span.end);
      const forms = equivalentRewrites(answer);
      if (!forms.length) return null;
      const form = forms[k % forms.length]!;
      return {
        before: text,
        after: replaceEverywhere(text, answer, form),
        change: `answer '${answer}' rewritten as '${form}'`,
      };
    },
  }),
};

export function invariance(inv: Invariance): LintCheck<unknown> {
  const k = KINDS[inv];
  return {
    name: `invariance.${inv}`,
    kind: "law",
    description: k.description,
    requirement: "same result",
    applies: (ctx) =>
      ctx.laws.invariant.includes(inv) ? true : `not declared by every component that reads the completion`,
    seeds: (ctx) => ctx.valid,
    noSeeds: "no valid seed sample",
    params: (fc) => k.params(fc),
    async run(ctx: LintContext, seed: number, p: unknown) {
      const s = ctx.samples[seed]!;
      const text = textOf(s);
      const m = k.mutate(text, p);
      if (!m || m.before === m.after) return VACUOUS;
      const r0: Result = m.before === text ? ctx.base[seed]! : await ctx.score(withText(s, m.before));
      const mutated = withText(s, m.after);
      const r1 = await ctx.score(mutated);
      if (sameOutcome(r0, r1)) return PASS;
      return violation(
        m.change,
        mutated,
        [
          { label: "before", result: brief(r0) },
          { label: "after", result: brief(r1) },
        ],
        `the ${inv.replace("_", " ")} change altered the result`,
      );
    },
  };
}
