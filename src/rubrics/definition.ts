/**
 * The `rubric` node as the spec language sees it: its JSON Schema properties, where its child nodes are
 * (the programmatic judges), the checks a schema cannot express, and how it is built from the compiled
 * children. src/spec wires these into a CompositeDef; nothing here imports the spec layer.
 *
 *   {
 *     "type": "rubric",
 *     "criteria": [ {criterion}, ... ]  |  "{{rubric}}",      shared, or per-sample through a template
 *     "aggregation": "weighted_mean" | "healthbench" | "all_essential" | "implicit",
 *     "judges": { "<name>": <reward node>, ... },               programmatic judges, by name
 *     "judge": { "base_url", "model", ... },                    the LLM judge (see judge.ts)
 *     ...
 *   }
 */
import { compileTemplate, type JsonSchema, RewardkitError, type Template } from "../core/index.js";
import type { Policies, RewardNode } from "../rewards/index.js";
import { AGGREGATIONS, type Aggregation, type GateOptions } from "./aggregate.js";
import { JUDGE_SCHEMA, LlmJudge, resolveJudgeConfig } from "./judge.js";
import {
  CATEGORY_WEIGHTS_SCHEMA,
  type Category,
  CRITERION_SCHEMA,
  inlineJudgeKey,
  namedJudgeKey,
  normalizeRubric,
  type Problem,
} from "./model.js";
import { type RubricInputs, RubricNode } from "./node.js";

/** The marker the spec layer uses for child-node schemas (so its document schema can $ref them). */
const NODE: JsonSchema = { description: "A reward node." };

const tpl = (description: string, dflt?: string): JsonSchema => ({
  type: "string",
  description: `${description} Template into the sample${dflt ? `; default ${dflt}` : ""}.`,
  ...(dflt ? { default: dflt } : {}),
});

export const RUBRIC_DESCRIPTION =
  "A rubric: criteria judged one by one (by reward nodes of the spec or by an LLM judge) and combined by weight.";

export const RUBRIC_PROPERTIES: Record<string, JsonSchema> = {
  criteria: {
    anyOf: [
      { type: "array", minItems: 1, items: CRITERION_SCHEMA },
      {
        type: "string",
        pattern: "\\{\\{",
        description: "A template such as {{rubric}}: the criteria come with each sample.",
      },
    ],
    description: "The criteria (a shared rubric), or a template to a per-sample rubric.",
  },
  version: {
    type: "string",
    minLength: 1,
    description: "Rubric version, part of the judge cache key (default: a hash of the criteria).",
  },
  category_weights: CATEGORY_WEIGHTS_SCHEMA,
  aggregation: { enum: [...AGGREGATIONS], default: "weighted_mean" },
  gate: {
    type: "object",
    description: "all_essential: the cap while an essential criterion is unmet.",
    properties: {
      base: { enum: ["weighted_mean", "healthbench"], default: "weighted_mean" },
      cap: { type: "number", minimum: 0, maximum: 1, default: 0 },
      threshold: {
        type: "number",
        exclusiveMinimum: 0,
        maximum: 1,
        description: "An essential criterion is unmet below this score (default 1; 0.5 in pairwise mode).",
      },
    },
    additionalProperties: false,
  },
  judges: {
    type: "object",
    propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_-]*$" },
    additionalProperties: NODE,
    description: "Programmatic judges by name; criteria (shared or per-sample) name them in 'judge'.",
  },
  judge: JUDGE_SCHEMA,
  prompt: tpl("The task, shown to an LLM judge (left out when the sample has none).", "{{prompt}}"),
  response: tpl("The response judged.", "{{completion}}"),
  reference: tpl("A reference answer shown to an LLM judge."),
  pairwise: {
    type: "object",
    required: ["baseline"],
    properties: { baseline: tpl("The response the candidate is compared with.") },
    additionalProperties: false,
    description: "Pairwise mode: each criterion is judged as a comparison with a baseline, in both orders.",
  },
  scale: {
    type: "array",
    items: { type: "integer" },
    minItems: 2,
    maxItems: 2,
    description: "implicit: the holistic score's scale [min, max] (default [1, 10]; prometheus [1, 5]).",
  },
};

export interface ChildSlot {
  path: (string | number)[];
  spec: unknown;
  name?: string;
}

