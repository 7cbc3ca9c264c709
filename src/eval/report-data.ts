/**
 * The summary a report page shows, built from scored rows (what `rewardkit score` writes) one at a time.
 * Everything embedded in the page is bounded whatever the number of rows: histograms are binned, the
 * length scatter is a uniform sample, and the sample table holds the top, bottom, not-ok and random N.
 * The same object is the CLI's --json summary, so the page's numbers can be checked against it.
 */
import { type Result, seededRandom } from "../core/index.js";
import { advantages, componentEntries, explainResult, passAtK } from "../rewards/index.js";
import { type EvalReport, evaluate, getPath } from "./evaluate.js";
import { spearman } from "./metrics.js";

export interface Histogram {
  /** Bin edges: `counts[i]` counts values in [edges[i], edges[i+1]) (the last bin is closed). */
  edges: number[];
  counts: number[];
}

export interface ComponentSummary {
  path: string;
  /** Rows in which the component appears. */
  n: number;
  ok: number;
  ok_share: number | null;
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Spearman correlation of the component with the total reward, on rows where both are ok. */
  corr_total: number | null;
  histogram: Histogram;
}

export interface Signal {
  kind: string;
  severity: "warning" | "info";
  message: string;
}

export interface SampleRow {
  line: number;
  set: "top" | "bottom" | "not ok" | "random";
  reward: number | null;
  status: string;
  error: string | null;
  length: number;
  completion: string;
  reference: string;
  explanation: string;
}

export interface ReportData {
  title: string;
  rows: number;
  mean_reward: number | null;
  status: { ok: number; abstain: number; error: number };
  error_kinds: Record<string, number>;
  reward_histogram: Histogram;
  components: ComponentSummary[];
  length: {
    /** Spearman rank correlation of reward and completion length (characters), ok rows. */
    spearman: number | null;
    /** Up to `scatterPoints` [length, reward] pairs, a uniform sample of the ok rows. */
    scatter: [number, number][];
  };
  signals: Signal[];
  groups?: {
    field: string;
    count: number;
    zero_variance_share: number | null;
    mean_pass_rate: number | null;
    pass_at_k: Record<string, number | null>;
    advantage_histogram: Histogram;
  };
  eval?: Omit<EvalReport, "disagreements"> & { disagreements: number };
  samples: SampleRow[];
  /** How the embedded parts were bounded. */
  limits: { samples_per_set: number; scatter_points: number; bins: number };
}

export interface ReportOptions {
  title?: string;
  groupBy?: string;
  /** A row passes (pass@k) when its reward is at least this (default 1). */
  passThreshold?: number;
  /** A label field: eval metrics from the rows' rewards and labels. */
  label?: string;
  evalMode?: "auto" | "binary" | "graded";
  samplesPerSet?: number;
  scatterPoints?: number;
  bins?: number;
  /** Seed of the random choices (samples, scatter), so a report is reproducible. */
  seed?: number;
}

const FORMAT_NAME = /format|think|tag|style|schema/i;
const TEXT_MAX = 4000;

export function histogram(values: readonly number[], bins: number): Histogram {
  if (values.length === 0) return { edges: [], counts: [] };
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return { edges: [lo, hi], counts: [values.length] };
  // The bin from the share of the span, not (v - lo) / width: a span of a few subnormals has width 0.
  const span = hi - lo;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.max(0, Math.min(bins - 1, Math.floor(((v - lo) / span) * bins)))]!++;
  return {
    edges: Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + (span * i) / bins)),
    counts,
  };
}

function text(v: unknown): string {
  if (v === undefined || v === null) return "";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > TEXT_MAX ? `${s.slice(0, TEXT_MAX)}… (${s.length} characters)` : s;
}

function completionOf(row: Record<string, unknown>): string {
  const c = row.completion;
  if (typeof c === "string") return c;
  if (Array.isArray(c)) {
    for (let i = c.length - 1; i >= 0; i--) {
      const m = c[i] as { role?: unknown; content?: unknown };
      if (m?.role === "assistant")
        return typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? "");
    }
  }
  return "";
}

