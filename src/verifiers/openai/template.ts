/**
 * OpenAI grader templates (`{{sample.output_text}}`, `{{ item.answer }}`, `{{sample.output_json.x}}`,
 * `{{sample.choices[0].message.content}}`) over rewardkit samples.
 *
 * The two namespaces map onto a rewardkit sample as follows:
 *   - `item` is the dataset row: every field of the sample except `completion` (or, for a sample built by
 *     the /v1/graders/run endpoint, exactly the request's `item`, see `withItem`);
 *   - `sample` is the model's output, built from the completion: `output_text` (the completion text, the
 *     last assistant message for a chat completion), `output_json` (that text parsed as JSON), `output_tools`
 *     (the last assistant message's tool calls) and `choices` (one chat completion choice).
 *
 * A template that is exactly one `{{...}}` yields the raw value (a python grader or a JSON reference can
 * take an object); otherwise the values are interpolated as text, strings as they are and anything else as
 * JSON. A missing path is an `invalid_input` error flagged `invalid_variable_error`; `sample.output_json`
 * of an output that is not JSON is a `parse_error` flagged `sample_parse_error`.
 */
import {
  completionText,
  lastAssistantMessage,
  MAX_TEXT_CHARS,
  RewardkitError,
  type Sample,
} from "../../core/index.js";
import { graderError, type OpenAIFlag } from "./errors.js";

type Segment = string | number;

interface Ref {
  source: string;
  ns: "sample" | "item";
  path: Segment[];
}

export interface GraderTemplate {
  readonly source: string;
  /** The variables it reads (for messages and checks). */
  readonly refs: readonly Ref[];
  /** The raw value of a single-variable template, or the interpolated text. */
  render(sample: Sample): unknown;
  /** The interpolated text (objects as JSON); refuses text over MAX_TEXT_CHARS. */
  renderText(sample: Sample): string;
}

const TOKEN_RE = /\{\{([^{}]*)\}\}/g;
const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*/;

/** Parses `sample.a.b[0]["c d"]` into its namespace and segments; throws config_error when it is not one. */
function parseRef(raw: string): Ref {
  const source = raw.trim();
  const bad = (why: string) =>
    new RewardkitError(
      "config_error",
      `template variable '{{${source}}}': ${why} (variables are sample.* or item.*, e.g. {{sample.output_text}}, {{item.answer}})`,
    );
  const head = IDENT.exec(source);
  if (!head) throw bad("not a variable path");
  const ns = head[0];
  if (ns !== "sample" && ns !== "item") throw bad(`unknown namespace '${ns}'`);
  const path: Segment[] = [];
  let i = head[0].length;
  while (i < source.length) {
    const c = source[i];
    if (c === ".") {
      const m = IDENT.exec(source.slice(i + 1)) ?? /^\d+/.exec(source.slice(i + 1));
      if (!m) throw bad(`expected a name after '.' at character ${i + 1}`);
      path.push(/^\d+$/.test(m[0]) ? Number(m[0]) : m[0]);
      i += 1 + m[0].length;
    } else if (c === "[") {
      const rest = source.slice(i);
      const idx = /^\[\s*(\d+)\s*\]/.exec(rest);
      const key = /^\[\s*("(?:[^"\\]|\\.)*"|'[^']*')\s*\]/.exec(rest);
      if (idx) {
        path.push(Number(idx[1]));
        i += idx[0].length;
      } else if (key) {
        const k = key[1]!;
        path.push(k.startsWith('"') ? (JSON.parse(k) as string) : k.slice(1, -1));
        i += key[0].length;
      } else throw bad(`bad index at character ${i + 1}`);
    } else throw bad(`unexpected '${c}' at character ${i + 1}`);
  }
  if (ns === "sample" && path.length > 0 && !SAMPLE_FIELDS.has(String(path[0]))) {
    throw bad(`'sample' has no field '${path[0]}' (fields: ${[...SAMPLE_FIELDS].join(", ")})`);
  }
  return { source, ns, path };
}

const SAMPLE_FIELDS = new Set(["output_text", "output_json", "output_tools", "choices"]);