/** The judge nodes the loader compiles as children: named judges first, then inline ones, in order. */
export function rubricChildren(node: Record<string, unknown>): ChildSlot[] {
  const out: ChildSlot[] = [];
  const judges = node.judges;
  if (judges && typeof judges === "object" && !Array.isArray(judges)) {
    for (const [k, spec] of Object.entries(judges)) {
      // A named judge's component is named by its key, unless the judge gives itself another name.
      const own = spec && typeof spec === "object" ? (spec as Record<string, unknown>).name : undefined;
      out.push(
        own === undefined || own === k
          ? { path: ["judges", k], spec, name: k }
          : { path: ["judges", k], spec },
      );
    }
  }
  if (Array.isArray(node.criteria)) {
    node.criteria.forEach((c, i) => {
      const j = c && typeof c === "object" ? (c as Record<string, unknown>).judge : undefined;
      if (j && typeof j === "object") out.push({ path: ["criteria", i, "judge"], spec: j });
    });
  }
  return out;
}

function slotKeys(node: Record<string, unknown>): string[] {
  return rubricChildren(node).map((s) =>
    s.path[0] === "judges" ? namedJudgeKey(String(s.path[1])) : inlineJudgeKey(s.path[1] as number),
  );
}

const judgeNamesOf = (node: Record<string, unknown>): Set<string> =>
  new Set(node.judges && typeof node.judges === "object" ? Object.keys(node.judges as object) : []);

function template(
  src: string,
  what: string,
  problems: Problem[],
  path: (string | number)[],
): Template | undefined {
  try {
    return compileTemplate(src);
  } catch (e) {
    problems.push([path, `${what}: ${e instanceof Error ? e.message : String(e)}`]);
    return undefined;
  }
}

/** Checks beyond the schema; problems are [path relative to the node, message]. */
export function checkRubricNode(node: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const aggregation = (node.aggregation ?? "weighted_mean") as Aggregation;
  const judgeCfg =
    node.judge && typeof node.judge === "object" ? (node.judge as Record<string, unknown>) : undefined;
  if (judgeCfg) {
    for (const [p, m] of resolveJudgeConfig(judgeCfg).problems) problems.push([["judge", ...p], m]);
  }
  const gate = node.gate as Record<string, unknown> | undefined;
  if (gate && aggregation !== "all_essential")
    problems.push([["gate"], "'gate' applies to the all_essential aggregation only"]);
  if (node.scale !== undefined && aggregation !== "implicit")
    problems.push([["scale"], "'scale' applies to the implicit aggregation only"]);
  if (Array.isArray(node.scale)) {
    const [lo, hi] = node.scale as number[];
    if (!(typeof lo === "number" && typeof hi === "number" && lo < hi))
      problems.push([["scale"], "scale must be [min, max] with min < max"]);
    if (judgeCfg?.format === "prometheus" && (lo !== 1 || hi !== 5))
      problems.push([["scale"], "the prometheus format scores 1 to 5"]);
  }
  if (aggregation === "implicit" && !judgeCfg)
    problems.push([["judge"], "the implicit aggregation needs an LLM 'judge'"]);
  for (const key of ["on_abstain", "on_error"]) {
    const v = node[key];
    if (typeof v === "number" && (v < 0 || v > 1))
      problems.push([[key], "a substitute criterion score must be within [0, 1]"]);
  }
  for (const key of ["prompt", "response", "reference"]) {
    if (typeof node[key] === "string") template(node[key] as string, key, problems, [key]);
  }
  const pw = node.pairwise as Record<string, unknown> | undefined;
  if (pw && typeof pw.baseline === "string")
    template(pw.baseline, "baseline", problems, ["pairwise", "baseline"]);

  if (typeof node.criteria === "string") {
    template(node.criteria, "criteria", problems, ["criteria"]);
  } else if (Array.isArray(node.criteria)) {
    if (!node.criteria.every((c) => c && typeof c === "object" && !Array.isArray(c))) return problems; // the schema reports it
    const n = normalizeRubric(node.criteria as Record<string, unknown>[], {
      categoryWeights: (node.category_weights as Partial<Record<Category, number>>) ?? {},
      judgeNames: judgeNamesOf(node),
      inlineJudges: true,
      hasLlm: judgeCfg !== undefined,
    });
    for (const [p, m] of n.problems) problems.push([["criteria", ...p], m]);
    if (n.rubric) {
      const cs = n.rubric.criteria;
      if (aggregation === "implicit" && cs.some((c) => c.judge.kind !== "llm")) {
        problems.push([
          ["criteria"],
          "the implicit aggregation judges the whole rubric in one LLM call: criteria cannot have programmatic judges",
        ]);
      }
      const base =
        aggregation === "all_essential" ? ((gate?.base as string) ?? "weighted_mean") : aggregation;
      if (base === "healthbench" && !cs.some((c) => c.weight > 0)) {
        problems.push([
          ["criteria"],
          "healthbench normalises by the positive points: at least one criterion needs them",
        ]);
      }
      if (aggregation === "all_essential" && !cs.some((c) => c.category === "essential")) {
        problems.push([
          ["criteria"],
          "all_essential: no criterion is in category 'essential', so the gate could never close",
        ]);
      }
    }
  }
  return problems;
}

