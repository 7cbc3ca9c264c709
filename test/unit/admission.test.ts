/**
 * Admission by estimated work (src/server/admission.ts), on its own: the budget in seconds, honest
 * Retry-After, a request alone larger than the budget when idle, and refused clients admitted in the
 * order they were first refused.
 */
import { describe, expect, it } from "vitest";
import { Admission, Busy } from "../../src/server/admission.js";

// 10 ms per sample, 1 s of queue: 100 samples fill it.
const make = () => new Admission({ maxPending: 1_000_000, maxQueueSeconds: 1, priorCost: 0.01 });

const refusal = (f: () => unknown): Busy => {
  try {
    f();
  } catch (e) {
    if (e instanceof Busy) return e;
    throw e;
  }
  throw new Error("admitted");
};

describe("Admission", () => {
  it("refuses work past the budget with the time until there is room, and admits after release", () => {
    const a = make();
    const release = a.enter(80, "x");
    expect(a.queuedSeconds).toBeCloseTo(0.8);
    const busy = refusal(() => a.enter(50, "y"));
    expect(busy.retryAfterSeconds).toBe(1);
    expect(busy.message).toMatch(/--max-queue-seconds/);
    release(40);
    expect(a.queuedSeconds).toBeCloseTo(0.4);
    a.enter(50, "y");
    expect(a.queued).toBe(90);
  });

  it("admits a request larger than the whole budget only when nothing is queued", () => {
    const a = make();
    const release = a.enter(500, "x");
    expect(refusal(() => a.enter(500, "y")).retryAfterSeconds).toBeGreaterThanOrEqual(5);
    release();
    expect(a.queued).toBe(0);
    a.enter(500, "y");
  });

  it("refuses before the body is read while full, and keeps the first refused client's place", () => {
    const a = make();
    const release = a.enter(100, "x");
    refusal(() => a.precheck("hammer"));
    refusal(() => a.enter(60, "polite"));
    // Room for one of them: the client refused first gets it, however often the other one asks.
    release(60);
    a.precheck("hammer");
    a.enter(60, "hammer");
    expect(() => a.enter(60, "polite")).toThrow(Busy);
    expect(a.stats().waiting_clients).toBe(1);
  });

  it("a client refused later waits behind the place kept for one refused earlier", () => {
    const a = make();
    const release = a.enter(100, "x");
    refusal(() => a.enter(60, "polite"));
    refusal(() => a.enter(60, "hammer"));
    release(60);
    // The hammering client may not take the room kept for the polite one...
    for (let i = 0; i < 100; i++) refusal(() => a.enter(60, "hammer"));
    // ...which gets it when it comes back.
    a.enter(60, "polite");
    expect(a.stats().waiting_clients).toBe(1);
  });
});
