/**
 * monotonicity: on each node that declares it (length shaping: overlong, cosine_length, length_budget
 * with mode "max", a length check with only a max or only a min), checked on that node alone: the same
 * sample made longer by more filler never gets more (nonincreasing) or never less (nondecreasing), among
 * results with the same correctness.
 */
import { CosineLengthNode, OverlongNode, VerifierNode } from "../../rewards/index.js";
import { jsonPath } from "../../spec/index.js";
import { brief, EPS } from "../compare.js";
import type { MonotoneTarget } from "../declared.js";
import { pick } from "../mutate.js";
import { textOf, withText } from "../sample-text.js";
import { subSpec } from "../spec-walk.js";
import { type LintCheck, PASS, VACUOUS, violation } from "../types.js";

const FILLER = "lorem ipsum dolor sit amet ";

/** How many filler units reach past the node's own length scale (so the interesting zone is covered). */
function scaleOf(t: MonotoneTarget): number {
  const n = t.at.node;
  const words = (t.at.spec.unit ?? "chars") === "words";
  let len = 2000;
  if (n instanceof OverlongNode) len = n.max;
  else if (n instanceof CosineLengthNode) len = n.maxLength;
  else if (n instanceof VerifierNode) {
    const c = n.config as { max?: number; min?: number };
    len = Number.isFinite(c.max) ? (c.max as number) : Number.isFinite(c.min) ? (c.min as number) : 2000;
  }
  return Math.max(2, Math.ceil((1.5 * len) / (words ? 5 : FILLER.length)));
}

interface P {
  target: number;
  at: number;
  a: number;
  b: number;
}

export const monotonicity: LintCheck<P> = {
  name: "monotonicity",
  kind: "law",
  description:
    "On each length-shaping node, checked alone: more filler text never gives more (or, where declared, less) reward, among results of the same correctness.",
  requirement: "reward moves only in the declared direction",
  applies: (ctx) => (ctx.laws.monotone.length ? true : "no node declares monotonicity in length"),
  seeds: (ctx) => ctx.valid,
  noSeeds: "no valid seed sample",
  params: (fc) =>
    fc.record({
      target: fc.nat(),
      at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      a: fc.double({ min: 0, max: 1, noNaN: true }),
      b: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  async run(ctx, seed, p) {
    const t = ctx.laws.monotone[p.target % ctx.laws.monotone.length]!;
    const k = scaleOf(t);
    const [n1, n2] = [Math.round(Math.min(p.a, p.b) * k), Math.round(Math.max(p.a, p.b) * k)];
    if (n1 === n2) return VACUOUS;
    const s = ctx.samples[seed]!;
    const text = textOf(s);
    const spots = [0, ...[...text.matchAll(/\s/g)].map((m) => m.index! + 1), text.length];
    const pos = pick(spots, p.at)!;
    const make = (n: number) => withText(s, text.slice(0, pos) + FILLER.repeat(n) + text.slice(pos));
    const node = ctx.load(subSpec(ctx.spec, t.at.path));
    const shorter = make(n1);
    const longer = make(n2);
    const r1 = await ctx.score(shorter, node);
    const r2 = await ctx.score(longer, node);
    if (r1.status !== "ok" || r2.status !== "ok" || !t.comparable(r1, r2)) return VACUOUS;
    const dir = t.direction(r1);
    if (!dir || dir !== t.direction(r2)) return VACUOUS;
    const x1 = r1.reward as number;
    const x2 = r2.reward as number;
    const holds = dir === "nonincreasing" ? x2 <= x1 + EPS : x2 >= x1 - EPS;
    if (holds) return PASS;
    return violation(
      `on the node at ${jsonPath(t.at.path)} (${t.at.node.type}): ${n1} versus ${n2} x "${FILLER.trim()} " inserted at ${pos}`,
      longer,
      [
        { label: `with ${n1} fillers`, result: brief(r1) },
        { label: `with ${n2} fillers`, result: brief(r2) },
      ],
      `the reward is declared ${dir} in length`,
    );
  },
};
