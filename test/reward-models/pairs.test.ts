/**
 * Preference pairs from scored groups: the pairing modes on hand-made rows, and `rewardkit pairs` (the real
 * binary) over groups scored by a reward model served by a local server (a Bradley-Terry model trained
 * here), written in TRL's preference format.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preferencePairs } from "../../src/rubrics/reward-model/index.js";
import { jsonl, ROOT, runCli } from "../e2e/run.js";
import {
  type BradleyTerryModel,
  type RmServer,
  rng,
  startRmServer,
  toyPreferences,
  trainToyModel,
} from "./rm-server.js";

const row = (prompt: unknown, completion: unknown, reward: number | null, status = "ok") => ({
  prompt,
  completion,
  reward,
  status,
});

const opts = { margin: 0, format: "auto" as const, maxPerGroup: 64, withRewards: false };

describe("preferencePairs", () => {
  const rows = [
    row("q1", "a", 0.9),
    row("q1", "b", 0.2),
    row("q1", "c", 0.5),
    row("q1", "d", null, "error"),
    row("q2", "x", 0.4),
    row("q2", "y", 0.4),
    row("q3", "only", 1),
  ];

  it("best_worst: one pair per group with distinct rewards; errors and ties give none", () => {
    const { pairs, stats } = preferencePairs(rows, { ...opts, mode: "best_worst" });
    expect(pairs).toEqual([{ prompt: "q1", chosen: "a", rejected: "b" }]);
    expect(stats).toMatchObject({ groups: 3, pairs: 1, skipped: 1, groups_without_pairs: 2 });
  });

  it("margin: every pair whose rewards differ by more than the margin, widest first", () => {
    const { pairs } = preferencePairs(rows, { ...opts, mode: "margin", margin: 0.3, withRewards: true });
    expect(pairs).toEqual([
      { prompt: "q1", chosen: "a", rejected: "b", chosen_reward: 0.9, rejected_reward: 0.2 },
      { prompt: "q1", chosen: "a", rejected: "c", chosen_reward: 0.9, rejected_reward: 0.5 },
    ]);
  });

  it("threshold: rows at or above it against rows below, capped per group", () => {
    const { pairs } = preferencePairs(rows, { ...opts, mode: "threshold", threshold: 0.5 });
    expect(pairs).toEqual([
      { prompt: "q1", chosen: "a", rejected: "b" },
      { prompt: "q1", chosen: "c", rejected: "b" },
    ]);
    const capped = preferencePairs(rows, { ...opts, mode: "threshold", threshold: 0.5, maxPerGroup: 1 });
    expect(capped.pairs).toEqual([{ prompt: "q1", chosen: "a", rejected: "b" }]);
  });

  it("conversational rows give TRL's conversational preference format", () => {
    const msgs = [
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
    ];
    const { pairs } = preferencePairs(
      [row(msgs, [{ role: "assistant", content: "hello" }], 1), row(msgs, "go away", 0)],
      { ...opts, mode: "best_worst" },
    );
    expect(pairs).toEqual([
      {
        prompt: msgs,
        chosen: [{ role: "assistant", content: "hello" }],
        rejected: [{ role: "assistant", content: "go away" }],
      },
    ]);
    expect(() =>
      preferencePairs([row(msgs, "a", 1), row(msgs, "b", 0)], {
        ...opts,
        mode: "best_worst",
        format: "standard",
      }),
    ).toThrow(/conversational/);
  });
});

describe("rewardkit pairs", () => {
  let model: BradleyTerryModel;
  let srv: RmServer;
  const dir = mkdtempSync(join(tmpdir(), "rk-pairs-"));
  const HELP = [
    "first check that the valve is shut",
    "here is how step by step",
    "make sure it is dry then finally test it",
  ];
  const BAD = ["no idea", "just google it whatever", "figure it out dunno"];

  beforeAll(async () => {
    model = trainToyModel();
    srv = await startRmServer(model);
  });
  afterAll(() => srv.close());

  it("scores groups with a served reward model and writes TRL pairs whose chosen the model prefers", async () => {
    const r = rng(11);
    const samples: Record<string, unknown>[] = [];
    for (let g = 0; g < 12; g++) {
      const prompt = `How do I fix thing number ${g}?`;
      for (let k = 0; k < 4; k++) {
        const good = r() < 0.5;
        const bank = good ? HELP : BAD;
        samples.push({ prompt, completion: bank[Math.floor(r() * bank.length)], good });
      }
    }
    const spec = join(dir, "rm.json");
    writeFileSync(
      spec,
      JSON.stringify({
        type: "reward_model",
        protocol: "tei_predict",
        base_url: srv.baseUrl,
        normalize: "sigmoid",
      }),
    );
    const input = samples.map((s) => JSON.stringify(s)).join("\n");
    const scored = await runCli(["score", "--spec", spec, "--quiet", "--components", "none"], input);
    expect(scored.code).toBe(0);
    const scoredFile = join(dir, "scored.jsonl");
    writeFileSync(scoredFile, scored.stdout);

    const out = await runCli(["pairs", "-i", scoredFile, "--mode", "best_worst", "--with-rewards"]);
    expect(out.code).toBe(0);
    const pairs = jsonl(out.stdout);
    expect(out.stderr).toMatch(new RegExp(`pairs: ${pairs.length} from 12 groups`));
    for (const p of pairs) {
      expect(Object.keys(p).sort()).toEqual([
        "chosen",
        "chosen_reward",
        "prompt",
        "rejected",
        "rejected_reward",
      ]);
      expect(p.chosen_reward as number).toBeGreaterThan(p.rejected_reward as number);
      const sig = (t: unknown) => 1 / (1 + Math.exp(-model.score(`${p.prompt} ${t}`)));
      expect(p.chosen_reward).toBeCloseTo(sig(p.chosen), 12);
      expect(p.rejected_reward).toBeCloseTo(sig(p.rejected), 12);
    }
    // Groups where the generator mixed good and bad answers: the chosen answer is a good one.
    const mixed = pairs.filter(
      (p) => HELP.includes(p.chosen as string) !== HELP.includes(p.rejected as string),
    );
    expect(mixed.length).toBeGreaterThan(0);
    expect(mixed.every((p) => HELP.includes(p.chosen as string))).toBe(true);

    // --spec scores raw samples itself; the same pairs come out.
    const direct = await runCli(
      ["pairs", "--spec", spec, "--mode", "best_worst", "--with-rewards", "-q"],
      input,
    );
    expect(direct.code).toBe(0);
    expect(jsonl(direct.stdout)).toEqual(pairs);
  });

  it("chosen/rejected by a verifier's threshold", async () => {
    const spec = join(dir, "contains.json");
    writeFileSync(spec, JSON.stringify({ type: "contains" }));
    const rows = [
      { prompt: "q", completion: "first do this", reference: "first" },
      { prompt: "q", completion: "whatever", reference: "first" },
      { prompt: "q", completion: "no", reference: "first" },
    ];
    const out = await runCli(
      ["pairs", "--spec", spec, "--mode", "threshold", "--threshold", "1", "-q"],
      rows.map((r) => JSON.stringify(r)).join("\n"),
    );
    expect(out.code).toBe(0);
    expect(jsonl(out.stdout)).toEqual([
      { prompt: "q", chosen: "first do this", rejected: "no" },
      { prompt: "q", chosen: "first do this", rejected: "whatever" },
    ]);
  });

  // `rewardkit eval` (its preference mode reads TRL rows) is built apart; once both are merged, this checks
  // that the pairwise accuracy it reports for a reward_model spec is the served model's own.
  it.skipIf(!existsSync(`${ROOT}dist/cli/eval.js`))(
    "rewardkit eval measures a reward_model spec's pairwise accuracy on TRL rows",
    async () => {
      const held = toyPreferences(120, 2);
      const file = join(dir, "prefs.jsonl");
      writeFileSync(file, held.map((p) => JSON.stringify(p)).join("\n"));
      const spec = join(dir, "rm-eval.json");
      writeFileSync(
        spec,
        JSON.stringify({
          type: "reward_model",
          protocol: "tei_predict",
          base_url: srv.baseUrl,
          range: [-50, 50],
        }),
      );
      const out = await runCli(["eval", "--spec", spec, "--input", file, "--json"]);
      expect(out.code).toBe(0);
      const report = JSON.parse(out.stdout) as { preference: { accuracy: { value: number } } };
      const own =
        held.filter((p) => model.score(`${p.prompt} ${p.chosen}`) > model.score(`${p.prompt} ${p.rejected}`))
          .length / held.length;
      expect(report.preference.accuracy.value).toBe(own);
      expect(own).toBeGreaterThan(0.7);
    },
  );

  it("usage errors exit 2 with the reason", async () => {
    const noThreshold = await runCli(["pairs", "--mode", "threshold"], "");
    expect(noThreshold.code).toBe(2);
    expect(noThreshold.stderr).toMatch(/needs --threshold/);
    const unscored = await runCli(["pairs"], JSON.stringify({ prompt: "q", completion: "a" }));
    expect(unscored.code).toBe(2);
    expect(unscored.stderr).toMatch(/row 1 has no reward\/status/);
    const notJson = await runCli(["pairs"], "{oops");
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/stdin line 1: not JSON/);
  });
});
