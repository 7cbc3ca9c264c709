/**
 * The judge-answer cache. A judge call is identified by (base URL, model, prompt hash, rubric version):
 * the prompt hash covers the whole first request (messages and sampling parameters), so any change in
 * what the judge is asked gives a new key, and the rubric version lets a user invalidate on purpose.
 *
 * Only replies that parsed are stored (the reply text; it is parsed again on a hit). The memory layer is
 * process-wide and bounded (least recently used entries go first); the disk layer, when a directory is
 * configured, keeps one JSON file per key under `<dir>/<key[0..2]>/<key>.json`, written atomically, so
 * repeated runs cost nothing and give the same verdicts. Concurrent misses on one key share one call.
 * A disk problem never fails scoring: the cache is skipped.
 */
import { join } from "node:path";
import { canonicalJson } from "../core/index.js";

export interface CacheKeyParts {
  baseUrl: string;
  model: string;
  promptHash: string;
  rubricVersion: string;
}

// node:crypto and node:fs/promises load with the first hash and the first cache file, not with rewardkit:
// importing them costs about as much as a dozen of the library's modules.
const crypto = () => process.getBuiltinModule("node:crypto") as typeof import("node:crypto");
const fs = () => process.getBuiltinModule("node:fs/promises") as typeof import("node:fs/promises");

export function sha256(s: string): string {
  return crypto().createHash("sha256").update(s).digest("hex");
}

export function promptHash(request: unknown): string {
  return sha256(canonicalJson(request));
}

export function cacheKey(p: CacheKeyParts): string {
  return sha256(JSON.stringify([p.baseUrl.replace(/\/+$/, ""), p.model, p.promptHash, p.rubricVersion]));
}

export interface CacheEntry extends CacheKeyParts {
  key: string;
  content: string;
  createdAt: string;
}

const MAX_MEMORY_ENTRIES = 50_000;
const memory = new Map<string, CacheEntry>();
const inflight = new Map<string, Promise<unknown>>();
const stats = { hits: 0, diskHits: 0, misses: 0, writes: 0 };

function remember(e: CacheEntry): void {
  memory.delete(e.key);
  memory.set(e.key, e);
  if (memory.size > MAX_MEMORY_ENTRIES) memory.delete(memory.keys().next().value as string);
}

export interface CacheOptions {
  memory: boolean;
  dir?: string;
}

export class JudgeCache {
  constructor(readonly opts: CacheOptions) {}

  get enabled(): boolean {
    return this.opts.memory || this.opts.dir !== undefined;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    if (this.opts.memory) {
      const e = memory.get(key);
      if (e) {
        remember(e);
        stats.hits++;
        return e;
      }
    }
    if (this.opts.dir) {
      try {
        const e = JSON.parse(await fs().readFile(this.file(key), "utf8")) as CacheEntry;
        if (e && e.key === key && typeof e.content === "string") {
          if (this.opts.memory) remember(e);
          stats.diskHits++;
          return e;
        }
      } catch {
        // missing or unreadable: a miss
      }
    }
    stats.misses++;
    return undefined;
  }

  async set(entry: CacheEntry): Promise<void> {
    if (this.opts.memory) remember(entry);
    if (this.opts.dir) {
      const f = this.file(entry.key);
      const tmp = `${f}.${process.pid}.${crypto().randomBytes(4).toString("hex")}.tmp`;
      try {
        await fs().mkdir(join(this.opts.dir, entry.key.slice(0, 2)), { recursive: true });
        await fs().writeFile(tmp, `${JSON.stringify(entry)}\n`);
        await fs().rename(tmp, f);
        stats.writes++;
      } catch {
        // an unwritable cache directory costs the caching, not the result
      }
    }
  }

  /**
   * Runs `work` once per key at a time: a caller that arrives while the same key is in flight shares
   * that call's outcome (`shared: true`).
   */
  async once<T>(key: string, work: () => Promise<T>): Promise<{ value: T; shared: boolean }> {
    const running = inflight.get(key);
    if (running) return { value: (await running) as T, shared: true };
    const p = work().finally(() => inflight.delete(key));
    inflight.set(key, p);
    return { value: await p, shared: false };
  }

  private file(key: string): string {
    return join(this.opts.dir!, key.slice(0, 2), `${key}.json`);
  }
}

/** Empties the process-wide memory cache (tests, or to force fresh judgments). */
export function clearJudgeCache(): void {
  memory.clear();
  stats.hits = stats.diskHits = stats.misses = stats.writes = 0;
}

export function judgeCacheStats(): {
  entries: number;
  hits: number;
  diskHits: number;
  misses: number;
  writes: number;
} {
  return { entries: memory.size, ...stats };
}
