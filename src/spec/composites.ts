/**
 * The composition node types of the spec language: their JSON Schemas, where their children are, and how
 * each is built from its compiled children. Verifier nodes are described by the verifiers themselves.
 */
import type { JsonSchema } from "../core/index.js";
import {
  AffineNode,
  ClipNode,
  ExtremumNode,
  FormulaNode,
  GateNode,
  ProductNode,
  SequenceNode,
  WeightedNode,
} from "../rewards/index.js";
import { type CompositeDef, list, NODE, num, one, PROPAGATE, SKIP_ABSTAIN, TERMS } from "./def-helpers.js";
import { REWARD_ENSEMBLE_DEF } from "./reward-model-defs.js";
import { RUBRIC_DEF } from "./rubric-def.js";
import { SHAPING_DEFS } from "./shaping-defs.js";

export type { ChildRef, CompositeDef } from "./def-helpers.js";

export const COMPOSITES: Record<string, CompositeDef> = {
  weighted: {
    description: "Sum of weight * reward over the terms, optionally divided by the sum of |weights|.",
    schema: {
      required: ["terms"],
      properties: {
        terms: { ...TERMS, description: "Child nodes; each may carry a 'weight' (default 1)." },
        normalize: {
          type: "boolean",
          default: false,
          description: "Divide by the sum of |weights| of the terms that count.",
        },
      },
    },
    defaults: SKIP_ABSTAIN,
    children: (n) => list(n, "terms", true),
    check: (n) => {
      const ts = (n.terms as Record<string, unknown>[]) ?? [];
      const allZero = ts.length > 0 && ts.every((t) => t && typeof t === "object" && t.weight === 0);
      return allZero ? [[["terms"], "every weight is 0: the reward would always be 0"]] : [];
    },
    build: (n, name, kids, p) =>
      new WeightedNode(
        name,
        kids,
        ((n.terms as Record<string, unknown>[]) ?? []).map((t) =>
          typeof t.weight === "number" ? t.weight : 1,
        ),
        n.normalize === true,
        p,
      ),
  },
  min: {
    description: "The smallest reward among the terms.",
    schema: { required: ["terms"], properties: { terms: TERMS } },
    defaults: SKIP_ABSTAIN,
    children: (n) => list(n, "terms"),
    build: (_n, name, kids, p) => new ExtremumNode("min", name, kids, p),
  },
  max: {
    description: "The largest reward among the terms.",
    schema: { required: ["terms"], properties: { terms: TERMS } },
    defaults: SKIP_ABSTAIN,
    children: (n) => list(n, "terms"),
    build: (_n, name, kids, p) => new ExtremumNode("max", name, kids, p),
  },
  product: {
    description: "The product of the terms' rewards.",
    schema: { required: ["terms"], properties: { terms: TERMS } },
    defaults: SKIP_ABSTAIN,
    children: (n) => list(n, "terms"),
    build: (_n, name, kids, p) => new ProductNode(name, kids, p),
  },
  gate: {
    description:
      "If condition < threshold, give 'otherwise' (a value or \"abstain\") without running the term.",
    schema: {
      required: ["condition", "term"],
      properties: {
        condition: NODE,
        term: NODE,
        threshold: num("The gate opens when the condition's reward is at least this.", 1),
        otherwise: { anyOf: [{ type: "number" }, { const: "abstain" }], default: 0 },
      },
    },
    defaults: PROPAGATE,
    children: (n) => [...one(n, "condition"), ...one(n, "term")],
    build: (n, name, kids, p) =>
      new GateNode(
        name,
        kids[0]!,
        kids[1]!,
        typeof n.threshold === "number" ? n.threshold : 1,
        (n.otherwise as number | "abstain" | undefined) ?? 0,
        p,
      ),
  },
  sequence: {
    description: "Fail-fast steps: the first step below threshold decides; if all pass, the last does.",
    schema: {
      required: ["steps"],
      properties: {
        steps: TERMS,
        threshold: num("A step passes when its reward is at least this.", 1),
        fail_value: num("The reward when a step fails (default: that step's reward)."),
      },
    },
    defaults: SKIP_ABSTAIN,
    children: (n) => list(n, "steps"),
    build: (n, name, kids, p) =>
      new SequenceNode(
        name,
        kids,
        typeof n.threshold === "number" ? n.threshold : 1,
        typeof n.fail_value === "number" ? n.fail_value : undefined,
        p,
      ),
  },
  clip: {
    description: "The term's reward clamped to [min, max].",
    schema: {
      required: ["term"],
      properties: { term: NODE, min: num("Lower bound."), max: num("Upper bound.") },
    },
    defaults: PROPAGATE,
    children: (n) => one(n, "term"),
    check: (n) => {
      const out: [(string | number)[], string][] = [];
      if (n.min === undefined && n.max === undefined) out.push([[], "clip needs 'min', 'max' or both"]);
      if (typeof n.min === "number" && typeof n.max === "number" && n.min > n.max)
        out.push([["min"], "min is greater than max"]);
      return out;
    },
    build: (n, name, kids, p) =>
      new ClipNode(
        name,
        kids[0]!,
        typeof n.min === "number" ? n.min : Number.NEGATIVE_INFINITY,
        typeof n.max === "number" ? n.max : Number.POSITIVE_INFINITY,
        p,
      ),
  },
  affine: {
    description: "scale * reward + offset.",
    schema: {
      required: ["term"],
      properties: { term: NODE, scale: num("Multiplier.", 1), offset: num("Added after scaling.", 0) },
    },
    defaults: PROPAGATE,
    children: (n) => one(n, "term"),
    build: (n, name, kids, p) =>
      new AffineNode(
        name,
        kids[0]!,
        typeof n.scale === "number" ? n.scale : 1,
        typeof n.offset === "number" ? n.offset : 0,
        p,
      ),
  },
  formula: {
    description: "An arithmetic expression over named terms: + - * / ^, min max abs floor ceil exp sqrt log.",
    schema: {
      required: ["expr", "terms"],
      properties: {
        expr: { type: "string", minLength: 1 },
        terms: {
          type: "object",
          minProperties: 1,
          propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
          additionalProperties: NODE,
          description: "Named child nodes; the names are the formula's variables.",
        },
      },
    },
    defaults: PROPAGATE,
    children: (n) =>
      n.terms && typeof n.terms === "object"
        ? Object.entries(n.terms as Record<string, unknown>).map(([k, spec]) => ({
            path: ["terms", k],
            spec,
            name: k,
          }))
        : [],
    build: (n, name, kids, p, extra) => new FormulaNode(name, n.expr as string, extra.ast!, kids, p),
  },
  rubric: RUBRIC_DEF,
  reward_ensemble: REWARD_ENSEMBLE_DEF,
  ...SHAPING_DEFS,
};

export const POLICY_SCHEMA: JsonSchema = {
  anyOf: [{ enum: ["skip", "propagate"] }, { type: "number" }],
  description: '"skip", "propagate", or a number to use as the child\'s reward.',
};
