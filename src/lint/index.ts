/**
 * rewardkit lint: property-based consistency and anti-hacking checks for any reward spec.
 *
 *   const report = await lintSpec("think-answer", samples, { runs: 1000, seed: 42 });
 *   if (!report.ok) console.log(formatReport(report));
 *
 * Each law and attack is a fast-check property over (seed sample, mutation parameters); a violation is
 * reported with its shrunk counterexample. The run's seed reproduces it. See docs/lint.md.
 */
import { availableParallelism } from "node:os";
import type { VerifierRegistry } from "../core/index.js";
import { forEachLimit } from "../rewards/index.js";
import type { Reward } from "../spec/index.js";
import { answerRemoved } from "./attacks/answer-removed.js";
import { earlyExit, hardcodedOutput } from "./attacks/code.js";
import { emptyCompletion, promptEcho } from "./attacks/empty.js";
import { formatTags } from "./attacks/format-tags.js";
import { hiddenAnswer } from "./attacks/hidden-answer.js";
import { inequalityRestatement } from "./attacks/inequality.js";
import { allOptions, manyBoxed } from "./attacks/options.js";
import { padding } from "./attacks/padding.js";
import { makeContext } from "./context.js";
import { INVARIANCES } from "./declared.js";
import { sensitivity, symmetry } from "./laws/answer-laws.js";
import { determinism } from "./laws/determinism.js";
import { invariance } from "./laws/invariance.js";
import { criteriaMonotonicity, testsMonotonicity } from "./laws/monotone-outcomes.js";
import { monotonicity } from "./laws/monotonicity.js";
import { permutation, roundTrip, zeroWeight } from "./laws/structure.js";
import { bounds, totality } from "./laws/totality.js";
import { type JsonMutation, mutationCheck } from "./mutations.js";
import type { CheckReport, LintReport } from "./report.js";
import { runCheck } from "./run.js";
import type { Fc, LintCheck } from "./types.js";
import { nativeForgeable } from "./warnings.js";

export { changeAnswer, locateAnswer, withChangedAnswer } from "./answer.js";
export { type Hack, type Injected, injection, judgesContent, removal } from "./attacks/common.js";
export { type JsonMutation, parseMutations } from "./mutations.js";
export { type CheckReport, type Counterexample, formatReport, type LintReport } from "./report.js";
export { textOf, withText } from "./sample-text.js";
export type { Evidence, LintCheck, LintContext, Verdict } from "./types.js";
export { PASS, VACUOUS, violation } from "./types.js";
export type { LintWarning } from "./warnings.js";

// biome-ignore lint/suspicious/noExplicitAny: checks of any parameter type
type AnyCheck = LintCheck<any>;

export const BUILTIN_LAWS: readonly AnyCheck[] = [
  totality,
  bounds,
  determinism,
  zeroWeight,
  permutation,
  roundTrip,
  ...INVARIANCES.map(invariance),
  sensitivity,
  monotonicity,
  criteriaMonotonicity,
  testsMonotonicity,
  symmetry,
];

export const BUILTIN_ATTACKS: readonly AnyCheck[] = [
  emptyCompletion,
  promptEcho,
  answerRemoved,
  allOptions,
  manyBoxed,
  earlyExit,
  hardcodedOutput,
  inequalityRestatement,
  padding,
  formatTags,
  hiddenAnswer,
];

const extraLaws: AnyCheck[] = [];
const extraAttacks: AnyCheck[] = [];

/** Adds a law to every later lint run (kind "law"). Names must be unique. */
export function registerLintLaw(check: AnyCheck): void {
  register(check, "law", extraLaws);
}

/** Adds an attack to every later lint run (kind "attack"). Build one with `removal` or `injection`. */
export function registerLintAttack(check: AnyCheck): void {
  register(check, "attack", extraAttacks);
}

function register(check: AnyCheck, kind: "law" | "attack", into: AnyCheck[]): void {
  if (allChecks().some((c) => c.name === check.name))
    throw new Error(`a lint check '${check.name}' already exists`);
  into.push({ ...check, kind });
}

