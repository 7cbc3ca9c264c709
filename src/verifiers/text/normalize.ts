/**
 * Text normalisation shared by the text verifiers. Each option is a config property of the verifier, so
 * a spec says exactly which differences it forgives.
 */
import {
  type Invariance,
  RewardkitError,
  renderText,
  renderTextList,
  type Sample,
  type Template,
} from "../../core/index.js";
import { INPUT, REFERENCE, template } from "../common.js";

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

/** The config every comparing text verifier (exact, contains, token_f1) starts from. */
export interface CompareConfig extends NormalizeOptions {
  input?: string;
  reference?: string;
}

export interface CompareCompiled {
  input: Template;
  reference: Template;
  norm: (s: string) => string;
}

export const COMPARE_PROPS = { input: INPUT, reference: REFERENCE, ...NORMALIZE_PROPS };

export function compileCompare(c: CompareConfig, norm = makeNormalizer(c)): CompareCompiled {
  return {
    input: template(c.input, "{{completion}}"),
    reference: template(c.reference, "{{reference}}"),
    norm,
  };
}

/** A sample's normalised input and references; an empty reference list is the dataset's error. */
export function readCompare(sample: Sample, c: CompareCompiled): { got: string; refs: string[] } {
  const got = c.norm(renderText(c.input, sample, "input"));
  const refs = renderTextList(c.reference, sample, "reference").map(c.norm);
  if (refs.length === 0) throw new RewardkitError("invalid_input", "the reference list is empty");
  return { got, refs };
}

export function clip(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
