/**
 * The rubric node: scores a sample against a rubric (shared, from the spec, or per-sample, from the
 * sample through a template) and reports every criterion as a component: its verdict, reason and
 * contribution, and for a programmatic judge the judge node's own result.
 *
 * Programmatic criteria are judged by reward nodes of the spec (each node runs once per sample however
 * many criteria use it); LLM criteria by the rubric's judge, batched. A criterion whose judge abstains or
 * fails follows the node's policies (default: abstain -> skip the criterion, error -> the rubric errors),
 * so a judge that could not answer never turns into a 0.
 */
import {
  abstain,
  fail,
  fromThrown,
  kindOf,
  type Outcome,
  ok,
  type Result,
  RewardkitError,
  renderText,
  type Sample,
  type Template,
} from "../core/index.js";
import {
  type EvalContext,
  finish,
  formatValue,
  oneLine,
  type Policies,
  type Range,
  type RewardNode,
  resolveChild,
  round3,
} from "../rewards/index.js";
import { type Aggregation, aggregate, type GateOptions, type Scored } from "./aggregate.js";
import type { Judgment, LlmJudge } from "./judge.js";
import {
  type Category,
  type Criterion,
  isPitfall,
  normalizeRubric,
  ordinalScore,
  type Rubric,
} from "./model.js";
import type { Texts } from "./prompts.js";
import { validateSampleRubric } from "./sample-rubric.js";

export interface RubricInputs {
  /** The task shown to an LLM judge; `optional` when a sample without it just omits it. */
  prompt?: { template: Template; optional: boolean };
  response: Template;
  reference?: { template: Template; optional: boolean };
  /** Pairwise mode: the response the candidate is compared with. */
  baseline?: Template;
}

export interface RubricNodeOptions {
  name: string;
  /** A shared rubric, or where a per-sample rubric is found in the sample. */
  rubric:
    | { shared: Rubric }
    | { template: Template; categoryWeights?: Partial<Record<Category, number>>; version?: string };
  aggregation: Aggregation;
  gate: GateOptions;
  /** Implicit aggregation: the holistic score's scale. */
  scale: readonly [number, number];
  /** Programmatic judges by key (see model.ts: namedJudgeKey, inlineJudgeKey). */
  judges: ReadonlyMap<string, RewardNode>;
  /** Names under which judges may be referenced by per-sample criteria. */
  judgeNames: ReadonlySet<string>;
  llm?: LlmJudge;
  inputs: RubricInputs;
  policies: Policies;
}

type Judged = { criterion: Criterion; result: Result };

export class RubricNode implements RewardNode {
  readonly type = "rubric";
  readonly range: Range = [0, 1];
  readonly children: readonly RewardNode[];
  readonly name: string;

  constructor(readonly opts: RubricNodeOptions) {
    this.name = opts.name;
    this.children = [...new Set(opts.judges.values())];
  }

  async evaluate(sample: Sample, ctx: EvalContext): Promise<Result> {
    const t0 = performance.now();
    let out: Outcome;
    try {
      out = await this.run(sample, ctx);
    } catch (e) {
      out = fromThrown(e);
    }
    return finish(out, t0);
  }