/** A scored row's result, as `rewardkit score` wrote it (components as a tree or flat). */
export function resultOf(row: Record<string, unknown>): Result {
  const status = row.status === "ok" || row.status === "abstain" ? row.status : "error";
  const reward = status === "ok" && typeof row.reward === "number" ? row.reward : null;
  const err = row.error as { kind?: string; message?: string } | null | undefined;
  const extra = {
    ms: 0,
    ...(err?.kind ? { error: { kind: err.kind as never, message: String(err.message ?? "") } } : {}),
    ...(typeof row.feedback === "string" ? { feedback: row.feedback } : {}),
  };
  const r: Result =
    status === "ok" && reward !== null
      ? { status: "ok", reward, ...extra }
      : { status: status === "abstain" ? "abstain" : "error", reward: null, ...extra };
  if (r.status === "error" && !r.error)
    r.error = {
      kind: "invalid_input" as never,
      message: "the row has no valid status/reward (not a scored row?)",
    };
  const comps = row.components;
  if (comps && typeof comps === "object" && !Array.isArray(comps)) {
    const out: Record<string, Result> = {};
    for (const [k, v] of Object.entries(comps as Record<string, unknown>)) {
      if (v !== null && typeof v === "object") out[k] = resultOf(v as Record<string, unknown>);
      else
        out[k] =
          typeof v === "number"
            ? { status: "ok", reward: v, ms: 0 }
            : { status: "error", reward: null, ms: 0 };
    }
    r.components = out;
  }
  return r;
}

/** Collects scored rows; `finish` computes the summary. */
export class ReportBuilder {
  private n = 0;
  private readonly status = { ok: 0, abstain: 0, error: 0 };
  private readonly errorKinds: Record<string, number> = {};
  private readonly rewards: number[] = [];
  private readonly okLengths: number[] = [];
  /** Per component path: its value in each row (NaN where not ok), and the total's, aligned. */
  private readonly comps = new Map<string, { values: number[]; totals: number[]; n: number; ok: number }>();
  private formatOnly = 0;
  private positive = 0;
  private readonly top: SampleRow[] = [];
  private readonly bottom: SampleRow[] = [];
  private readonly notOk: SampleRow[] = [];
  private readonly random: SampleRow[] = [];
  private readonly scatter: [number, number][] = [];
  private okSeen = 0;
  private readonly groups = new Map<string, number[]>();
  private readonly labelled: { label: unknown; result: Result; line: number }[] = [];
  private readonly rand: () => number;
  private readonly N: number;
  private readonly P: number;

  constructor(private readonly o: ReportOptions = {}) {
    this.rand = seededRandom(o.seed ?? 1);
    this.N = o.samplesPerSet ?? 50;
    this.P = o.scatterPoints ?? 2000;
  }

  add(row: Record<string, unknown>, line: number): void {
    this.n++;
    const r = resultOf(row);
    this.status[r.status]++;
    if (r.error) this.errorKinds[r.error.kind] = (this.errorKinds[r.error.kind] ?? 0) + 1;
    const completion = completionOf(row);
    const len = completion.length;
    const lazy = (set: SampleRow["set"]): SampleRow => ({
      line,
      set,
      reward: r.reward,
      status: r.status,
      error: r.error ? `${r.error.kind}: ${r.error.message}` : null,
      length: len,
      completion: text(completion),
      reference: text(row.reference),
      explanation: explainResult(r),
    });
    if (this.o.label) this.labelled.push({ label: getPath(row, this.o.label), result: r, line });
    if (r.status === "ok") {
      const reward = r.reward!;
      this.rewards.push(reward);
      this.okLengths.push(len);
      this.okSeen++;
      // Reservoir samples: the scatter, and the random rows of the table.
      if (this.scatter.length < this.P) this.scatter.push([len, reward]);
      else {
        const j = Math.floor(this.rand() * this.okSeen);
        if (j < this.P) this.scatter[j] = [len, reward];
      }
      this.keep(this.top, reward, (a, b) => a > b, lazy, "top");
      this.keep(this.bottom, reward, (a, b) => a < b, lazy, "bottom");
      if (reward > 0) this.positive++;
    } else if (this.notOk.length < this.N) this.notOk.push(lazy("not ok"));
    if (this.random.length < this.N) this.random.push(lazy("random"));
    else {
      const j = Math.floor(this.rand() * this.n);
      if (j < this.N) this.random[j] = lazy("random");
    }
    this.addComponents(r);
    if (this.o.groupBy) {
      const g = getPath(row, this.o.groupBy);
      const key = g === undefined || g === null ? "(none)" : JSON.stringify(g);
      if (!this.groups.has(key)) this.groups.set(key, []);
      this.groups.get(key)!.push(r.status === "ok" ? r.reward! : Number.NaN);
    }
  }

