/**
 * The rubric model: a rubric is a list of criteria `{id, text, weight, kind, judge}`, each judged on its own
 * and combined by weight (see aggregate.ts).
 *
 *   kind      binary   met / not met                      score 1 or 0
 *             ordinal  one of `choices`, worst first      score index / (n - 1)
 *             points   HealthBench: met / not met with signed `points`; a negative-points criterion is a
 *                      pitfall, "met" when the bad behaviour occurs
 *   category  essential | important | optional | pitfall; gives the weight when `weight` is absent
 *             (DEFAULT_CATEGORY_WEIGHTS, overridable per rubric). A pitfall criterion describes a mistake:
 *             its score is the degree to which the response makes it, and its weight counts against.
 *
 * The JSON shapes are validated with ajv; `normalizeRubric` then applies the rules a schema cannot express
 * and resolves defaults, returning problems with their paths instead of throwing.
 */
import type { JsonSchema } from "../core/index.js";
import { sha256 } from "./cache.js";

export type CriterionKind = "binary" | "ordinal" | "points";
export type Category = "essential" | "important" | "optional" | "pitfall";

export const KINDS: readonly CriterionKind[] = ["binary", "ordinal", "points"];
export const CATEGORIES: readonly Category[] = ["essential", "important", "optional", "pitfall"];

/**
 * Default weight magnitude of each category (the Rubrics-as-Rewards mapping); pitfalls count negatively.
 * A rubric overrides them with `category_weights`.
 */
export const DEFAULT_CATEGORY_WEIGHTS: Readonly<Record<Category, number>> = {
  essential: 1,
  important: 0.7,
  optional: 0.3,
  pitfall: 0.9,
};

/** How a criterion is judged once the rubric is normalised. */
export type JudgeRef =
  | { kind: "llm" }
  /** A reward node of the spec: a named judge (`judges.<name>`) or one written inline in the criterion. */
  | { kind: "node"; key: string };

export interface Criterion {
  id: string;
  text: string;
  kind: CriterionKind;
  category?: Category;
  /** Signed effective weight (points for `points` criteria); negative for pitfalls. */
  weight: number;
  /** Ordinal choices, worst first. */
  choices?: string[];
  judge: JudgeRef;
  /** Programmatic judges: a binary criterion is met when the node's reward is at least this. */
  threshold?: number;
}

export interface Rubric {
  /** Part of the judge cache key: change it to invalidate cached verdicts. Default: a hash of the criteria. */
  version: string;
  criteria: Criterion[];
}

export const isPitfall = (c: Pick<Criterion, "weight">): boolean => c.weight < 0;

export const ID_PATTERN = "^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$";

const CATEGORY_ENUM = [...CATEGORIES, ...CATEGORIES.map((c) => c[0]!.toUpperCase() + c.slice(1))];

/** One criterion as written in a spec or a sample. `criterion` and `description` are aliases of `text`. */
export const CRITERION_SCHEMA: JsonSchema = {
  type: "object",
  description: "A rubric criterion: {id, text, weight | category | points, kind, judge}.",
  properties: {
    id: {
      type: "string",
      pattern: ID_PATTERN,
      description: "Unique within the rubric (default c1, c2, ...).",
    },
    text: {
      type: "string",
      minLength: 1,
      description: "What the response must do (or, for a pitfall, must not).",
    },
    criterion: { type: "string", minLength: 1, description: "Alias of 'text' (HealthBench)." },
    description: { type: "string", minLength: 1, description: "Alias of 'text' (Rubrics as Rewards)." },
    title: { type: "string", description: "A short title (reported, not judged)." },
    tags: { type: "array", items: { type: "string" } },
    kind: {
      enum: [...KINDS],
      description: "binary (default), ordinal (needs choices) or points (needs points).",
    },
    category: { enum: CATEGORY_ENUM, description: "Gives the weight when 'weight' is absent." },
    weight: {
      type: "number",
      description: "Weight; negative (or category pitfall) makes the criterion a pitfall.",
    },
    points: {
      type: "number",
      description: "HealthBench points (kind points); negative points mark a pitfall.",
    },
    choices: {
      type: "array",
      minItems: 2,
      uniqueItems: true,
      items: { type: "string", minLength: 1 },
      description: "Ordinal choices, worst first; the score is index / (n - 1).",
    },
    judge: {
      anyOf: [{ type: "string", minLength: 1 }, { type: "object" }],
      description: "\"llm\" (the default), the name of a judge in the rubric's 'judges', or a reward node.",
    },
    threshold: {
      type: "number",
      description: "Programmatic judges: met when the node's reward is at least this (default: its maximum).",
    },
  },
  additionalProperties: false,
  anyOf: [{ required: ["text"] }, { required: ["criterion"] }, { required: ["description"] }],
};

