/** OpenRLHF log keys come from the spec tree: checked against what scoring actually reports. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { componentEntries, loadReward } from "../../src/index.js";
import { componentPaths } from "../../src/server/protocols/openrlhf.js";

const fixture = (p: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${p}`, import.meta.url), "utf8"));

describe("componentPaths", () => {
  it("names a shared rubric's criteria (its components), not its judges", async () => {
    const reward = loadReward(fixture("rubrics/capital-answer.json"));
    expect(componentPaths(reward.root)).toEqual(["correct", "brief", "source", "hedging"]);
    const r = await reward.score({ completion: "Paris, according to the atlas.", reference: "Paris" });
    expect(componentEntries(r).map(([p]) => p)).toEqual(expect.arrayContaining(componentPaths(reward.root)));
  });

  it("covers every component a composite reports when all its nodes run", async () => {
    const reward = loadReward(fixture("examples/format-3level.json"));
    const r = await reward.score({
      completion: "<think>one two three four five six</think><answer>4</answer>",
      reference: "4",
    });
    expect(componentPaths(reward.root).sort()).toEqual(
      componentEntries(r)
        .map(([p]) => p)
        .sort(),
    );
  });

  it("leaves out per-sample rubric criteria, which differ from sample to sample", () => {
    expect(componentPaths(loadReward(fixture("rubrics/per-sample.json")).root)).toEqual([]);
  });
});
