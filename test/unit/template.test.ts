import { describe, expect, it } from "vitest";
import { compileTemplate, loadReward, RewardkitError } from "../../src/index.js";

const sample = {
  completion: "<think>t</think><answer> 42 </answer>",
  reference: "42",
  answer: { value: 7, list: ["a", "b"] },
  metadata: { level: 3 },
};

describe("templates", () => {
  it("resolves paths, metadata, filters and raw values", () => {
    expect(compileTemplate("{{completion|tag:answer|trim}}").render(sample)).toBe("42");
    expect(compileTemplate("{{completion|after:</think>}}").render(sample)).toBe("<answer> 42 </answer>");
    expect(compileTemplate("{{metadata.answer.value}}").render(sample)).toBe(7);
    expect(compileTemplate("{{answer.list[1]}}").render(sample)).toBe("b");
    expect(compileTemplate("{{metadata.level}}").render(sample)).toBe(3);
    expect(compileTemplate("{{answer}}").render(sample)).toEqual(sample.answer);
    expect(compileTemplate("ref={{reference}}, v={{answer.value}}").render(sample)).toBe("ref=42, v=7");
    expect(compileTemplate("{{j|json}}").render({ completion: "", j: '{"a":1}' })).toEqual({ a: 1 });
  });

  it("scores the last assistant message of a messages completion", () => {
    const s = {
      completion: [
        { role: "assistant", content: "first" },
        { role: "user", content: "u" },
        { role: "assistant", content: "last" },
      ],
    };
    expect(compileTemplate("{{completion}}").render(s)).toBe("last");
  });

  it("throws invalid_input for a missing path and config_error for a bad template", () => {
    expect(() => compileTemplate("{{metadata.nope}}").render(sample)).toThrow(RewardkitError);
    expect(() => compileTemplate("{{metadata.nope}}").render(sample)).toThrow(/the sample has no 'nope'/);
    expect(() => compileTemplate("{{completion|shout}}")).toThrow(/unknown template filter 'shout'/);
    expect(() => compileTemplate("{{1bad}}")).toThrow(/bad template path/);
  });

  it("a bad template in a spec is a spec error with its path", () => {
    expect(() => loadReward({ type: "exact", input: "{{completion|tag}}" })).toThrow(
      /\$: filter 'tag' needs a tag name/,
    );
  });

  it("an unclosed '{{' is a spec error, not a literal compared with every sample", () => {
    expect(() =>
      loadReward({
        type: "weighted",
        terms: [{ type: "think_answer" }, { type: "exact", input: "{{completion" }],
      }),
    ).toThrow(/\$\.terms\[1\]: unclosed '\{\{' in template '\{\{completion'/);
    expect(() => compileTemplate("{{a}b}}")).toThrow(/unclosed/);
    // Braces around a whole token are still text.
    expect(compileTemplate("\\boxed{{{reference}}}").render({ completion: "", reference: "4" })).toBe(
      "\\boxed{4}",
    );
  });

  it("a chat message whose content is malformed is an invalid_input naming it, not an internal crash", async () => {
    const r = loadReward("think-answer");
    const cases: [unknown, RegExp][] = [
      [[null], /'completion\[0\]\.content\[0\]' must be a content part object/],
      [5, /'completion\[0\]\.content' must be a string, null or an array/],
      [{ a: 1 }, /'completion\[0\]\.content' must be a string, null or an array/],
      [[{ type: "text", text: 5 }], /'completion\[0\]\.content\[0\]\.text' must be a string/],
    ];
    for (const [content, msg] of cases) {
      const res = await r.score({ completion: [{ role: "assistant", content }], reference: "x" });
      expect(res).toMatchObject({ status: "error", error: { kind: "invalid_input" } });
      expect(res.error!.message).toMatch(msg);
    }
    // A prompt is only shown: odd content there does not break scoring.
    const shown = loadReward({ type: "contains", input: "Q: {{prompt}}", reference: "user" });
    const p = await shown.score({ prompt: [{ role: "user", content: 5 }], completion: "x" });
    expect(p).toMatchObject({ status: "ok", reward: 1 });
  });

  it("refuses objects where text is needed", async () => {
    const r = await loadReward({ type: "exact", reference: "{{answer}}" }).score(sample);
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("invalid_input");
    expect(r.error?.message).toMatch(/must be text, got an object/);
  });
});
