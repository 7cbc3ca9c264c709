/**
 * token_f1: SQuAD-style token overlap F1 between input and reference (the best over a list of references).
 * Defaults follow SQuAD: lower case, no punctuation, no articles.
 */
import { fail, ok, renderText, renderTextList, type Template, type Verifier } from "../../core/index.js";
import { INPUT, REFERENCE, template } from "../common.js";
import {
  makeNormalizer,
  NORMALIZE_PROPS,
  type NormalizeOptions,
  normalizerInvariances,
} from "./normalize.js";

interface Config extends NormalizeOptions {
  input?: string;
  reference?: string;
}

interface Compiled {
  input: Template;
  reference: Template;
  norm: (s: string) => string;
}

export function tokenF1(pred: string[], gold: string[]): number {
  if (pred.length === 0 || gold.length === 0) return pred.length === gold.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of gold) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of pred) {
    const n = counts.get(t) ?? 0;
    if (n > 0) {
      common++;
      counts.set(t, n - 1);
    }
  }
  if (common === 0) return 0;
  const p = common / pred.length;
  const r = common / gold.length;
  return (2 * p * r) / (p + r);
}

const tokens = (s: string) => (s === "" ? [] : s.split(" "));

export const tokenF1Verifier: Verifier<Config, Compiled> = {
  type: "token_f1",
  description: "SQuAD-style token F1 against the reference (best of several).",
  laws: (c) => ({
    invariant: normalizerInvariances({ ...c, normalize_whitespace: true }),
    sensitive_to_answer: true,
    symmetric: true,
  }),
  configSchema: {
    properties: {
      input: INPUT,
      reference: REFERENCE,
      ...NORMALIZE_PROPS,
      ignore_case: { type: "boolean", default: true },
      ignore_punctuation: { type: "boolean", default: true },
      ignore_articles: { type: "boolean", default: true },
    },
  },
  compile: (c) => ({
    input: template(c.input, "{{completion}}"),
    reference: template(c.reference, "{{reference}}"),
    norm: makeNormalizer({
      ignore_case: true,
      ignore_punctuation: true,
      ignore_articles: true,
      ...c,
      normalize_whitespace: true,
    }),
  }),
  verify(sample, c) {
    const pred = tokens(c.norm(renderText(c.input, sample, "input")));
    const refs = renderTextList(c.reference, sample, "reference").map((r) => tokens(c.norm(r)));
    if (refs.length === 0) return fail("invalid_input", "the reference list is empty");
    if (refs.some((r) => r.length === 0))
      return fail("invalid_input", "a reference has no tokens after normalisation");
    const best = Math.max(...refs.map((r) => tokenF1(pred, r)));
    return ok(best, { feedback: `token F1 ${best.toFixed(3)}` });
  },
};
