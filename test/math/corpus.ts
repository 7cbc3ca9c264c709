/** Loading the labelled corpus in fixtures/math/*.jsonl. */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type Expected = "match" | "no_match" | "abstain" | "error";

export interface Case {
  id: string;
  category: string;
  gold: string;
  /** A bare predicted answer, used as the whole completion. */
  pred?: string;
  /** A whole model-style completion. */
  completion?: string;
  expected: Expected | Expected[];
  note: string;
  config?: Record<string, unknown>;
}

export const FIXTURES = fileURLToPath(new URL("../../fixtures/math/", import.meta.url));

export function loadCorpus(): Map<string, Case[]> {
  const out = new Map<string, Case[]>();
  for (const f of readdirSync(FIXTURES)
    .filter((x) => x.endsWith(".jsonl"))
    .sort()) {
    const lines = readFileSync(`${FIXTURES}${f}`, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    out.set(
      f,
      lines.map((l) => JSON.parse(l) as Case),
    );
  }
  return out;
}

export function completionOf(c: Case): string {
  return c.completion ?? c.pred ?? "";
}

/** The expected outcome(s) of a case as result states. */
export function outcomeOf(status: string, reward: number | null, errorKind?: string): Expected | "other" {
  if (status === "ok") return reward === 1 ? "match" : reward === 0 ? "no_match" : "other";
  if (status === "abstain") return "abstain";
  if (status === "error" && errorKind === "invalid_input") return "error";
  return "other";
}

export function accepts(c: Case, got: Expected | "other"): boolean {
  const want = Array.isArray(c.expected) ? c.expected : [c.expected];
  return (want as string[]).includes(got);
}
