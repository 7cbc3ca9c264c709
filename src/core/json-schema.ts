/**
 * The one place ajv is configured. Patterns in user schemas run on model output, so they use RE2
 * (linear time) instead of JavaScript's backtracking RegExp: a `pattern` cannot hang the process.
 */
import { createRequire } from "node:module";
import type { Ajv, ErrorObject, Options } from "ajv";

// ajv loads with the first schema compiled, not when rewardkit is imported (fast start).
const require = createRequire(import.meta.url);

function re2(pattern: string, flags: string) {
  const { RE2JS } = require("re2js") as typeof import("re2js");
  const re = RE2JS.compile(pattern, flags.includes("i") ? RE2JS.CASE_INSENSITIVE : 0);
  // ajv caches compiled patterns by toString(): it must differ per pattern.
  return { test: (s: string) => re.matcher(s).find(), toString: () => `/${pattern}/${flags}` };
}
re2.code = "re2";

export function newAjv(opts: Options = {}): Ajv {
  const { Ajv } = require("ajv") as typeof import("ajv");
  // ajv-formats is CommonJS with its function as the default export.
  const formats = require("ajv-formats") as { default?: unknown };
  const addFormats = (formats.default ?? formats) as (ajv: Ajv) => Ajv;
  const ajv = new Ajv({ allErrors: true, strict: false, ...opts, code: { regExp: re2, ...opts.code } });
  addFormats(ajv);
  return ajv;
}

let shared: Ajv | undefined;

/** One ajv for user schemas (json, tool_call, ...), created on first use: start-up stays fast. */
export function sharedAjv(): Ajv {
  shared ??= newAjv();
  return shared;
}

export interface LazyValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** A validator compiled on first use (with the shared ajv), so importing a module compiles nothing. */
export function lazyValidator(schema: object): LazyValidator {
  let inner: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
  const v: LazyValidator = (data) => {
    inner ??= sharedAjv().compile(schema);
    const ok = inner(data);
    v.errors = inner.errors;
    return ok;
  };
  return v;
}

/** ajv errors as one line each: `/path/to/field must be integer`. */
export function formatAjvErrors(errors: ErrorObject[] | null | undefined, max = 5): string {
  if (!errors?.length) return "";
  const lines = errors.slice(0, max).map((e) => {
    const where = e.instancePath || "/";
    const extra =
      e.keyword === "additionalProperties"
        ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
        : e.keyword === "enum"
          ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`
          : "";
    return `${where} ${e.message}${extra}`;
  });
  if (errors.length > max) lines.push(`... and ${errors.length - max} more`);
  return lines.join("; ");
}
