/**
 * The `rewardkit` command. Exit codes:
 *   0  done (every row has a result, whatever its status)
 *   1  an I/O or internal failure (unreadable input, unwritable output)
 *   2  usage error or invalid spec (nothing was scored)
 *   3  --fail-on-error was given and at least one row is an error
 *   4  lint: at least one law or attack failed
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Command, Option } from "commander";
import { closeSharedPool } from "../core/index.js";
import { type GroupOptions, STEP_FORMATS } from "../rewards/index.js";
import type { ServeOptions } from "../server/index.js";
import {
  checkGroupOptions,
  defaultRegistry,
  groupComponentNames,
  loadReward,
  PRESETS,
  presetNames,
  presetOf,
  type Reward,
  SpecError,
  specDocumentSchema,
} from "../spec/index.js";
import { evalCommand } from "./eval.js";
import { UsageError } from "./group-key.js";
import { int, maxLineBytesOption, num } from "./options.js";
import { pairsCommand } from "./pairs.js";
import { countRows, Progress } from "./progress.js";
import { reportCommand } from "./report.js";
import type { ComponentsMode } from "./rows.js";
import { openInput, openOutput, runScore } from "./score.js";
import { Distributions } from "./summary.js";

const VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, ROW_ERRORS: 3, LINT_VIOLATIONS: 4 } as const;

// The reader of stdout went away (`rewardkit schema | head`): stop quietly, as Unix tools do, instead of
// dying with an unhandled stream error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(EXIT.OK);
  process.stderr.write(`rewardkit: stdout: ${e.message}\n`);
  process.exit(EXIT.FAILURE);
});

function load_(spec: string): Reward {
  try {
    return loadReward(spec);
  } catch (e) {
    if (e instanceof SpecError) {
      process.stderr.write(`rewardkit: ${e.message}\n`);
      process.exit(EXIT.USAGE);
    }
    throw e;
  }
}

/** Group options from --group-config and the group flags; exits 2 when they are invalid. */
function groupOptions(o: Record<string, unknown>, reward: Reward): GroupOptions | undefined {
  const flags: Record<string, unknown> = {};
  if (o.groupBy) flags.by = o.groupBy;
  if (o.advantage) flags.advantage = o.advantage;
  if (o.passAt) flags.pass_at_k = String(o.passAt).split(",").map(Number);
  if (o.passThreshold !== undefined) flags.pass_threshold = o.passThreshold;
  if (o.aggregate) flags.aggregate = o.aggregate;
  if (o.vote || o.voteInput) {
    flags.vote = { equivalence: o.vote ?? "normalized", ...(o.voteInput ? { input: o.voteInput } : {}) };
  }
  let base: Record<string, unknown> = {};
  try {
    if (o.groupConfig) base = JSON.parse(readFileSync(String(o.groupConfig), "utf8"));
  } catch (e) {
    process.stderr.write(`rewardkit: --group-config: ${(e as Error).message}\n`);
    process.exit(EXIT.USAGE);
  }
  const merged = { ...base, ...flags };
  if (Object.keys(merged).length === 0) return undefined;
  try {
    return checkGroupOptions(merged, groupComponentNames(reward.root));
  } catch (e) {
    process.stderr.write(
      `rewardkit: ${(e as Error).message}${merged.by ? "" : " (--group-by is required)"}\n`,
    );
    process.exit(EXIT.USAGE);
  }
}

/**
 * Ends the process once a command's work is written, should a worker thread still hold it open: a pool
 * worker caught starting while the pool was destroyed now and then kept the CLI alive for good (seen under
 * parallel load). The timer is unref'd: it fires only if something else keeps the process running.
 */
function exitWhenDone(): void {
  setTimeout(() => process.exit(), 2000).unref();
}

const program = new Command()
  .name("rewardkit")
  .description("Verifiers and composable rewards for RL on LLM outputs.")
  .version(VERSION)
  .showHelpAfterError()
  // Commander exits 1 on usage errors; ours is 2 (1 means an I/O failure).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT.USAGE))
  .addHelpText(
    "after",
    "\nExit codes: 0 done, 1 I/O or internal failure, 2 usage error or invalid spec, 3 rows with errors (--fail-on-error), 4 lint violations.",
  );

