/**
 * Segmenters: split a completion into character ranges (sentences, lines, paragraphs, reasoning steps,
 * fenced code blocks, tool calls) for dense rewards. Every segmenter is one linear pass; segments are in
 * order, do not overlap, lie within the text and never cover only whitespace.
 */

export interface Segment {
  start: number;
  end: number;
  text: string;
}

export type SegmentKind =
  | "sentences"
  | "lines"
  | "paragraphs"
  | "steps"
  | "code_blocks"
  | "tool_calls"
  | "delimiter";

export interface SegmentOptions {
  /** For `delimiter`: the string that separates segments. */
  delimiter?: string;
}

/** Trims whitespace off a range; null when nothing is left. */
function trimmed(text: string, start: number, end: number): Segment | null {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end > start ? { start, end, text: text.slice(start, end) } : null;
}

/** Segments between the matches of a separator regex (global). */
function splitOn(text: string, sep: RegExp): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(sep)) {
    const s = trimmed(text, last, m.index!);
    if (s) out.push(s);
    last = m.index! + m[0].length;
  }
  const s = trimmed(text, last, text.length);
  if (s) out.push(s);
  return out;
}

/** Segments that start at each match of a start regex (multiline, global); text before the first is a segment too. */
function splitBefore(text: string, starts: RegExp): Segment[] {
  const cuts = [0];
  for (const m of text.matchAll(starts)) if (m.index! > 0) cuts.push(m.index!);
  cuts.push(text.length);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const s = trimmed(text, cuts[i]!, cuts[i + 1]!);
    if (s) out.push(s);
  }
  return out;
}

// A sentence ends at . ! ? (or their CJK forms) followed by whitespace, unless the period belongs to a
// common abbreviation, an initial, or a list number at the start of a line ("2. next").
const ABBREV = /(?:\b(?:e\.g|i\.e|etc|vs|Mr|Mrs|Ms|Dr|Prof|Fig|Eq|approx|cf|No)|\b[A-Z]|(?:^|\n)[ \t]*\d+)$/;

function sentences(text: string): Segment[] {
  const out: Segment[] = [];
  let start = 0;
  // CJK terminators need no space after them.
  const re = /[.!?]+["')\]]*(?=\s|$)|[。！？]+[」』”）]*|\n\s*\n/g;
  for (const m of text.matchAll(re)) {
    const end = m.index! + m[0].length;
    if (m[0].startsWith(".") && ABBREV.test(text.slice(Math.max(0, m.index! - 8), m.index!))) continue;
    const s = trimmed(text, start, end);
    if (s) out.push(s);
    start = end;
  }
  const s = trimmed(text, start, text.length);
  if (s) out.push(s);
  return out;
}

/**
 * Reasoning steps: a new step starts at "Step k:" / "## Step k", at a numbered list item ("1." "2)"), or
 * after a blank line. Whichever markers the text uses, the steps are the ranges between them.
 */
const STEP_START = /^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*)?(?:Step[ \t]*\d+|\d+[.)])(?=[\s:*.)])/gim;

function steps(text: string): Segment[] {
  const marked = splitBefore(text, STEP_START);
  // Within each marked step (or the whole text when there are no markers), blank lines also separate.
  return marked.flatMap((seg) => {
    const inner = splitOn(seg.text, /\n[ \t]*\n/g);
    return inner.map((s) => ({ start: seg.start + s.start, end: seg.start + s.end, text: s.text }));
  });
}

function codeBlocks(text: string): Segment[] {
  const out: Segment[] = [];
  for (const m of text.matchAll(/```[^\n]*\n[\s\S]*?```/g)) {
    out.push({ start: m.index!, end: m.index! + m[0].length, text: m[0] });
  }
  return out;
}

function toolCalls(text: string): Segment[] {
  const out: Segment[] = [];
  for (const m of text.matchAll(/<tool_call>[\s\S]*?<\/tool_call>/g)) {
    out.push({ start: m.index!, end: m.index! + m[0].length, text: m[0] });
  }
  return out;
}

export function segment(text: string, kind: SegmentKind, opts: SegmentOptions = {}): Segment[] {
  switch (kind) {
    case "sentences":
      return sentences(text);
    case "lines":
      return splitOn(text, /\r\n|\r|\n/g);
    case "paragraphs":
      return splitOn(text, /(?:\r?\n)[ \t]*(?:\r?\n)+/g);
    case "steps":
      return steps(text);
    case "code_blocks":
      return codeBlocks(text);
    case "tool_calls":
      return toolCalls(text);
    case "delimiter": {
      const d = opts.delimiter;
      if (!d) throw new Error("segmenter 'delimiter' needs a delimiter");
      return splitOn(text, new RegExp(d.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g"));
    }
  }
}

export const SEGMENT_KINDS: readonly SegmentKind[] = [
  "sentences",
  "lines",
  "paragraphs",
  "steps",
  "code_blocks",
  "tool_calls",
  "delimiter",
];
