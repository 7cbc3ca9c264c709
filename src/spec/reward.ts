/**
 * The library's entry point: a Reward is a compiled spec that scores samples.
 *
 *   const reward = loadReward("think-answer");          // preset name, file path, or spec object
 *   const result = await reward.score({ completion, reference });
 *   const results = await reward.scoreBatch(samples, { concurrency: 32 });
 */

import {
  completionText,
  fail,
  type Result,
  type Sample,
  sampleProblem,
  type Verifier,
  VerifierRegistry,
} from "../core/index.js";
import type { EvalOptions, EvalReport } from "../eval/index.js";
import {
  applyGroups,
  type BatchOptions,
  explainResult,
  type GroupedResult,
  type GroupOptions,
  type GroupSummary,
  type Placement,
  type RewardNode,
  registerEquivalence,
  type ScoreOptions,
  scoreBatch,
  scoreSample,
  tokenRewards,
} from "../rewards/index.js";
import { mathWithJudge } from "../rubrics/math-judge.js";
import { openaiModelGraders } from "../rubrics/openai-model-graders.js";
import { rewardModelVerifier } from "../rubrics/reward-model/index.js";
import { builtinVerifiers } from "../verifiers/index.js";
import { mathClasses } from "../verifiers/math/verifier.js";
import { COMPOSITES } from "./composites.js";
import { SpecError } from "./errors.js";
import { checkGroupOptions, groupComponentNames } from "./group-schema.js";
import { compileSpec } from "./loader.js";
import { compileGrader, graderOf } from "./openai-graders.js";
import { presetNames, presetOf } from "./presets.js";
import { readSpecFile } from "./spec-file.js";
import type { SpecDocument } from "./spec-types.gen.js";

// node:fs as CommonJS exports: an ES import builds its namespace, which loads fs streams and promises (ms at start-up).
const { existsSync } = process.getBuiltinModule("node:fs") as typeof import("node:fs");

// Majority votes by mathematical equivalence ("0.5", "1/2" and "\frac12" are one answer), in the pool.
registerEquivalence("math", { classify: (answers) => mathClasses([...answers], { extract: true }) });

/** A registry with the built-in verifiers; pass your own to keep custom verifiers apart. */
export function createRegistry(): VerifierRegistry {
  const r = new VerifierRegistry(Object.keys(COMPOSITES));
  // `math` with its optional model fallback (src/rubrics/math-judge.ts) in place of the plain verifier.
  for (const v of [
    ...builtinVerifiers.filter((b) => b.type !== "math"),
    mathWithJudge,
    ...openaiModelGraders,
    rewardModelVerifier,
  ])
    r.register(v);
  return r;
}

export const defaultRegistry: VerifierRegistry = createRegistry();

/** Registers a verifier in the default registry, so specs can use it by its `type`. */
// biome-ignore lint/suspicious/noExplicitAny: verifiers of any config type
export function registerVerifier(v: Verifier<any, any>, opts: { replace?: boolean } = {}): void {
  defaultRegistry.register(v, opts);
}

export interface LoadOptions {
  registry?: VerifierRegistry;
  /** The spec document was already loaded once with this registry (see CompileOptions.validated). */
  validated?: boolean;
}

/**
 * Reads a spec argument: a preset name, a path to a JSON file, or a spec object. Throws SpecError with the
 * problem when it is none of these.
 */
export function resolveSpec(spec: string | object): unknown {
  if (typeof spec !== "string") return spec;
  const preset = presetOf(spec);
  if (preset) return structuredClone(preset.spec);
  if (!existsSync(spec)) {
    throw new SpecError([
      {
        path: "$",
        message: `'${spec}' is neither a preset (${presetNames().join(", ")}) nor an existing file`,
      },
    ]);
  }
  return readSpecFile(spec);
}

export type TokenResult = Result & { token_rewards?: number[] | null };

export class Reward {
  constructor(
    readonly spec: unknown,
    readonly root: RewardNode,
  ) {}

