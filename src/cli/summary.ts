/**
 * The distribution part of `rewardkit score`'s summary: p5/p50/p95 and a small text histogram of the total
 * reward and of each component, over ok values. Memory stays bounded: past 10,000 values a component
 * keeps a uniform sample of them (reservoir sampling, seeded, so a run is reproducible) and the figures
 * say so.
 */
import { type Result, seededRandom } from "../core/index.js";
import { type RowFacts, rowFacts } from "./rows.js";

const CAP = 10_000;
const BINS = 10;
const BARS = " ▁▂▃▄▅▆▇█";

class Reservoir {
  readonly values: number[] = [];
  seen = 0;
  constructor(private readonly random: () => number) {}

  add(x: number): void {
    this.seen++;
    if (this.values.length < CAP) this.values.push(x);
    else {
      const j = Math.floor(this.random() * this.seen);
      if (j < CAP) this.values[j] = x;
    }
  }
}

export interface Distribution {
  n: number;
  /** Values the figures were computed from (n when at most 10,000). */
  sampled: number;
  min: number;
  max: number;
  p5: number;
  p50: number;
  p95: number;
  /** Counts in 10 equal bins from min to max. */
  histogram: number[];
}

/** The q-quantile of sorted values, linear between closest ranks. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function distribution(values: readonly number[], n = values.length): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const min = sorted[0]!;
  const max = sorted.at(-1)!;
  const histogram = new Array<number>(BINS).fill(0);
  for (const v of sorted) {
    const i = max === min ? 0 : Math.min(BINS - 1, Math.floor(((v - min) / (max - min)) * BINS));
    histogram[i]!++;
  }
  return {
    n,
    sampled: sorted.length,
    min,
    max,
    p5: quantile(sorted, 0.05),
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    histogram,
  };
}

/** One character per bin, its height proportional to the bin's count (empty bins are blank). */
export function sparkline(histogram: readonly number[]): string {
  const top = Math.max(...histogram);
  return histogram
    .map((c) => (c === 0 ? BARS[0] : BARS[Math.max(1, Math.round((c / top) * (BARS.length - 1)))]))
    .join("");
}

export class Distributions {
  private readonly byName = new Map<string, Reservoir>();
  private readonly random = seededRandom(0x5eed);

  add(r: Result): void {
    this.addFacts(rowFacts(r));
  }

  addFacts(r: RowFacts): void {
    if (r.status === "ok") this.put("reward", r.reward as number);
    for (const [k, v] of Object.entries(r.components)) if (v !== null) this.put(k, v);
  }

  private put(name: string, v: number): void {
    let res = this.byName.get(name);
    if (!res) {
      res = new Reservoir(this.random);
      this.byName.set(name, res);
    }
    res.add(v);
  }

  toJSON(): Record<string, Distribution> {
    const out: Record<string, Distribution> = {};
    for (const [k, r] of this.byName) out[k] = distribution(r.values, r.seen);
    return out;
  }

  toText(): string {
    const all = Object.entries(this.toJSON());
    if (all.length === 0) return "";
    const w = Math.max(...all.map(([k]) => k.length));
    const f = (x: number) => x.toFixed(4);
    const lines = ["distribution over ok values (p5 / p50 / p95, histogram from min to max):"];
    for (const [k, d] of all) {
      const sampled = d.sampled < d.n ? `, from a sample of ${d.sampled}` : "";
      lines.push(
        `  ${k.padEnd(w)}  ${f(d.p5)} / ${f(d.p50)} / ${f(d.p95)}  ${f(d.min)} |${sparkline(d.histogram)}| ${f(d.max)}  (n=${d.n}${sampled})`,
      );
    }
    return lines.join("\n");
  }
}
