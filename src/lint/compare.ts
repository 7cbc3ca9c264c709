/** Comparing results for the laws: the outcome (status, reward, error kind), never timings or wording. */
import type { Result } from "../core/index.js";

export interface Brief {
  status: string;
  reward: number | null;
  error?: { kind: string; message: string };
  feedback?: string;
}

export function brief(r: Result | undefined): Brief {
  if (!r) return { status: "missing", reward: null };
  const out: Brief = { status: r.status, reward: r.reward };
  if (r.error) out.error = { kind: r.error.kind, message: r.error.message.slice(0, 300) };
  if (r.feedback) out.feedback = r.feedback.slice(0, 300);
  return out;
}

export const EPS = 1e-9;

export function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= EPS * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Same status and reward; with `kinds`, also the same error kind. */
export function sameOutcome(a: Result, b: Result, kinds = true): boolean {
  if (a.status !== b.status) return false;
  if (a.status === "ok") return close(a.reward as number, b.reward as number);
  if (a.status === "error" && kinds) return a.error?.kind === b.error?.kind;
  return true;
}

/** Same outcome at every node of the tree (components compared recursively by name). */
export function sameTree(a: Result, b: Result): boolean {
  if (!sameOutcome(a, b)) return false;
  const ka = Object.keys(a.components ?? {});
  const kb = Object.keys(b.components ?? {});
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => sameTree(a.components![k]!, b.components![k]!));
}

export function rewardOf(r: Result): number | null {
  return r.status === "ok" ? (r.reward as number) : null;
}

/** a < b strictly, where a result that is not ok gains nothing (counts as lower). */
export function strictlyLower(hacked: Result, original: Result): boolean {
  const h = rewardOf(hacked);
  const o = rewardOf(original);
  if (h === null) return true;
  if (o === null) return false;
  return h < o - EPS;
}

/**
 * a <= b, where a result that is not ok gains nothing; against a baseline that is not ok, only the lowest
 * reward (`floor`) gains nothing.
 */
export function notHigher(hacked: Result, baseline: Result, floor: number): boolean {
  const h = rewardOf(hacked);
  const b = rewardOf(baseline);
  if (h === null) return true;
  return h <= (b ?? floor) + EPS;
}

export function describe(r: Brief): string {
  const head = r.status === "ok" ? `ok ${fmt(r.reward as number)}` : r.status;
  const err = r.error ? ` ${r.error.kind}: ${r.error.message}` : "";
  const fb = r.feedback ? ` (${r.feedback})` : "";
  return `${head}${err}${fb}`;
}

export function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/0+$/, "").replace(/\.$/, "");
}
