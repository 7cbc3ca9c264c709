/** OpenRLHF text conventions: end-of-turn tokens and the response inside a query. Imports nothing, so the library exports these without loading the server. */

export const DEFAULT_STRIP_TOKENS = [
  "<|im_end|>",
  "<|eot_id|>",
  "</s>",
  "<|endoftext|>",
  "<|end_of_text|>",
  "<end_of_turn>",
  "<|end|>",
  "<｜end▁of▁sentence｜>",
];

/** Removes trailing end-of-turn tokens (and the whitespace between them), repeatedly. */
export function stripTrailingTokens(text: string, tokens: readonly string[]): string {
  let t = text;
  let stripped = false;
  for (;;) {
    const trimmed = t.trimEnd();
    const tok = tokens.find((k) => k && trimmed.endsWith(k));
    if (!tok) return stripped ? trimmed : text;
    t = trimmed.slice(0, -tok.length);
    stripped = true;
  }
}

// A run of special tokens at the start: BOS, and pad/EOS tokens that left-padded batches carry.
const LEADING_SPECIALS =
  /^(?:\s*(?:<\|[^|<>\s]{1,40}\|>|<s>|<\/s>|<pad>|<bos>|<eos>|<unk>|<｜[^｜<>]{1,40}｜>))+/;

/**
 * The response part of a query, or null when the query does not start with the prompt. Tokenizers may
 * decode a BOS token, or (for left-padded, unpacked batches) a run of pad tokens, into the query and not
 * into the prompt, or the reverse: those leading special tokens are ignored on both sides.
 */
export function responseOf(query: string, prompt: string): string | null {
  const p = prompt.replace(LEADING_SPECIALS, "");
  // An empty prompt is a prefix of anything: the padding in front of the response is still not part of it.
  if (p === "") return query.replace(LEADING_SPECIALS, "");
  if (query.startsWith(prompt)) return query.slice(prompt.length);
  const q = query.replace(LEADING_SPECIALS, "");
  return q.startsWith(p) ? q.slice(p.length) : null;
}
