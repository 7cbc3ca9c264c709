/**
 * Scoring groups of completions (one prompt, many samples), for GRPO-style trainers: advantages (GRPO,
 * Dr. GRPO, RLOO), zero-variance flags, pass rate and unbiased pass@k, majority vote by equivalence class,
 * best-of-N, the Kimi 1.5 group length reward, and GDPO (normalise each component within the group, then
 * sum) as an alternative to normalising the summed reward.
 *
 * Results that are not ok take no part in the statistics and get no advantage (null): a trainer must not
 * learn from a reward that does not exist.
 */
import {
  compileTemplate,
  fail,
  mapInSlices,
  nextSlice,
  type Result,
  RewardkitError,
  renderText,
  type Sample,
  sliceDue,
  type Template,
} from "../../core/index.js";
import { type LengthUnit, measureLength } from "../shaping/length.js";
import { type AdvantageMode, advantages, kimiLengthReward, mean, passAtK, std } from "./stats.js";
import { type Classifier, type Equivalence, exactEquivalence, normalizedEquivalence, vote } from "./vote.js";

export * from "./stats.js";
export * from "./vote.js";

export interface GroupOptions {
  /** The sample field (or template) whose value groups samples, e.g. "prompt_id" or "{{prompt}}". */
  by: string;
  advantage?: AdvantageMode;
  /** GRPO's floor on the standard deviation (default 1e-6). */
  std_floor?: number;
  std?: "sample" | "population";
  /** A result passes when its reward is at least this (default 1). */
  pass_threshold?: number;
  pass_at_k?: number[];
  /** "sum": normalise the reward (GRPO); "gdpo": normalise each top-level component, then sum. */
  aggregate?: "sum" | "gdpo";
  /** Weights of the top-level components for "gdpo" (default 1 each). */
  component_weights?: Record<string, number>;
  /** Kimi 1.5 length reward added to each ok reward: weight * lambda. */
  length_reward?: { weight: number; unit?: LengthUnit; length?: string };
  /** Majority vote over answers read by `input`, compared by `equivalence`. */
  vote?: { input?: string; equivalence?: string };
}

export interface GroupInfo {
  key: string;
  size: number;
  index: number;
  scored: number;
  mean: number | null;
  std: number | null;
  advantage: number | null;
  baseline: number | null;
  zero_variance: boolean;
  passed: boolean | null;
  pass_rate: number | null;
  pass_at_k: Record<string, number | null>;
  best: boolean;
  length_reward?: number;
  vote?: {
    answer: string | null;
    agrees: boolean;
    majority: string | null;
    votes: number;
    consensus: number;
    classes: number;
    /** The vote of this sample's group could not be taken (e.g. its equivalence timed out). */
    error?: string;
  };
}

export interface GroupSummary {
  key: string;
  size: number;
  scored: number;
  mean: number | null;
  std: number | null;
  zero_variance: boolean;
  all_pass: boolean;
  all_fail: boolean;
  pass_rate: number | null;
  pass_at_k: Record<string, number | null>;
  best_index: number | null;
  majority?: { answer: string | null; votes: number; consensus: number; error?: string };
}

export type GroupedResult = Result & { group?: GroupInfo };

const EQUIVALENCES: Record<string, Equivalence | Classifier> = {
  exact: exactEquivalence,
  normalized: normalizedEquivalence,
};

/** Adds an equivalence usable as `vote.equivalence` (the spec layer registers "math"). */
export function registerEquivalence(name: string, eq: Equivalence | Classifier): void {
  EQUIVALENCES[name] = eq;
}

