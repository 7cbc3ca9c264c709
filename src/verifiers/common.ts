/**
 * Schema parts and small helpers shared by the built-in verifiers. Every verifier reads its inputs through
 * templates, so where the text comes from is the spec's choice, not the verifier's.
 */
import { compileTemplate, type Template } from "../core/index.js";

export const templateProp = (description: string, dflt: string) => ({
  type: "string",
  description: `${description} Template into the sample; default ${dflt}.`,
  default: dflt,
});

export const INPUT = templateProp("The text to check.", "{{completion}}");
export const REFERENCE = templateProp(
  "The reference: one text or a list of acceptable texts.",
  "{{reference}}",
);

export function template(source: unknown, dflt: string): Template {
  return compileTemplate(typeof source === "string" ? source : dflt);
}
