/**
 * Samples: what a verifier scores. A completion is either text or an OpenAI chat `messages` array, in
 * which case the last assistant message is the one scored.
 */

export interface ToolCall {
  id?: string;
  type?: string;
  function: { name: string; arguments: string | Record<string, unknown> };
}

export type ContentPart = { type: string; text?: string; [k: string]: unknown };

export interface ChatMessage {
  role: string;
  content?: string | ContentPart[] | null;
  tool_calls?: ToolCall[];
  [k: string]: unknown;
}

export interface Sample {
  id?: string | number;
  prompt?: string | ChatMessage[];
  completion: string | ChatMessage[];
  reference?: unknown;
  [metadata: string]: unknown;
}

/** Returns a reason the value is not a usable sample, or null when it is one. */
export function sampleProblem(x: unknown): string | null {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return "a sample must be a JSON object";
  const s = x as Record<string, unknown>;
  if (!("completion" in s)) return "the sample has no 'completion'";
  const c = s.completion;
  if (typeof c === "string") return null;
  if (!Array.isArray(c)) return "'completion' must be a string or an array of chat messages";
  for (let i = 0; i < c.length; i++) {
    const m = c[i] as Record<string, unknown> | null;
    if (m === null || typeof m !== "object" || typeof m.role !== "string") {
      return `'completion[${i}]' must be a chat message with a string 'role'`;
    }
    const content = m.content;
    if (content === undefined || content === null || typeof content === "string") continue;
    if (!Array.isArray(content)) {
      return `'completion[${i}].content' must be a string, null or an array of content parts`;
    }
    for (let j = 0; j < content.length; j++) {
      const part = content[j] as Record<string, unknown> | null;
      if (part === null || typeof part !== "object" || Array.isArray(part)) {
        return `'completion[${i}].content[${j}]' must be a content part object`;
      }
      if (part.text !== undefined && typeof part.text !== "string") {
        return `'completion[${i}].content[${j}].text' must be a string`;
      }
    }
  }
  if (!c.some((m) => (m as ChatMessage).role === "assistant")) {
    return "'completion' is a messages array without an assistant message";
  }
  return null;
}

export function lastAssistantMessage(sample: Sample): ChatMessage | undefined {
  const c = sample.completion;
  if (typeof c === "string") return { role: "assistant", content: c };
  for (let i = c.length - 1; i >= 0; i--) if (c[i]?.role === "assistant") return c[i];
  return undefined;
}

export function messageText(m: ChatMessage | undefined): string {
  if (!m || m.content == null) return "";
  if (typeof m.content === "string") return m.content;
  // Completions are checked by sampleProblem; a prompt's messages are only shown, so odd content is skipped.
  if (!Array.isArray(m.content)) return "";
  return m.content.map((p) => (typeof p?.text === "string" ? p.text : "")).join("");
}

/** The text that is scored: the completion string, or the last assistant message's text. */
export function completionText(sample: Sample): string {
  return typeof sample.completion === "string"
    ? sample.completion
    : messageText(lastAssistantMessage(sample));
}
