/**
 * Slots shared fairly between requests. Work carries a key (the server runs each request under its own,
 * `withWorkKey`); when a slot frees up it goes to the waiting key that holds the fewest slots, ties in
 * round-robin order, and no key holds more than `perKeyCap`. So one request with 64 programs that hang
 * delays another request's program by at most one program's run, not 64 of them. Work without a key
 * (library use) shares one key: first come, first served, as before.
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

interface Waiter {
  grant(slot: number): void;
}

export class FairQueue {
  private readonly free: number[];
  private readonly owner: (string | undefined)[];
  private readonly held = new Map<string, number>();
  /** Waiters by key; the map's order is the round-robin order (a key served moves to the end). */
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    readonly size: number,
    readonly perKeyCap = size,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error("a fair queue needs at least one slot");
    this.free = Array.from({ length: size }, (_, i) => size - 1 - i);
    this.owner = new Array(size).fill(undefined);
  }

  /** A slot number for `key`, when one is free and the key is under its cap; rejects when `signal` aborts. */
  acquire(signal?: AbortSignal, key = workKey()): Promise<number> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.free.length && (this.held.get(key) ?? 0) < this.perKeyCap && !this.waiting.size) {
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
        const q = this.waiting.get(key);
        const i = q?.indexOf(w) ?? -1;
        if (i >= 0) q!.splice(i, 1);
        if (q && !q.length) this.waiting.delete(key);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const q = this.waiting.get(key);
      if (q) q.push(w);
      else this.waiting.set(key, [w]);
      // A slot may be free while others wait (their keys at the cap): this key may be able to take it.
      this.dispatch();
    });
  }

  release(slot: number): void {
    const key = this.owner[slot];
    if (key === undefined) return;
    this.owner[slot] = undefined;
    const n = (this.held.get(key) ?? 1) - 1;
    if (n) this.held.set(key, n);
    else this.held.delete(key);
    this.free.push(slot);
    this.dispatch();
  }

  /** Slots in use. */
  get busy(): number {
    return this.size - this.free.length;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    let n = 0;
    for (const q of this.waiting.values()) n += q.length;
    return n;
  }

  private take(slot: number, key: string): number {
    this.owner[slot] = key;
    this.held.set(key, (this.held.get(key) ?? 0) + 1);
    return slot;
  }

  /** Hands free slots to waiting keys: the fewest slots held first, round-robin among equals. */
  private dispatch(): void {
    while (this.free.length && this.waiting.size) {
      let best: string | undefined;
      let bestHeld = Number.POSITIVE_INFINITY;
      for (const key of this.waiting.keys()) {
        const h = this.held.get(key) ?? 0;
        if (h < this.perKeyCap && h < bestHeld) {
          best = key;
          bestHeld = h;
        }
      }
      if (best === undefined) return;
      const q = this.waiting.get(best)!;
      const w = q.shift()!;
      this.waiting.delete(best);
      if (q.length) this.waiting.set(best, q);
      w.grant(this.free.pop()!);
    }
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new RewardkitError("timeout", "aborted");
}
