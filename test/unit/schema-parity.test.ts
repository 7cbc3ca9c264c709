/**
 * schema/spec.schema.json accepts exactly what the loader accepts, on every spec the project ships or shows:
 * presets, fixtures/examples, the OpenAI grader fixtures, the rubric fixtures, and mutations of each that
 * both must reject (a misspelt type, an unknown option at the root and inside). The schema is compiled by
 * ajv in strict mode, so an editor or another validator reads it the same way.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { newAjv } from "../../src/core/index.js";
import { loadReward, PRESETS, SpecError } from "../../src/spec/index.js";

const ROOT = new URL("../../", import.meta.url);
// score_model graders need a judge endpoint to load (nothing is sent at load time).
process.env.REWARDKIT_JUDGE_BASE_URL ??= "http://127.0.0.1:9/v1";
const schema = JSON.parse(readFileSync(new URL("schema/spec.schema.json", ROOT), "utf8"));

function jsonFiles(dir: string): [string, unknown][] {
  return readdirSync(new URL(dir, ROOT))
    .filter((f) => f.endsWith(".json"))
    .map((f) => [`${dir}${f}`, JSON.parse(readFileSync(new URL(`${dir}${f}`, ROOT), "utf8"))]);
}

const SHIPPED_SPECS: [string, unknown][] = [
  ...Object.entries(PRESETS).map(([n, p]): [string, unknown] => [`preset ${n}`, p.spec]),
  ...jsonFiles("fixtures/examples/"),
  ...jsonFiles("fixtures/graders/"),
  ...jsonFiles("fixtures/rubrics/"),
];

function loaderAccepts(doc: unknown): { ok: boolean; why: string } {
  try {
    loadReward(doc as object);
    return { ok: true, why: "" };
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return { ok: false, why: e.message };
  }
}

/** Misspells the root's type and adds an unknown option, at the root and at the first nested node. */
function mutations(doc: unknown): [string, unknown][] {
  const out: [string, unknown][] = [];
  const clone = () => structuredClone(doc) as Record<string, unknown>;
  const target = (d: Record<string, unknown>) =>
    d.type === undefined && d.grader ? (d.grader as typeof d) : d;
  let d = clone();
  target(d).type = `${String(target(d).type)}x`;
  out.push(["misspelt type", d]);
  d = clone();
  target(d).no_such_option = 1;
  out.push(["unknown option", d]);
  const nested = (n: Record<string, unknown>): Record<string, unknown> | undefined => {
    for (const k of ["terms", "graders", "term", "condition", "children"]) {
      const v = n[k];
      const first = Array.isArray(v) ? v[0] : v && typeof v === "object" ? Object.values(v)[0] : undefined;
      if (first && typeof first === "object" && (first as { type?: unknown }).type) {
        return k === "term" || k === "condition" ? (v as Record<string, unknown>) : first;
      }
    }
    return undefined;
  };
  d = clone();
  const inner = nested(target(d));
  if (inner) {
    inner.no_such_option = 1;
    out.push(["unknown option in a child", d]);
    d = clone();
    nested(target(d))!.$schema = "x";
    out.push(["$schema below the root", d]);
  }
  if (d.type !== undefined && !("grader" in d)) {
    d = clone();
    d.weight = 0.5;
    out.push(["weight at the root", d]);
  }
  return out;
}

describe("JSON Schema and loader agree", () => {
  const validate = newAjv({ strict: true, allErrors: true }).compile(schema);

  it("the schema compiles under ajv strict mode", () => {
    expect(typeof validate).toBe("function");
  });

  it("has specs to check", () => {
    expect(SHIPPED_SPECS.length).toBeGreaterThanOrEqual(15);
  });

  for (const [name, doc] of SHIPPED_SPECS) {
    it(`${name}: same verdict, and its mutations are rejected by both`, () => {
      const l = loaderAccepts(doc);
      const s = validate(doc);
      expect(
        s,
        `loader ${l.ok ? "accepts" : `rejects (${l.why})`}, schema: ${JSON.stringify(validate.errors)}`,
      ).toBe(l.ok);
      if (!l.ok) return;
      for (const [what, m] of mutations(doc)) {
        expect(loaderAccepts(m).ok, `${what}: loader`).toBe(false);
        expect(validate(m), `${what}: schema`).toBe(false);
      }
    });
  }
});
