/**
 * The context every check runs in: the compiled spec, the seeds and their results, the declared laws,
 * and scoring that never throws and never hangs (a scoring that does not return before the deadline is
 * reported as an error result of kind `lint:hung`; one that throws, `lint:threw`).
 */
import { type Result, type Sample, sampleProblem, type VerifierRegistry } from "../core/index.js";
import { forEachLimit, type RewardNode, VerifierNode } from "../rewards/index.js";
import { defaultRegistry, loadReward, Reward } from "../spec/index.js";
import { EPS, sameOutcome } from "./compare.js";
import { treeLaws } from "./declared.js";
import type { LintContext } from "./types.js";

export const HUNG = "lint:hung";
export const THREW = "lint:threw";

/** Upper bound of one scoring: every leaf's deadline, as if they ran one after the other. */
export function deadlineOf(n: RewardNode): number {
  if (n instanceof VerifierNode) return n.timeoutMs;
  if (n.children.length === 0) return 10_000;
  const sum = n.children.reduce((a, c) => a + deadlineOf(c), 0);
  return n.type === "rubric" ? Math.max(sum, 120_000) : sum;
}

export function synthetic(kind: string, message: string, ms: number): Result {
  return { status: "error", reward: null, error: { kind, message }, ms };
}

/** Runs `work` with a deadline; never throws. */
export async function guarded<T>(
  work: () => Promise<T>,
  ms: number,
  onFail: (kind: string, message: string, ms: number) => T,
): Promise<T> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const hang = new Promise<"hung">((res) => {
      timer = setTimeout(() => res("hung"), ms);
    });
    const out = await Promise.race([work(), hang]);
    if (out === "hung") return onFail(HUNG, `did not return within ${ms} ms`, performance.now() - t0);
    return out;
  } catch (e) {
    return onFail(THREW, `threw: ${e instanceof Error ? e.message : String(e)}`, performance.now() - t0);
  } finally {
    clearTimeout(timer);
  }
}

const OWN = new Set(["completion", "prompt", "id"]);

/** Whether replacing the sample's other fields (reference, metadata) by nonsense changes any result. */
async function dependsOnFields(
  seeds: readonly (readonly [Sample, Result])[],
  score: (s: unknown) => Promise<Result>,
): Promise<boolean> {
  if (seeds.length === 0) return true;
  for (const [s, r] of seeds) {
    const blanked: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) blanked[k] = OWN.has(k) ? v : "lint-nonce-7f3q";
    if (!("reference" in blanked)) blanked.reference = "lint-nonce-7f3q";
    if (!sameOutcome(await score(blanked), r)) return true;
  }
  return false;
}

export async function makeContext(
  spec: string | object,
  samples: readonly unknown[],
  registry: VerifierRegistry = defaultRegistry,
): Promise<LintContext> {
  const reward = spec instanceof Reward ? spec : loadReward(spec, { registry });
  const deadlineMs = Math.min(2 * deadlineOf(reward.root) + 5000, 3_600_000);
  const cache = new Map<string, Reward>();
  const score = (sample: unknown, r: Reward = reward) =>
    guarded(
      () => r.score(sample),
      deadlineMs,
      (kind, message, ms) => synthetic(kind, message, ms),
    );
  const seeds = samples as Sample[];
  const base = new Array<Result>(seeds.length);
  await forEachLimit(seeds.length, 8, async (i) => {
    base[i] = await score(seeds[i]);
  });
  const [lo, hi] = reward.range;
  const isTop = (r: Result) => r.status === "ok" && (r.reward as number) >= hi - EPS;
  const valid = seeds.map((_, i) => i).filter((i) => !sampleProblem(seeds[i]));
  const okSeeds = valid.filter((i) => base[i]!.status === "ok");
  const mid = lo + (hi - lo) / 2;
  const high = okSeeds.filter(
    (i) => (base[i]!.reward as number) >= mid - EPS && (base[i]!.reward as number) > lo + EPS,
  );
  const top = okSeeds.filter((i) => isTop(base[i]!));
  const judgesAnswer = await dependsOnFields(
    (top.length ? top : okSeeds).slice(0, 5).map((i) => [seeds[i]!, base[i]!] as const),
    score,
  );
  return {
    reward,
    spec: reward.spec,
    registry,
    samples: seeds,
    base,
    range: reward.range,
    laws: treeLaws(reward.spec, reward.root),
    valid,
    okSeeds,
    high,
    top,
    judgesAnswer,
    deadlineMs,
    score,
    load(s: unknown) {
      const key = JSON.stringify(s);
      let r = cache.get(key);
      if (!r) {
        r = loadReward(s as object, { registry });
        if (cache.size > 200) cache.clear();
        cache.set(key, r);
      }
      return r;
    },
    isTop,
  };
}
