/**
 * `rewardkit score --group-by` streams: the rows of a group are contiguous, each group is scored when it
 * ends, and a group key seen again after its group ended is an error naming both lines. The results
 * are the library's applyGroups on each group (checked against scoreGroups on the whole input).
 */
import { describe, expect, it } from "vitest";
import { loadReward } from "../../src/index.js";
import { jsonl, runCli } from "./run.js";

const answers = ["4", "4", "\\frac{8}{2}", "5", "x", "2+2"];
/** `groups` contiguous groups of `size` math samples each, answers varying within a group. */
function rows(groups: number, size: number) {
  const out: Record<string, unknown>[] = [];
  for (let g = 0; g < groups; g++)
    for (let i = 0; i < size; i++)
      out.push({
        id: out.length,
        prompt: `p${g}`,
        completion: answers[(g + i) % answers.length],
        reference: "4",
      });
  return out;
}
const text = (rs: object[]) => rs.map((r) => JSON.stringify(r)).join("\n");

describe("score --group-by (streaming, contiguous groups)", () => {
  it("gives each row its group's statistics and votes, as the library does for the whole input", async () => {
    const input = rows(40, 6);
    const r = await runCli(
      ["score", "-s", "math", "--group-by", "prompt", "--vote", "math", "-q", "--components", "none"],
      text(input),
    );
    expect(r.code).toBe(0);
    const out = jsonl(r.stdout);
    expect(out.map((x) => x.id)).toEqual(input.map((x) => x.id));
    const lib = await loadReward("math").scoreGroups(input, { by: "prompt", vote: { equivalence: "math" } });
    for (let i = 0; i < input.length; i++) {
      expect(out[i]!.reward).toBe(lib.results[i]!.reward);
      expect(out[i]!.group).toEqual(lib.results[i]!.group);
    }
    // 4, 4, \frac{8}{2} and 2+2 are one class under math equivalence: 4 of a group's 6 votes.
    expect((out[0]!.group as { vote: { votes: number } }).vote.votes).toBe(4);
  });

  it("refuses a group that comes back after it ended, naming both lines", async () => {
    const input = [...rows(2, 3), { prompt: "p0", completion: "4", reference: "4" }];
    const r = await runCli(["score", "-s", "math", "--group-by", "prompt", "-q"], text(input));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /line 7: group "p0" \(--group-by prompt\) appeared again after its rows ended at line 3/,
    );
    expect(r.stderr).toMatch(/contiguous/);
  });

  it("keeps malformed lines in place, as error rows, without splitting their group", async () => {
    const input = text(rows(1, 2)).split("\n");
    input.splice(1, 0, "{oops");
    const r = await runCli(["score", "-s", "math", "--group-by", "prompt", "-q"], input.join("\n"));
    expect(r.code).toBe(0);
    const out = jsonl(r.stdout);
    expect(out.map((x) => x.status)).toEqual(["ok", "error", "ok"]);
    expect(out[0]!.group).toMatchObject({ key: "p0", size: 2 });
    expect(out[2]!.group).toMatchObject({ key: "p0", size: 2 });
  });
});
