/**
 * `rewardkit eval`: a spec measured against labelled JSONL rows (see src/eval/ and docs/eval.md).
 * Bad input (a line that is not JSON, a missing or unusable label) exits 2 naming the line.
 */
import { createReadStream, writeFileSync } from "node:fs";
import { Command } from "commander";
import { closeSharedPool } from "../core/index.js";
import { EVAL_MODES, EvalInputError, type EvalMode, type EvalReport, evalReportText } from "../eval/index.js";
import { presetNames, type Reward } from "../spec/index.js";
import { InputError, jsonlValues } from "./jsonl.js";
import { int, maxLineBytesOption, num } from "./options.js";

/** Eval holds every row (its metrics need them all): past this many, the input must be split. */
export const MAX_EVAL_ROWS = 1_000_000;

/**
 * Reads a JSONL file into rows, with each row's line number; a bad or over-long line, or more than
 * `maxRows` rows, throws InputError naming it.
 */
export async function readJsonl(
  path: string,
  opts: { maxLineBytes?: number; maxRows?: number } = {},
): Promise<{ rows: unknown[]; lines: number[] }> {
  const rows: unknown[] = [];
  const lines: number[] = [];
  const maxRows = opts.maxRows ?? MAX_EVAL_ROWS;
  for await (const { value, line } of jsonlValues(createReadStream(path), path, opts.maxLineBytes)) {
    if (rows.length >= maxRows)
      throw new InputError(`${path} line ${line}: more than ${maxRows} rows (--max-rows); split the input`);
    rows.push(value);
    lines.push(line);
  }
  return { rows, lines };
}

export function evalCommand(load: (spec: string) => Reward): Command {
  return new Command("eval")
    .description(
      "Measure a spec against labelled JSONL: binary labels (accuracy, precision, recall, specificity, F1, Wilson CIs), graded labels (Pearson, Spearman, Kendall, MAE) or preference pairs ({prompt, chosen, rejected}: pairwise accuracy, ties = 1/2).",
    )
    .requiredOption("-s, --spec <spec>", `a preset (${presetNames().join(", ")}) or a spec JSON file`)
    .requiredOption("-i, --input <file>", "labelled JSONL")
    .option("-l, --label <field>", "the row field holding the label (dotted path)")
    .option("--mode <mode>", `${EVAL_MODES.join(" | ")}`, "auto")
    .option("--by <field>", "break the metrics down by this row field")
    .option(
      "--threshold <x>",
      "binary: a reward at or above this is a positive prediction",
      num("--threshold"),
    )
    .option("--pair-by <field>", "preference from pairs of rows sharing this field (higher label preferred)")
    .option("--against <spec>", "a second spec scored on the same rows: disagreements and McNemar's test")
    .option("--json", "print the report as JSON")
    .option(
      "--disagreements <file>",
      "write disagreeing rows (or, without --against, misjudged rows) as JSONL",
    )
    .option("-c, --concurrency <n>", "samples scored at once", int("--concurrency", 1), 32)
    .addOption(maxLineBytesOption())
    .option("--max-rows <n>", "most rows read (eval holds them all)", int("--max-rows", 1), MAX_EVAL_ROWS)
    .action(async (o) => {
      process.exitCode = await runEval(o, load);
      setTimeout(() => process.exit(), 2000).unref();
    });
}

async function runEval(o: Record<string, unknown>, load: (spec: string) => Reward): Promise<number> {
  const reward = load(String(o.spec));
  const against = o.against ? load(String(o.against)) : undefined;
  let report: EvalReport;
  try {
    const { rows, lines } = await readJsonl(String(o.input), {
      maxLineBytes: o.maxLineBytes as number,
      maxRows: o.maxRows as number,
    });
    report = await reward.evaluate(rows, {
      mode: o.mode as EvalMode | "auto",
      ...(o.label ? { label: String(o.label) } : {}),
      ...(o.by ? { by: String(o.by) } : {}),
      ...(o.threshold !== undefined ? { threshold: o.threshold as number } : {}),
      ...(o.pairBy ? { pairBy: String(o.pairBy) } : {}),
      ...(against ? { against } : {}),
      concurrency: o.concurrency as number,
      where: (i) => `${o.input} line ${lines[i]}`,
    });
  } catch (e) {
    if (e instanceof EvalInputError || e instanceof InputError) {
      process.stderr.write(`rewardkit: ${e.message}\n`);
      await closeSharedPool();
      return 2;
    }
    process.stderr.write(`rewardkit: ${(e as Error).message}\n`);
    await closeSharedPool();
    return 1;
  }
  await closeSharedPool();
  const { disagreements, ...summary } = report;
  if (o.disagreements) {
    writeFileSync(String(o.disagreements), disagreements.map((d) => `${JSON.stringify(d)}\n`).join(""));
  }
  process.stdout.write(
    o.json
      ? `${JSON.stringify({ ...summary, disagreements: disagreements.length }, null, 2)}\n`
      : `${evalReportText(report)}\n`,
  );
  return 0;
}
