/**
 * Waiting for a batched answer within a sample's deadline and its caller's signal. Thousands of samples
 * wait at once, so neither costs one object per sample in the runtime: one abort listener per signal
 * (scoreBatch shares one, and every addEventListener on an EventTarget scans the listeners already
 * there), and one timer per deadline length (a node's deadlines expire in the order they were set, so a
 * queue checked from its head replaces a timer per sample).
 */
import { TimeoutError } from "../../core/index.js";
import { abortReason } from "../limiter.js";

type Waiter = { reject(reason: unknown): void; at: number; done: boolean };

const watchers = new WeakMap<AbortSignal, Set<Waiter>>();

function watch(signal: AbortSignal): Set<Waiter> {
  let set = watchers.get(signal);
  if (!set) {
    const s = new Set<Waiter>();
    signal.addEventListener(
      "abort",
      () => {
        for (const w of [...s]) w.reject(abortReason(signal));
        s.clear();
      },
      { once: true },
    );
    watchers.set(signal, s);
    set = s;
  }
  return set;
}

/** Waiters of one deadline length, in the order their deadlines fall. */
class DeadlineQueue {
  private items: Waiter[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly ms: number) {}

  add(w: Waiter): void {
    this.items.push(w);
    if (!this.timer) this.arm();
  }

  private arm(): void {
    while (this.head < this.items.length && this.items[this.head]!.done) this.head++;
    if (this.head >= this.items.length) {
      this.items = [];
      this.head = 0;
      this.timer = undefined;
      return;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    const wait = Math.max(0, this.items[this.head]!.at - performance.now());
    this.timer = setTimeout(() => this.expire(), wait);
    this.timer.unref();
  }

  private expire(): void {
    const now = performance.now();
    while (this.head < this.items.length) {
      const w = this.items[this.head]!;
      if (!w.done && w.at > now) break;
      this.head++;
      if (!w.done) w.reject(new TimeoutError(this.ms, "reward model"));
    }
    this.arm();
  }
}

const queues = new Map<number, DeadlineQueue>();

export function settleWithin<T>(p: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  const set = watch(signal);
  let q = queues.get(timeoutMs);
  if (!q) {
    q = new DeadlineQueue(timeoutMs);
    queues.set(timeoutMs, q);
  }
  const queue = q;
  return new Promise<T>((resolve, reject) => {
    const w: Waiter = {
      at: performance.now() + timeoutMs,
      done: false,
      reject: (reason) => {
        if (w.done) return;
        w.done = true;
        set.delete(w);
        reject(reason);
      },
    };
    set.add(w);
    queue.add(w);
    p.then(
      (v) => {
        if (w.done) return;
        w.done = true;
        set.delete(w);
        resolve(v);
      },
      (e) => w.reject(e),
    );
  });
}
