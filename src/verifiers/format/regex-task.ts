/** Worker-pool task for regex with the JavaScript engine: may backtrack for ever, so it runs killable. */
export function jsRegexTest(a: { pattern: string; flags: string; full: boolean; text: string }): boolean {
  // Full match: sticky at 0 and nothing after, whatever the m flag does to ^ and $.
  const re = a.full
    ? new RegExp(`(?:${a.pattern})(?![\\s\\S])`, `${a.flags}y`)
    : new RegExp(a.pattern, a.flags);
  return re.test(a.text);
}
