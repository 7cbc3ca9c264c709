import { describe, expect, it } from "vitest";
import { loadReward } from "../../src/index.js";
import { reward, score } from "../helpers.js";

describe("regex", () => {
  it("searches or fully matches with RE2 by default", async () => {
    expect(await reward({ type: "regex", pattern: "\\d+" }, { completion: "it is 42." })).toBe(1);
    expect(await reward({ type: "regex", pattern: "\\d+", mode: "full" }, { completion: "it is 42." })).toBe(
      0,
    );
    expect(
      await reward({ type: "regex", pattern: "it is \\d+\\.", mode: "full" }, { completion: "it is 42." }),
    ).toBe(1);
    expect(await reward({ type: "regex", pattern: "ANSWER", flags: "i" }, { completion: "answer" })).toBe(1);
  });

  it("full mode anchors the whole text even with the m flag", async () => {
    const s = { type: "regex", pattern: "^b$", mode: "full", flags: "m" };
    expect(await reward(s, { completion: "a\nb" })).toBe(0);
    expect(await reward({ ...s, engine: "js" }, { completion: "a\nb" })).toBe(0);
    expect(await reward({ ...s, engine: "js" }, { completion: "b" })).toBe(1);
  });

  it("is linear on a catastrophic pattern with RE2", async () => {
    const s = { type: "regex", pattern: "^(a+)+$" };
    expect(await reward(s, { completion: `${"a".repeat(100_000)}!` })).toBe(0);
  });

  it("kills a catastrophic JS-engine pattern at the deadline and reports a timeout", async () => {
    const s = { type: "regex", pattern: "^(a+)+$", engine: "js", timeout_ms: 300 };
    const r = await score(s, { completion: `${"a".repeat(40)}!` });
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("timeout");
    expect(r.reward).toBeNull();
    // The pool replaced the killed worker: the next check works.
    expect(await reward({ ...s, pattern: "(?<=a)!" }, { completion: "a!" })).toBe(1);
  });

  it("reads its input through a template", async () => {
    const s = { type: "regex", pattern: "^\\d+$", mode: "full", input: "{{completion|tag:answer|trim}}" };
    expect(await reward(s, { completion: "<answer> 17 </answer>" })).toBe(1);
  });

  it("rejects an invalid pattern at load time with its path", () => {
    expect(() => loadReward({ type: "regex", pattern: "(" })).toThrow(/\$: pattern is not valid RE2 syntax/);
    expect(() => loadReward({ type: "regex", pattern: "(?<=a)b" })).toThrow(/engine "js"/);
    expect(() => loadReward({ type: "regex", pattern: "a", flags: "g" })).toThrow(/\$.flags/);
  });
});
