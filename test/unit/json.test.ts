import { describe, expect, it } from "vitest";
import { extractJson, loadReward } from "../../src/index.js";
import { reward, score } from "../helpers.js";

const schema = {
  type: "object",
  required: ["name", "age"],
  properties: { name: { type: "string", pattern: "^(a+)+$" }, age: { type: "integer", minimum: 0 } },
  additionalProperties: false,
};

describe("json", () => {
  it("accepts valid JSON, optionally inside one fence", async () => {
    expect(await reward({ type: "json" }, { completion: '{"a": 1}' })).toBe(1);
    expect(await reward({ type: "json" }, { completion: '```json\n{"a": 1}\n```' })).toBe(1);
    expect(await reward({ type: "json", extract: "strict" }, { completion: '```json\n{"a": 1}\n```' })).toBe(
      0,
    );
    expect(await reward({ type: "json" }, { completion: 'Here: {"a": 1}' })).toBe(0);
    expect(
      await reward(
        { type: "json", extract: "last" },
        { completion: 'Here: {"a": 1} and {"b": [1, "}"]} ok' },
      ),
    ).toBe(1);
    expect(await reward({ type: "json" }, { completion: "" })).toBe(0);
  });

  it("validates against a schema, with RE2 patterns and error feedback", async () => {
    const s = { type: "json", schema };
    expect(await reward(s, { completion: '{"name": "aaa", "age": 3}' })).toBe(1);
    const bad = await score(s, { completion: '{"name": "aaa", "age": -1, "x": 0}' });
    expect(bad.reward).toBe(0);
    expect(bad.feedback).toMatch(/age must be >= 0/);
    expect(bad.feedback).toMatch(/additional properties 'x'/);
    // A backtracking-hostile value is still checked in linear time.
    expect(await reward(s, { completion: JSON.stringify({ name: `${"a".repeat(50_000)}!`, age: 1 }) })).toBe(
      0,
    );
  });

  it("keeps each pattern of a schema apart (ajv caches compiled patterns by their text)", async () => {
    const s = {
      type: "json",
      schema: {
        type: "object",
        properties: { a: { type: "string", pattern: "^x+$" }, b: { type: "string", pattern: "^y+$" } },
      },
    };
    expect(await reward(s, { completion: '{"a": "xx", "b": "yy"}' })).toBe(1);
    expect(await reward(s, { completion: '{"a": "xx", "b": "xx"}' })).toBe(0);
  });

  it("takes a per-sample schema from a template and refuses a broken one as invalid_input", async () => {
    const s = { type: "json", schema: "{{schema}}" };
    expect(await reward(s, { completion: '{"name": "a", "age": 1}', schema })).toBe(1);
    expect(await reward(s, { completion: '{"name": "a"}', schema: JSON.stringify(schema) })).toBe(0);
    const broken = await score(s, { completion: "{}", schema: { type: "nonsense" } });
    expect(broken.status).toBe("error");
    expect(broken.error?.kind).toBe("invalid_input");
  });

  it("rejects a schema that does not compile at load time", () => {
    expect(() => loadReward({ type: "json", schema: { type: "nonsense" } })).toThrow(
      /schema does not compile/,
    );
  });

  it("extracts the last balanced JSON value in linear time", () => {
    const r = extractJson(`${"{".repeat(50_000)} {"ok": true}`, "last");
    expect(r.ok).toBe(false);
    const r2 = extractJson('text [1, 2] then {"x": "a \\" } quoted"} end', "last");
    expect(r2).toMatchObject({ ok: true, value: { x: 'a " } quoted' } });
  });
});
