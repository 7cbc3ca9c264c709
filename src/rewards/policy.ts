/**
 * How a composite node treats a child that abstained or failed. Each composite node has two policies,
 * `on_abstain` and `on_error`, each one of:
 *   "skip"       leave the child out (a weighted node renormalises over the others);
 *   "propagate"  the parent takes the child's status (abstain or error) and stops there;
 *   a number     use this value as the child's reward.
 * Nodes with one child treat "skip" like "propagate": there is nothing left to score.
 */
import { abstain, fail, type Outcome, type Result, type Span } from "../core/index.js";
import { hull, type Range } from "./node.js";

export type ChildPolicy = "skip" | "propagate" | number;

export interface Policies {
  on_abstain: ChildPolicy;
  on_error: ChildPolicy;
}

export type Resolved =
  | { kind: "value"; value: number }
  | { kind: "skip" }
  | { kind: "propagate"; outcome: Outcome };

export function resolveChild(name: string, r: Result, p: Policies): Resolved {
  if (r.status === "ok") return { kind: "value", value: r.reward as number };
  const policy = r.status === "abstain" ? p.on_abstain : p.on_error;
  if (typeof policy === "number") return { kind: "value", value: policy };
  if (policy === "skip") return { kind: "skip" };
  return { kind: "propagate", outcome: propagated(name, r) };
}

export function propagated(name: string, r: Result): Outcome {
  if (r.status === "error") {
    const e = r.error ?? { kind: "internal", message: "unknown error" };
    return fail(e.kind, `component '${name}': ${e.message}`);
  }
  return abstain(`component '${name}' abstained${r.feedback ? `: ${r.feedback}` : ""}`);
}

/** The range a child contributes once substitution values are taken into account. */
export function effectiveRange(range: Range, p: Policies): Range {
  const extra: Range[] = [];
  if (typeof p.on_abstain === "number") extra.push([p.on_abstain, p.on_abstain]);
  if (typeof p.on_error === "number") extra.push([p.on_error, p.on_error]);
  return extra.length ? hull(range, ...extra) : range;
}

/** Whether a child may be left out (and so the node's value ranges over subsets of its children). */
export function canSkip(p: Policies): boolean {
  return p.on_abstain === "skip" || p.on_error === "skip";
}

export function scaleSpans(spans: Span[] | undefined, factor: number): Span[] {
  if (!spans || factor === 0) return [];
  return factor === 1 ? spans : spans.map((s) => ({ ...s, value: s.value * factor }));
}
