/**
 * The sliced JSON body parser (src/server/json-in.ts) against JSON.parse: the same value for any JSON
 * object, the same refusals for text that is not JSON (including at the points where it cuts arrays),
 * and the depth limit. Sizes are set small so every case takes the sliced path.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonFeed, parseJsonSliced } from "../../src/server/json-in.js";

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

  it("gives JSON.parse's value whatever the chunks the text arrives in (strings, escapes, cuts across chunks)", async () => {
    const tricky = fc.stringMatching(/^[a-c"\\\\\n\u00e9\u{1F600}]{0,12}$/u);
    await fc.assert(
      fc.property(
        fc.dictionary(tricky, fc.oneof(fc.array(fc.oneof(tricky, fc.jsonValue({ maxDepth: 2 }))), tricky)),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 20 }),
        (obj, cuts) => {
          const text = JSON.stringify(obj);
          const feed = new JsonFeed(100, parse, small);
          let at = 0;
          for (let k = 0; at < text.length; k++) {
            const n = cuts[k % cuts.length]!;
            feed.push(text.slice(at, at + n));
            at += n;
          }
          expect(feed.end()).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("refuses an array element, or the rest of the object, longer than maxItem with a 413", async () => {
    const sizes = { ...small, maxItem: 100 };
    const long = "x".repeat(150);
    for (const body of [
      { samples: [{ completion: "a" }, { completion: long }] },
      { row: long, samples: [] },
    ]) {
      await expect(parseJsonSliced(JSON.stringify(body), 100, parse, sizes)).rejects.toMatchObject({
        statusCode: 413,
        message: expect.stringMatching(/--max-line/),
      });
    }
    const ok = { samples: Array.from({ length: 50 }, (_, i) => ({ completion: `s${i}` })) };
    expect(await parseJsonSliced(JSON.stringify(ok), 100, parse, sizes)).toEqual(ok);
  });

  it("refuses a batch array past its limit as soon as the item past it starts, and only a batch array", async () => {
    const sizes = { ...small, batch: { fields: { query: "queries" }, max: 3 } };
    const feed = new JsonFeed(100, parse, sizes);
    feed.push('{"labels":[1,2,3,4,5],"query":["a","b","c"');
    expect(() => feed.push(',"d"')).toThrow(
      /more than 3 queries in one request; the limit is 3 \(--max-batch\)/,
    );
    const ok = { labels: [1, 2, 3, 4, 5], query: ["a", "b", "c"], other: { query: [1, 2, 3, 4] } };
    expect(await parseJsonSliced(JSON.stringify(ok), 100, parse, sizes)).toEqual(ok);
  });
});