  /** Keeps the N best rows by `better`, building a row only when it enters. */
  private keep(
    list: SampleRow[],
    reward: number,
    better: (a: number, b: number) => boolean,
    make: (s: SampleRow["set"]) => SampleRow,
    set: SampleRow["set"],
  ): void {
    if (list.length >= this.N && !better(reward, list[list.length - 1]!.reward!)) return;
    const row = make(set);
    let i = list.length;
    while (i > 0 && better(reward, list[i - 1]!.reward!)) i--;
    list.splice(i, 0, row);
    if (list.length > this.N) list.pop();
  }

  private addComponents(r: Result): void {
    const entries = componentEntries(r);
    const total = r.status === "ok" ? r.reward! : Number.NaN;
    let formatPos = false;
    let otherPos = false;
    let others = 0;
    for (const [path, c] of entries) {
      let s = this.comps.get(path);
      if (!s) {
        s = { values: [], totals: [], n: 0, ok: 0 };
        this.comps.set(path, s);
      }
      s.n++;
      const v = c.status === "ok" ? c.reward! : Number.NaN;
      if (c.status === "ok") s.ok++;
      s.values.push(v);
      s.totals.push(total);
      if (!path.includes(".")) {
        if (FORMAT_NAME.test(path)) formatPos ||= v > 0;
        else {
          others++;
          otherPos ||= v > 0;
        }
      }
    }
    if (total > 0 && formatPos && others > 0 && !otherPos) this.formatOnly++;
  }

  async finish(): Promise<ReportData> {
    const bins = this.o.bins ?? 40;
    const components = [...this.comps].map(([path, s]): ComponentSummary => {
      const okVals = s.values.filter((v) => !Number.isNaN(v));
      const both = s.values
        .map((v, i) => [v, s.totals[i]!])
        .filter(([v, t]) => !Number.isNaN(v) && !Number.isNaN(t));
      let sum = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of okVals) {
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return {
        path,
        n: s.n,
        ok: s.ok,
        ok_share: s.n ? s.ok / s.n : null,
        mean: okVals.length ? sum / okVals.length : null,
        min: okVals.length ? min : null,
        max: okVals.length ? max : null,
        corr_total: spearman(
          both.map((b) => b[0]!),
          both.map((b) => b[1]!),
        ),
        histogram: histogram(okVals, Math.min(bins, 20)),
      };
    });
    const lengthCorr = spearman(this.okLengths, this.rewards);
    const data: ReportData = {
      title: this.o.title ?? "rewardkit report",
      rows: this.n,
      mean_reward: this.rewards.length ? this.rewards.reduce((a, b) => a + b, 0) / this.rewards.length : null,
      status: this.status,
      error_kinds: this.errorKinds,
      reward_histogram: histogram(this.rewards, bins),
      components,
      length: { spearman: lengthCorr, scatter: this.scatter },
      signals: this.signals(components, lengthCorr),
      samples: [...this.top, ...this.bottom, ...this.notOk, ...this.random],
      limits: { samples_per_set: this.N, scatter_points: this.P, bins },
    };
    if (this.o.groupBy) data.groups = this.groupSummary(bins);
    if (this.o.label) data.eval = await this.evalSummary();
    return data;
  }

