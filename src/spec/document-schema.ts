/**
 * The whole spec language as one JSON Schema document (schema/spec.schema.json, `rewardkit schema`, the
 * package export `rewardkit/schema.json`), built from the same node schemas the loader validates with, so
 * it accepts what the loader accepts: rewardkit nodes (with `weight` only in a weighted node's terms and
 * `$schema` only at the root) and OpenAI grader documents (a grader, or {"grader": ...}). It passes ajv's
 * strict mode, so any validator or editor reads it the same way; the TypeScript spec types are generated
 * from it (scripts/gen-schema.js).
 */
import type { JsonSchema, VerifierRegistry } from "../core/index.js";
import { allTypes, nodeSchema } from "./node-schema.js";
import { GRADER_NODE_TYPES, GRADER_TYPES } from "./openai-graders.js";

const NODE_MARK = "A reward node.";
const VAR_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";
/** Keywords that constrain one JSON type only: they move into that type's branch of a union. */
const TYPE_KEYWORDS: Record<string, string[]> = {
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  string: ["minLength", "maxLength", "pattern", "format"],
  array: ["items", "minItems", "maxItems", "uniqueItems", "contains", "additionalItems"],
  object: [
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "patternProperties",
  ],
};
TYPE_KEYWORDS.integer = TYPE_KEYWORDS.number!;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => x !== null && typeof x === "object" && !Array.isArray(x);

/**
 * The same constraints in the form ajv's strict mode wants: a union `type` becomes an anyOf of single
 * types (each with the keywords that apply to it), and a `required` key named only in a branch is also
 * declared (as `true`) in that branch's properties. Nothing accepted or rejected changes.
 */
export function strictSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(strictSchema);
  if (!isObj(s)) return s;
  const out: Obj = {};
  for (const [k, v] of Object.entries(s)) {
    out[k] =
      k === "properties" || k === "$defs" || k === "patternProperties" ? mapValues(v) : strictSchema(v);
  }
  if (Array.isArray(out.type)) {
    const types = out.type as string[];
    const branches = types.map((t) => {
      const b: Obj = { type: t };
      for (const k of TYPE_KEYWORDS[t] ?? []) if (k in out) b[k] = out[k];
      return b;
    });
    const rest: Obj = {};
    const moved = new Set(types.flatMap((t) => TYPE_KEYWORDS[t] ?? []));
    for (const [k, v] of Object.entries(out)) if (k !== "type" && !moved.has(k)) rest[k] = v;
    return { ...rest, anyOf: branches };
  }
  if (Array.isArray(out.required) && !("additionalProperties" in out)) {
    const props = { ...((out.properties as Obj | undefined) ?? {}) };
    for (const r of out.required as string[]) if (!(r in props)) props[r] = true;
    out.properties = props;
    if (out.type === undefined) out.type = "object";
  }
  return out;
}

function mapValues(v: unknown): unknown {
  if (!isObj(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strictSchema(x)]));
}

/** A type's schema with its child slots pointing back at nodes (terms of `weighted` at weighted terms). */
function withChildRefs(type: string, schema: JsonSchema): JsonSchema {
  const props = (schema as { properties: Record<string, JsonSchema> }).properties;
  const child = (k: string) => ({
    $ref: type === "weighted" && k === "terms" ? "#/$defs/term" : "#/$defs/node",
  });
  for (const [k, v] of Object.entries(props)) {
    if (v.description === NODE_MARK) props[k] = child(k);
    else if ((v.items as JsonSchema | undefined)?.description === NODE_MARK)
      props[k] = { ...v, items: child(k) };
    else if ((v.additionalProperties as JsonSchema | undefined)?.description === NODE_MARK) {
      props[k] = { ...v, additionalProperties: child(k) };
    }
  }
  return schema;
}

