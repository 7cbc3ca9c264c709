/**
 * Reward-model scores are unbounded logits; a reward needs a known scale. Each method maps a raw value x:
 *
 *   none      x
 *   affine    scale * x + offset
 *   sigmoid   1 / (1 + exp(-(scale * x + offset)))          range [0, 1]
 *   zscore    scale * (x - mean) / std + offset, mean and std over the samples scored together (one batch)
 *   running   the same with a running mean/std (Welford) over every sample this node has scored; the first
 *             `warmup` samples abstain (the statistics are not yet meaningful), they are never a made-up 0
 *
 * The declared range bounds the result: a value outside it is clipped (reported in details) or, with
 * clip false, an error.
 */

export const METHODS = ["none", "affine", "sigmoid", "zscore", "running"] as const;
export type Method = (typeof METHODS)[number];

export interface NormalizeConfig {
  method: Method;
  scale: number;
  offset: number;
  warmup: number;
  /** std below this counts as this (a batch of equal scores gives 0, not a division by zero). */
  minStd: number;
}

export type Normalized =
  | { ok: true; value: number; stats?: Record<string, number> }
  | { ok: false; why: string };

/** Welford's running mean and variance. */
export class RunningStats {
  n = 0;
  mean = 0;
  private m2 = 0;

  add(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }

  get std(): number {
    return this.n > 1 ? Math.sqrt(this.m2 / (this.n - 1)) : 0;
  }
}

export class Normalizer {
  readonly running = new RunningStats();

  constructor(readonly cfg: NormalizeConfig) {}

  /** Normalises the values of samples scored together (null: that sample has no value). */
  apply(values: readonly (number | null)[]): Normalized[] {
    const c = this.cfg;
    const present = values.filter((v): v is number => v !== null);
    if (c.method === "running") for (const v of present) this.running.add(v);
    let mean = 0;
    let std = 1;
    let stats: Record<string, number> | undefined;
    if (c.method === "zscore") {
      if (present.length < 2) {
        return values.map(() => ({
          ok: false,
          why: `a per-batch z-score needs at least 2 samples scored together (this batch had ${present.length}); raise batch_wait_ms or score samples in batches`,
        }));
      }
      const s = new RunningStats();
      for (const v of present) s.add(v);
      mean = s.mean;
      std = Math.max(s.std, c.minStd);
      stats = { batch_mean: mean, batch_std: s.std, batch_n: present.length };
    } else if (c.method === "running") {
      const r = this.running;
      if (r.n < c.warmup) {
        return values.map(() => ({
          ok: false,
          why: `running normalisation warming up (${r.n}/${c.warmup} samples)`,
        }));
      }
      mean = r.mean;
      std = Math.max(r.std, c.minStd);
      stats = { running_mean: mean, running_std: r.std, running_n: r.n };
    }
    return values.map((x) => {
      if (x === null) return { ok: false, why: "no value" };
      let y: number;
      switch (c.method) {
        case "none":
          y = x;
          break;
        case "affine":
          y = c.scale * x + c.offset;
          break;
        case "sigmoid":
          y = 1 / (1 + Math.exp(-(c.scale * x + c.offset)));
          break;
        default:
          y = (c.scale * (x - mean)) / std + c.offset;
      }
      return stats ? { ok: true, value: y, stats } : { ok: true, value: y };
    });
  }
}
