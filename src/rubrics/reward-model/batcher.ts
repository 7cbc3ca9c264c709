/**
 * Collects the samples a reward_model node is asked to score at about the same time and scores them
 * together: the texts of every sample that arrives within `waitMs` of the first (or until `batchSize`
 * texts are waiting) go out in requests of up to `batchSize` texts. Each text is looked up in the judge
 * cache first; a text already in flight (from an earlier group) shares that request. A request that fails
 * after its retries fails exactly the texts it carried, with the client's error kind.
 *
 * The group is also the "batch" of per-batch normalisation: the caller gets every sample's raw texts'
 * scores of one group at once (`onGroup`).
 */
import type { ErrorKind } from "../../core/index.js";
import { canonicalJson, RewardkitError } from "../../core/index.js";
import { type JudgeCache, sha256 } from "../cache.js";
import type { Endpoint } from "../chat.js";
import { postJson } from "./http.js";
import {
  itemPayload,
  perRequestLimit,
  type RmItem,
  requestBody,
  responseReader,
  type WireOptions,
} from "./protocols.js";

export type ItemScore =
  | { ok: true; value: number; cache: "hit" | "miss" | "shared" }
  | { ok: false; kind: ErrorKind; message: string };

export interface ClientOptions {
  endpoint: Endpoint;
  url: string;
  wire: WireOptions;
  batchSize: number;
  waitMs: number;
  cache: JudgeCache;
}

type Chunked = { key: string; item: RmItem };

interface Pending<R> {
  items: RmItem[];
  resolve(r: R): void;
  reject(e: unknown): void;
}

/** Version tag of the cached value's meaning: bump it when what is cached for a text changes. */
const CACHE_VERSION = "reward_model/1";

export class RmBatcher<R> {
  private queue: Pending<R>[] = [];
  private queuedItems = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inflight = new Map<string, Promise<number>>();
  /** Requests made (for details and benchmarks). */
  requests = 0;

  constructor(
    readonly opts: ClientOptions,
    /** Turns one group's item scores into each sample's result, in the group's order. */
    private readonly onGroup: (scores: ItemScore[][]) => R[],
  ) {
    const w = opts.wire;
    this.settings = canonicalJson({
      url: opts.url,
      model: w.model ?? null,
      version: CACHE_VERSION,
      protocol: w.protocol,
      format: w.format,
      label: w.label ?? null,
      label_index: w.labelIndex ?? null,
      raw: w.rawScores,
      task: w.task ?? null,
      path: w.rewardPath ?? null,
      extra: w.extraBody,
    });
  }

  submit(items: RmItem[]): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queuedItems += items.length;
      if (this.queuedItems >= this.opts.batchSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.waitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const group = this.queue;
    this.queue = [];
    this.queuedItems = 0;
    if (group.length === 0) return;
    this.scoreGroup(group.map((p) => p.items)).then(
      (scores) => {
        let results: R[];
        try {
          results = this.onGroup(scores);
        } catch (e) {
          for (const p of group) p.reject(e);
          return;
        }
        group.forEach((p, i) => {
          p.resolve(results[i]!);
        });
      },
      (e) => {
        for (const p of group) p.reject(e);
      },
    );
  }

  private async scoreGroup(samples: RmItem[][]): Promise<ItemScore[][]> {
    const o = this.opts;
    const flat = samples.flat();
    const keys = flat.map((it) => this.key(it));
    const found = await Promise.all(keys.map((k) => (o.cache.enabled ? o.cache.get(k) : undefined)));
    const values = new Map<string, Promise<{ value: number; cache: "hit" | "miss" | "shared" }>>();
    const toSend: Chunked[] = [];
    flat.forEach((it, i) => {
      const k = keys[i]!;
      if (values.has(k)) return;
      const hit = found[i];
      const cached = hit ? Number(hit.content) : Number.NaN;
      if (Number.isFinite(cached)) values.set(k, Promise.resolve({ value: cached, cache: "hit" }));
      else if (this.inflight.has(k))
        values.set(
          k,
          this.inflight.get(k)!.then((value) => ({ value, cache: "shared" })),
        );
      else toSend.push({ key: k, item: it });
    });
    for (const chunk of this.chunks(toSend)) {
      const req = this.request(chunk);
      chunk.forEach((c, j) => {
        const p = req.then((vs) => vs[j]!);
        this.inflight.set(c.key, p);
        const done = () => this.inflight.delete(c.key);
        p.then(done, done);
        values.set(
          c.key,
          p.then((value) => ({ value, cache: "miss" as const })),
        );
      });
    }
    const settled = new Map<string, ItemScore>();
    await Promise.all(
      [...values].map(async ([k, p]) => {
        try {
          settled.set(k, { ok: true, ...(await p) });
        } catch (e) {
          const err = e instanceof RewardkitError ? e : new RewardkitError("judge_error", String(e));
          settled.set(k, { ok: false, kind: err.kind, message: err.message });
        }
      }),
    );
    let i = 0;
    return samples.map((items) => items.map(() => settled.get(keys[i++]!)!));
  }

  /** Requests of at most the per-request limit; tei_rerank also needs one prompt (query) per request. */
  private chunks(xs: Chunked[]): Chunked[][] {
    const limit = perRequestLimit(this.opts.wire, this.opts.batchSize);
    const byQuery = new Map<string, Chunked[]>();
    for (const x of xs) {
      const q = this.opts.wire.protocol === "tei_rerank" ? x.item.prompt : "";
      const list = byQuery.get(q) ?? [];
      list.push(x);
      byQuery.set(q, list);
    }
    const out: Chunked[][] = [];
    for (const list of byQuery.values())
      for (let i = 0; i < list.length; i += limit) out.push(list.slice(i, i + limit));
    return out;
  }

  private async request(chunk: Chunked[]): Promise<number[]> {
    const o = this.opts;
    const items = chunk.map((c) => c.item);
    this.requests++;
    const { value } = await postJson(
      o.endpoint,
      o.url,
      requestBody(o.wire, items),
      responseReader(o.wire, items.length),
    );
    if (o.cache.enabled) {
      await Promise.all(
        chunk.map((c, i) =>
          o.cache.set({
            key: c.key,
            baseUrl: o.url,
            model: o.wire.model,
            promptHash: c.key,
            rubricVersion: CACHE_VERSION,
            content: String(value[i]),
            createdAt: new Date().toISOString(),
          }),
        ),
      );
    }
    return value;
  }

  /** Everything but the input that decides a text's score, hashed into every key. */
  private readonly settings: string;

  /** The cache key of a text: its input and the node's settings (one hash per text on the hot path). */
  private key(it: RmItem): string {
    const input = itemPayload(this.opts.wire, it);
    return sha256(
      `${this.settings}\n${typeof input === "string" ? JSON.stringify(input) : canonicalJson(input)}`,
    );
  }
}
