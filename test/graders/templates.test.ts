/** OpenAI templates over rewardkit samples: sample.* from the completion, item.* from the row. */
import { describe, expect, it } from "vitest";
import type { Sample } from "../../src/core/index.js";
import {
  compileGraderTemplate,
  itemView,
  sampleView,
  withItem,
} from "../../src/verifiers/openai/template.js";
import { flagsOf, grade } from "./helpers.js";

const render = (t: string, s: Record<string, unknown>) => compileGraderTemplate(t).render(s as Sample);

describe("templates", () => {
  const row = {
    id: 7,
    completion: '{"answer": "Paris", "steps": ["a", "b"], "n": 3}',
    question: "Capital of France?",
    meta: { tags: ["geo", "easy"], "odd key": 1 },
  };

  it("sample.output_text is the completion text, item.x the row's field, with spaces allowed", () => {
    expect(render("{{ sample.output_text }}", row)).toBe(row.completion);
    expect(render("Q: {{item.question}} A: {{sample.output_json.answer}}", row)).toBe(
      "Q: Capital of France? A: Paris",
    );
  });

  it("reaches nested fields, list indexes and quoted keys", () => {
    expect(render("{{item.meta.tags[1]}}", row)).toBe("easy");
    expect(render('{{item.meta["odd key"]}}', row)).toBe(1);
    expect(render("{{sample.output_json.steps[0]}}", row)).toBe("a");
    expect(render("{{sample.choices[0].message.content}}", row)).toBe(row.completion);
  });

  it("a lone variable keeps its type; interpolated values are JSON", () => {
    expect(render("{{sample.output_json.n}}", row)).toBe(3);
    expect(render("{{item.meta.tags}}", row)).toEqual(["geo", "easy"]);
    expect(render("tags: {{item.meta.tags}}", row)).toBe('tags: ["geo","easy"]');
  });

  it("the item is the row without its completion", () => {
    const { completion: _c, ...rest } = row;
    expect(itemView(row as Sample)).toEqual(rest);
    expect(render("{{item.id}}", row)).toBe(7);
  });

  it("withItem keeps an item's own 'completion' field", () => {
    const item = { completion: "the dataset's completion", label: "x" };
    const s = withItem({ ...item, completion: "the model's output" } as Sample, item);
    expect(render("{{item.completion}}", s)).toBe("the dataset's completion");
    expect(render("{{sample.output_text}}", s)).toBe("the model's output");
  });

  it("output_tools and choices come from the last assistant message", () => {
    const call = {
      id: "c1",
      type: "function",
      function: { name: "get_weather", arguments: '{"city":"Paris"}' },
    };
    const s = {
      completion: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: "", tool_calls: [call] },
      ],
    };
    expect(render("{{sample.output_tools[0].function.name}}", s)).toBe("get_weather");
    expect(sampleView(s as Sample)).toEqual({
      output_text: "",
      output_json: null,
      output_tools: [call],
      choices: [{ index: 0, message: { role: "assistant", content: "", tool_calls: [call] } }],
    });
  });

  it("output_json accepts one code fence around the JSON", () => {
    expect(render("{{sample.output_json.a}}", { completion: '```json\n{"a": 1}\n```' })).toBe(1);
  });

  it("output_json of an output that is not JSON is a sample_parse_error", async () => {
    const g = {
      type: "string_check",
      name: "json answer",
      input: "{{sample.output_json.answer}}",
      reference: "{{item.answer}}",
      operation: "eq",
    };
    const okR = await grade(g, { completion: '{"answer": "4"}', answer: "4" });
    expect(okR.reward).toBe(1);
    const bad = await grade(g, { completion: "the answer is 4", answer: "4" });
    expect(bad).toMatchObject({ status: "error", error: { kind: "parse_error" } });
    expect(flagsOf(bad)).toEqual(["sample_parse_error"]);
    // A JSON output without the field is a missing variable.
    const missing = await grade(g, { completion: '{"other": 1}', answer: "4" });
    expect(flagsOf(missing)).toEqual(["invalid_variable_error"]);
    expect(missing.error?.message).toContain("sample.output_json.answer is missing");
  });

  it("refuses malformed variables when the grader is loaded", () => {
    for (const bad of ["{{}}", "{{sample..x}}", "{{item[x]}}", "{{prompt}}", "{{sample.text}}"]) {
      expect(() => compileGraderTemplate(bad), bad).toThrow(/template variable/);
    }
  });
});
