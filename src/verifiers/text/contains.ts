/**
 * contains: the normalised input contains the reference (any or all of a list). By default the match must
 * stand on word boundaries, so "4" is not found in "14" or "42". An empty reference is an input error, not
 * a free match; an empty input contains nothing.
 */
import { fail, ok, type Verifier } from "../../core/index.js";
import {
  COMPARE_PROPS,
  type CompareCompiled,
  type CompareConfig,
  clip,
  compileCompare,
  normalizerInvariances,
  readCompare,
} from "./normalize.js";

interface Config extends CompareConfig {
  mode?: "any" | "all";
  word_boundary?: boolean;
}

interface Compiled extends CompareCompiled {
  all: boolean;
  boundary: boolean;
}

const WORD = /[\p{L}\p{N}_]/u;

export function containsAt(hay: string, needle: string, boundary: boolean): boolean {
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
    if (!boundary) return true;
    const before = i > 0 ? hay[i - 1]! : "";
    const after = hay[i + needle.length] ?? "";
    const startOk = !WORD.test(needle[0]!) || !WORD.test(before);
    const endOk = !WORD.test(needle[needle.length - 1]!) || !WORD.test(after);
    if (startOk && endOk) return true;
  }
  return false;
}

export const contains: Verifier<Config, Compiled> = {
  type: "contains",
  pure: true,
  description: "The input contains the reference (on word boundaries by default).",
  // Not sensitive to the final answer: the reference may be found anywhere in the input.
  laws: (c) => ({ invariant: normalizerInvariances(c), asymmetric: true }),
  configSchema: {
    properties: {
      ...COMPARE_PROPS,
      mode: { enum: ["any", "all"], default: "any" },
      word_boundary: { type: "boolean", default: true },
    },
  },
  compile: (c) => ({
    ...compileCompare(c),
    all: c.mode === "all",
    boundary: c.word_boundary ?? true,
  }),
  verify(sample, c) {
    const { got: hay, refs: needles } = readCompare(sample, c);
    if (needles.some((n) => n === ""))
      return fail("invalid_input", "a reference is empty after normalisation");
    const found = needles.map((n) => containsAt(hay, n, c.boundary));
    const hit = c.all ? found.every(Boolean) : found.some(Boolean);
    const missing = needles.filter((_, i) => !found[i]).map((n) => `'${clip(n, 40)}'`);
    return ok(hit ? 1 : 0, { feedback: hit ? "found" : `not found: ${missing.join(", ")}` });
  },
};
