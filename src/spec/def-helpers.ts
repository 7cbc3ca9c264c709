/**
 * Building blocks of the composition node definitions (composites.ts, rubric-def.ts, shaping-defs.ts).
 */
import type { JsonSchema } from "../core/index.js";
import type { Ast, Policies, RewardNode } from "../rewards/index.js";

/** A child slot: the JSON path segment(s) under the node and the raw child spec. */
export interface ChildRef {
  path: (string | number)[];
  spec: unknown;
  /** The component name the slot imposes (formula keys), if any. */
  name?: string;
  /** Whether this child may carry a `weight` (weighted terms only). */
  weighted?: boolean;
}

export interface CompositeDef {
  description: string;
  schema: { required?: string[]; properties: Record<string, JsonSchema> };
  defaults: Policies;
  children(node: Record<string, unknown>): ChildRef[];
  /** Checks that need more than the schema; returns problems as [relative path, message]. */
  check?(node: Record<string, unknown>): [(string | number)[], string][];
  build(
    node: Record<string, unknown>,
    name: string,
    kids: RewardNode[],
    policies: Policies,
    extra: { ast?: Ast },
  ): RewardNode;
}

// Children are checked by the loader as it walks into them (better messages than a schema type error).
export const NODE: JsonSchema = { description: "A reward node." };
export const TERMS: JsonSchema = { type: "array", minItems: 1, items: NODE };
export const num = (description: string, dflt?: number): JsonSchema =>
  dflt === undefined ? { type: "number", description } : { type: "number", description, default: dflt };

export const list = (node: Record<string, unknown>, key: string, weighted = false): ChildRef[] =>
  Array.isArray(node[key])
    ? (node[key] as unknown[]).map((spec, i) => ({ path: [key, i], spec, weighted }))
    : [];
export const one = (node: Record<string, unknown>, key: string): ChildRef[] =>
  node[key] === undefined ? [] : [{ path: [key], spec: node[key] }];

export const SKIP_ABSTAIN: Policies = { on_abstain: "skip", on_error: "propagate" };
export const PROPAGATE: Policies = { on_abstain: "propagate", on_error: "propagate" };
