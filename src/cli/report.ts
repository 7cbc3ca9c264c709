/**
 * `rewardkit report`: one self-contained HTML page from a scored JSONL file (what `rewardkit score`
 * writes), from raw rows with --spec (scored here, in chunks), and/or from an eval's JSON. Rows are read
 * as a stream; what the page embeds is bounded (see src/eval/report-data.ts). See docs/report.md.
 */
import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import { Command } from "commander";
import { closeSharedPool } from "../core/index.js";
import { EvalInputError } from "../eval/index.js";
import type { ReportBuilder, ReportData } from "../eval/report-data.js";
import { presetNames, type Reward } from "../spec/index.js";
import { InputError, jsonlValues } from "./jsonl.js";
import { int, num } from "./options.js";
import { outputRow } from "./rows.js";

const CHUNK = 512;

export function reportCommand(load: (spec: string) => Reward): Command {
  return new Command("report")
    .description(
      "Write one self-contained HTML report (no network at view time) of a scored JSONL file, of raw rows with --spec, or of an eval's JSON: reward and component histograms, hacking signals, groups, eval metrics, a searchable table of samples with their explanation trees.",
    )
    .option("-i, --input <file>", "scored JSONL (rewardkit score's output), or raw rows with --spec")
    .option(
      "-s, --spec <spec>",
      `score the input first with this preset (${presetNames().join(", ")}) or spec file`,
    )
    .option("--eval <file>", "an eval report (rewardkit eval --json) to show")
    .requiredOption("-o, --output <file>", "the HTML file to write")
    .option("--json", "print the page's summary as JSON on stdout")
    .option("--summary-json <file>", "write the page's summary as JSON to a file")
    .option("--group-by <field>", "group statistics over rows sharing this field (advantages, pass@k)")
    .option(
      "--pass-threshold <x>",
      "a row passes (pass@k) when its reward is at least this",
      num("--pass-threshold"),
    )
    .option("-l, --label <field>", "a label field: eval metrics from the rows' rewards and labels")
    .option(
      "--samples <n>",
      "rows per set in the sample table (top, bottom, not ok, random)",
      int("--samples", 1),
      50,
    )
    .option("--title <text>", "the page's title")
    .option("--seed <n>", "seed of the sampled rows and scatter points", int("--seed", 0), 1)
    .option("-c, --concurrency <n>", "samples scored at once (with --spec)", int("--concurrency", 1), 32)
    .action(async (o) => {
      process.exitCode = await runReport(o, load);
      setTimeout(() => process.exit(), 2000).unref();
    });
}

async function runReport(o: Record<string, unknown>, load: (spec: string) => Reward): Promise<number> {
  if (!o.input && !o.eval) {
    process.stderr.write(
      "rewardkit: report needs --input (scored rows, or raw rows with --spec) or --eval\n",
    );
    return 2;
  }
  const reward = o.spec ? load(String(o.spec)) : null;
  // The report's builder and HTML load with the command, not with every CLI run (fast start).
  const { ReportBuilder } = await import("../eval/report-data.js");
  const { renderReport } = await import("../eval/report-html.js");
  const builder = new ReportBuilder({
    title: o.title ? String(o.title) : `rewardkit report: ${o.input ?? o.eval}`,
    ...(o.groupBy ? { groupBy: String(o.groupBy) } : {}),
    ...(o.passThreshold !== undefined ? { passThreshold: o.passThreshold as number } : {}),
    ...(o.label ? { label: String(o.label) } : {}),
    samplesPerSet: o.samples as number,
    seed: o.seed as number,
  });
  let data: ReportData;
  try {
    if (o.input) await feed(String(o.input), builder, reward, o.concurrency as number);
    data = await builder.finish();
    if (o.eval) {
      const e = JSON.parse(readFileSync(String(o.eval), "utf8"));
      if (!e || typeof e !== "object" || !["binary", "graded", "preference"].includes(e.mode))
        throw new InputError(`${o.eval}: not an eval report (rewardkit eval --json): no 'mode'`);
      data.eval = e;
    }
  } catch (e) {
    await closeSharedPool();
    const usage = e instanceof InputError || e instanceof EvalInputError || e instanceof SyntaxError;
    process.stderr.write(`rewardkit: ${(e as Error).message}\n`);
    return usage ? 2 : 1;
  }
  await closeSharedPool();
  writeFileSync(String(o.output), renderReport(data));
  const json = `${JSON.stringify(data, null, 2)}\n`;
  if (o.summaryJson) writeFileSync(String(o.summaryJson), json);
  if (o.json) process.stdout.write(json);
  return 0;
}

/** Streams the input into the builder; with a reward, rows are scored in chunks of CHUNK. */
async function feed(path: string, builder: ReportBuilder, reward: Reward | null, concurrency: number) {
  let chunk: { row: Record<string, unknown>; line: number }[] = [];
  const flush = async () => {
    const results = await reward!.scoreBatch(
      chunk.map((c) => c.row),
      { concurrency },
    );
    chunk.forEach((c, i) => {
      builder.add(outputRow(c.row, results[i]!, "tree"), c.line);
    });
    chunk = [];
  };
  const read = async () => {
    for await (const { value: row, line: n } of jsonlValues(createReadStream(path), path)) {
      if (row === null || typeof row !== "object" || Array.isArray(row))
        throw new InputError(`${path} line ${n}: a row must be a JSON object`);
      const r = row as Record<string, unknown>;
      if (reward) {
        chunk.push({ row: r, line: n });
        if (chunk.length >= CHUNK) await flush();
      } else {
        if (!("status" in r))
          throw new InputError(
            `${path} line ${n}: not a scored row (no 'status'); score it first (rewardkit score) or pass --spec`,
          );
        builder.add(r, n);
      }
    }
    if (chunk.length) await flush();
  };
  await read();
}
