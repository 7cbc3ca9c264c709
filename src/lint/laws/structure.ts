/**
 * Structural laws of the spec language, checked by rewriting the spec: a weight-0 term changes nothing;
 * the terms of weighted, min, max and product nodes can be listed in any order; the spec survives a
 * JSON round trip with its keys in any order.
 */
import { isDeepStrictEqual } from "node:util";
import { jsonPath } from "../../spec/index.js";
import { brief, sameOutcome } from "../compare.js";
import {
  addZeroWeight,
  type Path,
  permutableNodes,
  permuteTerms,
  shuffledRoundTrip,
  treeShape,
  weightedNodes,
} from "../spec-walk.js";
import { type LintCheck, type LintContext, PASS, type Verdict, violation } from "../types.js";

async function compareWith(
  ctx: LintContext,
  seed: number,
  spec: unknown,
  change: string,
  message: string,
): Promise<Verdict> {
  let other: ReturnType<LintContext["load"]>;
  try {
    other = ctx.load(spec);
  } catch (e) {
    return violation(change, spec, [], `the rewritten spec does not load: ${(e as Error).message}`);
  }
  const sample = ctx.samples[seed];
  const r = await ctx.score(sample, other);
  const base = ctx.base[seed]!;
  // Error kinds may differ: with several failing terms, which one is reported first depends on order.
  if (sameOutcome(base, r, false)) return PASS;
  return violation(
    change,
    sample,
    [
      { label: "original spec", result: brief(base) },
      { label: "rewritten spec", result: brief(r) },
    ],
    message,
  );
}

interface ZeroP {
  node: number;
  copyOf: number;
  position: number;
}

export const zeroWeight: LintCheck<ZeroP> = {
  name: "zero_weight",
  kind: "law",
  description:
    "A term added with weight 0 (a copy of a sibling, or an unrelated check) changes no result; with no weighted node, the root is wrapped in one.",
  requirement: "same result",
  applies: () => true,
  seeds: (ctx) => ctx.valid,
  noSeeds: "no valid seed sample",
  params: (fc) =>
    fc.record({ node: fc.nat(), copyOf: fc.integer({ min: -1, max: 7 }), position: fc.nat({ max: 8 }) }),
  run(ctx, seed, p) {
    const nodes = weightedNodes(ctx.spec, ctx.reward.root);
    const path: Path | null = nodes.length ? nodes[p.node % nodes.length]! : null;
    const spec = addZeroWeight(ctx.spec, path, p.copyOf, p.position);
    const where = path ? `the weighted node at ${jsonPath(path)}` : "a weighted node wrapping the root";
    const what = p.copyOf >= 0 ? `a copy of term ${p.copyOf}` : "a length check";
    return compareWith(
      ctx,
      seed,
      spec,
      `added ${what} with weight 0 to ${where}`,
      "a weight-0 term changed the result",
    );
  },
};

export const permutation: LintCheck<number[][]> = {
  name: "permutation",
  kind: "law",
  description: "Reordering the terms of weighted, min, max and product nodes changes no reward.",
  requirement: "same result",
  applies: (ctx) =>
    permutableNodes(ctx.spec, ctx.reward.root).length
      ? true
      : "no weighted, min, max or product node with 2+ terms",
  seeds: (ctx) => ctx.valid,
  noSeeds: "no valid seed sample",
  params: (fc) => fc.array(fc.array(fc.nat({ max: 20 }), { maxLength: 8 }), { minLength: 1, maxLength: 6 }),
  run(ctx, seed, keys) {
    const paths = permutableNodes(ctx.spec, ctx.reward.root);
    const spec = permuteTerms(ctx.spec, paths, keys);
    const orders = paths
      .map((p, i) => `${jsonPath(p)}: keys ${JSON.stringify(keys[i] ?? [])}`)
      .slice(0, keys.length)
      .join("; ");
    return compareWith(ctx, seed, spec, `terms reordered (${orders})`, "reordering terms changed the result");
  },
};

export const roundTrip: LintCheck<number> = {
  name: "spec_round_trip",
  kind: "law",
  description:
    "The spec through JSON.stringify/JSON.parse, its object keys in another order, compiles to the same tree (types, names, ranges) and gives the same results.",
  requirement: "same tree, same result",
  applies: () => true,
  seeds: (ctx) => ctx.valid,
  noSeeds: "no valid seed sample",
  params: (fc) => fc.nat(),
  async run(ctx, seed, salt) {
    const spec = shuffledRoundTrip(ctx.spec, salt);
    let other: ReturnType<LintContext["load"]>;
    try {
      other = ctx.load(spec);
    } catch (e) {
      return violation(
        `keys shuffled (salt ${salt})`,
        spec,
        [],
        `the spec no longer loads: ${(e as Error).message}`,
      );
    }
    if (!isDeepStrictEqual(treeShape(other.root), treeShape(ctx.reward.root)))
      return violation(
        `keys shuffled (salt ${salt})`,
        spec,
        [],
        "the compiled tree differs (types, names or ranges)",
      );
    return compareWith(
      ctx,
      seed,
      spec,
      `keys shuffled (salt ${salt})`,
      "the round-tripped spec gives another result",
    );
  },
};
