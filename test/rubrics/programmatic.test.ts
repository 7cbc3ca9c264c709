/**
 * Rubrics judged by programs, end to end: specs in fixtures/rubrics are loaded by the real loader and
 * score the labelled cases of fixtures/rubrics/cases.jsonl (each with the verdict expected of every
 * criterion and the reward its aggregation gives). No model is called anywhere in this file.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  createRegistry,
  defaultRegistry,
  loadReward,
  newAjv,
  ok,
  type Result,
  SpecError,
  specDocumentSchema,
  type Verifier,
} from "../../src/index.js";
import { testRegistry } from "../helpers.js";

const FIX = new URL("../../fixtures/rubrics/", import.meta.url);
const specOf = (file: string) => JSON.parse(readFileSync(new URL(file, FIX), "utf8"));

interface Case {
  spec: string;
  name: string;
  sample: Record<string, unknown>;
  expect: {
    status: string;
    reward?: number;
    met?: Record<string, boolean>;
    gate_closed?: boolean;
    rubric_version?: string;
    error?: string;
    message?: string;
  };
}

const cases: Case[] = readFileSync(new URL("cases.jsonl", FIX), "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));

const sumContributions = (r: Result) =>
  Object.values(r.components ?? {}).reduce(
    (a, c) => a + ((c.details?.contribution as number | undefined) ?? 0),
    0,
  );

describe("fixtures/rubrics", () => {
  it.each(cases.map((c) => [`${c.spec}: ${c.name}`, c] as const))("%s", async (_, c) => {
    const r = await loadReward(specOf(c.spec)).score(c.sample);
    const e = c.expect;
    expect(r.status, JSON.stringify(r.error ?? r.feedback)).toBe(e.status);
    if (e.status !== "ok") {
      expect(r.reward).toBeNull();
      expect(r.error!.kind).toBe(e.error);
      if (e.message) expect(r.error!.message).toContain(e.message);
      return;
    }
    expect(r.reward).toBeCloseTo(e.reward!, 12);
    for (const [id, met] of Object.entries(e.met ?? {})) {
      const comp = r.components![id]!;
      expect(comp.details!.met, `criterion ${id}`).toBe(met);
      // Every criterion reports its verdict, reason and contribution.
      expect(comp.details).toHaveProperty("verdict");
      expect(typeof comp.details!.reason).toBe("string");
      expect(typeof comp.details!.contribution).toBe("number");
      expect(comp.feedback).toBe(comp.details!.reason);
    }
    if (e.gate_closed !== undefined)
      expect((r.details!.gate as { closed: boolean }).closed).toBe(e.gate_closed);
    if (e.rubric_version) expect(r.details!.rubric_version).toBe(e.rubric_version);
    // Where the reward is neither gated nor clipped, it is the sum of the criteria's contributions.
    const gated = (r.details!.gate as { closed?: boolean } | undefined)?.closed === true;
    if (!gated && r.details!.clipped !== true) expect(sumContributions(r)).toBeCloseTo(r.reward!, 12);
  });

  it("nests each programmatic judge's own result under its criterion", async () => {
    const r = await loadReward(specOf("capital-answer.json")).score({
      completion: "The capital is Canberra.",
      reference: "Canberra",
    });
    const correct = r.components!.correct!;
    expect(correct.components!.names_reference!.status).toBe("ok");
    expect(correct.components!.names_reference!.reward).toBe(1);
    expect(correct.details).toMatchObject({
      judge: "names_reference",
      category: "essential",
      weight: 1,
      kind: "binary",
    });
    expect(r.components!.hedging!.details).toMatchObject({
      category: "pitfall",
      weight: -0.9,
      verdict: false,
    });
    // explain() renders the tree, criteria with their judges below them.
    const text = loadReward(specOf("capital-answer.json")).explain(r);
    expect(text).toContain("correct: 1");
    expect(text).toContain("names_reference: 1");
  });

  it("a rubric is an ordinary node: it composes inside other nodes", async () => {
    const spec = {
      type: "weighted",
      normalize: true,
      terms: [
        { ...specOf("capital-answer.json"), weight: 3 },
        { type: "think_answer", name: "format", weight: 1 },
      ],
    };
    const r = await loadReward(spec).score({
      completion: "According to the atlas, Canberra.",
      reference: "Canberra",
    });
    expect(r.status).toBe("ok");
    expect(r.components!.capital_answer!.reward).toBe(1);
    expect(r.reward).toBeCloseTo(3 / 4, 12);
  });
});

/** A verifier that counts its calls: shows that a judge shared by several criteria runs once per sample. */
function countingRegistry() {
  let calls = 0;
  const counter: Verifier<{ word: string }> = {
    type: "count_contains",
    description: "test: 1 when the completion contains word; counts calls",
    configSchema: { required: ["word"], properties: { word: { type: "string" } } },
    verify(sample, c) {
      calls++;
      return ok(String(sample.completion).includes(c.word) ? 1 : 0);
    },
  };
  const registry = createRegistry();
  registry.register(counter);
  return { registry, calls: () => calls };
}

