/**
 * The pool task of sharded `rewardkit score` (see runScore): a worker rebuilds the reward from the spec
 * document once (`prepareRows`), then scores blocks of whole input lines with the same code as the main thread
 * (row-pipeline.ts). The checks' own pool tasks run inline on the worker; the pool's watchdog holds the
 * row's deadline.
 */
import { blockLines, isBlank, restartTaskClock } from "../core/index.js";
import { loadReward, type Reward } from "../spec/index.js";
import {
  parseLine,
  type RowJob,
  type RowOptions,
  type RowOutput,
  renderRow,
  scoreRow,
} from "./row-pipeline.js";

export interface ShardContext {
  spec: unknown;
  options: RowOptions;
}

/** Rewards built on this worker, by spec document (a few at most: one per `score` run of a process). */
const rewards = new Map<string, Reward>();
const MAX_REWARDS = 8;

export function prepareRows(ctx: ShardContext): RowJob {
  const key = JSON.stringify(ctx.spec);
  let reward = rewards.get(key);
  if (!reward) {
    // The parent loaded this document (schemas checked): the worker skips that check, not the compilation.
    reward = loadReward(ctx.spec as object, { validated: true });
    if (rewards.size >= MAX_REWARDS) rewards.delete(rewards.keys().next().value!);
    rewards.set(key, reward);
  }
  return { ...ctx.options, reward };
}

/**
 * What a block of rows sends back: their output lines and explanations, each joined into one text, and
 * their summary facts as one JSON text (a structured clone of a small object per row cost about as much
 * as the JSON text's write and read). The main thread then does nothing per row but add the facts up.
 */
export interface PackedRows {
  text: string;
  explain: string;
  facts: string;
}

/** A block's output, unpacked on the main thread (or made there, for rows scored on the per-check path). */
export interface BlockOutput {
  text: string;
  explain: string;
  facts: RowOutput["facts"][];
}

/**
 * A block of input lines (readLineBlocks' text and the number of its first line) -> its rows' output,
 * scored one after another; blank lines are not rows, as everywhere in `score`. `beforeRow` runs before
 * each row. The one loop for both places a block is scored: a worker, and the main thread when the
 * block's task failed.
 */
export async function scoreBlock(
  job: RowJob,
  block: string,
  first: number,
  beforeRow?: () => void,
): Promise<BlockOutput> {
  const lines = blockLines(block);
  let text = "";
  let explain = "";
  const facts: RowOutput["facts"][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (isBlank(lines[i]!)) continue;
    beforeRow?.();
    const row = parseLine(job, lines[i]!, first + i);
    const o = renderRow(job, row, await scoreRow(job, row));
    if (o.text !== null) text += o.text;
    if (o.explain !== null) explain += o.explain;
    facts.push(o.facts);
  }
  return { text, explain, facts };
}

/**
 * The pool task: a block -> its packed output. The task's deadline restarts at each row, so it is a
 * row's deadline (the pool's watchdog kills the worker when one row overruns it).
 */
export async function scoreLines(arg: [string, number], job: RowJob): Promise<PackedRows> {
  const o = await scoreBlock(job, arg[0], arg[1], restartTaskClock);
  return { text: o.text, explain: o.explain, facts: JSON.stringify(o.facts) };
}

export function unpackRows(p: PackedRows): BlockOutput {
  return { text: p.text, explain: p.explain, facts: JSON.parse(p.facts) as RowOutput["facts"][] };
}