program
  .command("score")
  .description(
    "Score JSONL samples: each output row is the input row plus reward, status, error and components.",
  )
  .requiredOption("-s, --spec <spec>", `a preset (${presetNames().join(", ")}) or a spec JSON file`)
  .option("-i, --input <file>", "input JSONL (default: stdin)")
  .option("-o, --output <file>", "output JSONL (default: stdout)")
  .option("-c, --concurrency <n>", "samples scored at once", int("--concurrency", 1), 256)
  .option("--components <mode>", "tree | flat | none", "tree")
  .option("--explain", "print each row's reward tree (to stdout; rows then need --output)")
  .option("--summary-json <file>", "also write the summary as JSON")
  .option("--fail-on-error", "exit 3 when any row is an error")
  .option("-q, --quiet", "no summary on stderr")
  .option("--group-by <field>", "score groups of rows sharing this field (GRPO advantages, pass@k, ...)")
  .option("--advantage <mode>", "grpo | dr_grpo | rloo | none (with --group-by)")
  .option("--pass-at <ks>", "comma-separated k for pass@k (with --group-by)")
  .option("--pass-threshold <x>", "a row passes when its reward is at least this", num("--pass-threshold"))
  .option("--vote <equivalence>", "majority vote by exact | normalized | math equivalence (with --group-by)")
  .option("--vote-input <template>", "what is voted on (default {{completion}})")
  .option("--aggregate <how>", "sum | gdpo (with --group-by)")
  .option("--group-config <file>", "group options as JSON (flags override it)")
  .option("--token-offsets <field>", "row field with token [start, end] offsets: adds token_rewards")
  .option("--placement <policy>", "span_end | uniform (with --token-offsets)", "span_end")
  .option(
    "--format <format>",
    `rows are step-labelled data: ${STEP_FORMATS.join(" | ")}; step rewards become its labels`,
  )
  .addOption(maxLineBytesOption())
  .action(async (o) => {
    if (!["tree", "flat", "none"].includes(o.components)) {
      program.error(`--components must be tree, flat or none (got '${o.components}')`, {
        exitCode: EXIT.USAGE,
      });
    }
    const reward = load_(o.spec);
    const group = groupOptions(o, reward);
    if (!["span_end", "uniform"].includes(o.placement)) {
      program.error(`--placement must be span_end or uniform (got '${o.placement}')`, {
        exitCode: EXIT.USAGE,
      });
    }
    if (o.format && !STEP_FORMATS.includes(o.format)) {
      program.error(`--format must be one of ${STEP_FORMATS.join(", ")} (got '${o.format}')`, {
        exitCode: EXIT.USAGE,
      });
    }
    const explainToStdout = Boolean(o.explain);
    const writeRows = !explainToStdout || Boolean(o.output);
    const progress = o.quiet
      ? null
      : Progress.forStderr({ stdoutBusy: explainToStdout || (writeRows && !o.output) });
    if (progress && o.input && o.input !== "-") {
      countRows(o.input).then(
        (n) => progress.setTotal(n),
        () => {},
      );
    }
    const distributions = new Distributions();
    let summary: Awaited<ReturnType<typeof runScore>>;
    try {
      summary = await runScore({
        reward,
        input: openInput(o.input),
        output: openOutput(o.output),
        explain: explainToStdout ? process.stdout : null,
        writeRows,
        concurrency: o.concurrency,
        components: o.components as ComponentsMode,
        progress,
        onResult: (r) => distributions.addFacts(r),
        maxLineBytes: o.maxLineBytes,
        ...(group ? { group } : {}),
        ...(o.tokenOffsets ? { tokenOffsets: o.tokenOffsets, placement: o.placement } : {}),
        ...(o.format ? { stepFormat: o.format } : {}),
      });
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      progress?.done();
      process.stderr.write(`rewardkit: ${e.message}\n`);
      process.exit(EXIT.USAGE);
    }
    if (!o.quiet) {
      const dist = distributions.toText();
      process.stderr.write(`${summary.toText()}\n${dist ? `${dist}\n` : ""}`);
    }
    if (o.summaryJson) {
      const { writeFileSync } = await import("node:fs");
      const json = { ...summary.toJSON(), distributions: distributions.toJSON() };
      writeFileSync(o.summaryJson, `${JSON.stringify(json, null, 2)}\n`);
    }
    await closeSharedPool();
    process.exitCode = o.failOnError && summary.status.error! > 0 ? EXIT.ROW_ERRORS : EXIT.OK;
    exitWhenDone();
  });