function allChecks(): AnyCheck[] {
  return [...BUILTIN_LAWS, ...extraLaws, ...BUILTIN_ATTACKS, ...extraAttacks];
}

export interface LintOptions {
  /** Total variations, shared evenly among the checks that apply (default 1000). */
  runs?: number;
  /** fast-check seed (default: random; the report gives it). */
  seed?: number;
  registry?: VerifierRegistry;
  /** JSON-declared mutations (see parseMutations). */
  mutations?: readonly JsonMutation[];
  /** More checks for this run only. */
  checks?: readonly AnyCheck[];
  /** Run only the checks with these names (or name prefixes such as "attack." or "invariance."). */
  only?: readonly string[];
  /** Checks run at once (default: the number of CPUs). */
  concurrency?: number;
  /** Scorings spent shrinking a counterexample (default 100). */
  maxShrinkRuns?: number;
  /** Called as each check finishes. */
  onCheck?: (r: CheckReport) => void;
}

export const DEFAULT_RUNS = 1000;

let fcModule: Promise<Fc> | undefined;
function loadFastCheck(): Promise<Fc> {
  fcModule ??= import("fast-check").then((m) => ((m as unknown as { default?: Fc }).default ?? m) as Fc);
  return fcModule;
}

/**
 * Lints a spec (preset name, spec file, spec object or a loaded Reward) on seed samples. Throws SpecError
 * for an invalid spec; otherwise never throws: violations are in the report.
 */
export async function lintSpec(
  spec: string | object | Reward,
  samples: readonly unknown[],
  opts: LintOptions = {},
): Promise<LintReport> {
  const t0 = performance.now();
  const fc = await loadFastCheck();
  const ctx = await makeContext(spec, samples, opts.registry);
  const seed = opts.seed ?? Math.floor(Math.random() * 0x7fffffff) | 0;
  const budget = opts.runs ?? DEFAULT_RUNS;
  let checks: AnyCheck[] = [
    ...allChecks(),
    ...(opts.checks ?? []),
    ...(opts.mutations ?? []).map(mutationCheck),
  ];
  if (opts.only?.length) {
    const only = opts.only;
    checks = checks.filter((c) =>
      only.some((o) => c.name === o || (o.endsWith(".") && c.name.startsWith(o))),
    );
  }
  const applicable = checks.filter((c) => {
    try {
      return c.applies(ctx) === true && c.seeds(ctx).length > 0;
    } catch {
      return true;
    }
  });
  const numRuns = Math.max(1, Math.round(budget / Math.max(1, applicable.length)));
  const reports = new Array<CheckReport>(checks.length);
  await forEachLimit(checks.length, opts.concurrency ?? Math.max(2, availableParallelism()), async (i) => {
    reports[i] = await runCheck(fc, checks[i]!, ctx, {
      numRuns,
      seed,
      maxShrinkRuns: opts.maxShrinkRuns ?? 100,
    });
    opts.onCheck?.(reports[i]!);
  });
  const violations = reports.filter((r) => r.status === "fail").length;
  const l = ctx.laws;
  return {
    ok: violations === 0,
    seed,
    runs: budget,
    variations: reports.reduce((a, r) => a + r.runs, 0),
    violations,
    ms: Math.round(performance.now() - t0),
    spec: {
      range: ctx.range,
      invariant: [...l.invariant],
      sensitive_to_answer: l.sensitive,
      format_checks: l.formats.map((f) => f.names.join(".") || ctx.reward.root.name),
      monotone: l.monotone.map((m) => m.at.names.join(".") || m.at.node.name),
      symmetric: l.symmetric.map((m) => m.names.join(".") || m.node.name),
      asymmetric: l.asymmetric,
    },
    samples: {
      total: ctx.samples.length,
      usable: ctx.valid.length,
      ok: ctx.okSeeds.length,
      high: ctx.high.length,
      top: ctx.top.length,
    },
    checks: reports,
    warnings: nativeForgeable(ctx),
  };
}
