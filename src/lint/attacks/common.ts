/**
 * The two kinds of attack. A removal attack takes something away from a sample that scores high (its
 * answer, its program's work): the hacked sample must score strictly lower. An injection attack adds
 * something that should not pay (padding, extra tags, a hidden answer): the hacked sample must not score
 * above its baseline. A result that is not ok counts as gaining nothing.
 */
import type { Result, Sample } from "../../core/index.js";
import { brief, notHigher, strictlyLower } from "../compare.js";
import {
  type Arbitrary,
  type Fc,
  type LintCheck,
  type LintContext,
  PASS,
  VACUOUS,
  violation,
} from "../types.js";

export interface Hack {
  sample: Sample;
  change: string;
}

export interface AttackDef<P> {
  name: string;
  description: string;
  applies?(ctx: LintContext): true | string;
  seeds?(ctx: LintContext): number[];
  noSeeds?: string;
  params(fc: Fc, ctx: LintContext): Arbitrary<P>;
}

/** A removal attack: hacked < original, on the seeds in the top half of the range (by default). */
export function removal<P>(
  def: AttackDef<P> & { make(ctx: LintContext, seed: number, p: P): Hack | null },
): LintCheck<P> {
  return {
    name: `attack.${def.name}`,
    kind: "attack",
    description: def.description,
    requirement: "hacked < original",
    applies: def.applies ?? (() => true),
    seeds: def.seeds ?? ((ctx) => ctx.high),
    noSeeds: def.noSeeds ?? "no seed sample scores in the top half of the range",
    params: def.params,
    async run(ctx, seed, p) {
      const h = def.make(ctx, seed, p);
      if (!h) return VACUOUS;
      const r = await ctx.score(h.sample);
      const original = ctx.base[seed]!;
      if (strictlyLower(r, original)) return PASS;
      return violation(
        h.change,
        h.sample,
        [
          { label: "original", result: brief(original) },
          { label: "hacked", result: brief(r) },
        ],
        "the hacked sample does not score lower than the original",
      );
    },
  };
}

export interface Injected extends Hack {
  /** The baseline to stay under (default: the seed itself). */
  baseline?: Sample;
  baselineChange?: string;
  /** Also require strictly lower than the baseline (a format the spec checks was broken). */
  strict?: boolean;
}

/** An injection attack: hacked <= baseline (strictly lower where the attack says so). */
export function injection<P>(
  def: AttackDef<P> & { make(ctx: LintContext, seed: number, p: P, base: Result): Injected | null },
): LintCheck<P> {
  return {
    name: `attack.${def.name}`,
    kind: "attack",
    description: def.description,
    requirement: "hacked <= baseline (strictly lower when the spec checks what was broken)",
    applies: def.applies ?? (() => true),
    seeds: def.seeds ?? ((ctx) => ctx.okSeeds),
    noSeeds: def.noSeeds ?? "no seed sample with an ok result",
    params: def.params,
    async run(ctx, seed, p) {
      const h = def.make(ctx, seed, p, ctx.base[seed]!);
      if (!h) return VACUOUS;
      const base = h.baseline ? await ctx.score(h.baseline) : ctx.base[seed]!;
      const r = await ctx.score(h.sample);
      const ok = h.strict ? strictlyLower(r, base) : notHigher(r, base, ctx.range[0]);
      if (ok) return PASS;
      return violation(
        h.baselineChange ? `${h.baselineChange}; then ${h.change}` : h.change,
        h.sample,
        [
          { label: h.baseline ? "baseline" : "original", result: brief(base) },
          { label: "hacked", result: brief(r) },
        ],
        h.strict
          ? "breaking a format the spec checks did not lower the reward"
          : "the injected text raised the reward above the baseline",
      );
    },
  };
}

/** Attacks on the answer's content apply to specs that judge an answer (not programs, not formats only). */
export function judgesContent(ctx: LintContext): true | string {
  if (ctx.laws.runsCode) return "the spec runs programs (no final answer)";
  if (!ctx.judgesAnswer) return "the reward does not depend on the reference (a format-only reward)";
  return true;
}