/** A problem with group options, each naming the option it is about (`group.vote.equivalence`). */
export class GroupOptionsError extends RewardkitError {
  constructor(readonly issues: { path: string; message: string }[]) {
    super("config_error", issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    this.name = "GroupOptionsError";
  }
}

interface CompiledGroupOptions {
  keyT: Template;
  voteT: Template | null;
  eq: Equivalence | Classifier | undefined;
  lengthT: Template | undefined;
}

/**
 * Compiles the templates and looks up the equivalence of group options; throws GroupOptionsError naming
 * every bad option, so a caller can refuse them before anything is scored.
 */
export function compileGroupOptions(opts: GroupOptions): CompiledGroupOptions {
  const issues: { path: string; message: string }[] = [];
  const template = (path: string, source: string): Template | undefined => {
    try {
      return compileTemplate(source);
    } catch (e) {
      issues.push({ path, message: (e as Error).message });
      return undefined;
    }
  };
  const keyT = template("group.by", opts.by.includes("{{") ? opts.by : `{{${opts.by}}}`);
  const voteT = opts.vote
    ? (template("group.vote.input", opts.vote.input ?? "{{completion}}") ?? null)
    : null;
  const eq = opts.vote ? EQUIVALENCES[opts.vote.equivalence ?? "normalized"] : undefined;
  if (opts.vote && !eq) {
    issues.push({
      path: "group.vote.equivalence",
      message: `unknown equivalence '${opts.vote.equivalence}' (known: ${Object.keys(EQUIVALENCES).join(", ")})`,
    });
  }
  const lengthT = opts.length_reward?.length
    ? template("group.length_reward.length", opts.length_reward.length)
    : undefined;
  if (issues.length) throw new GroupOptionsError(issues);
  return { keyT: keyT!, voteT, eq, lengthT };
}

/** A sample's group key (`group.by` rendered; not a string: its JSON). Throws when it cannot be read. */
export function groupKey(keyT: Template, s: unknown): string {
  if (s === null || typeof s !== "object") throw new Error("not a sample");
  const v = keyT.render(s as Sample);
  return typeof v === "string" ? v : JSON.stringify(v);
}

export async function applyGroups(
  samples: readonly unknown[],
  results: readonly Result[],
  opts: GroupOptions,
): Promise<{ results: GroupedResult[]; groups: GroupSummary[] }> {
  const { keyT, voteT, eq, lengthT } = compileGroupOptions(opts);
  const threshold = opts.pass_threshold ?? 1;
  const ks = opts.pass_at_k ?? [1];

  // A batch can hold 65,536 samples: every pass over it gives way to the event loop between time slices.
  const out: GroupedResult[] = await mapInSlices(results, (r) => ({ ...r }));
  const members = new Map<string, number[]>();
  for (let i = 0; i < samples.length; i++) {
    if ((i & 255) === 255 && sliceDue()) await nextSlice();
    let key: string;
    try {
      key = groupKey(keyT, samples[i]);
    } catch (e) {
      // Without its group the sample has no advantage: that is an error, not a group of one.
      if (out[i]!.status !== "error")
        out[i] = { ...fail("invalid_input", `cannot group: ${(e as Error).message}`), ms: out[i]!.ms };
      continue;
    }
    const list = members.get(key) ?? [];
    list.push(i);
    members.set(key, list);
  }

  const groups: GroupSummary[] = [];
  for (const [key, idx] of members) {
    if (sliceDue()) await nextSlice();
    if (opts.length_reward) {
      // A sample whose length cannot be read gets no length reward: that is its error, not the batch's.
      for (const i of idx) {
        if (out[i]!.status !== "ok") continue;
        try {
          measureLength(samples[i] as Sample, {
            unit: opts.length_reward.unit ?? "chars",
            template: lengthT,
          });
        } catch (e) {
          const kind = e instanceof RewardkitError ? e.kind : "invalid_input";
          const { components, ms } = out[i]!;
          out[i] = {
            ...fail(kind, `group length: ${(e as Error).message}`),
            ...(components ? { components } : {}),
            ms,
          };
        }
      }
    }
    const okIdx = idx.filter((i) => out[i]!.status === "ok");

    if (opts.length_reward && okIdx.length) {
      const lengths = okIdx.map((i) =>
        measureLength(samples[i] as Sample, { unit: opts.length_reward!.unit ?? "chars", template: lengthT }),
      );
      const correct = okIdx.map((i) => (out[i]!.reward as number) >= threshold);
      const lam = kimiLengthReward(lengths, correct);
      okIdx.forEach((i, j) => {
        out[i]!.reward = (out[i]!.reward as number) + opts.length_reward!.weight * lam[j]!;
        out[i]!.group = { length_reward: lam[j]! } as GroupInfo;
      });
    }

    const rs = okIdx.map((i) => out[i]!.reward as number);
    const adv =
      opts.aggregate === "gdpo"
        ? gdpo(
            okIdx.map((i) => out[i]!),
            opts,
          )
        : advantages(rs, advOpts(opts));
    const passed = rs.map((r) => r >= threshold);
    const c = passed.filter(Boolean).length;
    const passAt: Record<string, number | null> = {};
    for (const k of ks) passAt[String(k)] = okIdx.length ? passAtK(okIdx.length, c, k) : null;
    const m = rs.length ? mean(rs) : null;
    const sd = rs.length ? std(rs, opts.std ?? "sample") : null;
    const zeroVar = rs.length > 0 && rs.every((r) => r === rs[0]);
    let best: number | null = null;
    okIdx.forEach((i) => {
      if (best === null || (out[i]!.reward as number) > (out[best]!.reward as number)) best = i;
    });

    let voteInfo: ((j: number) => GroupInfo["vote"]) | undefined;
    let majority: GroupSummary["majority"];
    if (voteT && eq) {
      const answers = idx.map((i) => {
        try {
          const a = renderText(voteT, samples[i] as Sample, "vote input").trim();
          return a === "" ? null : a;
        } catch {
          return null;
        }
      });
      let v: Awaited<ReturnType<typeof vote>> | undefined;
      let failed: string | undefined;
      try {
        v = await vote(answers, eq);
      } catch (e) {
        // A vote that fails (a timeout of its equivalence) fails this group's vote only.
        failed = `the vote could not be taken: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (v) {
        const won = v;
        const maj = won.majority === null ? null : won.classes[won.majority]!;
        const consensus = maj ? maj.votes / idx.length : 0;
        majority = { answer: maj?.answer ?? null, votes: maj?.votes ?? 0, consensus };
        voteInfo = (j) => {
          const cls = won.classOf[j];
          return {
            answer: answers[j] ?? null,
            agrees: cls !== null && cls === won.majority,
            majority: maj?.answer ?? null,
            votes: maj?.votes ?? 0,
            consensus,
            classes: won.classes.length,
          };
        };
      } else {
        majority = { answer: null, votes: 0, consensus: 0, error: failed! };
        voteInfo = (j) => ({
          answer: answers[j] ?? null,
          agrees: false,
          majority: null,
          votes: 0,
          consensus: 0,
          classes: 0,
          error: failed!,
        });
      }
    }

    // Positions by sample index (indexOf in these loops made a group of n samples cost n^2).
    const okPos = new Map(okIdx.map((i, k) => [i, k]));
    // One group may be the whole batch.
    await mapInSlices(idx, (i, j) => {
      const k = okPos.get(i) ?? -1;
      const info: GroupInfo = {
        key,
        size: idx.length,
        index: j,
        scored: okIdx.length,
        mean: m,
        std: sd,
        advantage: k >= 0 ? adv.adv[k]! : null,
        baseline: k >= 0 ? adv.baseline[k]! : null,
        zero_variance: zeroVar,
        passed: k >= 0 ? passed[k]! : null,
        pass_rate: rs.length ? c / rs.length : null,
        pass_at_k: passAt,
        best: i === best,
      };
      const lr = out[i]!.group?.length_reward;
      if (lr !== undefined) info.length_reward = lr;
      if (voteInfo) info.vote = voteInfo(j);
      out[i]!.group = info;
    });

    groups.push({
      key,
      size: idx.length,
      scored: okIdx.length,
      mean: m,
      std: sd,
      zero_variance: zeroVar,
      all_pass: rs.length > 0 && c === rs.length,
      all_fail: rs.length > 0 && c === 0,
      pass_rate: rs.length ? c / rs.length : null,
      pass_at_k: passAt,
      best_index: best === null ? null : idx.indexOf(best), // once per group
      ...(majority ? { majority } : {}),
    });
  }
  return { results: out, groups };
}

function advOpts(o: GroupOptions) {
  return { mode: o.advantage ?? "grpo", stdFloor: o.std_floor ?? 1e-6, std: o.std ?? "sample" } as const;
}

/**
 * GDPO: each top-level component is normalised within the group (GRPO-style), then the normalised
 * components are summed with their weights. Components that are not ok for a sample add 0 for it.
 */
function gdpo(rs: readonly Result[], o: GroupOptions): { adv: number[]; baseline: number[] } {
  const names = new Set<string>();
  for (const r of rs) for (const k of Object.keys(r.components ?? {})) names.add(k);
  if (names.size === 0)
    return advantages(
      rs.map((r) => r.reward as number),
      advOpts(o),
    );
  const adv = rs.map(() => 0);
  for (const name of names) {
    const w = o.component_weights?.[name] ?? 1;
    const present = rs.map((r, i) => ({ i, c: r.components?.[name] })).filter((x) => x.c?.status === "ok");
    const a = advantages(
      present.map((x) => x.c!.reward as number),
      advOpts(o),
    ).adv;
    present.forEach((x, j) => {
      adv[x.i]! += w * a[j]!;
    });
  }
  return { adv, baseline: rs.map(() => 0) };
}
