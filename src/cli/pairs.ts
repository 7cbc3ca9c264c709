/**
 * `rewardkit pairs`: scored groups -> preference pairs in TRL's format (prompt / chosen / rejected), for
 * DPO or reward-model training. The input is the output of `rewardkit score` (rows with reward and
 * status), or raw samples with --spec, which are scored first. Rows are grouped by prompt (or
 * --group-by); rows that are not ok never take part. See src/rubrics/reward-model/pairs.ts.
 */
import { once } from "node:events";
import { Command, Option } from "commander";
import {
  PAIR_MODES,
  type PairFormat,
  type PairMode,
  preferencePairs,
} from "../rubrics/reward-model/index.js";
import type { Reward } from "../spec/index.js";
import { InputError, jsonlValues } from "./jsonl.js";
import { int, maxLineBytesOption, num } from "./options.js";
import { openInput, openOutput } from "./score.js";

const MAX_ROWS = 2_000_000;

export function pairsCommand(load: (spec: string) => Reward, usageExit: number): Command {
  return new Command("pairs")
    .description(
      "Turn scored groups into preference pairs (TRL format: prompt, chosen, rejected) for DPO / reward-model training.",
    )
    .option("-i, --input <file>", "scored JSONL from `rewardkit score` (default: stdin)")
    .option("-o, --output <file>", "pairs JSONL (default: stdout)")
    .option("-s, --spec <spec>", "score the input rows with this spec first (rows are then raw samples)")
    .option("-c, --concurrency <n>", "samples scored at once (with --spec)", int("--concurrency", 1), 32)
    .addOption(
      new Option("--mode <mode>", "how pairs are chosen").choices([...PAIR_MODES]).default("best_worst"),
    )
    .option("--margin <x>", "a pair's rewards must differ by more than this", num("--margin"), 0)
    .option("--threshold <x>", "mode threshold: chosen at or above, rejected below", num("--threshold"))
    .option("--group-by <field>", "row field that groups rows (default: the prompt)")
    .addOption(
      new Option(
        "--format <format>",
        "TRL standard (text) or conversational (messages); auto follows the rows",
      )
        .choices(["auto", "standard", "conversational"])
        .default("auto"),
    )
    .option("--max-per-group <n>", "most pairs from one group", int("--max-per-group", 1), 64)
    .option("--with-rewards", "add chosen_reward and rejected_reward columns")
    .option("-q, --quiet", "no summary on stderr")
    .addOption(maxLineBytesOption())
    .action(async (o) => {
      if (o.mode === "threshold" && o.threshold === undefined) {
        process.stderr.write("rewardkit: --mode threshold needs --threshold\n");
        process.exit(usageExit);
      }
      const reward = o.spec ? load(o.spec) : undefined;
      const rows = await readRows(o.input, o.maxLineBytes, usageExit);
      if (reward) {
        const results = await reward.scoreBatch(rows, { concurrency: o.concurrency });
        rows.forEach((r, i) => {
          r.reward = results[i]!.reward;
          r.status = results[i]!.status;
        });
      } else {
        const bad = rows.findIndex((r) => !("status" in r) || !("reward" in r));
        if (bad >= 0) {
          process.stderr.write(
            `rewardkit: row ${bad + 1} has no reward/status: pass rows from \`rewardkit score\`, or --spec to score them\n`,
          );
          process.exit(usageExit);
        }
      }
      let out: ReturnType<typeof preferencePairs>;
      try {
        out = preferencePairs(rows, {
          mode: o.mode as PairMode,
          margin: o.margin,
          ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
          ...(o.groupBy ? { groupBy: o.groupBy } : {}),
          format: o.format as PairFormat,
          maxPerGroup: o.maxPerGroup,
          withRewards: Boolean(o.withRewards),
        });
      } catch (e) {
        process.stderr.write(`rewardkit: ${(e as Error).message}\n`);
        process.exit(usageExit);
      }
      const w = openOutput(o.output);
      for (const p of out.pairs) if (!w.write(`${JSON.stringify(p)}\n`)) await once(w, "drain");
      if (w !== process.stdout)
        await new Promise<void>((resolve, reject) =>
          w.end((e?: Error | null) => (e ? reject(e) : resolve())),
        );
      if (!o.quiet) {
        const s = out.stats;
        process.stderr.write(
          `pairs: ${s.pairs} from ${s.groups} groups (${s.groups_without_pairs} without a pair); rows ${s.rows}, left out (not ok) ${s.skipped}\n`,
        );
      }
    });
}

async function readRows(
  path: string | undefined,
  maxLineBytes: number,
  usageExit: number,
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const where = path && path !== "-" ? path : "stdin";
  const stop = (msg: string): never => {
    process.stderr.write(`rewardkit: ${msg}\n`);
    process.exit(usageExit);
  };
  try {
    for await (const { value, line } of jsonlValues(openInput(path), where, maxLineBytes)) {
      if (rows.length >= MAX_ROWS) stop(`more than ${MAX_ROWS} rows: split the input`);
      if (value === null || typeof value !== "object" || Array.isArray(value))
        stop(`${where} line ${line} is not a JSON object`);
      rows.push(value as Record<string, unknown>);
    }
  } catch (e) {
    if (e instanceof InputError) stop(e.message);
    throw e;
  }
  return rows;
}