describe("programmatic judges", () => {
  it("run once per sample however many criteria name them", async () => {
    const { registry, calls } = countingRegistry();
    const spec = {
      type: "rubric",
      judges: { has_x: { type: "count_contains", word: "x" } },
      criteria: [
        { id: "a", text: "Has x.", judge: "has_x" },
        { id: "b", text: "Has x (again, as a pitfall).", category: "pitfall", judge: "has_x" },
        { id: "c", text: "Has y.", judge: { type: "count_contains", word: "y" } },
      ],
    };
    const r = await loadReward(spec, { registry }).score({ completion: "x" });
    expect(calls()).toBe(2);
    // a met (1 of 1), b's pitfall made (0 of 0.9), c unmet (0 of 1).
    expect(r.reward).toBeCloseTo(1 / 2.9, 12);
  });

  it("a named judge reports under its key, or under the name it gives itself", async () => {
    const spec = {
      type: "rubric",
      judges: { a: { type: "regex", pattern: "x" }, b: { type: "regex", pattern: "y", name: "has_y" } },
      criteria: [
        { id: "ca", text: "Has x.", judge: "a" },
        { id: "cb", text: "Has y.", judge: "b" },
      ],
    };
    const r = await loadReward(spec).score({ completion: "x y" });
    expect(Object.keys(r.components!.ca!.components!)).toEqual(["a"]);
    expect(Object.keys(r.components!.cb!.components!)).toEqual(["has_y"]);
    expect(r.reward).toBe(1);
  });

  it("ordinal criteria take the choice nearest to the judge's reward", async () => {
    const choices = ["none", "some", "most", "all"];
    const spec = {
      type: "rubric",
      criteria: [
        { id: "overlap", text: "Covers the reference.", choices, judge: { type: "token_f1", name: "f1" } },
      ],
    };
    for (const completion of ["the cat sat on the mat", "the cat sat", "a dog", "cat mat sat on"]) {
      const r = await loadReward(spec).score({ completion, reference: "the cat sat on the mat" });
      const comp = r.components!.overlap!;
      const f1 = comp.components!.f1!.reward!;
      const idx = Math.round(f1 * (choices.length - 1));
      expect(comp.details!.verdict).toBe(choices[idx]);
      expect(r.reward).toBeCloseTo(idx / (choices.length - 1), 12);
    }
  });

  it("binary criteria use the threshold on the judge's reward (default: its maximum)", async () => {
    const mk = (threshold?: number) => ({
      type: "rubric",
      criteria: [
        {
          id: "f1",
          text: "Overlaps the reference.",
          judge: { type: "token_f1" },
          ...(threshold ? { threshold } : {}),
        },
      ],
    });
    const sample = { completion: "the cat sat", reference: "the cat sat on the mat" };
    expect((await loadReward(mk()).score(sample)).reward).toBe(0);
    expect((await loadReward(mk(0.5)).score(sample)).reward).toBe(1);
  });

  it("an abstaining judge's criterion is skipped (renormalised) unless the spec says otherwise", async () => {
    const spec = {
      type: "rubric",
      judges: { a: { type: "value", key: "a" }, b: { type: "value", key: "b" } },
      criteria: [
        { id: "a", text: "A.", weight: 3, judge: "a" },
        { id: "b", text: "B.", weight: 1, judge: "b" },
      ],
    };
    const registry = testRegistry();
    const skipped = await loadReward(spec, { registry }).score({ completion: "", v: { a: 1, b: "abstain" } });
    expect(skipped.status).toBe("ok");
    expect(skipped.reward).toBe(1);
    expect(skipped.components!.b!.status).toBe("abstain");
    expect(skipped.components!.b!.weight).toBe(0);
    const all = await loadReward(spec, { registry }).score({
      completion: "",
      v: { a: "abstain", b: "abstain" },
    });
    expect(all.status).toBe("abstain");
    const prop = await loadReward({ ...spec, on_abstain: "propagate" }, { registry }).score({
      completion: "",
      v: { a: 1, b: "abstain" },
    });
    expect(prop.status).toBe("abstain");
    const failing = await loadReward(spec, { registry }).score({ completion: "", v: { a: 1, b: "boom" } });
    expect(failing.status).toBe("error");
    expect(failing.reward).toBeNull();
  });

  it("pairwise: compares the candidate's judge reward with the baseline's", async () => {
    const spec = {
      type: "rubric",
      pairwise: { baseline: "{{baseline}}" },
      judges: { short: { type: "length", unit: "words", max: 5, ramp: 10 } },
      criteria: [
        { id: "short", text: "Is short.", judge: "short" },
        {
          id: "rude",
          text: "Is rude.",
          category: "pitfall",
          judge: { type: "regex", pattern: "(?i)stupid" },
        },
      ],
    };
    const reward = loadReward(spec);
    const win = await reward.score({
      completion: "Canberra.",
      baseline: "Well, it is Canberra, obviously, you stupid person.",
    });
    expect(win.components!.short!.details).toMatchObject({
      preference: 1,
      verdict: { preferred: "candidate" },
    });
    expect(win.components!.short!.components!["short:baseline"]!.status).toBe("ok");
    expect(win.components!.rude!.reward).toBe(0);
    expect(win.reward).toBe(1);
    const tie = await reward.score({ completion: "Canberra.", baseline: "Canberra!" });
    expect(tie.reward).toBe(0.5);
    const loss = await reward.score({
      completion: "Well, it is Canberra, obviously, you stupid person.",
      baseline: "Canberra.",
    });
    expect(loss.reward).toBe(0);
  });
});

