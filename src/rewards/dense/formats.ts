/**
 * Step-labelled data: reading PRM800K, Math-Shepherd and TRL's stepwise format into samples with known
 * step ranges, and writing step rewards back in the same format. Reading and then writing the original
 * labels reproduces the row (a test checks it), so a dataset can be re-labelled by a process reward spec.
 *
 * Labels from step rewards: PRM800K rating = sign(reward) (-1, 0, +1); Math-Shepherd "+" when the reward
 * is > 0, else "-"; TRL stepwise true when > 0.
 */
import { RewardkitError, type Span } from "../../core/index.js";
import { projectSpans } from "./project.js";

export type StepFormat = "prm800k" | "math-shepherd" | "trl-stepwise";
export const STEP_FORMATS: readonly StepFormat[] = ["prm800k", "math-shepherd", "trl-stepwise"];

export interface StepRange {
  start: number;
  end: number;
}

export interface StepSample {
  prompt: string;
  completion: string;
  reference?: unknown;
  /** Character ranges of the steps in the completion. */
  steps: StepRange[];
  /** The row's own step labels as numbers (PRM800K ratings, +1/-1 for +/- and true/false). */
  labels: (number | null)[];
}

const SEP = "\n";
const SHEPHERD_TAG = "ки";

function joinSteps(texts: string[]): { completion: string; steps: StepRange[] } {
  const steps: StepRange[] = [];
  let pos = 0;
  for (const t of texts) {
    steps.push({ start: pos, end: pos + t.length });
    pos += t.length + SEP.length;
  }
  return { completion: texts.join(SEP), steps };
}

function bad(format: string, why: string): never {
  throw new RewardkitError("invalid_input", `not a ${format} row: ${why}`);
}

// PRM800K (openai/prm800k): label.steps[i].completions[chosen].rating, or the human completion.
interface PrmStep {
  completions?: { text: string; rating: number | null }[] | null;
  human_completion?: { text: string; rating?: number | null } | null;
  chosen_completion?: number | null;
}

function prmChosen(step: PrmStep, i: number): { text: string; rating: number | null } {
  if (step.human_completion)
    return { text: step.human_completion.text, rating: step.human_completion.rating ?? null };
  const cs = step.completions ?? [];
  const c = cs[step.chosen_completion ?? 0] ?? (cs.length === 1 ? cs[0] : undefined);
  if (!c || typeof c.text !== "string") bad("PRM800K", `step ${i} has no chosen completion`);
  return c;
}

export function readSteps(row: Record<string, unknown>, format: StepFormat): StepSample {
  switch (format) {
    case "prm800k": {
      const q = row.question as { problem?: string; ground_truth_answer?: unknown } | undefined;
      const steps = (row.label as { steps?: PrmStep[] } | undefined)?.steps;
      if (!q || typeof q.problem !== "string") bad("PRM800K", "no question.problem");
      if (!Array.isArray(steps)) bad("PRM800K", "no label.steps");
      const chosen = steps.map(prmChosen);
      const { completion, steps: ranges } = joinSteps(chosen.map((c) => c.text));
      return {
        prompt: q.problem,
        completion,
        reference: q.ground_truth_answer,
        steps: ranges,
        labels: chosen.map((c) => c.rating),
      };
    }
    case "math-shepherd": {
      const input = row.input;
      if (typeof input !== "string") bad("Math-Shepherd", "no input");
      const first = input.search(/Step\s*1\s*:/);
      const prompt = first < 0 ? "" : input.slice(0, first).trim();
      const body = first < 0 ? input : input.slice(first);
      const parts = body.split(SHEPHERD_TAG);
      const tail = parts.pop()!;
      if (tail.trim() !== "") parts.push(tail);
      const texts = parts.map((p) => p.trim()).filter((p) => p !== "");
      const label = typeof row.label === "string" ? row.label : null;
      const labels = label ? shepherdLabels(input, label) : texts.map(() => null);
      if (labels.length !== texts.length)
        bad("Math-Shepherd", `${texts.length} steps but ${labels.length} labels`);
      const { completion, steps } = joinSteps(texts);
      return { prompt, completion, steps, labels };
    }
    case "trl-stepwise": {
      const cs = row.completions;
      if (!Array.isArray(cs) || !cs.every((c) => typeof c === "string"))
        bad("TRL stepwise", "completions must be a list of strings");
      const ls = Array.isArray(row.labels) ? (row.labels as unknown[]) : cs.map(() => null);
      if (ls.length !== cs.length) bad("TRL stepwise", `${cs.length} completions but ${ls.length} labels`);
      const { completion, steps } = joinSteps(cs as string[]);
      const prompt = typeof row.prompt === "string" ? row.prompt : "";
      return { prompt, completion, steps, labels: ls.map((l) => (l === null ? null : l ? 1 : -1)) };
    }
  }
}

/** The +/- written in `label` where `input` has the step tag. */
function shepherdLabels(input: string, label: string): (number | null)[] {
  const out: (number | null)[] = [];
  let from = 0;
  let shift = 0;
  for (;;) {
    const i = input.indexOf(SHEPHERD_TAG, from);
    if (i < 0) return out;
    const ch = label[i + shift];
    out.push(ch === "+" ? 1 : ch === "-" ? -1 : null);
    // The tag is two characters, the label one.
    shift -= SHEPHERD_TAG.length - 1;
    from = i + SHEPHERD_TAG.length;
  }
}

/** The row with its step labels replaced by ones derived from step rewards (null keeps the original). */
export function writeSteps(
  row: Record<string, unknown>,
  format: StepFormat,
  values: readonly (number | null)[],
): Record<string, unknown> {
  const out = structuredClone(row);
  switch (format) {
    case "prm800k": {
      const steps = (out.label as { steps: PrmStep[] }).steps;
      steps.forEach((s, i) => {
        const v = values[i];
        if (v === null || v === undefined) return;
        const rating = Math.sign(v) === 0 ? 0 : Math.sign(v);
        if (s.human_completion) s.human_completion.rating = rating;
        else {
          const cs = s.completions!;
          const c = cs[s.chosen_completion ?? 0] ?? cs[0]!;
          c.rating = rating;
        }
      });
      return out;
    }
    case "math-shepherd": {
      const input = out.input as string;
      let k = 0;
      const original = typeof row.label === "string" ? shepherdLabels(input, row.label) : [];
      out.label = input.replace(new RegExp(SHEPHERD_TAG, "g"), () => {
        const v = values[k] ?? original[k] ?? null;
        k++;
        return v === null ? SHEPHERD_TAG : v > 0 ? "+" : "-";
      });
      return out;
    }
    case "trl-stepwise": {
      const prev = Array.isArray(row.labels) ? (row.labels as unknown[]) : [];
      out.labels = values.map((v, i) => (v === null ? (prev[i] ?? null) : v > 0));
      return out;
    }
  }
}

/**
 * One reward per step: the result's spans, each credited to the step holding its last character. Null
 * when the result is not ok; an error when it has no spans (the spec gives no step rewards).
 */
export function stepValues(
  r: { status: string; spans?: Span[] },
  steps: readonly StepRange[],
): number[] | null {
  if (r.status !== "ok") return null;
  if (!r.spans?.length) {
    throw new RewardkitError(
      "invalid_input",
      "the spec gives no step rewards (no spans): use per_segment or a process verifier",
    );
  }
  return projectSpans(
    r.spans,
    steps.map((s) => [s.start, s.end] as const),
    "span_end",
  );
}
