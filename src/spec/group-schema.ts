/**
 * The JSON Schema of group options (CLI `--group-config`, the server's `"group"` field), so both surfaces
 * reject a bad option with the same message.
 */
import { formatAjvErrors, type JsonSchema, newAjv } from "../core/index.js";
import { compileGroupOptions, type GroupOptions, GroupOptionsError } from "../rewards/index.js";
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

let validate: ReturnType<ReturnType<typeof newAjv>["compile"]> | undefined;

/** Checks group options; throws SpecError naming the bad option. */
export function checkGroupOptions(x: unknown): GroupOptions {
  validate ??= newAjv().compile(GROUP_OPTIONS_SCHEMA);
  if (!validate(x)) throw new SpecError([{ path: "group", message: formatAjvErrors(validate.errors) }]);
  try {
    compileGroupOptions(x as GroupOptions);
  } catch (e) {
    if (e instanceof GroupOptionsError) throw new SpecError(e.issues);
    throw e;
  }
  return x as GroupOptions;
}