describe("spec validation", () => {
  const problems = (spec: object): string[] => {
    try {
      loadReward(spec);
    } catch (e) {
      if (e instanceof SpecError) return e.issues.map((i) => `${i.path}: ${i.message}`);
      throw e;
    }
    return [];
  };
  const re = (judge: object = { type: "regex", pattern: "x" }) => judge;

  it.each([
    [
      "an unknown judge name",
      { criteria: [{ text: "A.", judge: "nope" }] },
      "$.criteria[0].judge: unknown judge 'nope'",
    ],
    [
      "an ordinal criterion without choices",
      { criteria: [{ text: "A.", kind: "ordinal", judge: re() }] },
      "$.criteria[0]: an ordinal criterion needs 'choices'",
    ],
    [
      "points and weight together",
      { criteria: [{ text: "A.", points: 3, weight: 1, judge: re() }] },
      "$.criteria[0].weight: a points criterion is weighted by its 'points'",
    ],
    [
      "a negative weight on an essential criterion",
      { criteria: [{ text: "A.", weight: -1, category: "essential", judge: re() }] },
      "$.criteria[0].weight: a negative weight makes a pitfall",
    ],
    [
      "positive points on a pitfall",
      { criteria: [{ text: "A.", points: 2, category: "pitfall", judge: re() }] },
      "$.criteria[0].points: a pitfall's points must be negative",
    ],
    [
      "duplicate ids",
      {
        criteria: [
          { id: "a", text: "A.", judge: re() },
          { id: "a", text: "B.", judge: re() },
        ],
      },
      "$.criteria[1].id: duplicate criterion id 'a'",
    ],
    [
      "an LLM criterion without a judge",
      { criteria: [{ text: "Is helpful." }] },
      "$.criteria[0]: this criterion is judged by an LLM but the rubric has no 'judge'",
    ],
    [
      "an unknown criterion property",
      { criteria: [{ text: "A.", judge: re(), wieght: 2 }] },
      "$.criteria[0]: unknown property 'wieght'",
    ],
    [
      "a bad inline judge",
      { criteria: [{ text: "A.", judge: { type: "regx", pattern: "x" } }] },
      "$.criteria[0].judge.type: unknown node type 'regx'",
    ],
    [
      "every weight 0",
      { criteria: [{ text: "A.", weight: 0, judge: re() }] },
      "$.criteria: every criterion has weight 0",
    ],
    [
      "healthbench with only pitfalls",
      { aggregation: "healthbench", criteria: [{ text: "A.", points: -2, judge: re() }] },
      "$.criteria: healthbench normalises by the positive points",
    ],
    [
      "all_essential without essentials",
      { aggregation: "all_essential", criteria: [{ text: "A.", judge: re() }] },
      "$.criteria: all_essential: no criterion is in category 'essential'",
    ],
    [
      "a gate on another aggregation",
      { gate: { cap: 0.1 }, criteria: [{ text: "A.", judge: re() }] },
      "$.gate: 'gate' applies to the all_essential aggregation only",
    ],
    [
      "implicit without an LLM judge",
      { aggregation: "implicit", criteria: [{ text: "A.", judge: re() }] },
      "$.judge: the implicit aggregation needs an LLM 'judge'",
    ],
    [
      "implicit with programmatic criteria",
      {
        aggregation: "implicit",
        judge: { base_url: "http://127.0.0.1:1/v1", model: "m" },
        criteria: [{ text: "A.", judge: re() }],
      },
      "$.criteria: the implicit aggregation judges the whole rubric in one LLM call",
    ],
    [
      "a substitute score out of range",
      { on_error: 2, criteria: [{ text: "A.", judge: re() }] },
      "$.on_error: a substitute criterion score must be within [0, 1]",
    ],
    [
      "a bad criteria template",
      { criteria: "{{rubric|nope}}" },
      "$.criteria: criteria: unknown template filter 'nope'",
    ],
    [
      "a judge with a bad URL",
      { judge: { base_url: "localhost:8000", model: "m" }, criteria: [{ text: "A." }] },
      "$.judge.base_url: 'localhost:8000' is not an http(s) URL",
    ],
    [
      "a judge with an unknown option",
      { judge: { base_url: "http://x/v1", model: "m", temprature: 0 }, criteria: [{ text: "A." }] },
      "$.judge: unknown property 'temprature'",
    ],
  ])("rejects %s", (_, extra, message) => {
    const got = problems({ type: "rubric", ...extra });
    expect(
      got.some((p) => p.startsWith(message)),
      got.join("\n"),
    ).toBe(true);
  });

  it("needs a base URL and a model for the LLM judge, from the spec or the environment", () => {
    const saved = { url: process.env.REWARDKIT_JUDGE_BASE_URL, model: process.env.REWARDKIT_JUDGE_MODEL };
    delete process.env.REWARDKIT_JUDGE_BASE_URL;
    delete process.env.REWARDKIT_JUDGE_MODEL;
    try {
      const got = problems({ type: "rubric", judge: {}, criteria: [{ text: "A." }] });
      expect(got).toContain(
        "$.judge.base_url: the judge needs 'base_url' (or the environment variable REWARDKIT_JUDGE_BASE_URL)",
      );
      expect(got).toContain(
        "$.judge.model: the judge needs 'model' (or the environment variable REWARDKIT_JUDGE_MODEL)",
      );
      process.env.REWARDKIT_JUDGE_BASE_URL = "http://127.0.0.1:9/v1";
      process.env.REWARDKIT_JUDGE_MODEL = "from-env";
      expect(problems({ type: "rubric", judge: {}, criteria: [{ text: "A." }] })).toEqual([]);
    } finally {
      for (const [k, v] of [
        ["REWARDKIT_JUDGE_BASE_URL", saved.url],
        ["REWARDKIT_JUDGE_MODEL", saved.model],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  const FIXTURES = ["capital-answer.json", "healthbench.json", "json-gate.json", "per-sample.json"];

  it("accepts every fixture spec", () => {
    for (const f of FIXTURES) expect(problems(specOf(f)), f).toEqual([]);
  });

  it("the spec language's JSON Schema document describes rubric nodes and their judges", () => {
    const validate = newAjv().compile(specDocumentSchema(defaultRegistry));
    for (const f of FIXTURES)
      expect(validate(specOf(f)), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    expect(
      validate({ type: "rubric", criteria: [{ text: "A.", judge: "x" }], judges: { x: { type: "regx" } } }),
    ).toBe(false);
    expect(validate({ type: "rubric", criteria: [{ text: "A.", kind: "scale" }] })).toBe(false);
  });
});
