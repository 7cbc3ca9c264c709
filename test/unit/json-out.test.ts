/** Sliced JSON serialisation (src/server/json-out.ts) writes exactly what JSON.stringify writes. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringifySliced } from "../../src/server/json-out.js";

describe("stringifySliced", () => {
  it("equals JSON.stringify, large arrays included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.string(),
          fc.oneof(
            fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 250, maxLength: 700 }),
            fc.dictionary(fc.string(), fc.array(fc.double(), { maxLength: 600 })),
            fc.jsonValue(),
          ),
        ),
        async (v) => {
          expect(await stringifySliced(v)).toBe(JSON.stringify(v));
        },
      ),
      { numRuns: 60 },
    );
    const odd = { a: undefined, b: [undefined, () => 1, ...Array(300).fill(1)], c: new Date(0) };
    expect(await stringifySliced(odd)).toBe(JSON.stringify(odd));
  });
});
