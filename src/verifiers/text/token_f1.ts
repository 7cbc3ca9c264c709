/**
 * token_f1: SQuAD-style token overlap F1 between input and reference (the best over a list of references).
 * Defaults follow SQuAD: lower case, no punctuation, no articles.
 */
import { fail, ok, type Verifier } from "../../core/index.js";
import {
  COMPARE_PROPS,
  type CompareCompiled,
  type CompareConfig,
  compileCompare,
  makeNormalizer,
  normalizerInvariances,
  readCompare,
} from "./normalize.js";

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

export const tokenF1Verifier: Verifier<CompareConfig, CompareCompiled> = {
  type: "token_f1",
  pure: true,
  description: "SQuAD-style token F1 against the reference (best of several).",
  laws: (c) => ({
    invariant: normalizerInvariances({ ...c, normalize_whitespace: true }),
    sensitive_to_answer: true,
    symmetric: true,
  }),
  configSchema: {
    properties: {
      ...COMPARE_PROPS,
      ignore_case: { type: "boolean", default: true },
      ignore_punctuation: { type: "boolean", default: true },
      ignore_articles: { type: "boolean", default: true },
    },
  },
  compile: (c) =>
    compileCompare(
      c,
      makeNormalizer({
        ignore_case: true,
        ignore_punctuation: true,
        ignore_articles: true,
        ...c,
        normalize_whitespace: true,
      }),
    ),
  verify(sample, c) {
    const read = readCompare(sample, c);
    const pred = tokens(read.got);
    const refs = read.refs.map(tokens);
    if (refs.some((r) => r.length === 0))
      return fail("invalid_input", "a reference has no tokens after normalisation");
    const best = Math.max(...refs.map((r) => tokenF1(pred, r)));
    return ok(best, { feedback: `token F1 ${best.toFixed(3)}` });
  },
};
