/**
 * totality: every input, however hostile, gives ok (a finite number), abstain or error (with a kind),
 * returns before the deadline and never throws; no verifier crashes (an `internal` error) or returns NaN.
 * bounds: every ok reward lies within the declared range of its node (the root's and each component's).
 */
import type { Result } from "../../core/index.js";
import type { RewardNode } from "../../rewards/index.js";
import { brief, EPS } from "../compare.js";
import { HUNG, THREW } from "../context.js";
import { HOSTILE, ODD_SAMPLES, type RandomEdit, randomEdits } from "../mutate.js";
import { textOf, withText } from "../sample-text.js";
import { type Arbitrary, type Fc, type LintCheck, type LintContext, PASS, violation } from "../types.js";

type Change =
  | { k: "edits"; edits: RandomEdit[] }
  | { k: "hostile"; which: number; at: number }
  | { k: "odd"; which: number };

const TOKENS = [
  "\\boxed{",
  "}",
  "{",
  "$",
  "<think>",
  "</think>",
  "<answer>",
  "</answer>",
  "\\frac",
  "```",
  "\n",
  "\\",
  "%",
];

export function editArb(fc: Fc): Arbitrary<RandomEdit> {
  return fc.record({
    kind: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
    at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    len: fc.nat({ max: 200 }),
    s: fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 20 }),
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.constantFrom(...TOKENS),
    ),
  });
}

function changeArb(fc: Fc, hostile: boolean): Arbitrary<Change> {
  const edits = fc.record({
    k: fc.constant("edits" as const),
    edits: fc.array(editArb(fc), { minLength: 1, maxLength: 4 }),
  });
  if (!hostile) return edits;
  return fc.oneof(
    edits,
    fc.record({
      k: fc.constant("hostile" as const),
      which: fc.nat({ max: HOSTILE.length - 1 }),
      at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    }),
    fc.record({ k: fc.constant("odd" as const), which: fc.nat({ max: ODD_SAMPLES.length - 1 }) }),
  );
}

function apply(ctx: LintContext, seed: number, c: Change): { sample: unknown; change: string } {
  const s = ctx.samples[seed]!;
  const text = textOf(s);
  if (c.k === "edits")
    return {
      sample: withText(s, randomEdits(text, c.edits)),
      change: `random edits ${JSON.stringify(c.edits)}`,
    };
  if (c.k === "hostile") {
    const h = HOSTILE[c.which]!;
    const p = Math.floor(c.at * (text.length + 1));
    return {
      sample: withText(s, text.slice(0, p) + h.make() + text.slice(p)),
      change: `inserted ${h.name} at ${p}`,
    };
  }
  const o = ODD_SAMPLES[c.which]!;
  return { sample: o.make(s as Record<string, unknown>), change: o.name };
}

/** The first problem of a result tree: a crash, a NaN, a malformed result. */
function shapeProblem(r: Result, where = "the result"): string | null {
  if (!r || typeof r !== "object") return `${where} is ${String(r)}`;
  if (r.error?.kind === HUNG) return `scoring ${r.error.message}`;
  if (r.error?.kind === THREW) return `scoring ${r.error.message}`;
  if (!["ok", "abstain", "error"].includes(r.status))
    return `${where} has status ${JSON.stringify(r.status)}`;
  // A verifier of the user's may break the types: read the shape as it is.
  const loose = r as { status: string; reward: unknown };
  if (loose.status === "ok" && (typeof loose.reward !== "number" || !Number.isFinite(loose.reward)))
    return `${where} is ok with reward ${String(loose.reward)}`;
  if (loose.status !== "ok" && loose.reward !== null)
    return `${where} is ${loose.status} with reward ${String(loose.reward)}`;
  if (r.status === "error" && (!r.error || typeof r.error.kind !== "string"))
    return `${where} is an error without a kind`;
  if (r.error?.kind === "internal" && !/outside its declared range/.test(r.error.message))
    return `${where} is an internal error (a crash): ${r.error.message}`;
  if (r.error?.kind === "numeric_error" && /non-finite reward/.test(r.error.message))
    return `${where}: ${r.error.message}`;
  for (const [k, c] of Object.entries(r.components ?? {})) {
    const p = shapeProblem(c, `component '${k}'`);
    if (p) return p;
  }
  return null;
}

export const totality: LintCheck<Change> = {
  name: "totality",
  kind: "law",
  description:
    "Every input (random edits, hostile text, malformed samples) gives ok, abstain or error within the deadline; nothing throws, crashes or returns NaN.",
  requirement: "a well-formed result, in time",
  applies: () => true,
  seeds: (ctx) => ctx.samples.map((_, i) => i),
  params: (fc) => changeArb(fc, true),
  async run(ctx, seed, c) {
    const { sample, change } = apply(ctx, seed, c);
    const r = await ctx.score(sample);
    const p = shapeProblem(r);
    return p ? violation(change, sample, [{ label: "result", result: brief(r) }], p) : PASS;
  },
};

/** The first reward outside its node's declared range, walking the tree and the result together. */
function boundsProblem(n: RewardNode, r: Result, where: string): string | null {
  if (r.status === "ok") {
    const [lo, hi] = n.range;
    const x = r.reward as number;
    if (x < lo - EPS || x > hi + EPS) return `${where} = ${x}, outside its declared range [${lo}, ${hi}]`;
  }
  if (r.error?.kind === "internal" && /outside its declared range/.test(r.error.message))
    return `${where}: ${r.error.message}`;
  if (!COMPOSED.has(n.type) && n.children.length > 0) return null;
  for (const c of n.children) {
    const cr = r.components?.[c.name];
    if (!cr) continue;
    const p = boundsProblem(c, cr, `component '${c.name}'`);
    if (p) return p;
  }
  return null;
}

const COMPOSED = new Set([
  "weighted",
  "min",
  "max",
  "product",
  "gate",
  "sequence",
  "clip",
  "affine",
  "formula",
  "cosine_length",
  "length_budget",
]);

export const bounds: LintCheck<Change | undefined> = {
  name: "bounds",
  kind: "law",
  description:
    "Every ok reward lies within the declared range of its node: the root's and every component's.",
  requirement: "reward within the declared range",
  applies: () => true,
  seeds: (ctx) => ctx.valid,
  noSeeds: "no valid seed sample",
  params: (fc) => fc.option(changeArb(fc, false), { nil: undefined }),
  async run(ctx, seed, c) {
    const { sample, change } = c
      ? apply(ctx, seed, c)
      : { sample: ctx.samples[seed], change: "none (the seed)" };
    const r = c ? await ctx.score(sample) : ctx.base[seed]!;
    const p = boundsProblem(ctx.reward.root, r, "the reward");
    return p ? violation(change, sample, [{ label: "result", result: brief(r) }], p) : PASS;
  },
};
