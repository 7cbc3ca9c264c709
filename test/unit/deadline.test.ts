import { describe, expect, it } from "vitest";
import { NEVER_ABORTED, onAbort, runWithDeadline } from "../../src/core/deadline.js";

describe("runWithDeadline", () => {
  it("settles every piece of work sharing a parent signal when the parent aborts, with the parent's reason", async () => {
    const parent = new AbortController();
    const inner: AbortSignal[] = [];
    const runs = Array.from({ length: 500 }, () =>
      runWithDeadline(
        60_000,
        (signal) => {
          inner.push(signal);
          return new Promise<never>(() => {});
        },
        parent.signal,
      ),
    );
    await new Promise((r) => setImmediate(r));
    parent.abort(new Error("client went away"));
    const settled = await Promise.allSettled(runs);
    expect(
      settled.every((s) => s.status === "rejected" && (s.reason as Error).message === "client went away"),
    ).toBe(true);
    expect(inner.every((s) => s.aborted)).toBe(true);
  });

  it("a finished run no longer reacts to its parent's abort", async () => {
    const parent = new AbortController();
    let seen: AbortSignal | undefined;
    await expect(
      runWithDeadline(
        60_000,
        (s) => {
          seen = s;
          return 7;
        },
        parent.signal,
      ),
    ).resolves.toBe(7);
    parent.abort();
    expect(seen?.aborted).toBe(false);
  });

  it("times out work that does not settle, as a timeout error", async () => {
    await expect(runWithDeadline(20, () => new Promise(() => {}))).rejects.toMatchObject({ kind: "timeout" });
  });
});

describe("onAbort", () => {
  it("calls each subscriber once, not the ones that unsubscribed", () => {
    const c = new AbortController();
    const calls: number[] = [];
    onAbort(c.signal, () => calls.push(1));
    const off = onAbort(c.signal, () => calls.push(2));
    onAbort(c.signal, () => calls.push(3));
    off();
    c.abort();
    c.abort();
    expect(calls).toEqual([1, 3]);
  });

  it("ignores the never-aborted signal and a missing one", () => {
    expect(() => onAbort(NEVER_ABORTED, () => {})()).not.toThrow();
    expect(() => onAbort(undefined, () => {})()).not.toThrow();
  });
});
