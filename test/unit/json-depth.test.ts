/** The nesting-depth scan the server runs before parsing a JSON body: brackets inside strings do not count. */
import { describe, expect, it } from "vitest";
import { nestedDeeperThan } from "../../src/server/limits.js";

describe("nestedDeeperThan", () => {
  it("counts arrays and objects", () => {
    expect(nestedDeeperThan('[{"a": [1]}]', 2)).toBe(true);
    expect(nestedDeeperThan('[{"a": [1]}]', 3)).toBe(false);
    expect(nestedDeeperThan(`${"[".repeat(10_000)}${"]".repeat(10_000)}`, 100)).toBe(true);
  });

  it("skips brackets in strings, escaped quotes included", () => {
    const tricky = JSON.stringify({ a: 'x\\"[[[[', b: "\\", c: '"{{{{' });
    expect(nestedDeeperThan(tricky, 1)).toBe(false);
    expect(nestedDeeperThan(JSON.stringify(["\\", [["x"]]]), 2)).toBe(true);
    expect(nestedDeeperThan(JSON.stringify(["\\", [["x"]]]), 3)).toBe(false);
  });
});