  private async run(sample: Sample, ctx: EvalContext): Promise<Outcome> {
    const rubric = this.rubricFor(sample);
    // What an LLM judge is shown is rendered only when one is asked (a program reads the sample itself).
    const needsLlm =
      this.opts.aggregation === "implicit" || rubric.criteria.some((c) => c.judge.kind === "llm");
    const texts = this.texts(sample, needsLlm);
    const o = this.opts;
    if (o.aggregation === "implicit") return this.holistic(rubric, texts, ctx);

    const judged = await this.judgeAll(rubric, sample, texts, ctx);
    const comps: Record<string, Result> = {};
    for (const j of judged) comps[j.criterion.id] = j.result;

    const scored: Scored[] = [];
    for (const { criterion: c, result } of judged) {
      const r = resolveChild(c.id, result, o.policies);
      if (r.kind === "propagate")
        return { ...r.outcome, components: comps, details: { rubric_version: rubric.version } };
      const s: Scored = { id: c.id, weight: c.weight, score: r.kind === "skip" ? null : r.value };
      if (c.category) s.category = c.category;
      scored.push(s);
    }
    const agg = aggregate(scored, o.aggregation, o.gate);
    const details: Record<string, unknown> = { aggregation: o.aggregation, rubric_version: rubric.version };
    if (!agg.ok) return abstain(agg.reason, { components: comps, details });
    const v = agg.value;
    for (const s of scored) {
      const res = comps[s.id]!;
      const contribution = v.contributions.get(s.id) ?? 0;
      res.details = { ...(res.details ?? {}), contribution };
      if (s.score === null) res.weight = 0;
      else if (v.factors.has(s.id) && !v.gate?.closed && !v.clipped) res.weight = v.factors.get(s.id)!;
    }
    let feedback = summary(judged);
    if (v.gate) details.gate = v.gate;
    if (v.gate?.closed) {
      feedback += `; essential criteria unmet: ${v.gate.unmet.join(", ")} (reward capped at ${o.gate.cap})`;
    }
    if (v.clipped !== undefined) details.clipped = v.clipped;
    return ok(v.reward, { components: comps, feedback, details });
  }

  /** The rubric of this sample: the shared one, or the one the sample carries (validated). */
  private rubricFor(sample: Sample): Rubric {
    const r = this.opts.rubric;
    if ("shared" in r) return r.shared;
    let raw = r.template.render(sample);
    if (typeof raw === "string") {
      try {
        raw = JSON.parse(raw);
      } catch (e) {
        throw new RewardkitError(
          "invalid_input",
          `the sample's rubric (${r.template.source}) is text but not JSON: ${(e as Error).message}`,
        );
      }
    }
    const v = validateSampleRubric(raw);
    if (!v.ok)
      throw new RewardkitError(
        "invalid_input",
        `the sample's rubric (${r.template.source}) is invalid: ${v.problem}`,
      );
    const cw = { ...(r.categoryWeights ?? {}), ...(v.categoryWeights ?? {}) };
    const n = normalizeRubric(v.criteria, {
      categoryWeights: cw,
      judgeNames: this.opts.judgeNames,
      inlineJudges: false,
      hasLlm: this.opts.llm !== undefined,
      ...((v.version ?? r.version) ? { version: (v.version ?? r.version)! } : {}),
    });
    if (!n.rubric) {
      const msg = n.problems.map(
        ([p, m]) => `criteria${p.map((x) => (typeof x === "number" ? `[${x}]` : `.${x}`)).join("")}: ${m}`,
      );
      throw new RewardkitError("invalid_input", `the sample's rubric is invalid: ${msg.join("; ")}`);
    }
    if (this.opts.aggregation === "implicit" && n.rubric.criteria.some((c) => c.judge.kind !== "llm")) {
      throw new RewardkitError(
        "invalid_input",
        "the implicit aggregation judges the whole rubric at once: its criteria cannot name programmatic judges",
      );
    }
    return n.rubric;
  }

  private texts(sample: Sample, forLlm: boolean): Texts {
    const i = this.opts.inputs;
    const t: Texts = { response: forLlm ? renderText(i.response, sample, "response") : "" };
    if (i.baseline) t.baseline = renderText(i.baseline, sample, "pairwise baseline");
    if (!forLlm) return t;
    const opt = (x: { template: Template; optional: boolean } | undefined, what: string) => {
      if (!x) return undefined;
      try {
        return asText(x.template.render(sample), what);
      } catch (e) {
        if (
          x.optional &&
          e instanceof RewardkitError &&
          e.kind === "invalid_input" &&
          /has no/.test(e.message)
        )
          return undefined;
        throw e;
      }
    };
    const prompt = opt(i.prompt, "prompt");
    if (prompt !== undefined) t.prompt = prompt;
    const reference = opt(i.reference, "reference");
    if (reference !== undefined) t.reference = reference;
    return t;
  }

