/** src/spec/spec-types.gen.ts is what scripts/gen-schema.js makes of schema/spec.schema.json (npm run schema). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain JS build script without types
import { specTypesSource } from "../../scripts/spec-types.js";

const ROOT = new URL("../../", import.meta.url);

describe("generated spec types", () => {
  it("are up to date with the JSON Schema (run `npm run schema` after changing node types)", async () => {
    const schema = JSON.parse(readFileSync(new URL("schema/spec.schema.json", ROOT), "utf8"));
    const committed = readFileSync(new URL("src/spec/spec-types.gen.ts", ROOT), "utf8");
    expect(committed).toBe(await specTypesSource(schema));
  });
});
