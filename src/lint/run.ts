/**
 * Running one check as a fast-check property over (seed sample, mutation parameters), with the run's
 * seed, and turning fast-check's answer (the shrunk counterexample) into a check report.
 */
import type { CheckReport } from "./report.js";
import type { Evidence, Fc, LintCheck, LintContext, Verdict } from "./types.js";

export interface RunOptions {
  numRuns: number;
  seed: number;
  /** Scorings spent on shrinking after the first failure (then the smallest failure found is kept). */
  maxShrinkRuns: number;
}

export async function runCheck(
  fc: Fc,
  check: LintCheck,
  ctx: LintContext,
  o: RunOptions,
): Promise<CheckReport> {
  const t0 = performance.now();
  const head = {
    name: check.name,
    kind: check.kind,
    description: check.description,
    requirement: check.requirement,
  };
  const na = (why: string): CheckReport => ({ ...head, status: "n/a", why, runs: 0, vacuous: 0, ms: 0 });
  let applies: true | string;
  try {
    applies = check.applies(ctx);
  } catch (e) {
    applies = `could not decide whether it applies: ${(e as Error).message}`;
  }
  if (applies !== true) return na(applies);
  const seeds = check.seeds(ctx);
  if (seeds.length === 0) return na(check.noSeeds ?? "no seed sample it applies to");

  let failed = false;
  let shrinkRuns = 0;
  let vacuous = 0;
  let last: { seed: number; evidence: Evidence } | null = null;
  const property = fc.asyncProperty(
    fc.nat({ max: seeds.length - 1 }),
    check.params(fc, ctx),
    async (k: number, p: unknown) => {
      if (failed && ++shrinkRuns > o.maxShrinkRuns) return true;
      const seed = seeds[k]!;
      let v: Verdict;
      try {
        v = await check.run(ctx, seed, p);
      } catch (e) {
        v = {
          pass: false,
          evidence: {
            change: "(the check itself failed)",
            sample: ctx.samples[seed],
            results: [],
            message: `the check threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
          },
        };
      }
      if (v.pass) {
        if (v.vacuous && !failed) vacuous++;
        return true;
      }
      failed = true;
      last = { seed, evidence: v.evidence };
      return false;
    },
  );
  const details = await fc.check(property, { numRuns: o.numRuns, seed: o.seed });
  const ms = Math.round(performance.now() - t0);
  const found = last as { seed: number; evidence: Evidence } | null;
  if (!details.failed || !found) {
    return { ...head, status: "pass", runs: details.numRuns, vacuous, ms };
  }
  const s = ctx.samples[found.seed] as Record<string, unknown> | undefined;
  const id = s && typeof s === "object" ? s.id : undefined;
  return {
    ...head,
    status: "fail",
    runs: details.numRuns,
    vacuous,
    ms,
    counterexample: {
      ...found.evidence,
      sample_index: found.seed,
      ...(typeof id === "string" || typeof id === "number" ? { sample_id: id } : {}),
      shrinks: details.numShrinks,
      path: details.counterexamplePath,
    },
  };
}
