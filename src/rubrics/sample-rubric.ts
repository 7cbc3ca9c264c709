/**
 * Per-sample rubrics (Rubrics as Rewards): the criteria arrive with the sample, as a list of criteria or
 * as `{criteria, version?, category_weights?}`, and are validated with ajv against the same criterion
 * schema as a rubric written in the spec.
 */
import { formatAjvErrors, lazyValidator } from "../core/index.js";
import { type Category, SAMPLE_RUBRIC_SCHEMA } from "./model.js";

const validate = lazyValidator(SAMPLE_RUBRIC_SCHEMA);

export type SampleRubric =
  | {
      ok: true;
      criteria: Record<string, unknown>[];
      version?: string;
      categoryWeights?: Partial<Record<Category, number>>;
    }
  | { ok: false; problem: string };

export function validateSampleRubric(raw: unknown): SampleRubric {
  if (!validate(raw)) {
    // The anyOf reports both branches; the branch that matches the value's shape is the useful one.
    const branch = Array.isArray(raw) ? "/anyOf/0" : "/anyOf/1";
    const errs = (validate.errors ?? []).filter((e) => e.schemaPath.startsWith(`#${branch}`));
    return { ok: false, problem: formatAjvErrors(errs.length ? errs : validate.errors) };
  }
  if (Array.isArray(raw)) return { ok: true, criteria: raw as Record<string, unknown>[] };
  const o = raw as {
    criteria: Record<string, unknown>[];
    version?: string;
    category_weights?: Partial<Record<Category, number>>;
  };
  const out: SampleRubric = { ok: true, criteria: o.criteria };
  if (o.version !== undefined) out.version = o.version;
  if (o.category_weights !== undefined) out.categoryWeights = o.category_weights;
  return out;
}