/** Builds the node from its compiled children (in rubricChildren order). Call only after checkRubricNode passed. */
export function buildRubricNode(
  node: Record<string, unknown>,
  name: string,
  kids: RewardNode[],
  policies: Policies,
): RubricNode {
  const judges = new Map<string, RewardNode>();
  const keys = slotKeys(node);
  for (let i = 0; i < keys.length; i++) judges.set(keys[i]!, kids[i]!);
  const judgeNames = judgeNamesOf(node);
  const judgeCfg =
    node.judge && typeof node.judge === "object" ? (node.judge as Record<string, unknown>) : undefined;
  let llm: LlmJudge | undefined;
  if (judgeCfg) {
    const r = resolveJudgeConfig(judgeCfg);
    if (!r.config) throw new RewardkitError("config_error", r.problems.map(([, m]) => m).join("; "));
    llm = new LlmJudge(r.config);
  }
  const categoryWeights = (node.category_weights as Partial<Record<Category, number>>) ?? {};
  const version = typeof node.version === "string" ? node.version : undefined;
  let rubric: RubricNode["opts"]["rubric"];
  if (typeof node.criteria === "string") {
    rubric = { template: compileTemplate(node.criteria), categoryWeights };
    if (version) rubric.version = version;
  } else {
    const n = normalizeRubric(node.criteria as Record<string, unknown>[], {
      categoryWeights,
      judgeNames,
      inlineJudges: true,
      hasLlm: llm !== undefined,
      ...(version ? { version } : {}),
    });
    if (!n.rubric) throw new RewardkitError("config_error", n.problems.map(([, m]) => m).join("; "));
    rubric = { shared: n.rubric };
  }
  const pairwise = node.pairwise as { baseline: string } | undefined;
  const inputs: RubricInputs = {
    prompt: {
      template: compileTemplate((node.prompt as string) ?? "{{prompt}}"),
      optional: node.prompt === undefined,
    },
    response: compileTemplate((node.response as string) ?? "{{completion}}"),
  };
  if (typeof node.reference === "string")
    inputs.reference = { template: compileTemplate(node.reference), optional: false };
  if (pairwise) inputs.baseline = compileTemplate(pairwise.baseline);
  const g = (node.gate as Partial<{ base: GateOptions["base"]; cap: number; threshold: number }>) ?? {};
  const gate: GateOptions = {
    base: g.base ?? "weighted_mean",
    cap: g.cap ?? 0,
    threshold: g.threshold ?? (pairwise ? 0.5 : 1),
  };
  const prometheus = judgeCfg?.format === "prometheus";
  const scale = (node.scale as [number, number] | undefined) ?? (prometheus ? [1, 5] : [1, 10]);
  const opts = {
    name,
    rubric,
    aggregation: (node.aggregation as Aggregation | undefined) ?? "weighted_mean",
    gate,
    scale,
    judges,
    judgeNames,
    inputs,
    policies,
  };
  return new RubricNode(llm ? { ...opts, llm } : opts);
}

/** Default policies of a rubric node: an abstaining judge's criterion is skipped, an error propagates. */
export const RUBRIC_DEFAULT_POLICIES: Policies = { on_abstain: "skip", on_error: "propagate" };