program
  .command("lint")
  .description(
    "Property-based consistency and anti-hacking checks of a spec on seed samples: laws (totality, bounds, determinism, invariances, ...) and attacks (empty answers, listed options, padding, early exits, ...). Exit 4 on a violation.",
  )
  .requiredOption("-s, --spec <spec>", `a preset (${presetNames().join(", ")}) or a spec JSON file`)
  .requiredOption("--samples <file>", "seed samples, JSONL")
  .option("--runs <n>", "total variations, shared among the checks", int("--runs", 1))
  .option("--seed <s>", "fast-check seed (printed by every run; reproduces it)", int("--seed", -2147483648))
  .option("--json", "print the report as JSON")
  .option("--mutations <file>", 'JSON mutations: [{"name", "find", "replace", "expect"}]')
  .option("--only <names>", "comma-separated checks to run (a name, or a prefix ending in '.')")
  .option("--concurrency <n>", "checks run at once", int("--concurrency", 1))
  .action(async (o) => {
    // Loaded for this command only: scoring does not pay for lint's start-up.
    const { runLint } = await import("./lint.js");
    process.exitCode = await runLint(o);
    exitWhenDone();
  });

// Built apart (src/cli/eval.ts, report.ts); they inherit the exit code 2 for usage errors.
program.addCommand(evalCommand(load_).copyInheritedSettings(program));
program.addCommand(reportCommand(load_).copyInheritedSettings(program));

program
  .command("validate")
  .description("Check a spec without scoring anything; prints its tree and reward range.")
  .argument("<spec>", "a preset name or a spec JSON file")
  .action((spec: string) => {
    const reward = load_(spec);
    const lines: string[] = [];
    const walk = (n: Reward["root"], indent: string) => {
      lines.push(`${indent}${n.name} (${n.type}) range [${n.range[0]}, ${n.range[1]}]`);
      for (const c of n.children) walk(c, `${indent}  `);
    };
    walk(reward.root, "");
    process.stdout.write(`valid\n${lines.join("\n")}\n`);
  });

program
  .command("presets")
  .description("List the built-in presets, or print one as JSON.")
  .argument("[name]", "a preset to print")
  .action((name?: string) => {
    if (name) {
      const p = presetOf(name);
      if (!p)
        program.error(`unknown preset '${name}' (known: ${presetNames().join(", ")})`, {
          exitCode: EXIT.USAGE,
        });
      process.stdout.write(`${JSON.stringify(p!.spec, null, 2)}\n`);
      return;
    }
    for (const n of presetNames()) process.stdout.write(`${n.padEnd(16)} ${PRESETS[n]!.description}\n`);
  });

program
  .command("schema")
  .description("Print the JSON Schema of the spec language (all node types).")
  .action(() => {
    process.stdout.write(`${JSON.stringify(specDocumentSchema(defaultRegistry), null, 2)}\n`);
  });

