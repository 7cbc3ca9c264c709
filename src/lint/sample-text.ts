/**
 * Reading and replacing the text that is scored: a completion string, or the last assistant message of a
 * chat completion. Mutations work on that text and put it back in a copy of the sample.
 */
import { type ChatMessage, completionText, type Sample, sampleProblem } from "../core/index.js";

export function textOf(sample: Sample): string {
  return sampleProblem(sample) ? "" : completionText(sample);
}

/** A copy of the sample whose scored text is `text` (the last assistant message for chat completions). */
export function withText(sample: Sample, text: string): Sample {
  if (typeof sample.completion === "string" || !Array.isArray(sample.completion)) {
    return { ...sample, completion: text };
  }
  const msgs = sample.completion.map((m) => ({ ...m }));
  for (let i = msgs.length - 1; i >= 0; i--) {
    if (msgs[i]!.role === "assistant") {
      msgs[i] = { ...msgs[i]!, content: text } as ChatMessage;
      return { ...sample, completion: msgs };
    }
  }
  return { ...sample, completion: [...msgs, { role: "assistant", content: text }] };
}

/** The prompt as text: a string prompt, or the user messages of a chat prompt or completion. */
export function promptOf(sample: Sample): string | null {
  const p = sample.prompt;
  if (typeof p === "string") return p.trim() ? p : null;
  const msgs = Array.isArray(p) ? p : Array.isArray(sample.completion) ? sample.completion : [];
  const users = (msgs as ChatMessage[])
    .filter((m) => m && m.role === "user")
    .map((m) =>
      typeof m.content === "string"
        ? m.content
        : Array.isArray(m.content)
          ? m.content.map((x) => (typeof x.text === "string" ? x.text : "")).join("")
          : "",
    );
  const t = users.join("\n").trim();
  return t ? t : null;
}

/** The reference as a list of strings (for avoiding them when making a wrong answer). */
export function referenceTexts(sample: Sample): string[] {
  const r = sample.reference;
  if (typeof r === "string" || typeof r === "number") return [String(r)];
  if (Array.isArray(r)) return r.filter((x) => typeof x === "string" || typeof x === "number").map(String);
  return [];
}

/** Shortens text for a report line, escaping it as JSON. */
export function clipText(s: string, n = 400): string {
  const t = s.length > n ? `${s.slice(0, n - 20)} … (${s.length} chars)` : s;
  return JSON.stringify(t);
}
