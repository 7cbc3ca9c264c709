/**
 * The text similarity metrics of OpenAI's `text_similarity` grader, each in [0, 1], written after the
 * Python libraries they are usually computed with (OpenAI does not publish its implementation):
 *
 *   fuzzy_match   rapidfuzz `fuzz.ratio(input, reference) / 100`: the normalised Indel similarity of the
 *                 two strings, 2·LCS / (|a| + |b|) over characters (1 for two empty strings);
 *   bleu          NLTK `sentence_bleu([reference], input)` on whitespace tokens: uniform weights over 1..4
 *                 grams, clipped counts, brevity penalty, no smoothing (a missing n-gram order gives a
 *                 practically zero score, as NLTK's method0 does);
 *   gleu          NLTK `sentence_gleu([reference], input)` on whitespace tokens: matching 1..4-grams over
 *                 max(n-grams of the input, n-grams of the reference);
 *   rouge_1..5    Google's `rouge_score` (`RougeScorer([...], use_stemmer=False)`) F-measure, with its
 *   rouge_l       tokenizer (lower-case, runs of [a-z0-9] only); rouge_l over the longest common subsequence.
 *
 * Every metric is quadratic at worst (LCS) or linear; the verifier runs large inputs in the worker pool.
 */

export const METRICS = [
  "fuzzy_match",
  "bleu",
  "gleu",
  "rouge_1",
  "rouge_2",
  "rouge_3",
  "rouge_4",
  "rouge_5",
  "rouge_l",
] as const;
export type Metric = (typeof METRICS)[number];

/** Metrics OpenAI lists that rewardkit refuses at load, with the reason. */
export const UNSUPPORTED_METRICS: Record<string, string> = {
  cosine:
    "'cosine' compares embeddings from an embedding model (OpenAI's text-embedding-3-large); rewardkit computes text_similarity without a model, so it is not supported",
  meteor:
    "'meteor' (NLTK's meteor_score) matches stems and WordNet synonyms; rewardkit has no WordNet, and an exact-match-only METEOR would silently give other scores, so it is not supported",
};

/** Work units of a metric (to decide between inline and the worker pool). */
export function cost(metric: Metric, input: string, reference: string): number {
  if (metric === "fuzzy_match") return input.length * reference.length;
  if (metric === "rouge_l") return (input.length * reference.length) / 4; // at most chars/2 tokens each
  return input.length + reference.length;
}

export function similarity(metric: Metric, input: string, reference: string): number {
  switch (metric) {
    case "fuzzy_match":
      return fuzzyRatio(input, reference);
    case "bleu":
      return sentenceBleu(whitespaceTokens(reference), whitespaceTokens(input));
    case "gleu":
      return sentenceGleu(whitespaceTokens(reference), whitespaceTokens(input));
    case "rouge_l":
      return rougeL(rougeTokens(reference), rougeTokens(input));
    default:
      return rougeN(rougeTokens(reference), rougeTokens(input), Number(metric.slice(6)));
  }
}

/** Python's `str.split()`: runs of whitespace separate tokens. */
export function whitespaceTokens(s: string): string[] {
  return s.split(/\s+/u).filter((t) => t !== "");
}

/** rouge_score's default tokenizer: lower-case, non-[a-z0-9] runs become spaces, keep [a-z0-9]+ tokens. */
export function rougeTokens(s: string): string[] {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .split(/\s+/)
    .filter((t) => /^[a-z0-9]+$/.test(t));
}

/** Length of the longest common subsequence of two sequences, in O(|a|·|b|) time and O(|b|) memory. */
export function lcsLength<T>(a: readonly T[] | string, b: readonly T[] | string): number {
  if (a.length === 0 || b.length === 0) return 0;
  const row = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    let prev = 0; // row[j-1] of the previous row
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = ai === b[j - 1] ? prev + 1 : Math.max(row[j]!, row[j - 1]!);
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** rapidfuzz `fuzz.ratio / 100`: 1 − Indel distance / (|a| + |b|), by code points. */
export function fuzzyRatio(a: string, b: string): number {
  const ca = [...a];
  const cb = [...b];
  const total = ca.length + cb.length;
  if (total === 0) return 1;
  return (2 * lcsLength(ca, cb)) / total;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const k = tokens.slice(i, i + n).join("\u0000");
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function overlap(a: Map<string, number>, b: Map<string, number>): number {
  let n = 0;
  for (const [k, c] of a) n += Math.min(c, b.get(k) ?? 0);
  return n;
}

const sum = (m: Map<string, number>) => {
  let n = 0;
  for (const c of m.values()) n += c;
  return n;
};

/** Python's sys.float_info.min: what NLTK's method0 puts in place of a zero precision. */
const FLOAT_MIN = 2.2250738585072014e-308;

/** NLTK sentence_bleu with one reference, weights (0.25, 0.25, 0.25, 0.25) and no smoothing. */
export function sentenceBleu(reference: readonly string[], hypothesis: readonly string[]): number {
  const N = 4;
  const numerators: number[] = [];
  const denominators: number[] = [];
  for (let n = 1; n <= N; n++) {
    const hyp = ngramCounts(hypothesis, n);
    numerators.push(overlap(hyp, ngramCounts(reference, n)));
    denominators.push(Math.max(1, sum(hyp)));
  }
  // NLTK: no matching unigram means no matching n-gram of any order: 0.
  if (numerators[0] === 0) return 0;
  const c = hypothesis.length;
  const r = reference.length;
  const bp = c > r ? 1 : c === 0 ? 0 : Math.exp(1 - r / c);
  let s = 0;
  for (let i = 0; i < N; i++) {
    const p = numerators[i]! === 0 ? FLOAT_MIN : numerators[i]! / denominators[i]!;
    s += 0.25 * Math.log(p);
  }
  return bp * Math.exp(s);
}

/** NLTK sentence_gleu with one reference, min_len 1, max_len 4. */
export function sentenceGleu(reference: readonly string[], hypothesis: readonly string[]): number {
  let tp = 0;
  let hypTotal = 0;
  let refTotal = 0;
  for (let n = 1; n <= 4; n++) {
    const hyp = ngramCounts(hypothesis, n);
    const ref = ngramCounts(reference, n);
    tp += overlap(hyp, ref);
    hypTotal += sum(hyp);
    refTotal += sum(ref);
  }
  const all = Math.max(hypTotal, refTotal);
  return all === 0 ? 0 : tp / all;
}

function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** rouge_score's rouge-n F-measure (target = reference, prediction = input). */
export function rougeN(target: readonly string[], prediction: readonly string[], n: number): number {
  const t = ngramCounts(target, n);
  const p = ngramCounts(prediction, n);
  const inter = overlap(t, p);
  return fmeasure(inter / Math.max(sum(p), 1), inter / Math.max(sum(t), 1));
}

/** rouge_score's rouge-L F-measure. */
export function rougeL(target: readonly string[], prediction: readonly string[]): number {
  if (target.length === 0 || prediction.length === 0) return 0;
  const lcs = lcsLength(target, prediction);
  return fmeasure(lcs / prediction.length, lcs / target.length);
}
