/**
 * Turning results into output rows and summaries, shared by `score` and its tests.
 */
import type { Result } from "../core/index.js";
import { flattenComponents, type GroupSummary } from "../rewards/index.js";

export type ComponentsMode = "tree" | "flat" | "none";

/** The input row with the result's fields added (they replace fields of the same name). */
export function outputRow(
  row: Record<string, unknown>,
  r: Result,
  mode: ComponentsMode,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row, reward: r.reward, status: r.status, ...extra };
  out.error = r.error ?? null;
  if (r.feedback !== undefined) out.feedback = r.feedback;
  if (mode === "tree" && r.components) out.components = r.components;
  else if (mode === "flat" && r.components) out.components = flattenComponents(r);
  return out;
}

/**
 * What the summary, the distributions and the progress need of a row's result: small enough to come back
 * from a worker that scored the row (the whole result tree stays there).
 */
export interface RowFacts {
  status: Result["status"];
  reward: number | null;
  errorKind: string | null;
  /** flattenComponents of the result: each component's reward, null when not ok. */
  components: Record<string, number | null>;
  /** Isolation of each ok code result in the tree (see Summary.codeIsolation). */
  isolation: string[];
}

export function rowFacts(r: Result): RowFacts {
  const isolation: string[] = [];
  const walk = (x: Result) => {
    const d = x.details;
    if (x.status === "ok" && d && typeof d.isolation === "string" && d.runtime && !d.no_code)
      isolation.push(d.isolation);
    for (const c of Object.values(x.components ?? {})) walk(c);
  };
  walk(r);
  return {
    status: r.status,
    reward: r.reward,
    errorKind: r.error?.kind ?? null,
    components: flattenComponents(r),
    isolation,
  };
}

export class Summary {
  rows = 0;
  private okCount = 0;
  private sum = 0;
  readonly status: Record<string, number> = { ok: 0, abstain: 0, error: 0 };
  readonly errorKinds: Record<string, number> = {};
  private readonly comp = new Map<string, { sum: number; n: number }>();
  /** Code results (anywhere in the tree) by the isolation their programs ran under. */
  readonly codeIsolation: Record<string, number> = {};
  /** Set in group mode. */
  groups?: GroupSummary[];
  /** Rows scored whole on pool workers (sharded), for tests and benchmarks; not part of the summary. */
  shardedRows = 0;

  add(r: Result): void {
    this.addFacts(rowFacts(r));
  }

  addFacts(r: RowFacts): void {
    this.rows++;
    this.status[r.status] = (this.status[r.status] ?? 0) + 1;
    if (r.status === "ok") {
      this.okCount++;
      this.sum += r.reward as number;
    }
    if (r.errorKind !== null) this.errorKinds[r.errorKind] = (this.errorKinds[r.errorKind] ?? 0) + 1;
    for (const i of r.isolation) this.codeIsolation[i] = (this.codeIsolation[i] ?? 0) + 1;
    for (const [k, v] of Object.entries(r.components)) {
      if (v === null) continue;
      const c = this.comp.get(k) ?? { sum: 0, n: 0 };
      c.sum += v;
      c.n++;
      this.comp.set(k, c);
    }
  }

  get meanReward(): number | null {
    return this.okCount ? this.sum / this.okCount : null;
  }

  componentMeans(): Record<string, { mean: number; n: number }> {
    const out: Record<string, { mean: number; n: number }> = {};
    for (const [k, c] of this.comp) out[k] = { mean: c.sum / c.n, n: c.n };
    return out;
  }

  toJSON() {
    return {
      rows: this.rows,
      mean_reward: this.meanReward,
      status: this.status,
      error_kinds: this.errorKinds,
      components: this.componentMeans(),
      ...(Object.keys(this.codeIsolation).length ? { code_isolation: this.codeIsolation } : {}),
      ...(this.groups ? { groups: groupStats(this.groups) } : {}),
    };
  }

  toText(): string {
    const f = (x: number | null) => (x === null ? "-" : x.toFixed(4));
    const lines = [
      `rows: ${this.rows}   mean reward (ok rows): ${f(this.meanReward)}`,
      `status: ok ${this.status.ok}, abstain ${this.status.abstain}, error ${this.status.error}`,
    ];
    const kinds = Object.entries(this.errorKinds);
    if (kinds.length) lines.push(`errors: ${kinds.map(([k, n]) => `${k} ${n}`).join(", ")}`);
    const iso = Object.entries(this.codeIsolation);
    if (iso.length) lines.push(`code isolation: ${iso.map(([k, n]) => `${k} (${n})`).join(", ")}`);
    const bare = iso.filter(([k]) => k.startsWith("none")).reduce((a, [, n]) => a + n, 0);
    if (bare)
      lines.push(
        `WARNING: ${bare} code result(s) ran model-written programs with NO SANDBOX ("sandbox": "none"): they could read host files and use the network`,
      );
    const comps = Object.entries(this.componentMeans());
    if (comps.length) {
      const w = Math.max(...comps.map(([k]) => k.length));
      lines.push("components (mean over ok results):");
      for (const [k, c] of comps) lines.push(`  ${k.padEnd(w)}  ${c.mean.toFixed(4)}  (n=${c.n})`);
    }
    if (this.groups) {
      const g = groupStats(this.groups);
      lines.push(
        `groups: ${g.count}, mean size ${g.mean_size.toFixed(1)}, mean pass rate ${g.mean_pass_rate === null ? "-" : g.mean_pass_rate.toFixed(4)}, zero-variance ${g.zero_variance} (all pass ${g.all_pass}, all fail ${g.all_fail})`,
      );
    }
    return lines.join("\n");
  }
}

export function groupStats(groups: GroupSummary[]) {
  const rates = groups.map((g) => g.pass_rate).filter((x): x is number => x !== null);
  return {
    count: groups.length,
    mean_size: groups.length ? groups.reduce((a, g) => a + g.size, 0) / groups.length : 0,
    mean_pass_rate: rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : null,
    zero_variance: groups.filter((g) => g.zero_variance).length,
    all_pass: groups.filter((g) => g.all_pass).length,
    all_fail: groups.filter((g) => g.all_fail).length,
  };
}
