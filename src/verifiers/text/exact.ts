/** exact: the normalised input equals the normalised reference (or one of a list of references). */
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

export const exact: Verifier<Config, Compiled> = {
  type: "exact",
  description: "The input equals the reference after normalisation.",
  configSchema: { properties: { input: INPUT, reference: REFERENCE, ...NORMALIZE_PROPS } },
  laws: (c) => ({ invariant: normalizerInvariances(c), sensitive_to_answer: true, symmetric: true }),
  compile: (c) => ({
    input: template(c.input, "{{completion}}"),
    reference: template(c.reference, "{{reference}}"),
    norm: makeNormalizer(c),
  }),
  verify(sample, c) {
    const got = c.norm(renderText(c.input, sample, "input"));
    const refs = renderTextList(c.reference, sample, "reference").map(c.norm);
    if (refs.length === 0) return fail("invalid_input", "the reference list is empty");
    const hit = refs.includes(got);
    return ok(hit ? 1 : 0, {
      feedback: hit ? "equal" : `'${clip(got)}' is not ${refs.map((r) => `'${clip(r)}'`).join(" or ")}`,
    });
  },
};

export function clip(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
