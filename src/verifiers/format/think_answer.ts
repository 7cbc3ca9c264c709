/**
 * think_answer: exactly one think block, then exactly one answer block, nothing but whitespace outside
 * them, and non-empty bodies. The tags are found by one linear scan (no backtracking regex across blocks),
 * and any extra, nested or misplaced tag fails the check: duplicated tags and prose outside the tags are
 * the usual ways a format reward gets gamed.
 */
import { type Outcome, ok, renderText, type Template, type Verifier } from "../../core/index.js";
import { INPUT, template } from "../common.js";

interface Config {
  input?: string;
  think_tag?: string;
  answer_tag?: string;
  opened_in_prompt?: boolean;
  allow_empty_think?: boolean;
}

interface Compiled {
  input: Template;
  think: string;
  answer: string;
  opened: boolean;
  allowEmptyThink: boolean;
  tagRe: RegExp;
  /** The four tags in their order. */
  expected: string[];
}

const TAG_NAME = { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_:-]*$" };

export const thinkAnswer: Verifier<Config, Compiled> = {
  type: "think_answer",
  pure: true,
  description: "One <think> block then one <answer> block, nothing outside, non-empty bodies.",
  laws: (c) => ({
    invariant: ["whitespace", "line_endings", "unicode"],
    format_tags: [c.think_tag ?? "think", c.answer_tag ?? "answer"],
  }),
  configSchema: {
    properties: {
      input: INPUT,
      think_tag: { ...TAG_NAME, default: "think" },
      answer_tag: { ...TAG_NAME, default: "answer" },
      opened_in_prompt: {
        type: "boolean",
        default: false,
        description: "The chat template already opened the think block: the completion starts inside it.",
      },
      allow_empty_think: { type: "boolean", default: false },
    },
  },
  compile(c) {
    const think = c.think_tag ?? "think";
    const answer = c.answer_tag ?? "answer";
    if (think === answer) throw new Error("think_tag and answer_tag must differ");
    return {
      input: template(c.input, "{{completion}}"),
      think,
      answer,
      opened: c.opened_in_prompt ?? false,
      allowEmptyThink: c.allow_empty_think ?? false,
      tagRe: new RegExp(`<(/?)(${think}|${answer})>`, "g"),
      expected: [`<${think}>`, `</${think}>`, `<${answer}>`, `</${answer}>`],
    };
  },
  verify(sample, c) {
    const text = renderText(c.input, sample, "input");
    return checkThinkAnswer(c.opened ? `<${c.think}>${text}` : text, c);
  },
};

function checkThinkAnswer(text: string, c: Compiled): Outcome {
  const expected = c.expected;
  const tags: { tag: string; at: number; end: number }[] = [];
  const re = c.tagRe;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    tags.push({ tag: m[0], at: m.index, end: m.index + m[0].length });
    if (tags.length > 4) break;
  }
  const no = (why: string) => ok(0, { feedback: why });
  if (tags.length !== 4 || tags.some((t, i) => t.tag !== expected[i])) {
    const seen = tags.map((t) => t.tag).join(" ");
    return no(
      `expected the tags ${expected.join(" ")} once each and in this order; found ${seen || "none"}${tags.length > 4 ? " ..." : ""}`,
    );
  }
  const [o1, c1, o2, c2] = tags as [(typeof tags)[0], (typeof tags)[0], (typeof tags)[0], (typeof tags)[0]];
  const outside = [text.slice(0, o1.at), text.slice(c1.end, o2.at), text.slice(c2.end)];
  const where = ["before the think block", "between the blocks", "after the answer block"];
  for (let i = 0; i < 3; i++)
    if (outside[i]!.trim() !== "") return no(`text ${where[i]}: '${clip(outside[i]!)}'`);
  const thinkBody = text.slice(o1.end, c1.at);
  const answerBody = text.slice(o2.end, c2.at);
  if (!c.allowEmptyThink && thinkBody.trim() === "") return no("the think block is empty");
  if (answerBody.trim() === "") return no("the answer block is empty");
  return ok(1, { details: { answer: answerBody.trim() } });
}

function clip(s: string, n = 60): string {
  const t = s.trim().replace(/\s+/g, " ");
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}