program
  .command("serve")
  .description(
    "Serve a spec over HTTP: /v1/score, /v1/score/stream, /v1/eval, /get_reward (OpenRLHF), /verify (NeMo Gym), /health, /metrics.",
  )
  .requiredOption("-s, --spec <spec>", "a preset or a spec JSON file")
  .option("--host <host>", "address to bind (a non-loopback address needs a token)", "127.0.0.1")
  .option("-p, --port <port>", "port (0: a free one)", int("--port", 0, 65535), 8000)
  .option("--token-env <name>", "environment variable holding the bearer token", "REWARDKIT_TOKEN")
  .option("--workers <n>", "server processes sharing the port", int("--workers", 1), 1)
  .option(
    "--abstain-value <x>",
    "reward sent to trainers that need a number when a result abstains",
    num("--abstain-value"),
    0,
  )
  .option(
    "--error-value <x>",
    "reward sent to trainers that need a number when a result is an error",
    num("--error-value"),
    0,
  )
  .option("--strip-tokens <list>", "comma-separated end-of-turn tokens stripped from OpenRLHF queries")
  .option("--max-batch <n>", "most samples in one request (more: 413)", int("--max-batch", 1), 65536)
  .option(
    "--max-pending <n>",
    "most samples queued across requests (more: 429)",
    int("--max-pending", 1),
    262144,
  )
  .option(
    "--max-queue-seconds <s>",
    "most estimated work queued across requests, in seconds (more: 429 with Retry-After)",
    num("--max-queue-seconds", { positive: true }),
    30,
  )
  .option(
    "--body-limit <bytes>",
    "largest request body (more: 413)",
    int("--body-limit", 1024),
    64 * 1024 * 1024,
  )
  .option(
    "--max-depth <n>",
    "deepest nesting of arrays/objects in a JSON body or NDJSON line (more: 400)",
    int("--max-depth", 1),
    100,
  )
  .option(
    "--max-line <bytes>",
    "longest sample: an NDJSON line of /v1/score/stream, an array element of a JSON body (more: 413)",
    int("--max-line", 1024),
    4 * 1024 * 1024,
  )
  .option(
    "--body-timeout <ms>",
    "time to receive a JSON body, or the next chunk of a stream (more: 408, connection closed)",
    int("--body-timeout", 1),
    60_000,
  )
  .option("--request-timeout <ms>", "deadline of one request", int("--request-timeout", 1), 600_000)
  .option("--concurrency <n>", "samples scored at once within a request", int("--concurrency", 1), 64)
  .addOption(
    new Option("--log-level <level>", "log level")
      .choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
  )
  .option("--log-samples", "log request bodies at debug level (off: samples may be private)")
  .action(async (o) => {
    const load = () => load_(o.spec);
    load(); // fail fast (exit 2) on an invalid spec, before any process starts
    const token = process.env[o.tokenEnv] || undefined;
    const opts: ServeOptions = {
      host: o.host,
      port: o.port,
      token,
      abstainValue: o.abstainValue,
      errorValue: o.errorValue,
      maxBatch: o.maxBatch,
      maxPending: o.maxPending,
      maxQueueSeconds: o.maxQueueSeconds,
      bodyLimit: o.bodyLimit,
      maxDepth: o.maxDepth,
      maxLine: o.maxLine,
      bodyTimeoutMs: o.bodyTimeout,
      requestTimeoutMs: o.requestTimeout,
      concurrency: o.concurrency,
      logLevel: o.logLevel,
      logSamples: Boolean(o.logSamples),
      ...(o.stripTokens ? { stripTokens: String(o.stripTokens).split(",").filter(Boolean) } : {}),
    };
    // Loaded here so that `score` does not pay for fastify at start-up.
    const { isLoopback, startCluster, startServer } = await import("../server/index.js");
    if (!isLoopback(o.host) && !token) {
      process.stderr.write(
        `rewardkit: refusing to bind ${o.host} without a token: set ${o.tokenEnv} or bind 127.0.0.1\n`,
      );
      process.exit(EXIT.USAGE);
    }
    if (o.workers > 1) await startCluster(load, opts, o.workers, availableParallelism());
    else await startServer(load(), opts);
  });

// Built apart (src/cli/pairs.ts); it inherits the exit code 2 for usage errors.
program.addCommand(pairsCommand(load_, EXIT.USAGE).copyInheritedSettings(program));

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`rewardkit: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(EXIT.FAILURE);
});
