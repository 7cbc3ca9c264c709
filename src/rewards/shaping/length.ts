/**
 * How shaping nodes measure a completion: in characters or words of the completion text, or from a
 * template that gives the length directly (a trainer's token count, e.g. "{{num_tokens}}").
 */
import { completionText, RewardkitError, type Sample, type Template } from "../../core/index.js";

export type LengthUnit = "chars" | "words";

export interface LengthSource {
  unit: LengthUnit;
  template?: Template;
}

export function countUnits(text: string, unit: LengthUnit): number {
  if (unit === "words") {
    const m = text.match(/\S+/g);
    return m ? m.length : 0;
  }
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function measureLength(sample: Sample, src: LengthSource): number {
  if (!src.template) return countUnits(completionText(sample), src.unit);
  const v = src.template.render(sample);
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw new RewardkitError(
      "invalid_input",
      `length ${src.template.source} must be a non-negative number, got ${JSON.stringify(v)}`,
    );
  }
  return n;
}

/** A number from text such as "512", "<budget>512</budget>" or "budget: 512 tokens". */
export function parseBudget(v: unknown, where: string): number {
  if (typeof v === "number" && Number.isFinite(v) && v > 0) return v;
  if (typeof v === "string") {
    const m = /(\d+(?:\.\d+)?)/.exec(v);
    if (m && Number(m[1]) > 0) return Number(m[1]);
  }
  throw new RewardkitError("invalid_input", `${where} must give a positive number, got ${JSON.stringify(v)}`);
}