export function compileGraderTemplate(source: string): GraderTemplate {
  const parts: (string | Ref)[] = [];
  let last = 0;
  for (const m of source.matchAll(TOKEN_RE)) {
    if (m.index! > last) parts.push(source.slice(last, m.index));
    parts.push(parseRef(m[1]!));
    last = m.index! + m[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  const refs = parts.filter((p): p is Ref => typeof p !== "string");
  const single = parts.length === 1 && typeof parts[0] !== "string" ? parts[0] : undefined;
  const text = (s: Sample): string => {
    const out = parts.map((p) => (typeof p === "string" ? p : asText(lookup(s, p)))).join("");
    if (out.length > MAX_TEXT_CHARS) {
      throw graderError(
        "invalid_input",
        "truncated_observation_error",
        `template '${source}' gives ${out.length} characters, over the limit of ${MAX_TEXT_CHARS}`,
      );
    }
    return out;
  };
  return {
    source,
    refs,
    render: (s) => (single ? lookup(s, single) : text(s)),
    renderText: text,
  };
}

/** Text of a value: strings as they are, anything else as JSON (null and booleans as JSON too). */
export function asText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  return JSON.stringify(v) ?? "";
}

function lookup(sample: Sample, ref: Ref): unknown {
  let v: unknown;
  let path = ref.path;
  let where: string = ref.ns;
  if (ref.ns === "item") v = itemView(sample);
  else if (path.length === 0) v = sampleView(sample);
  else {
    v = sampleField(sample, path[0] as string);
    where += `.${path[0]}`;
    path = path.slice(1);
  }
  for (const key of path) {
    where += typeof key === "number" ? `[${key}]` : `.${key}`;
    if (v === null || typeof v !== "object" || !Object.hasOwn(v as object, key)) {
      throw graderError(
        "invalid_input",
        "invalid_variable_error",
        `template variable '{{${ref.source}}}': ${where} is missing`,
      );
    }
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

// --- the item and sample views ----------------------------------------------------------------------

const items = new WeakMap<object, Record<string, unknown>>();

/**
 * Attaches the exact OpenAI `item` to a sample built from it (the run endpoint does this, so an item with
 * its own `completion` field keeps it). Returns the sample.
 */
export function withItem<S extends Sample>(sample: S, item: Record<string, unknown>): S {
  items.set(sample, item);
  return sample;
}

/** The dataset row of a sample: the item attached by `withItem`, else every field but `completion`. */
export function itemView(sample: Sample): Record<string, unknown> {
  const attached = items.get(sample);
  if (attached) return attached;
  const { completion: _c, ...rest } = sample;
  return rest;
}

function toolCalls(sample: Sample): unknown[] {
  const m = lastAssistantMessage(sample);
  return Array.isArray(m?.tool_calls) ? m.tool_calls : [];
}

/** `output_json`: the output text parsed as JSON; a sample_parse_error when it is not JSON. */
function outputJson(sample: Sample): unknown {
  const text = completionText(sample).trim();
  const fenced = /^```[A-Za-z0-9_-]*[ \t]*\n([\s\S]*?)\n?```$/.exec(text);
  try {
    return JSON.parse(fenced ? fenced[1]! : text);
  } catch (e) {
    throw graderError(
      "parse_error",
      "sample_parse_error",
      `sample.output_json: the model output is not JSON (${(e as Error).message})`,
    );
  }
}

function sampleField(sample: Sample, field: string): unknown {
  switch (field) {
    case "output_text":
      return completionText(sample);
    case "output_json":
      return outputJson(sample);
    case "output_tools":
      return toolCalls(sample);
    case "choices": {
      const calls = toolCalls(sample);
      const message: Record<string, unknown> = { role: "assistant", content: completionText(sample) };
      if (calls.length) message.tool_calls = calls;
      return [{ index: 0, message }];
    }
    default:
      throw new RewardkitError("internal", `unknown sample field '${field}'`);
  }
}

/**
 * The whole OpenAI `sample` (what a python grader's `grade(sample, item)` receives): `output_json` is
 * null when the output is not JSON rather than an error, so the grader decides.
 */
export function sampleView(sample: Sample): Record<string, unknown> {
  let json: unknown = null;
  try {
    json = outputJson(sample);
  } catch {}
  return {
    output_text: completionText(sample),
    output_json: json,
    output_tools: toolCalls(sample),
    choices: sampleField(sample, "choices"),
  };
}

export type { OpenAIFlag };
