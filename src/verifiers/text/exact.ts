/** exact: the normalised input equals the normalised reference (or one of a list of references). */
import { ok, type Verifier } from "../../core/index.js";
import {
  COMPARE_PROPS,
  type CompareCompiled,
  type CompareConfig,
  clip,
  compileCompare,
  normalizerInvariances,
  readCompare,
} from "./normalize.js";

export const exact: Verifier<CompareConfig, CompareCompiled> = {
  type: "exact",
  pure: true,
  description: "The input equals the reference after normalisation.",
  configSchema: { properties: COMPARE_PROPS },
  laws: (c) => ({ invariant: normalizerInvariances(c), sensitive_to_answer: true, symmetric: true }),
  compile: (c) => compileCompare(c),
  verify(sample, c) {
    const { got, refs } = readCompare(sample, c);
    const hit = refs.includes(got);
    return ok(hit ? 1 : 0, {
      feedback: hit ? "equal" : `'${clip(got)}' is not ${refs.map((r) => `'${clip(r)}'`).join(" or ")}`,
    });
  },
};
