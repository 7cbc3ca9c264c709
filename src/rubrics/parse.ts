/**
 * Parsers of judge replies. Each returns the parsed value or the problem, which the chat client sends back
 * to the model when it retries. The JSON shapes are validated with ajv; what depends on the batch (which
 * ids, which verdict each kind allows) is checked after, against the criteria asked about.
 */
import { formatAjvErrors, lazyValidator } from "../core/index.js";
import { extractJson } from "../verifiers/format/json-extract.js";
import type { ParseOutcome } from "./chat.js";
import type { Criterion } from "./model.js";

const validateBatch = lazyValidator({
  type: "object",
  required: ["verdicts"],
  properties: {
    verdicts: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "reason", "verdict"],
        properties: {
          id: { type: "string" },
          reason: { type: "string" },
          verdict: { type: ["boolean", "string"] },
        },
      },
    },
  },
});

const validateHolistic = lazyValidator({
  type: "object",
  required: ["reason", "score"],
  properties: { reason: { type: "string" }, score: { type: "integer" } },
});

const validateHolisticPair = lazyValidator({
  type: "object",
  required: ["reason", "winner"],
  properties: { reason: { type: "string" }, winner: { enum: ["A", "B", "tie"] } },
});

export interface RawVerdict {
  /** true / false (binary, points), a choice (ordinal), "A" / "B" / "tie" (pairwise). */
  verdict: boolean | string;
  reason: string;
}

function json(content: string): ParseOutcome<unknown> {
  const x = extractJson(content, "last");
  return x.ok ? { ok: true, value: x.value } : { ok: false, problem: x.reason };
}

/** `{"verdicts": [{"id", "reason", "verdict"}]}` with one verdict of the right type per criterion. */
export function parseBatch(
  content: string,
  criteria: readonly Criterion[],
  pairwise: boolean,
): ParseOutcome<Map<string, RawVerdict>> {
  const j = json(content);
  if (!j.ok) return j;
  if (!validateBatch(j.value)) return { ok: false, problem: formatAjvErrors(validateBatch.errors) };
  const items = (j.value as { verdicts: { id: string; reason: string; verdict: boolean | string }[] })
    .verdicts;
  const want = new Map(criteria.map((c) => [c.id, c]));
  const out = new Map<string, RawVerdict>();
  const problems: string[] = [];
  for (const v of items) {
    const c = want.get(v.id);
    if (!c) {
      problems.push(`unknown criterion id '${v.id}'`);
      continue;
    }
    if (out.has(v.id)) {
      problems.push(`criterion '${v.id}' has more than one verdict`);
      continue;
    }
    const bad = verdictProblem(c, v.verdict, pairwise);
    if (bad) problems.push(`criterion '${v.id}': ${bad}`);
    else out.set(v.id, { verdict: v.verdict, reason: v.reason });
  }
  const missing = criteria
    .filter((c) => !out.has(c.id) && !items.some((v) => v.id === c.id))
    .map((c) => `'${c.id}'`);
  if (missing.length) problems.push(`no verdict for ${missing.join(", ")}`);
  return problems.length ? { ok: false, problem: problems.join("; ") } : { ok: true, value: out };
}

function verdictProblem(c: Criterion, v: boolean | string, pairwise: boolean): string | undefined {
  if (pairwise)
    return v === "A" || v === "B" || v === "tie"
      ? undefined
      : `verdict must be "A", "B" or "tie", got ${JSON.stringify(v)}`;
  if (c.kind === "ordinal") {
    return typeof v === "string" && c.choices!.includes(v)
      ? undefined
      : `verdict must be one of ${c.choices!.map((x) => JSON.stringify(x)).join(", ")}, got ${JSON.stringify(v)}`;
  }
  return typeof v === "boolean" ? undefined : `verdict must be true or false, got ${JSON.stringify(v)}`;
}

/** `{"reason", "score"}` with an integer score within the scale. */
export function parseHolistic(
  content: string,
  scale: readonly [number, number],
): ParseOutcome<{ score: number; reason: string }> {
  const j = json(content);
  if (!j.ok) return j;
  if (!validateHolistic(j.value)) return { ok: false, problem: formatAjvErrors(validateHolistic.errors) };
  const { score, reason } = j.value as { score: number; reason: string };
  if (score < scale[0] || score > scale[1]) {
    return { ok: false, problem: `score must be an integer from ${scale[0]} to ${scale[1]}, got ${score}` };
  }
  return { ok: true, value: { score, reason } };
}

/** `{"reason", "winner"}` with winner A, B or tie. */
export function parseHolisticPair(
  content: string,
): ParseOutcome<{ winner: "A" | "B" | "tie"; reason: string }> {
  const j = json(content);
  if (!j.ok) return j;
  if (!validateHolisticPair(j.value))
    return { ok: false, problem: formatAjvErrors(validateHolisticPair.errors) };
  return { ok: true, value: j.value as { winner: "A" | "B" | "tie"; reason: string } };
}

const RESULT = "[RESULT]";

/**
 * The Prometheus format: `Feedback: <text> [RESULT] <n>` (absolute, n in 1..max) or `[RESULT] A|B`
 * (relative). The last [RESULT] counts; brackets or parentheses around the result and trailing end-of-text
 * markers are tolerated, anything else after it is not.
 */
export function parsePrometheus(
  content: string,
  mode: { max: number } | "relative",
): ParseOutcome<{ result: number | "A" | "B"; feedback: string }> {
  const i = content.lastIndexOf(RESULT);
  if (i < 0) return { ok: false, problem: `no "${RESULT}" marker` };
  const feedback = content
    .slice(0, i)
    .trim()
    .replace(/^(?:###\s*)?feedback\s*:\s*/i, "")
    .trim();
  const tail = content
    .slice(i + RESULT.length)
    .replace(/<\/s>|<\|[a-z_]+\|>/gi, "")
    .trim()
    .replace(/^[([{"']\s*|\s*[)\]}"']$/g, "")
    .replace(/\.$/, "")
    .trim();
  if (mode === "relative") {
    if (tail === "A" || tail === "B") return { ok: true, value: { result: tail, feedback } };
    return { ok: false, problem: `the result must be "A" or "B", got ${JSON.stringify(tail.slice(0, 40))}` };
  }
  if (!/^\d+$/.test(tail))
    return { ok: false, problem: `the result must be an integer, got ${JSON.stringify(tail.slice(0, 40))}` };
  const n = Number(tail);
  if (n < 1 || n > mode.max)
    return { ok: false, problem: `the result must be from 1 to ${mode.max}, got ${n}` };
  return { ok: true, value: { result: n, feedback } };
}