export const CATEGORY_WEIGHTS_SCHEMA: JsonSchema = {
  type: "object",
  description:
    "Weight magnitude of each category (defaults: essential 1, important 0.7, optional 0.3, pitfall 0.9).",
  properties: Object.fromEntries(CATEGORIES.map((c) => [c, { type: "number", minimum: 0 }])),
  additionalProperties: false,
};

/** A rubric as it arrives with a sample: a list of criteria, or an object with the criteria and options. */
export const SAMPLE_RUBRIC_SCHEMA: JsonSchema = {
  anyOf: [
    { type: "array", minItems: 1, items: CRITERION_SCHEMA },
    {
      type: "object",
      required: ["criteria"],
      properties: {
        criteria: { type: "array", minItems: 1, items: CRITERION_SCHEMA },
        version: { type: "string" },
        category_weights: CATEGORY_WEIGHTS_SCHEMA,
      },
      additionalProperties: false,
    },
  ],
};

export type Problem = [(string | number)[], string];

export interface NormalizeOptions {
  categoryWeights?: Partial<Record<Category, number>>;
  /** Names of the rubric's programmatic judges (`judges`). */
  judgeNames: ReadonlySet<string>;
  /** Whether criteria may define a judge node inline (shared rubrics in the spec, not per-sample ones). */
  inlineJudges: boolean;
  /** Whether the rubric has an LLM judge configured. */
  hasLlm: boolean;
  version?: string;
}

/** The key under which an inline judge node of criterion `index` is found. */
export const inlineJudgeKey = (index: number): string => `criteria[${index}]`;
/** The key of a named judge. */
export const namedJudgeKey = (name: string): string => `judges.${name}`;

/**
 * Turns criteria as written (already valid against CRITERION_SCHEMA) into normalised criteria, or the
 * problems that prevent it, with paths relative to the criteria array.
 */