  private async judgeAll(rubric: Rubric, sample: Sample, texts: Texts, ctx: EvalContext): Promise<Judged[]> {
    const nodeRuns = new Map<string, Promise<{ cand: Result; base?: Result }>>();
    const baselineSample =
      texts.baseline === undefined ? undefined : { ...sample, completion: texts.baseline };
    for (const c of rubric.criteria) {
      if (c.judge.kind !== "node" || nodeRuns.has(c.judge.key)) continue;
      const node = this.opts.judges.get(c.judge.key)!;
      nodeRuns.set(
        c.judge.key,
        (async () => {
          const [cand, base] = await Promise.all([
            node.evaluate(sample, ctx),
            baselineSample ? node.evaluate(baselineSample, ctx) : Promise.resolve(undefined),
          ]);
          return base ? { cand, base } : { cand };
        })(),
      );
    }
    const llmCriteria = rubric.criteria.filter((c) => c.judge.kind === "llm");
    const t0 = performance.now();
    const llm =
      llmCriteria.length && this.opts.llm
        ? this.opts.llm
            .judgeCriteria(llmCriteria, texts, rubric.version, ctx.signal)
            .then((m) => ({ m, ms: round3(performance.now() - t0) }))
        : Promise.resolve({ m: new Map<string, Judgment>(), ms: 0 });
    const [runs, llmOut] = await Promise.all([
      Promise.all([...nodeRuns].map(async ([k, p]) => [k, await p] as const)).then((xs) => new Map(xs)),
      llm,
    ]);
    return rubric.criteria.map((c) => {
      if (c.judge.kind === "node") {
        const node = this.opts.judges.get(c.judge.key)!;
        return { criterion: c, result: programmatic(c, node, runs.get(c.judge.key)!) };
      }
      const j = llmOut.m.get(c.id);
      const base = describe(c, "llm");
      if (!j)
        return {
          criterion: c,
          result: { ...fail("internal", `no judgment for criterion '${c.id}'`), ms: 0 },
        };
      if (!j.ok)
        return {
          criterion: c,
          result: { ...fail(j.kind, `criterion '${c.id}': ${j.message}`, { details: base }), ms: llmOut.ms },
        };
      const met = metOf(c, j.score, texts.baseline !== undefined);
      const details = {
        ...base,
        verdict: j.verdict,
        reason: j.reason,
        met,
        model: this.opts.llm!.model,
        ...j.details,
      };
      return { criterion: c, result: { ...ok(j.score, { feedback: j.reason, details }), ms: llmOut.ms } };
    });
  }

  private async holistic(rubric: Rubric, texts: Texts, ctx: EvalContext): Promise<Outcome> {
    const t0 = performance.now();
    const j = await this.opts.llm!.holistic(
      rubric.criteria,
      texts,
      rubric.version,
      this.opts.scale,
      ctx.signal,
    );
    const ms = round3(performance.now() - t0);
    const details = { aggregation: "implicit", rubric_version: rubric.version };
    if (!j.ok) {
      const comp: Result = { ...fail(j.kind, j.message), ms };
      return { ...fail(j.kind, `holistic judgment: ${j.message}`), components: { holistic: comp }, details };
    }
    const comp: Result = {
      ...ok(j.score, {
        feedback: j.reason,
        details: { verdict: j.verdict, reason: j.reason, model: this.opts.llm!.model, ...j.details },
      }),
      weight: 1,
      ms,
    };
    return ok(j.score, { components: { holistic: comp }, feedback: j.reason, details });
  }
}

/** "3/4 criteria met, 1/2 pitfalls made, 1 skipped". */
function summary(judged: readonly Judged[]): string {
  const okd = judged.filter((j) => j.result.status === "ok");
  const pos = okd.filter((j) => !isPitfall(j.criterion));
  const pit = okd.filter((j) => isPitfall(j.criterion));
  const met = (xs: Judged[]) => xs.filter((j) => j.result.details?.met === true).length;
  const parts = [`${met(pos)}/${pos.length} criteria met`];
  if (pit.length) parts.push(`${met(pit)}/${pit.length} pitfalls made`);
  const other = judged.length - okd.length;
  if (other) parts.push(`${other} not judged`);
  return parts.join(", ");
}

function describe(c: Criterion, judge: string): Record<string, unknown> {
  const d: Record<string, unknown> = { text: c.text, kind: c.kind, weight: c.weight, judge };
  if (c.category) d.category = c.category;
  if (c.choices) d.choices = c.choices;
  return d;
}

