/**
 * The fair queue of slots (src/core/fair-queue.ts): a freed slot goes to the waiting key holding the
 * fewest, round-robin among equals; the per-key cap; aborted waiters leave the queue; the work key
 * follows async work started under withWorkKey.
 */
import { describe, expect, it } from "vitest";
import { FairQueue, KeyedQueue, withWorkKey, workKey } from "../../src/core/index.js";

describe("FairQueue", () => {
  it("hands a freed slot to another request before the holder's next program", async () => {
    const q = new FairQueue(2);
    const order: string[] = [];
    const a1 = await q.acquire(undefined, "A");
    const a2 = await q.acquire(undefined, "A");
    const noted = (key: string) =>
      q.acquire(undefined, key).then((s) => {
        order.push(key);
        return s;
      });
    const waits = [...Array.from({ length: 5 }, () => noted("A")), noted("B")];
    expect(q.queued).toBe(6);
    q.release(a1);
    await Promise.resolve();
    expect(order).toEqual(["B"]);
    q.release(a2);
    await Promise.resolve();
    expect(order).toEqual(["B", "A"]);
    expect(q.busy).toBe(2);
    q.release(await waits[5]!);
    q.release(await waits[0]!);
    await Promise.all(waits.slice(0, 5).map(async (w) => q.release(await w)));
    expect(q.busy).toBe(0);
  });

  it("takes turns between keys holding the same number of slots", async () => {
    const q = new FairQueue(1);
    const got: string[] = [];
    const first = await q.acquire(undefined, "X");
    const all = ["A", "A", "B", "B", "C"].map((k) =>
      q.acquire(undefined, k).then((s) => {
        got.push(k);
        setImmediate(() => q.release(s));
      }),
    );
    q.release(first);
    await Promise.all(all);
    expect(got).toEqual(["A", "B", "C", "A", "B"]);
  });

  it("never gives a key more than its cap, even with slots free", async () => {
    const q = new FairQueue(4, 2);
    await q.acquire(undefined, "A");
    await q.acquire(undefined, "A");
    let third = false;
    void q.acquire(undefined, "A").then(() => {
      third = true;
    });
    const b = await q.acquire(undefined, "B");
    await Promise.resolve();
    expect(third).toBe(false);
    expect(q.busy).toBe(3);
    q.release(b);
    expect(third).toBe(false);
  });

  it("an aborted waiter leaves the queue with the signal's reason", async () => {
    const q = new FairQueue(1);
    const s = await q.acquire(undefined, "A");
    const ac = new AbortController();
    const w = q.acquire(ac.signal, "B");
    ac.abort(new Error("client gone"));
    await expect(w).rejects.toThrow("client gone");
    expect(q.queued).toBe(0);
    q.release(s);
    expect(q.busy).toBe(0);
  });

  it("the work key follows the async work started under it", async () => {
    const seen = await Promise.all(
      ["r1", "r2"].map((k) =>
        withWorkKey(k, async () => {
          await new Promise((r) => setTimeout(r, 5));
          return workKey();
        }),
      ),
    );
    expect(seen).toEqual(["r1", "r2"]);
    expect(workKey()).toBe("");
  });
});

describe("KeyedQueue", () => {
  it("serves the waiting key holding the fewest, round-robin among equals, within the cap", () => {
    const q = new KeyedQueue<string>(2);
    for (const x of ["a1", "a2", "a3", "a4"]) q.push("a", x);
    q.push("b", "b1");
    q.push("b", "b2");
    const got = [q.take(), q.take(), q.take(), q.take()].map((t) => t?.item);
    expect(got).toEqual(["a1", "b1", "a2", "b2"]);
    // Both keys hold 2, the cap: nothing more until one is released.
    expect(q.take()).toBeUndefined();
    q.release("a");
    expect(q.take()?.item).toBe("a3");
    expect(q.size).toBe(1);
  });

  it("puts work that must go again at the front of its key, and the key last in the round", () => {
    const q = new KeyedQueue<string>();
    q.push("a", "a2");
    q.push("b", "b1");
    q.unshift("a", ["a1"]);
    expect(q.take()?.item).toBe("b1");
    expect(q.take()?.item).toBe("a1");
    expect(q.take()?.item).toBe("a2");
    expect(q.remove("a", "a2")).toBe(false);
  });
});
