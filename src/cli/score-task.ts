/**
 * The pool task of sharded `rewardkit score` (see runScore): a worker rebuilds the reward from the spec
 * document once (`prepareRows`), then scores whole input lines with the same code as the main thread
 * (row-pipeline.ts). The checks' own pool tasks run inline on the worker; the pool's watchdog holds the
 * row's deadline.
 */
import { restartTaskClock } from "../core/index.js";
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
 * What a batch of rows sends back: their output lines and explanations, and their facts as one JSON text
 * (a structured clone of a small object per row cost about as much as the JSON text's write and read).
 */
export interface PackedRows {
  texts: (string | null)[];
  explains: (string | null)[];
  facts: string;
}

/**
 * A batch of input lines: [texts, line numbers] -> their outputs. The task's deadline restarts at each
 * row, so it is a row's deadline (the pool's watchdog kills the worker when one row overruns it).
 */
export async function scoreLines(arg: [string[], number[]], job: RowJob): Promise<PackedRows> {
  const [texts, lines] = arg;
  const out: PackedRows = { texts: [], explains: [], facts: "" };
  const facts: RowOutput["facts"][] = [];
  for (let i = 0; i < texts.length; i++) {
    restartTaskClock();
    const row = parseLine(job, texts[i]!, lines[i]!);
    const o = renderRow(job, row, await scoreRow(job, row));
    out.texts.push(o.text);
    out.explains.push(o.explain);
    facts.push(o.facts);
  }
  out.facts = JSON.stringify(facts);
  return out;
}

export function unpackRows(p: PackedRows): RowOutput[] {
  const facts = JSON.parse(p.facts) as RowOutput["facts"][];
  return p.texts.map((text, i) => ({ text, explain: p.explains[i] ?? null, facts: facts[i]! }));
}