/** Whether a score counts as "met" (for a pitfall: the mistake was made). */
function metOf(c: Criterion, score: number, pairwise: boolean): boolean {
  if (pairwise) return isPitfall(c) ? score > 0.5 : score >= 0.5;
  return c.kind === "ordinal" ? score >= 1 : score === 1;
}

/**
 * A criterion judged by a reward node. Absolute: a binary/points criterion is met when the node's reward
 * reaches the threshold (default: the top of the node's range); an ordinal one takes the choice nearest to
 * the node's reward rescaled to [0, 1]. Pairwise: the candidate's reward is compared with the baseline's.
 */
function programmatic(c: Criterion, node: RewardNode, run: { cand: Result; base?: Result }): Result {
  const { cand, base } = run;
  const name = node.name;
  const comps: Record<string, Result> = base
    ? { [name]: cand, [`${name}:baseline`]: base }
    : { [name]: cand };
  const d = describe(c, name);
  const ms = Math.max(cand.ms, base?.ms ?? 0);
  for (const r of base ? [cand, base] : [cand]) {
    if (r.status !== "ok") {
      const which = r === base ? `${name} (on the baseline)` : name;
      const out =
        r.status === "abstain"
          ? abstain(`judge '${which}' abstained${r.feedback ? `: ${r.feedback}` : ""}`, {
              components: comps,
              details: d,
            })
          : fail(
              r.error?.kind ?? "internal",
              `criterion '${c.id}': judge '${which}': ${r.error?.message ?? "error"}`,
              {
                components: comps,
                details: d,
              },
            );
      return { ...out, ms };
    }
  }
  const [lo, hi] = node.range;
  const norm = (x: number) => (hi > lo ? Math.min(1, Math.max(0, (x - lo) / (hi - lo))) : x >= hi ? 1 : 0);
  const rc = cand.reward as number;
  if (base) {
    const rb = base.reward as number;
    // The judge measures the criterion's property (for a pitfall, the mistake): the candidate's score is
    // how much more of it it has; its preference is that, or the reverse for a pitfall.
    const score = rc > rb ? 1 : rc < rb ? 0 : 0.5;
    const p = isPitfall(c) ? 1 - score : score;
    const preferred = p === 1 ? "candidate" : p === 0 ? "baseline" : "tie";
    const reason = `${name}: candidate ${formatValue(rc)} vs baseline ${formatValue(rb)}`;
    const details = { ...d, verdict: { preferred }, reason, met: metOf(c, score, true), preference: p };
    return { ...ok(score, { components: comps, feedback: reason, details }), ms };
  }
  let score: number;
  let verdict: unknown;
  let reason: string;
  const note = cand.feedback ? ` (${oneLine(cand.feedback, 100)})` : "";
  if (c.kind === "ordinal") {
    const n = c.choices!.length;
    const idx = Math.round(norm(rc) * (n - 1));
    score = ordinalScore(idx, n);
    verdict = c.choices![idx];
    reason = `${name} = ${formatValue(rc)}${note} -> '${verdict}'`;
  } else {
    const threshold = c.threshold ?? hi;
    const met = rc >= threshold - 1e-12;
    score = met ? 1 : 0;
    verdict = met;
    reason = `${name} = ${formatValue(rc)} ${met ? ">=" : "<"} ${formatValue(threshold)}${note}`;
  }
  const details = { ...d, verdict, reason, met: metOf(c, score, false) };
  return { ...ok(score, { components: comps, feedback: reason, details }), ms };
}

function asText(v: unknown, what: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.every((m) => m && typeof m === "object" && "role" in m)) {
    return v
      .map((m: { role: string; content?: unknown }) => {
        const c = m.content;
        const text =
          typeof c === "string"
            ? c
            : Array.isArray(c)
              ? c.map((p) => (typeof p?.text === "string" ? p.text : "")).join("")
              : "";
        return `${m.role}: ${text}`;
      })
      .join("\n");
  }
  throw new RewardkitError("invalid_input", `${what} must be text or chat messages, got ${kindOf(v)}`);
}
