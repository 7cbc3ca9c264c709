/**
 * The JSON Schema of each node type: the type's own properties plus the common ones. The loader validates
 * every node against its type's schema with ajv; `spec.schema.json` in the repo is generated from the same
 * schemas (npm run schema), so editors and the loader agree.
 */
import type { JsonSchema, VerifierRegistry } from "../core/index.js";
import { COMPOSITES, POLICY_SCHEMA } from "./composites.js";

export const NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_-]*$";

const COMMON: Record<string, JsonSchema> = {
  name: { type: "string", pattern: NAME_PATTERN, description: "Component name (default: the node type)." },
  description: { type: "string" },
  weight: { type: "number", description: "Only directly inside a weighted node's terms (default 1)." },
  $schema: { type: "string", description: "Only at the root: the URL or path of this schema, for editors." },
};

const COMPOSITE_COMMON: Record<string, JsonSchema> = {
  on_abstain: { ...POLICY_SCHEMA, description: `What a child's abstain does: ${POLICY_SCHEMA.description}` },
  on_error: { ...POLICY_SCHEMA, description: `What a child's error does: ${POLICY_SCHEMA.description}` },
};

const VERIFIER_COMMON: Record<string, JsonSchema> = {
  timeout_ms: {
    type: "integer",
    minimum: 1,
    maximum: 3_600_000,
    description: "Deadline for one verification.",
  },
};

export const COMMON_KEYS = new Set([...Object.keys(COMMON), ...Object.keys(VERIFIER_COMMON)]);

function withCommon(
  type: string,
  own: JsonSchema,
  common: Record<string, JsonSchema>,
  description: string,
): JsonSchema {
  const { properties = {}, required = [], ...rest } = own as { properties?: object; required?: string[] };
  return {
    ...rest,
    type: "object",
    description,
    required: ["type", ...required],
    properties: { type: { const: type }, ...COMMON, ...common, ...properties },
    additionalProperties: false,
  };
}

export function nodeSchema(type: string, registry: VerifierRegistry): JsonSchema | undefined {
  const c = COMPOSITES[type];
  if (c) return withCommon(type, c.schema, COMPOSITE_COMMON, c.description);
  const v = registry.get(type);
  if (v) return withCommon(type, v.configSchema, VERIFIER_COMMON, v.description);
  return undefined;
}

export function allTypes(registry: VerifierRegistry): string[] {
  return [...Object.keys(COMPOSITES), ...registry.types()];
}
