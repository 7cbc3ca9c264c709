/**
 * Finding JSON in model output, by one of three rules:
 *   strict  the whole text (trimmed) is the JSON value;
 *   fenced  as strict, but one ``` fence around the whole text is allowed (chat models add it);
 *   last    the last ```json fenced block, else the last top-level {...} or [...] in the text that parses.
 * All three are linear in the text.
 */

export type ExtractMode = "strict" | "fenced" | "last";

export type Extracted = { ok: true; value: unknown; source: string } | { ok: false; reason: string };

const WHOLE_FENCE = /^```[A-Za-z0-9_-]*[ \t]*\n([\s\S]*?)\n?```$/;
const FENCES = /```([A-Za-z0-9_-]*)[ \t]*\n([\s\S]*?)```/g;

function parse(src: string): Extracted {
  try {
    return { ok: true, value: JSON.parse(src), source: src };
  } catch (e) {
    return { ok: false, reason: `not valid JSON: ${(e as Error).message}` };
  }
}

export function extractJson(text: string, mode: ExtractMode): Extracted {
  const t = text.trim();
  if (t === "") return { ok: false, reason: "the text is empty" };
  if (mode === "strict") return parse(t);
  const whole = WHOLE_FENCE.exec(t);
  if (mode === "fenced") {
    if (whole && !whole[1]!.includes("```")) return parse(whole[1]!.trim());
    return parse(t);
  }
  let lastFence: string | undefined;
  for (const m of t.matchAll(FENCES)) {
    if (m[1] === "" || m[1]!.toLowerCase() === "json") lastFence = m[2];
  }
  if (lastFence !== undefined) return parse(lastFence.trim());
  const spans = topLevelSpans(t);
  for (let i = spans.length - 1; i >= 0 && i >= spans.length - 8; i--) {
    const r = parse(t.slice(spans[i]![0], spans[i]![1]));
    if (r.ok) return r;
  }
  return {
    ok: false,
    reason: spans.length ? "no balanced {...} or [...] in the text parses as JSON" : "no JSON found",
  };
}

/** Spans of balanced top-level {...} / [...] groups, skipping brackets inside JSON strings. */
export function topLevelSpans(t: string): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (depth > 0 && ch === '"') inString = true;
    else if (ch === "{" || ch === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if ((ch === "}" || ch === "]") && depth > 0) {
      depth--;
      if (depth === 0) out.push([start, i + 1]);
    }
  }
  return out;
}