/** An OpenAI leaf grader: the fields of its rewardkit node, a free-text `name`, and no `weight`. */
function leafGraderSchema(graderType: string, registry: VerifierRegistry): JsonSchema {
  const node = structuredClone(nodeSchema(GRADER_NODE_TYPES[graderType]!, registry)!) as Obj & {
    properties: Record<string, JsonSchema>;
    required: string[];
  };
  const { weight: _w, ...props } = node.properties;
  return {
    ...node,
    description: `OpenAI ${graderType} grader (runs as ${GRADER_NODE_TYPES[graderType]}).`,
    required: [...new Set([...node.required, "name"])],
    properties: {
      ...props,
      type: { const: graderType },
      name: { type: "string", description: "The grader's name (free text)." },
    },
  };
}

function graderDefs(registry: VerifierRegistry): Record<string, JsonSchema> {
  const defs: Record<string, JsonSchema> = {};
  for (const t of GRADER_TYPES) if (t !== "multi") defs[`grader_${t}`] = leafGraderSchema(t, registry);
  defs.grader_multi = {
    type: "object",
    description: "OpenAI multi grader: sub-graders combined by calculate_output (runs as formula).",
    required: ["type", "name", "graders", "calculate_output"],
    properties: {
      type: { const: "multi" },
      name: { type: "string", description: "The grader's name (free text)." },
      graders: {
        anyOf: [
          {
            type: "object",
            minProperties: 1,
            propertyNames: { pattern: VAR_PATTERN },
            additionalProperties: { $ref: "#/$defs/sub_grader" },
          },
          {
            type: "array",
            minItems: 1,
            items: {
              allOf: [
                { $ref: "#/$defs/sub_grader" },
                { type: "object", properties: { name: { type: "string", pattern: VAR_PATTERN } } },
              ],
            },
          },
        ],
        description: "Named sub-graders (their names are calculate_output's variables).",
      },
      calculate_output: { type: "string", pattern: "\\S", description: "Formula over the sub-graders." },
    },
    additionalProperties: false,
  };
  defs.sub_grader = {
    description: "A grader inside a multi grader.",
    allOf: [{ $ref: "#/$defs/grader" }, { type: "object", properties: { $schema: false } }],
  };
  defs.grader = {
    type: "object",
    required: ["type"],
    properties: { type: { enum: GRADER_TYPES } },
    allOf: GRADER_TYPES.map((t) => ({
      if: { properties: { type: { const: t } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable
      then: { $ref: `#/$defs/grader_${t}` },
    })),
  };
  return defs;
}

export function specDocumentSchema(registry: VerifierRegistry): JsonSchema {
  const types = allTypes(registry).filter((t) => !GRADER_TYPES.includes(t));
  const defs: Record<string, JsonSchema> = {};
  for (const t of types) defs[t] = withChildRefs(t, structuredClone(nodeSchema(t, registry)!));
  const doc = {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "https://rewardkit.dev/schema/spec.schema.json",
    title: "rewardkit reward spec",
    description:
      'A rewardkit spec (a reward node) or an OpenAI grader document (a grader, or {"grader": ...}).',
    anyOf: [
      { allOf: [{ $ref: "#/$defs/any_node" }, { type: "object", properties: { weight: false } }] },
      { $ref: "#/$defs/grader" },
      {
        type: "object",
        required: ["grader"],
        properties: { grader: { $ref: "#/$defs/grader" }, type: false },
      },
    ],
    $defs: {
      any_node: {
        type: "object",
        required: ["type"],
        properties: { type: { enum: types } },
        allOf: types.map((t) => ({
          if: { properties: { type: { const: t } } },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable
          then: { $ref: `#/$defs/${t}` },
        })),
      },
      node: {
        description: "A reward node below the root.",
        allOf: [
          { $ref: "#/$defs/any_node" },
          { type: "object", properties: { weight: false, $schema: false } },
        ],
      },
      term: {
        description: "A term of a weighted node (may carry a weight).",
        allOf: [{ $ref: "#/$defs/any_node" }, { type: "object", properties: { $schema: false } }],
      },
      ...graderDefs(registry),
      ...defs,
    },
  };
  return strictSchema(doc) as JsonSchema;
}
