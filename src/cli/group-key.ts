/**
 * `--group-by` names a field of the rows: a name that the first row does not have is a usage error before
 * anything is scored (a misspelt field would otherwise make every row an error and exit 0).
 */
import { compileTemplate, renderText, type Sample } from "../core/index.js";

export class UsageError extends Error {}

export function checkGroupKey(by: string, firstSample: Record<string, unknown> | null | undefined): void {
  if (!firstSample) return;
  const source = by.includes("{{") ? by : `{{${by}}}`;
  try {
    renderText(compileTemplate(source), firstSample as Sample, "--group-by");
  } catch (e) {
    const fields = Object.keys(firstSample).slice(0, 12).join(", ");
    throw new UsageError(
      `--group-by ${by}: ${(e as Error).message} in the first row (its fields: ${fields})`,
    );
  }
}
