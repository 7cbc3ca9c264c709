/**
 * The leaf of a reward tree: one verifier with its compiled config. It enforces the deadline (unless the
 * verifier runs its own in the worker pool), times the call, and checks what the verifier returned, so a
 * buggy verifier yields an error result and never a number it did not mean.
 */
import {
  type AnyVerifier,
  fail,
  fromThrown,
  type Laws,
  type Outcome,
  type Result,
  runWithDeadline,
  type Sample,
  type VerifyContext,
} from "../core/index.js";
import { finish } from "./composite.js";
import type { EvalContext, Range, RewardNode } from "./node.js";

export class VerifierNode implements RewardNode {
  readonly children: readonly RewardNode[] = [];

  constructor(
    readonly verifier: AnyVerifier,
    readonly config: unknown,
    readonly name: string,
    readonly range: Range,
    readonly timeoutMs: number,
    readonly laws: Laws = {},
  ) {}

  get type(): string {
    return this.verifier.type;
  }

  async evaluate(sample: Sample, ctx: EvalContext): Promise<Result> {
    const t0 = performance.now();
    let out: Outcome;
    try {
      out = this.check(await this.call(sample, ctx));
    } catch (e) {
      out = fromThrown(e);
    }
    return finish(out, t0);
  }

  /**
   * Calls the verifier. A synchronous verifier has finished when it returns (nothing could interrupt it
   * anyway), so only an asynchronous one is raced against the deadline; the abort signal is created only
   * if the verifier asks for it. This keeps timers and controllers off the hot path of format checks.
   */
  private call(sample: Sample, ctx: EvalContext): Outcome | Promise<Outcome> {
    const v = this.verifier;
    const timeoutMs = this.timeoutMs;
    if (v.managesDeadline) return v.verify(sample, this.config, { signal: ctx.signal, timeoutMs });
    const vctx = new LazyVerifyContext(timeoutMs, ctx.signal);
    const out = v.verify(sample, this.config, vctx);
    if (!(out instanceof Promise)) return out;
    return runWithDeadline(
      timeoutMs,
      (signal) => {
        signal.addEventListener("abort", () => vctx.abortWith(signal.reason), { once: true });
        return out;
      },
      ctx.signal,
      `verifier '${this.name}'`,
    );
  }

  private check(out: Outcome): Outcome {
    if (!out || typeof out !== "object") return fail("internal", `${this.where} returned ${String(out)}`);
    if (out.status === "ok") {
      const r = out.reward;
      if (typeof r !== "number" || !Number.isFinite(r)) {
        return fail("numeric_error", `${this.where} returned a non-finite reward: ${String(r)}`);
      }
      const [lo, hi] = this.range;
      if (r < lo - 1e-9 || r > hi + 1e-9) {
        return fail("internal", `${this.where} returned ${r}, outside its declared range [${lo}, ${hi}]`);
      }
      return out;
    }
    if (out.status === "abstain") return { ...out, reward: null };
    if (out.status === "error") {
      return { ...out, reward: null, error: out.error ?? { kind: "internal", message: "unspecified error" } };
    }
    return fail("internal", `${this.where} returned an unknown status '${String((out as Outcome).status)}'`);
  }

  private get where(): string {
    return `verifier '${this.verifier.type}'`;
  }
}

/**
 * The VerifyContext of a synchronous verifier call: its deadline, and an abort signal made only if the
 * verifier asks for one. A class, not an object literal with a getter: V8 builds such literals on a slow
 * path, and format checks make one per call. `signal` is a getter on the prototype, so spreading the
 * context (`{...ctx}`) leaves it out: pass `ctx` itself on.
 */
class LazyVerifyContext implements VerifyContext {
  #ac: AbortController | undefined;
  readonly #parent: AbortSignal;
  constructor(
    readonly timeoutMs: number,
    parent: AbortSignal,
  ) {
    this.#parent = parent;
  }

  get signal(): AbortSignal {
    if (!this.#ac) {
      this.#ac = new AbortController();
      if (this.#parent.aborted) this.#ac.abort(this.#parent.reason);
    }
    return this.#ac.signal;
  }

  /** The call's deadline passed: a signal handed out aborts. */
  abortWith(reason: unknown): void {
    this.#ac?.abort(reason);
  }
}
