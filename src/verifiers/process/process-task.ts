/**
 * Worker-pool tasks of the process verifiers: parsing and evaluating the model's computations can be
 * costly on hostile input, so it runs where a deadline can kill it.
 */
import { checkEquation, findEquations, matchesValue, readReference, statedResults } from "./equations.js";

export interface StepCheck {
  equations: { text: string; verdict: "true" | "false" | "unknown" }[];
  /** Indices of the reference values this step states (step_reference). */
  matched?: number[];
}

export function checkSteps(a: { steps: string[]; references?: string[] }): {
  steps: StepCheck[];
  badReferences: number[];
} {
  const refs = (a.references ?? []).map(readReference);
  const credited = new Set<number>();
  const steps = a.steps.map((text) => {
    const eqs = findEquations(text).map(checkEquation);
    const out: StepCheck = { equations: eqs.map(({ text: t, verdict }) => ({ text: t, verdict })) };
    if (a.references) {
      const matched: number[] = [];
      for (const v of statedResults(text, eqs)) {
        refs.forEach((r, i) => {
          if (r && !credited.has(i) && matchesValue(v, r)) {
            credited.add(i);
            matched.push(i);
          }
        });
      }
      out.matched = matched;
    }
    return out;
  });
  return { steps, badReferences: refs.flatMap((r, i) => (r ? [] : [i])) };
}
