import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  defaultRegistry,
  loadReward,
  newAjv,
  PRESETS,
  SpecError,
  specDocumentSchema,
} from "../../src/index.js";

const ROOT = new URL("../../", import.meta.url);

function problems(spec: unknown): string[] {
  try {
    loadReward(spec as object);
  } catch (e) {
    if (e instanceof SpecError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe("spec validation", () => {
  it("reports every problem with its JSON path", () => {
    const p = problems({
      type: "weighted",
      normalise: true,
      terms: [
        { type: "regex", patern: "x" },
        { type: "exact", weight: "a" },
        { type: "gate", condition: { type: "think_answer" } },
        { type: "formula", expr: "a +", terms: { a: { type: "length" } } },
        "oops",
      ],
    });
    expect(p).toEqual([
      "$: unknown property 'normalise' (did you mean 'normalize'?)",
      "$.terms[0]: missing required property 'pattern'",
      "$.terms[0]: unknown property 'patern' (did you mean 'pattern'?)",
      "$.terms[1].weight: must be number",
      "$.terms[2]: missing required property 'term'",
      "$.terms[3].terms.a: length needs 'min', 'max' or both",
      "$.terms[3].expr: formula 'a +' at character 4: unexpected end of formula",
      "$.terms[4]: a reward node must be a JSON object with a 'type'",
    ]);
  });

  it("rejects misplaced weights, $schema below the root, duplicate names and all-zero weights", () => {
    expect(problems({ type: "min", terms: [{ type: "think_answer", weight: 2 }] })).toEqual([
      "$.terms[0].weight: 'weight' only applies directly inside a weighted node's terms",
    ]);
    expect(problems({ type: "max", terms: [{ type: "think_answer", $schema: "x" }] })).toEqual([
      "$.terms[0].$schema: '$schema' belongs only at the root",
    ]);
    expect(
      problems({
        type: "max",
        terms: [
          { type: "think_answer", name: "a" },
          { type: "length", max: 1, name: "a" },
        ],
      }),
    ).toEqual(["$.terms[1].name: duplicate component name 'a' (also used by a sibling)"]);
    expect(problems({ type: "weighted", terms: [{ type: "think_answer", weight: 0 }] })).toEqual([
      "$.terms: every weight is 0: the reward would always be 0",
    ]);
    expect(problems({ type: "clip", term: { type: "think_answer" } })).toEqual([
      "$: clip needs 'min', 'max' or both",
    ]);
  });

  it("names default components by type, with suffixes for repeats", async () => {
    const r = await loadReward({
      type: "max",
      terms: [
        { type: "length", max: 5 },
        { type: "length", max: 9 },
        { type: "length", max: 1, name: "length_2x" },
      ],
    }).score({ completion: "abcdef" });
    expect(Object.keys(r.components ?? {})).toEqual(["length", "length_2", "length_2x"]);
  });

  it("refuses an unknown preset or a missing file clearly", () => {
    expect(problems("no-such-preset")[0]).toMatch(/neither a preset .* nor an existing file/);
  });
});

describe("the spec JSON Schema file", () => {
  const file = JSON.parse(readFileSync(new URL("schema/spec.schema.json", ROOT), "utf8"));

  it("is up to date with the node types (run `npm run schema` after changing them)", () => {
    expect(file).toEqual(JSON.parse(JSON.stringify(specDocumentSchema(defaultRegistry))));
  });

  it("accepts every preset and example spec, and rejects broken ones", () => {
    const validate = newAjv().compile(file);
    const examples = readdirSync(new URL("fixtures/examples/", ROOT)).filter((f) => f.endsWith(".json"));
    const specs = [
      ...Object.values(PRESETS).map((p) => p.spec),
      ...examples.map((f) => JSON.parse(readFileSync(new URL(`fixtures/examples/${f}`, ROOT), "utf8"))),
    ];
    for (const s of specs) expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ type: "weighted", terms: [{ type: "regex" }] })).toBe(false);
    expect(validate({ type: "nope" })).toBe(false);
  });
});
