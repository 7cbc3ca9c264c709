/**
 * Compiled JSON Schemas keyed by their JSON text, for schemas that arrive with each sample. Bounded, so a
 * dataset with a new schema per row cannot grow memory without limit.
 */
import type { Ajv, ValidateFunction } from "ajv";
import { kindOf, RewardkitError, sharedAjv } from "../../core/index.js";

export class SchemaCache {
  private readonly map = new Map<string, { v: ValidateFunction; schema: object | boolean }>();

  constructor(private readonly max = 512) {}

  private get ajv(): Ajv {
    return sharedAjv();
  }

  get(schema: unknown, what: string): ValidateFunction {
    if (typeof schema === "string") {
      try {
        schema = JSON.parse(schema);
      } catch {
        throw new RewardkitError("invalid_input", `${what} is a string that is not JSON`);
      }
    }
    if (
      typeof schema !== "boolean" &&
      (schema === null || typeof schema !== "object" || Array.isArray(schema))
    ) {
      throw new RewardkitError(
        "invalid_input",
        `${what} must be a JSON Schema object, got ${kindOf(schema)}`,
      );
    }
    const key = JSON.stringify(schema);
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit.v;
    }
    let v: ValidateFunction;
    try {
      v = this.ajv.compile(schema as object);
    } catch (e) {
      throw new RewardkitError("invalid_input", `${what} does not compile: ${(e as Error).message}`);
    }
    this.map.set(key, { v, schema: schema as object });
    if (this.map.size > this.max) {
      const [oldKey, old] = this.map.entries().next().value!;
      this.map.delete(oldKey);
      // ajv keeps its own reference to every compiled schema; drop it too.
      if (typeof old.schema === "object") this.ajv.removeSchema(old.schema);
    }
    return v;
  }
}
