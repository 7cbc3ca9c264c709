/**
 * determinism: the same sample scored twice gives the same result (at every node of the tree); a batch
 * gives the results of its samples scored one by one, whatever their order and the concurrency; an
 * empty batch gives an empty list.
 */
import type { Result } from "../../core/index.js";
import { brief, sameTree } from "../compare.js";
import { guarded, synthetic } from "../context.js";
import { type LintCheck, PASS, violation } from "../types.js";

interface P {
  others: number[];
  order: number[];
  concurrency: number;
}

export const determinism: LintCheck<P> = {
  name: "determinism",
  kind: "law",
  description:
    "The same sample twice gives the same result; a batch equals its samples scored one by one, in any order and at any concurrency; an empty batch gives [].",
  requirement: "identical results",
  applies: () => true,
  seeds: (ctx) => ctx.valid,
  noSeeds: "no valid seed sample",
  params: (fc, ctx) =>
    fc.record({
      others: fc.array(fc.nat({ max: Math.max(0, ctx.valid.length - 1) }), { maxLength: 3 }),
      order: fc.array(fc.nat(), { maxLength: 4 }),
      concurrency: fc.integer({ min: 1, max: 4 }),
    }),
  async run(ctx, seed, p) {
    const idx = [seed, ...p.others.map((k) => ctx.valid[k]!)];
    const batch = idx.map((i) => ctx.samples[i]!);
    const once: Result[] = [];
    const twice: Result[] = [];
    for (const s of batch) once.push(await ctx.score(s));
    for (const s of batch) twice.push(await ctx.score(s));
    for (let j = 0; j < batch.length; j++) {
      if (!sameTree(once[j]!, twice[j]!)) {
        return violation(
          "the same sample scored twice",
          batch[j],
          [
            { label: "first", result: brief(once[j]) },
            { label: "second", result: brief(twice[j]) },
          ],
          "two scorings of the same sample differ",
        );
      }
    }
    const perm = batch.map((_, j) => j).sort((a, b) => (p.order[a] ?? 0) - (p.order[b] ?? 0) || a - b);
    const scoreBatch = (xs: unknown[]) =>
      guarded(
        () => ctx.reward.scoreBatch(xs, { concurrency: p.concurrency }),
        ctx.deadlineMs * Math.max(1, xs.length),
        (kind, message, ms) => xs.map(() => synthetic(kind, message, ms)),
      );
    const inOrder = await scoreBatch(batch);
    const shuffled = await scoreBatch(perm.map((j) => batch[j]));
    for (let j = 0; j < batch.length; j++) {
      const back = shuffled[perm.indexOf(j)];
      for (const [label, r] of [
        ["in a batch", inOrder[j]],
        [`in a batch in the order ${JSON.stringify(perm)}`, back],
      ] as const) {
        if (!r || !sameTree(once[j]!, r)) {
          return violation(
            `scored ${label} of ${batch.length} at concurrency ${p.concurrency}`,
            batch[j],
            [
              { label: "alone", result: brief(once[j]) },
              { label: label, result: brief(r) },
            ],
            "a batch result differs from the sample scored alone",
          );
        }
      }
    }
    const empty = await ctx.reward.scoreBatch([]);
    if (!Array.isArray(empty) || empty.length !== 0)
      return violation("an empty batch", [], [], `an empty batch gave ${JSON.stringify(empty)}`);
    return PASS;
  },
};
