/**
 * Node definitions for dense rewards (per_segment) and reward shaping (overlong, cosine_length,
 * repetition, length_budget). The nodes and their formulas live in src/rewards.
 */
import { compileTemplate, type JsonSchema, SEGMENT_KINDS } from "../core/index.js";
import {
  CosineLengthNode,
  LengthBudgetNode,
  type LengthSource,
  OverlongNode,
  PerSegmentNode,
  type Reduction,
  RepetitionNode,
} from "../rewards/index.js";
import { type CompositeDef, NODE, num, one, PROPAGATE, SKIP_ABSTAIN } from "./def-helpers.js";

const LENGTH_PROPS: Record<string, JsonSchema> = {
  unit: { enum: ["chars", "words"], default: "chars", description: "How the completion is measured." },
  length: {
    type: "string",
    description: "A template giving the length directly, e.g. a token count: {{num_tokens}}. Overrides unit.",
  },
};

function lengthSource(n: Record<string, unknown>): LengthSource {
  const unit = n.unit === "words" ? "words" : "chars";
  return typeof n.length === "string" ? { unit, template: compileTemplate(n.length) } : { unit };
}

const positive = (description: string, dflt?: number): JsonSchema => ({
  type: "number",
  exclusiveMinimum: 0,
  description,
  ...(dflt === undefined ? {} : { default: dflt }),
});

const pair = (description: string, dflt: [number, number]): JsonSchema => ({
  type: "array",
  items: { type: "number" },
  minItems: 2,
  maxItems: 2,
  default: dflt,
  description,
});

export const SHAPING_DEFS: Record<string, CompositeDef> = {
  per_segment: {
    description:
      "Scores each segment (sentence, step, ...) with the term: one span per segment, reward reduced.",
    schema: {
      required: ["term"],
      properties: {
        term: NODE,
        segmenter: {
          enum: [...SEGMENT_KINDS, "given"],
          default: "steps",
          description: "How to cut the completion; 'given' uses the sample's own 'steps' ranges.",
        },
        delimiter: { type: "string", minLength: 1, description: "For segmenter 'delimiter'." },
        reduce: { enum: ["mean", "sum", "min", "max", "last"], default: "mean" },
      },
    },
    defaults: SKIP_ABSTAIN,
    children: (n) => one(n, "term"),
    check: (n) =>
      n.segmenter === "delimiter" && typeof n.delimiter !== "string"
        ? [[["delimiter"], "segmenter 'delimiter' needs a 'delimiter'"]]
        : [],
    build: (n, name, kids, p) =>
      new PerSegmentNode(
        name,
        kids[0]!,
        (n.segmenter as never) ?? "steps",
        n.delimiter as string | undefined,
        ((n.reduce as Reduction) ?? "mean") as Reduction,
        p,
      ),
  },
  overlong: {
    description: "DAPO soft overlong punishment: 0 up to max_length - buffer, linear to -1 at max_length.",
    schema: {
      required: ["max_length", "buffer"],
      properties: {
        max_length: positive("L_max."),
        buffer: positive("L_cache: the soft zone before L_max."),
        ...LENGTH_PROPS,
      },
    },
    defaults: PROPAGATE,
    children: () => [],
    check: (n) =>
      typeof n.buffer === "number" && typeof n.max_length === "number" && n.buffer > n.max_length
        ? [[["buffer"], "buffer is larger than max_length"]]
        : [],
    build: (n, name) => new OverlongNode(name, lengthSource(n), n.max_length as number, n.buffer as number),
  },
  cosine_length: {
    description:
      "Cosine-scaled length reward, conditioned on correctness (shorter correct answers earn more).",
    schema: {
      required: ["correct", "max_length"],
      properties: {
        correct: NODE,
        threshold: num("Correct when the 'correct' node's reward is at least this.", 1),
        max_length: positive("Length at which the cosine reaches its end."),
        correct_values: pair("[min, max] reward of a correct answer (max at length 0).", [0.5, 1]),
        wrong_values: pair("[min, max] reward of a wrong answer (min at length 0).", [-1, -0.5]),
        ...LENGTH_PROPS,
      },
    },
    defaults: PROPAGATE,
    children: (n) => one(n, "correct"),
    build: (n, name, kids, p) =>
      new CosineLengthNode(
        name,
        kids[0]!,
        typeof n.threshold === "number" ? n.threshold : 1,
        lengthSource(n),
        n.max_length as number,
        {
          correct: (n.correct_values as [number, number]) ?? [0.5, 1],
          wrong: (n.wrong_values as [number, number]) ?? [-1, -0.5],
        },
        p,
      ),
  },
  repetition: {
    description: "n-gram repetition penalty: (1 - unique/total n-grams) * max_penalty.",
    schema: {
      properties: {
        input: { type: "string", description: "Template of the text to check (default the completion)." },
        n: { type: "integer", minimum: 1, default: 3 },
        max_penalty: { type: "number", maximum: 0, default: -1 },
      },
    },
    defaults: PROPAGATE,
    children: () => [],
    build: (n, name) =>
      new RepetitionNode(
        name,
        typeof n.input === "string" ? compileTemplate(n.input) : undefined,
        typeof n.n === "number" ? n.n : 3,
        typeof n.max_penalty === "number" ? n.max_penalty : -1,
      ),
  },
  length_budget: {
    description: "Length against a per-sample budget (L1/LCPO): c - alpha * |L - budget|, floored.",
    schema: {
      required: ["budget"],
      properties: {
        budget: {
          type: "string",
          description: "Template of the budget, e.g. {{budget}} or {{prompt|tag:budget}}.",
        },
        correct: NODE,
        alpha: positive("Penalty per unit of length off the budget.", 0.001),
        mode: {
          enum: ["exact", "max"],
          default: "exact",
          description: "max: only exceeding the budget costs.",
        },
        floor: num("The lowest reward.", -1),
        ...LENGTH_PROPS,
      },
    },
    defaults: PROPAGATE,
    children: (n) => one(n, "correct"),
    build: (n, name, kids, p) =>
      new LengthBudgetNode(
        name,
        kids[0],
        compileTemplate(n.budget as string),
        lengthSource(n),
        typeof n.alpha === "number" ? n.alpha : 0.001,
        n.mode === "max" ? "max" : "exact",
        typeof n.floor === "number" ? n.floor : -1,
        p,
      ),
  },
};