export function normalizeRubric(
  raw: readonly Record<string, unknown>[],
  opts: NormalizeOptions,
): { rubric: Rubric; problems: [] } | { rubric?: undefined; problems: Problem[] } {
  const problems: Problem[] = [];
  const weights = { ...DEFAULT_CATEGORY_WEIGHTS, ...(opts.categoryWeights ?? {}) };
  const criteria: Criterion[] = [];
  const seen = new Set<string>();
  raw.forEach((c, i) => {
    const at = (k?: string): (string | number)[] => (k ? [i, k] : [i]);
    const id = typeof c.id === "string" ? c.id : `c${i + 1}`;
    if (seen.has(id)) problems.push([at("id"), `duplicate criterion id '${id}'`]);
    seen.add(id);
    const text = [c.text, c.criterion, c.description].find((t) => typeof t === "string") as string;
    const category = typeof c.category === "string" ? (c.category.toLowerCase() as Category) : undefined;
    const kind: CriterionKind =
      typeof c.kind === "string"
        ? (c.kind as CriterionKind)
        : c.points !== undefined
          ? "points"
          : c.choices !== undefined
            ? "ordinal"
            : "binary";
    const weight = typeof c.weight === "number" ? c.weight : undefined;
    const points = typeof c.points === "number" ? c.points : undefined;
    const choices = Array.isArray(c.choices) ? (c.choices as string[]) : undefined;

    let w: number;
    if (kind === "points") {
      if (points === undefined) problems.push([at(), "a points criterion needs 'points'"]);
      if (weight !== undefined)
        problems.push([at("weight"), "a points criterion is weighted by its 'points'"]);
      w = points ?? 0;
      if (w < 0 && category && category !== "pitfall") {
        problems.push([at("category"), `negative points make a pitfall, not an ${category} criterion`]);
      }
      if (w > 0 && category === "pitfall")
        problems.push([at("points"), "a pitfall's points must be negative"]);
    } else {
      if (points !== undefined)
        problems.push([at("points"), `'points' needs kind 'points' (this is ${kind})`]);
      if (weight !== undefined && weight < 0 && category && category !== "pitfall") {
        problems.push([at("weight"), `a negative weight makes a pitfall, not an ${category} criterion`]);
      }
      const magnitude = Math.abs(weight ?? (category ? weights[category] : 1));
      w = category === "pitfall" || (weight !== undefined && weight < 0) ? -magnitude : magnitude;
    }
    if (kind === "ordinal" && !choices)
      problems.push([at(), "an ordinal criterion needs 'choices' (worst first)"]);
    if (kind !== "ordinal" && choices)
      problems.push([at("choices"), `'choices' needs kind 'ordinal' (this is ${kind})`]);

    let judge: JudgeRef;
    const j = c.judge;
    if (j === undefined || j === "llm") {
      judge = { kind: "llm" };
      if (!opts.hasLlm) {
        problems.push([
          j === undefined ? at() : at("judge"),
          "this criterion is judged by an LLM but the rubric has no 'judge' configured (or name a programmatic judge)",
        ]);
      }
    } else if (typeof j === "string") {
      judge = { kind: "node", key: namedJudgeKey(j) };
      if (!opts.judgeNames.has(j)) {
        const known = [...opts.judgeNames];
        problems.push([
          at("judge"),
          `unknown judge '${j}' (known: "llm"${known.length ? `, ${known.map((k) => `'${k}'`).join(", ")}` : ""})`,
        ]);
      }
    } else {
      judge = { kind: "node", key: inlineJudgeKey(i) };
      if (!opts.inlineJudges) {
        problems.push([
          at("judge"),
          "a per-sample criterion can name a judge of the spec but not define one",
        ]);
      }
    }
    if (c.threshold !== undefined && judge.kind === "llm") {
      problems.push([at("threshold"), "'threshold' applies to programmatic judges only"]);
    }
    const out: Criterion = { id, text, kind, weight: w, judge };
    const cat = category ?? (w < 0 ? "pitfall" : undefined);
    if (cat) out.category = cat;
    if (choices) out.choices = choices;
    if (typeof c.threshold === "number") out.threshold = c.threshold;
    criteria.push(out);
  });
  if (problems.length === 0 && criteria.every((c) => c.weight === 0)) {
    problems.push([[], "every criterion has weight 0: the reward would be undefined"]);
  }
  if (problems.length) return { problems };
  return { rubric: { version: opts.version ?? rubricHash(criteria), criteria }, problems: [] };
}

/** A stable hash of the normalised criteria: the default rubric version. */
export function rubricHash(criteria: readonly Criterion[]): string {
  const canon = criteria.map((c) => [c.id, c.text, c.kind, c.category ?? null, c.weight, c.choices ?? null]);
  return `sha256:${sha256(JSON.stringify(canon)).slice(0, 16)}`;
}

/** The score of an ordinal choice index: index / (n - 1). */
export function ordinalScore(index: number, n: number): number {
  return n <= 1 ? 1 : index / (n - 1);
}