  /** Scores one sample. Never throws: problems are error results. */
  score(sample: unknown, opts?: ScoreOptions): Promise<Result> {
    return scoreSample(this.root, sample, opts);
  }

  /** Scores samples with bounded concurrency; results are in input order. */
  scoreBatch(samples: readonly unknown[], opts?: BatchOptions): Promise<Result[]> {
    return scoreBatch(this.root, samples, opts);
  }

  /**
   * Scores samples and then their groups (samples sharing `group.by`): advantages, pass rates, pass@k,
   * majority vote, best-of-N. Each result gets a `group` field; `groups` summarises each group.
   */
  async scoreGroups(
    samples: readonly unknown[],
    group: GroupOptions,
    opts?: BatchOptions,
  ): Promise<{ results: GroupedResult[]; groups: GroupSummary[] }> {
    // Bad options throw before anything is scored.
    checkGroupOptions(group, groupComponentNames(this.root));
    return applyGroups(samples, await this.scoreBatch(samples, opts), group);
  }

  /**
   * Adds `token_rewards` to a scored sample's result, given the trainer's token character offsets in the
   * completion: spans are projected (sum-preserving); a result without spans puts its reward on the last
   * token; a result that is not ok gets null. Offsets that do not fit the completion turn the result into
   * an invalid_input error: a trainer expecting dense rewards must not silently get none.
   */
  withTokenRewards(
    sample: unknown,
    result: Result,
    offsets: unknown,
    placement: Placement = "span_end",
  ): TokenResult {
    const problem = sampleProblem(sample);
    if (problem) return result;
    try {
      const text = completionText(sample as Sample);
      return { ...result, token_rewards: tokenRewards(result, offsets, text, placement) };
    } catch (e) {
      return { ...fail("invalid_input", (e as Error).message), ms: result.ms };
    }
  }

  /**
   * Measures this reward against labelled rows (binary, graded or preference pairs; see src/eval/).
   * Throws EvalInputError naming the row when a row or label is unusable.
   */
  async evaluate(rows: readonly unknown[], opts?: EvalOptions): Promise<EvalReport> {
    const { evaluate } = await import("../eval/evaluate.js");
    return evaluate(this, rows, opts);
  }

  /** The result as an indented tree with each node's value, weight and contribution. */
  explain(result: Result): string {
    return explainResult(result, this.root.name);
  }

  get range(): readonly [number, number] {
    return this.root.range;
  }
}

/** Only objects whose `type` is not a string literal: those are checked against SpecDocument instead. */
export type DynamicSpec<S> = S extends { readonly type: infer T }
  ? string extends T
    ? unknown
    : never
  : unknown;

/** Throws SpecError listing every problem with its JSON path. */
/**
 * Loads and compiles a spec: a preset name, a file path, or a spec object typed as SpecDocument (generated
 * from the JSON Schema), so a literal with a misspelt `type` or option fails to compile.
 */
export function loadReward(spec: string | SpecDocument, opts?: LoadOptions): Reward;
/**
 * A spec built or read at run time (its `type` is a `string`, not a literal; or JSON.parse's `any`): the
 * loader checks it. An object literal whose `type` is a literal must be a SpecDocument (the first form).
 */
export function loadReward<const S extends object>(spec: S & DynamicSpec<S>, opts?: LoadOptions): Reward;
/** With a custom registry the node types are not known to the compiler: any object, checked by the loader. */
export function loadReward(spec: string | object, opts: LoadOptions & { registry: VerifierRegistry }): Reward;
export function loadReward(spec: string | object, opts: LoadOptions = {}): Reward {
  const raw = resolveSpec(spec);
  const registry = opts.registry ?? defaultRegistry;
  if (graderOf(raw)) {
    // An OpenAI grader document: translated into a spec, problems reported at the grader's own paths.
    const g = compileGrader(raw, registry);
    return new Reward(g.spec, g.root);
  }
  return new Reward(raw, compileSpec(raw, { registry, ...(opts.validated ? { validated: true } : {}) }));
}
