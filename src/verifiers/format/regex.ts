/**
 * regex: the input matches a pattern (search anywhere, or the full text). The default engine is RE2
 * (re2js, linear time, safe inline on any input). `engine: "js"` allows lookarounds and backreferences;
 * such a pattern can backtrack for ever, so it runs in the worker pool under the node's deadline.
 */
import { createRequire } from "node:module";
import type { RE2JS } from "re2js";
import { ok, poolTask, renderText, sharedPool, type Template, type Verifier } from "../../core/index.js";
import { INPUT, template } from "../common.js";

interface Config {
  input?: string;
  pattern: string;
  flags?: string;
  mode?: "search" | "full";
  engine?: "re2" | "js";
}

interface Compiled {
  input: Template;
  test: ((s: string) => boolean) | null;
  pattern: string;
  flags: string;
  full: boolean;
}

const TASK = poolTask(new URL("./regex-task.js", import.meta.url), "jsRegexTest");

export const regex: Verifier<Config, Compiled> = {
  type: "regex",
  pure: true,
  description: "The input matches a regular expression (RE2 syntax by default).",
  managesDeadline: true,
  // A pattern can test anything (whitespace, line endings, code points): no invariance in general. A
  // pattern over tags (<think>, </answer>) is a format check: duplicated or nested tags must fail it.
  laws: (c) => {
    const tags = [...new Set([...(c.pattern ?? "").matchAll(/<\/?([A-Za-z][\w:-]*)>/g)].map((m) => m[1]!))];
    return tags.length ? { format_tags: tags } : {};
  },
  configSchema: {
    required: ["pattern"],
    properties: {
      input: INPUT,
      pattern: { type: "string" },
      flags: { type: "string", pattern: "^[imsu]*$", default: "", description: "i, m, s, u" },
      mode: { enum: ["search", "full"], default: "search" },
      engine: { enum: ["re2", "js"], default: "re2" },
    },
  },
  compile(c) {
    const flags = c.flags ?? "";
    const full = c.mode === "full";
    if (c.engine === "js") {
      new RegExp(c.pattern, flags); // syntax check only; it never runs on the host
      return { input: template(c.input, "{{completion}}"), test: null, pattern: c.pattern, flags, full };
    }
    // re2js (263 KB) loads with the first RE2 pattern, not with rewardkit (fast start).
    const { RE2JS } = createRequire(import.meta.url)("re2js") as typeof import("re2js");
    let f = 0;
    if (flags.includes("i")) f |= RE2JS.CASE_INSENSITIVE;
    if (flags.includes("m")) f |= RE2JS.MULTILINE;
    if (flags.includes("s")) f |= RE2JS.DOTALL;
    let re: RE2JS;
    try {
      re = RE2JS.compile(c.pattern, f);
    } catch (e) {
      throw new Error(
        `pattern is not valid RE2 syntax: ${(e as Error).message} (engine "js" accepts JavaScript syntax)`,
      );
    }
    const test = full ? (s: string) => re.matches(s) : (s: string) => re.matcher(s).find();
    return { input: template(c.input, "{{completion}}"), test, pattern: c.pattern, flags, full };
  },
  async verify(sample, c, ctx) {
    const text = renderText(c.input, sample, "input");
    const matched = c.test
      ? c.test(text)
      : await sharedPool().run<boolean>(
          TASK,
          { pattern: c.pattern, flags: c.flags, full: c.full, text },
          ctx,
        );
    return ok(matched ? 1 : 0, {
      feedback: `${matched ? "matches" : "does not match"} /${c.pattern}/${c.flags} (${c.full ? "full" : "search"})`,
    });
  },
};
