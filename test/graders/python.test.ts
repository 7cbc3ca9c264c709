/**
 * python graders run for real in the code verifier's Pyodide sandbox: grade(sample, item) with the OpenAI
 * sample and item dicts, and every way a grader can fail (raising, looping for ever, returning something
 * that is not a number, not compiling) is an error result with OpenAI's flags, never a 0.
 */
import { describe, expect, it } from "vitest";
import { loadReward } from "../../src/spec/index.js";
import { fixture, flagsOf, grade } from "./helpers.js";

const py = (source: string, extra: Record<string, unknown> = {}) => ({
  type: "python",
  name: "py",
  source,
  ...extra,
});

describe("python grader (Pyodide)", () => {
  it("grades with the sample and item dicts", async () => {
    const g = py(
      [
        "def grade(sample, item) -> float:",
        "    text = sample['output_text'].strip().lower()",
        "    return 1.0 if text == item['reference_answer'].lower() else 0.25",
      ].join("\n"),
    );
    expect((await grade(g, { completion: " Paris ", reference_answer: "paris" })).reward).toBe(1);
    expect((await grade(g, { completion: "Lyon", reference_answer: "paris" })).reward).toBe(0.25);
  });

  it("sees output_json, output_tools, choices and nested item fields as Python values", async () => {
    const g = py(
      [
        "def grade(sample, item):",
        "    j = sample['output_json']",
        "    assert isinstance(j, dict) and isinstance(j['xs'], list)",
        "    assert sample['choices'][0]['message']['role'] == 'assistant'",
        "    assert sample['output_tools'] == []",
        "    assert item['meta']['weights'][1] == 0.5 and item['flag'] is True and item['none'] is None",
        "    return sum(j['xs']) * item['meta']['weights'][1]",
      ].join("\n"),
    );
    const r = await grade(g, {
      completion: '{"xs": [1, 2, 3]}',
      meta: { weights: [1, 0.5] },
      flag: true,
      none: null,
    });
    expect(r).toMatchObject({ status: "ok", reward: 3 });
  });

  it("output_json is None when the output is not JSON (the grader decides)", async () => {
    const g = py("def grade(sample, item):\n    return 0.0 if sample['output_json'] is None else 1.0\n");
    expect((await grade(g, { completion: "not json" })).reward).toBe(0);
  });

  it("a bool result counts as 1 or 0; the standard library is there", async () => {
    const g = py(
      "import re, math, json\ndef grade(sample, item):\n    return bool(re.search(r'\\d+', sample['output_text']))\n",
    );
    expect((await grade(g, { completion: "x = 42" })).reward).toBe(1);
    expect((await grade(g, { completion: "none" })).reward).toBe(0);
  });

  it("a grader that raises is python_grader_runtime_error with the exception", async () => {
    const g = py("def grade(sample, item):\n    return 1 / 0\n");
    const r = await grade(g, { completion: "x" });
    expect(r).toMatchObject({ status: "error", reward: null, error: { kind: "grader_error" } });
    expect(r.error?.message).toMatch(/ZeroDivisionError/);
    expect(flagsOf(r)).toEqual(["python_grader_runtime_error"]);
  });

  it("a missing item key raises KeyError: runtime error", async () => {
    const g = py("def grade(sample, item):\n    return float(item['missing'])\n");
    const r = await grade(g, { completion: "x" });
    expect(r.error?.message).toMatch(/KeyError/);
    expect(flagsOf(r)).toEqual(["python_grader_runtime_error"]);
  });

  it("a grader that loops for ever is stopped at its deadline: timeout flags", async () => {
    const g = py("def grade(sample, item):\n    while True:\n        pass\n", { timeout_ms: 1500 });
    const r = await grade(g, { completion: "x" });
    expect(r).toMatchObject({ status: "error", reward: null, error: { kind: "timeout" } });
    expect(flagsOf(r)).toEqual(["python_grader_runtime_error", "unresponsive_reward_error"]);
    // The sandbox is usable again afterwards.
    expect((await grade(py("def grade(s, i):\n    return 0.5\n"), { completion: "x" })).reward).toBe(0.5);
  });

  it("a source that loops for ever while loading is stopped too", async () => {
    const g = py("while True:\n    pass\ndef grade(sample, item):\n    return 1.0\n", { timeout_ms: 1500 });
    const r = await grade(g, { completion: "x" });
    expect(r.error?.kind).toBe("timeout");
    expect(r.error?.message).toMatch(/loading the grader source/);
  });

  it("a result that is not a finite number is an error", async () => {
    for (const [ret, why] of [
      ["'0.5'", /must return a float/],
      ["None", /must return a float/],
      ["float('nan')", /NaN/],
      ["float('inf')", /Infinity/],
    ] as const) {
      const r = await grade(py(`def grade(sample, item):\n    return ${ret}\n`), { completion: "x" });
      expect(r.status, ret).toBe("error");
      expect(r.error?.message, ret).toMatch(why);
      expect(flagsOf(r), ret).toEqual(["python_grader_runtime_error"]);
    }
  });

  it("a syntax error is reported, not scored", async () => {
    const r = await grade(py("def grade(sample, item)\n    return 1\n"), { completion: "x" });
    expect(r).toMatchObject({ status: "error", error: { kind: "config_error" } });
    expect(r.error?.message).toMatch(/SyntaxError/);
    expect(flagsOf(r)).toEqual(["python_grader_runtime_error"]);
  });

  it("the sandbox has no host: no files, no network modules, no subprocess", async () => {
    const g = py(
      [
        "def grade(sample, item):",
        "    import os",
        "    try:",
        "        open('/etc/passwd').read()",
        "        return 1.0",
        "    except Exception:",
        "        pass",
        "    try:",
        "        import subprocess; subprocess.run(['id'])",
        "        return 1.0",
        "    except Exception:",
        "        return 0.0",
      ].join("\n"),
    );
    expect((await grade(g, { completion: "x" })).reward).toBe(0);
  });

  it("a {grader: ...} fixture with output_json", async () => {
    const r = loadReward(fixture("wrapped-python.json"));
    expect((await r.score({ completion: '{"answer": "B"}', label: "B" })).reward).toBe(1);
    expect((await r.score({ completion: '{"answer": "C"}', label: "B" })).reward).toBe(0);
  });

  it("a source without grade is refused at load", () => {
    expect(() => loadReward(py("def score(sample, item):\n    return 1\n"))).toThrow(/must define grade/);
  });
});
