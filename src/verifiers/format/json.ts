/**
 * json: the input is JSON (found by the `extract` rule) and, when a schema is given, validates against it.
 * A schema can be fixed in the spec or come with each sample (`"schema": "{{metadata.schema}}"`); per-sample
 * schemas are compiled once and cached. A model output that is not valid JSON scores 0; a per-sample schema
 * that does not compile is the dataset's fault and an invalid_input error.
 */
import type { ValidateFunction } from "ajv";
import {
  compileTemplate,
  formatAjvErrors,
  isTemplate,
  ok,
  renderText,
  type Sample,
  sharedAjv,
  type Template,
  type Verifier,
} from "../../core/index.js";
import { INPUT, template } from "../common.js";
import { type ExtractMode, extractJson } from "./json-extract.js";
import { SchemaCache } from "./schema-cache.js";

interface Config {
  input?: string;
  schema?: Record<string, unknown> | boolean | string;
  extract?: ExtractMode;
}

interface Compiled {
  input: Template;
  extract: ExtractMode;
  schema: ((s: Sample) => ValidateFunction) | null;
}

const cache = new SchemaCache();

export const json: Verifier<Config, Compiled> = {
  type: "json",
  pure: true,
  description: "The input parses as JSON and, optionally, validates against a JSON Schema.",
  configSchema: {
    properties: {
      input: INPUT,
      schema: {
        type: ["object", "boolean", "string"],
        description: "A JSON Schema, or a template that gives one per sample.",
      },
      extract: { enum: ["strict", "fenced", "last"], default: "fenced" },
    },
  },
  compile(c) {
    let schema: Compiled["schema"] = null;
    if (typeof c.schema === "string") {
      if (!isTemplate(c.schema))
        throw new Error("schema must be a JSON Schema object or a template such as {{schema}}");
      const t = compileTemplate(c.schema);
      schema = (s) => cache.get(t.render(s), `schema (${t.source})`);
    } else if (c.schema !== undefined) {
      let v: ValidateFunction;
      try {
        v = sharedAjv().compile(c.schema as object);
      } catch (e) {
        throw new Error(`schema does not compile: ${(e as Error).message}`);
      }
      schema = () => v;
    }
    return { input: template(c.input, "{{completion}}"), extract: c.extract ?? "fenced", schema };
  },
  verify(sample, c) {
    const text = renderText(c.input, sample, "input");
    const validate = c.schema?.(sample);
    const got = extractJson(text, c.extract);
    if (!got.ok) return ok(0, { feedback: got.reason });
    if (validate && !validate(got.value)) {
      return ok(0, { feedback: `does not match the schema: ${formatAjvErrors(validate.errors)}` });
    }
    return ok(1, { feedback: validate ? "valid JSON matching the schema" : "valid JSON" });
  },
};
