/**
 * The sliced JSON body parser (src/server/json-in.ts) against JSON.parse: the same value for any JSON
 * object, the same refusals for text that is not JSON (including at the points where it cuts arrays),
 * and the depth limit. Sizes are set small so every case takes the sliced path.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonSliced } from "../../src/server/json-in.js";

const small = { above: 0, piece: 8 };
const parse = (t: string) => JSON.parse(t);

describe("parseJsonSliced", () => {
  it("gives JSON.parse's value for any object with arrays", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string(), fc.oneof(fc.array(fc.jsonValue({ maxDepth: 3 })), fc.jsonValue())),
        async (obj) => {
          const text = JSON.stringify(obj, null, Math.random() < 0.5 ? 0 : 1);
          expect(await parseJsonSliced(text, 100, parse, small)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses what JSON.parse refuses, wherever the array is cut", async () => {
    const bad = [
      '{"a":[1,2,3,4,5,6,7,8,9,10,]}',
      '{"a":[1,2,3,4,5,6,7,8,9,10,,11]}',
      '{"a":[111111111,          ,2]}',
      '{"a":[1,2,3,4,5,6,7,8,9,10],}',
      '{"a":[1,2,3,4,5,6,7,8,9,10]',
      '{"a":["1,2,3,4,5,6,7,8,9]}',
      '{"a":[1,2,3,4,5,6,7,8,9,10] "b":1}',
    ];
    for (const text of bad) {
      expect(() => JSON.parse(text)).toThrow();
      await expect(parseJsonSliced(text, 100, parse, small), text).rejects.toThrow();
    }
  });

  it("refuses nesting deeper than the limit, and keeps a string that looks like its placeholder", async () => {
    await expect(
      parseJsonSliced(`{"a":[${"[".repeat(50)}${"]".repeat(50)}]}`, 20, parse, small),
    ).rejects.toThrow(/more than 20 levels/);
    const text = JSON.stringify({ a: [1, 2, 3], b: "\u0000rk-000000000000-0", c: [[1], [2]] });
    expect(await parseJsonSliced(text, 100, parse, small)).toEqual(JSON.parse(text));
  });
});
