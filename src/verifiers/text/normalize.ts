/**
 * Text normalisation shared by the text verifiers. Each option is a config property of the verifier, so
 * a spec says exactly which differences it forgives.
 */
import type { Invariance } from "../../core/index.js";

export interface NormalizeOptions {
  ignore_case?: boolean;
  ignore_punctuation?: boolean;
  ignore_articles?: boolean;
  normalize_whitespace?: boolean;
  unicode_normalize?: boolean;
}

export const NORMALIZE_PROPS = {
  ignore_case: { type: "boolean", default: false },
  ignore_punctuation: { type: "boolean", default: false },
  ignore_articles: { type: "boolean", default: false, description: "Drop a, an, the (SQuAD style)." },
  normalize_whitespace: {
    type: "boolean",
    default: true,
    description: "Trim and collapse runs of whitespace.",
  },
  unicode_normalize: {
    type: "boolean",
    default: true,
    description: "Unicode NFKC (full-width digits, ligatures).",
  },
} as const;

/** The invariances a normaliser with these options keeps (see Laws in core/verifier.ts). */
export function normalizerInvariances(o: NormalizeOptions): Invariance[] {
  const out: Invariance[] = [];
  if ((o.normalize_whitespace ?? true) || o.ignore_punctuation || o.ignore_articles)
    out.push("whitespace", "line_endings");
  if (o.unicode_normalize ?? true) out.push("unicode");
  return out;
}

const PUNCT = /[\p{P}\p{S}]/gu;
const ARTICLES = /\b(a|an|the)\b/giu;

export function makeNormalizer(o: NormalizeOptions): (s: string) => string {
  const ws = o.normalize_whitespace ?? true;
  const uni = o.unicode_normalize ?? true;
  return (s) => {
    let t = uni ? s.normalize("NFKC") : s;
    if (o.ignore_case) t = t.toLowerCase();
    if (o.ignore_punctuation) t = t.replace(PUNCT, " ");
    if (o.ignore_articles) t = t.replace(ARTICLES, " ");
    if (ws || o.ignore_punctuation || o.ignore_articles) t = t.replace(/\s+/g, " ").trim();
    return t;
  };
}
