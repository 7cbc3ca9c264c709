/**
 * Fair sharing between requests. Work carries a key (the server runs each request under its own,
 * `withWorkKey`). Waiting work is kept per key (KeyedQueue), and the next item served is from the
 * waiting key that holds the fewest of what is shared, ties in round-robin order, and no key holds more
 * than `perKeyCap`. So one request with 64 programs that hang, or 65,536 slow checks, delays another
 * request's work by about one program's run or one task, not all of them. Work without a key (library
 * use) shares one key: first come, first served, as before. Two users: FairQueue (the code verifier's
 * slots, below) and the worker pool's task queue (pool.ts).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { RewardkitError } from "./result.js";

const keys = new AsyncLocalStorage<string>();

/** Runs `fn` (and everything it starts, awaited or not) under the work key `key`. */
export function withWorkKey<T>(key: string, fn: () => T): T {
  return keys.run(key, fn);
}

/** The work key of the current async context ("" outside any). */
export function workKey(): string {
  return keys.getStore() ?? "";
}

/**
 * Items waiting per key, served fairly: `take` gives the first item of the waiting key that holds the
 * fewest (counted from `take` to `release`), round-robin among equals, skipping keys at `perKeyCap`.
 */
export class KeyedQueue<T> {
  /** Queues by key; the map's order is the round-robin order (a key served moves to the end). */
  private readonly queues = new Map<string, { items: T[]; head: number }>();
  private readonly held = new Map<string, number>();
  private count = 0;

  constructor(readonly perKeyCap = Number.POSITIVE_INFINITY) {}

  /** Items waiting. */
  get size(): number {
    return this.count;
  }

  /** Keys with items waiting. */
  get waitingKeys(): number {
    return this.queues.size;
  }

  holding(key: string): number {
    return this.held.get(key) ?? 0;
  }

  push(key: string, item: T): void {
    const q = this.queues.get(key);
    if (q) q.items.push(item);
    else this.queues.set(key, { items: [item], head: 0 });
    this.count++;
  }

  /**
   * Puts items back at the front of their key's queue (work that must go again before the key's other
   * work). The key goes to the end of the round-robin order: it was served already.
   */
  unshift(key: string, items: T[]): void {
    if (!items.length) return;
    const q = this.queues.get(key);
    this.queues.delete(key);
    if (q) {
      q.items.splice(q.head, 0, ...items);
      this.queues.set(key, q);
    } else this.queues.set(key, { items: [...items], head: 0 });
    this.count += items.length;
  }

  /** Removes a waiting item (cancelled); false when it was not waiting. */
  remove(key: string, item: T): boolean {
    const q = this.queues.get(key);
    const i = q ? q.items.indexOf(item, q.head) : -1;
    if (i < 0) return false;
    q!.items.splice(i, 1);
    this.count--;
    if (q!.head >= q!.items.length) this.queues.delete(key);
    return true;
  }

  /** The next item to serve, now held by its key; undefined when every waiting key is at its cap. */
  take(): { key: string; item: T } | undefined {
    let best: string | undefined;
    let bestHeld = Number.POSITIVE_INFINITY;
    for (const key of this.queues.keys()) {
      const h = this.held.get(key) ?? 0;
      if (h < this.perKeyCap && h < bestHeld) {
        best = key;
        bestHeld = h;
        if (h === 0) break;
      }
    }
    if (best === undefined) return undefined;
    const q = this.queues.get(best)!;
    const item = q.items[q.head]!;
    q.items[q.head++] = undefined as T;
    this.count--;
    this.queues.delete(best);
    if (q.head < q.items.length) {
      if (q.head > 1024 && q.head * 2 > q.items.length) {
        q.items.splice(0, q.head);
        q.head = 0;
      }
      this.queues.set(best, q);
    }
    this.hold(best);
    return { key: best, item };
  }

  /** Counts one more held by `key` (taken without waiting). */
  hold(key: string): void {
    this.held.set(key, (this.held.get(key) ?? 0) + 1);
  }

  release(key: string): void {
    const n = (this.held.get(key) ?? 1) - 1;
    if (n > 0) this.held.set(key, n);
    else this.held.delete(key);
  }

  /** The items waiting (a snapshot). */
  waiting(): T[] {
    const out: T[] = [];
    for (const q of this.queues.values()) for (let i = q.head; i < q.items.length; i++) out.push(q.items[i]!);
    return out;
  }

  /** Empties the queue, returning what was waiting. */
  drain(): T[] {
    const out = this.waiting();
    this.queues.clear();
    this.count = 0;
    return out;
  }
}

interface Waiter {
  grant(slot: number): void;
}

/** Slots shared fairly between requests (the code verifier's: one program run each). */
export class FairQueue {
  private readonly free: number[];
  private readonly owner: (string | undefined)[];
  private readonly waiting: KeyedQueue<Waiter>;

  constructor(
    readonly size: number,
    readonly perKeyCap = size,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error("a fair queue needs at least one slot");
    this.free = Array.from({ length: size }, (_, i) => size - 1 - i);
    this.owner = new Array(size).fill(undefined);
    this.waiting = new KeyedQueue(perKeyCap);
  }

  /** A slot number for `key`, when one is free and the key is under its cap; rejects when `signal` aborts. */
  acquire(signal?: AbortSignal, key = workKey()): Promise<number> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.free.length && this.waiting.holding(key) < this.perKeyCap && !this.waiting.size) {
      this.waiting.hold(key);
      return Promise.resolve(this.take(this.free.pop()!, key));
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        grant: (slot) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.take(slot, key));
        },
      };
      const onAbort = () => {
        this.waiting.remove(key, w);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(key, w);
      // A slot may be free while others wait (their keys at the cap): this key may be able to take it.
      this.dispatch();
    });
  }

  release(slot: number): void {
    const key = this.owner[slot];
    if (key === undefined) return;
    this.owner[slot] = undefined;
    this.waiting.release(key);
    this.free.push(slot);
    this.dispatch();
  }

  /** Slots in use. */
  get busy(): number {
    return this.size - this.free.length;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.size;
  }

  private take(slot: number, key: string): number {
    this.owner[slot] = key;
    return slot;
  }

  /** Hands free slots to waiting keys: the fewest slots held first, round-robin among equals. */
  private dispatch(): void {
    while (this.free.length && this.waiting.size) {
      const next = this.waiting.take();
      if (!next) return;
      next.item.grant(this.free.pop()!);
    }
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new RewardkitError("timeout", "aborted");
}
