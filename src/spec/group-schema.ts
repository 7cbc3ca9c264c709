/**
 * The JSON Schema of group options (CLI `--group-config`, the server's `"group"` field), so both surfaces
 * reject a bad option with the same message.
 */
import { formatAjvErrors, type JsonSchema, newAjv } from "../core/index.js";
import {
  compileGroupOptions,
  type GroupOptions,
  GroupOptionsError,
  type RewardNode,
} from "../rewards/index.js";
import { SpecError } from "./errors.js";

export const GROUP_OPTIONS_SCHEMA: JsonSchema = {
  type: "object",
  required: ["by"],
  additionalProperties: false,
  properties: {
    by: {
      type: "string",
      minLength: 1,
      description: "Sample field (or template) that identifies the prompt.",
    },
    advantage: { enum: ["grpo", "dr_grpo", "rloo", "none"], default: "grpo" },
    std_floor: { type: "number", minimum: 0, default: 1e-6 },
    std: { enum: ["sample", "population"], default: "sample" },
    pass_threshold: { type: "number", default: 1 },
    pass_at_k: { type: "array", items: { type: "integer", minimum: 1 }, default: [1] },
    aggregate: { enum: ["sum", "gdpo"], default: "sum" },
    component_weights: { type: "object", additionalProperties: { type: "number" } },
    length_reward: {
      type: "object",
      required: ["weight"],
      additionalProperties: false,
      properties: {
        weight: { type: "number" },
        unit: { enum: ["chars", "words"] },
        length: { type: "string" },
      },
    },
    vote: {
      type: "object",
      additionalProperties: false,
      properties: { input: { type: "string" }, equivalence: { type: "string" } },
    },
  },
};

// Nodes whose result components are exactly their children, by name (a rubric's are its criteria).
const BY_CHILD = new Set([
  "weighted",
  "min",
  "max",
  "product",
  "gate",
  "sequence",
  "formula",
  "clip",
  "affine",
]);

/** The names GDPO's `component_weights` may use for this root, or undefined when they cannot be known. */
export function groupComponentNames(root: RewardNode): string[] | undefined {
  return BY_CHILD.has(root.type) ? root.children.map((c) => c.name) : undefined;
}

let validate: ReturnType<ReturnType<typeof newAjv>["compile"]> | undefined;

/**
 * Checks group options; throws SpecError naming the bad option. With the reward's top-level component
 * names, a `component_weights` key that names none of them (a typo, silently weighted 1) is refused too.
 */
export function checkGroupOptions(x: unknown, components?: readonly string[]): GroupOptions {
  validate ??= newAjv().compile(GROUP_OPTIONS_SCHEMA);
  if (!validate(x)) throw new SpecError([{ path: "group", message: formatAjvErrors(validate.errors) }]);
  const opts = x as GroupOptions;
  const issues: { path: string; message: string }[] = [];
  try {
    compileGroupOptions(opts);
  } catch (e) {
    if (!(e instanceof GroupOptionsError)) throw e;
    issues.push(...e.issues);
  }
  if (components && opts.component_weights) {
    for (const k of Object.keys(opts.component_weights)) {
      if (!components.includes(k)) {
        issues.push({
          path: `group.component_weights.${k}`,
          message: `no top-level component '${k}' (components: ${components.join(", ") || "none"})`,
        });
      }
    }
  }
  if (issues.length) throw new SpecError(issues);
  return opts;
}