  private signals(components: ComponentSummary[], lengthCorr: number | null): Signal[] {
    const out: Signal[] = [];
    const ok = this.status.ok;
    if (ok === 0) out.push({ kind: "no_ok_rows", severity: "warning", message: "no row has an ok reward" });
    if (lengthCorr !== null && Math.abs(lengthCorr) >= 0.3)
      out.push({
        kind: "length_correlation",
        severity: "warning",
        message: `reward and completion length have a rank correlation of ${lengthCorr.toFixed(3)}: the policy can move the reward by writing ${lengthCorr > 0 ? "longer" : "shorter"} answers`,
      });
    if (this.positive > 0 && this.formatOnly / this.positive >= 0.1)
      out.push({
        kind: "format_only",
        severity: "warning",
        message: `${this.formatOnly} of ${this.positive} rows with a positive reward (${((100 * this.formatOnly) / this.positive).toFixed(1)}%) earn it from format components only (names matching ${FORMAT_NAME.source}), every other component at 0`,
      });
    for (const c of components) {
      if (c.ok === 0)
        out.push({
          kind: "never_ok",
          severity: "warning",
          message: `component '${c.path}' is never ok (${c.n} rows)`,
        });
      else if (c.min === c.max)
        out.push({
          kind: c.max === 0 ? "never_fires" : "constant",
          severity: "warning",
          message:
            c.max === 0
              ? `component '${c.path}' is 0 on all ${c.ok} ok rows: it never fires`
              : `component '${c.path}' is ${c.max} on all ${c.ok} ok rows: it does not discriminate`,
        });
    }
    if (this.status.ok && this.rewards.every((r) => r === this.rewards[0]))
      out.push({
        kind: "constant_reward",
        severity: "warning",
        message: `every ok reward is ${this.rewards[0]}`,
      });
    return out;
  }

  private groupSummary(bins: number): NonNullable<ReportData["groups"]> {
    const threshold = this.o.passThreshold ?? 1;
    const adv: number[] = [];
    let zero = 0;
    let counted = 0;
    const rates: number[] = [];
    // A loop, not Math.min(...sizes): a million groups would overflow the call stack as arguments.
    let maxK = Number.POSITIVE_INFINITY;
    for (const g of this.groups.values()) maxK = Math.min(maxK, g.length);
    const ks = [1, 2, 4, 8, 16, 32, 64].filter((k) => k <= maxK);
    const pass: Record<string, number[]> = Object.fromEntries(ks.map((k) => [String(k), []]));
    for (const g of this.groups.values()) {
      const rs = g.filter((x) => !Number.isNaN(x));
      if (rs.length === 0) continue;
      counted++;
      if (rs.every((x) => x === rs[0])) zero++;
      for (const a of advantages(rs, { mode: "grpo", stdFloor: 1e-6, std: "sample" }).adv) adv.push(a);
      const c = g.filter((x) => x >= threshold).length;
      rates.push(c / g.length);
      for (const k of ks) {
        const p = passAtK(g.length, c, k);
        if (p !== null) pass[String(k)]!.push(p);
      }
    }
    const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    return {
      field: this.o.groupBy!,
      count: this.groups.size,
      zero_variance_share: counted ? zero / counted : null,
      mean_pass_rate: avg(rates),
      pass_at_k: Object.fromEntries(ks.map((k) => [String(k), avg(pass[String(k)]!)])),
      advantage_histogram: histogram(adv, bins),
    };
  }

  /** Eval metrics from the stored results: the scorer hands back each row's own result. */
  private async evalSummary(): Promise<NonNullable<ReportData["eval"]>> {
    const rows = this.labelled.map((x, i) => ({ label: x.label, i }));
    const results = this.labelled.map((x) => x.result);
    const { disagreements, ...rest } = await evaluate(
      {
        explain: (r) => explainResult(r),
        scoreBatch: async (samples) => samples.map((s) => results[(s as { i: number }).i]!),
      },
      rows,
      {
        label: "label",
        mode: this.o.evalMode ?? "auto",
        where: (i) => `line ${this.labelled[i]!.line}`,
      },
    );
    return { ...rest, label: this.o.label!, disagreements: disagreements.length };
  }
}
