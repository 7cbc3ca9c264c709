/**
 * Template paths into a sample: `{{completion}}`, `{{reference}}`, `{{metadata.answer}}`, with a few
 * filters (`{{completion|tag:answer}}`). A template that is exactly one `{{...}}` yields the raw value
 * (an object stays an object); otherwise the parts are interpolated as text.
 */
import { RewardkitError } from "./result.js";
import { completionText, messageText, type Sample } from "./sample.js";

type Filter = (v: unknown, where: string) => unknown;

const FILTERS: Record<string, (arg: string | undefined) => Filter> = {
  /** The body of the last complete `<arg>...</arg>` block, or "" when there is none. */
  tag: (arg) => {
    if (!arg) throw new RewardkitError("config_error", "filter 'tag' needs a tag name: tag:answer");
    const open = `<${arg}>`;
    const close = `</${arg}>`;
    return (v) => {
      const s = asText(v);
      const end = s.lastIndexOf(close);
      if (end < 0) return "";
      const start = s.lastIndexOf(open, end);
      return start < 0 ? "" : s.slice(start + open.length, end);
    };
  },
  /** The text after the last occurrence of arg (the whole text when arg does not occur). */
  after: (arg) => {
    if (!arg) throw new RewardkitError("config_error", "filter 'after' needs a marker: after:</think>");
    return (v) => {
      const s = asText(v);
      const i = s.lastIndexOf(arg);
      return i < 0 ? s : s.slice(i + arg.length);
    };
  },
  trim: () => (v) => asText(v).trim(),
  lower: () => (v) => asText(v).toLowerCase(),
  /** Parses a JSON string (datasets often store structured references as strings). */
  json: () => (v, where) => {
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v);
    } catch (e) {
      throw new RewardkitError(
        "invalid_input",
        `${where}: value is not valid JSON (${(e as Error).message})`,
      );
    }
  },
};

function asText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined || v === null) return "";
  if (Array.isArray(v) && v.every((m) => m && typeof m === "object" && "role" in m)) {
    return v.map((m) => `${m.role}: ${messageText(m)}`).join("\n");
  }
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

interface Expr {
  source: string;
  path: string[];
  filters: Filter[];
}

const PATH_RE = /^[A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*$/;

function parseExpr(source: string): Expr {
  const [rawPath = "", ...rawFilters] = source.split("|").map((s) => s.trim());
  if (!PATH_RE.test(rawPath)) {
    throw new RewardkitError("config_error", `bad template path '${rawPath}' in '{{${source}}}'`);
  }
  const path = rawPath.replace(/\[(\d+)\]/g, ".$1").split(".");
  if (path[0] === "metadata" && path.length > 1) path.shift();
  const filters = rawFilters.map((f) => {
    const colon = f.indexOf(":");
    const name = colon < 0 ? f : f.slice(0, colon);
    const make = FILTERS[name];
    if (!make) {
      throw new RewardkitError(
        "config_error",
        `unknown template filter '${name}' in '{{${source}}}' (known: ${Object.keys(FILTERS).join(", ")})`,
      );
    }
    return make(colon < 0 ? undefined : f.slice(colon + 1));
  });
  return { source, path, filters };
}

function lookup(sample: Sample, e: Expr): unknown {
  const [head, ...rest] = e.path;
  let v: unknown;
  if (head === "completion" && rest.length === 0) v = completionText(sample);
  else if (head === "completion_raw") v = sample.completion;
  else {
    v = (sample as Record<string, unknown>)[head!];
    // `metadata.x` also finds a nested `metadata` object, as some datasets have one.
    if (v === undefined && sample.metadata && typeof sample.metadata === "object") {
      v = (sample.metadata as Record<string, unknown>)[head!];
    }
    for (const key of rest) {
      if (v === undefined || v === null) break;
      v = typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
    }
  }
  if (v === undefined) {
    throw new RewardkitError(
      "invalid_input",
      `the sample has no '${e.path.join(".")}' (template {{${e.source}}})`,
    );
  }
  for (const f of e.filters) v = f(v, `{{${e.source}}}`);
  return v;
}

export interface Template {
  readonly source: string;
  /** Resolves against a sample; throws a RewardkitError(invalid_input) when a path is missing. */
  render(sample: Sample): unknown;
}

const TOKEN_RE = /\{\{([^{}]*)\}\}/g;

export function compileTemplate(source: string): Template {
  const parts: (string | Expr)[] = [];
  let last = 0;
  for (const m of source.matchAll(TOKEN_RE)) {
    if (m.index! > last) parts.push(source.slice(last, m.index));
    parts.push(parseExpr(m[1]!.trim()));
    last = m.index! + m[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  // Text cannot hold a literal "{{": one left over is a typo ("{{completion"), which would otherwise
  // compare the template's own text with every sample.
  const stray = parts.find((p): p is string => typeof p === "string" && p.includes("{{"));
  if (stray !== undefined) {
    throw new RewardkitError(
      "config_error",
      `unclosed '{{' in template '${source}': write {{path}} or {{path|filter}}`,
    );
  }
  if (parts.length === 1 && typeof parts[0] !== "string") {
    const only = parts[0]!;
    return { source, render: (s) => lookup(s, only) };
  }
  return {
    source,
    render: (s) => parts.map((p) => (typeof p === "string" ? p : asText(lookup(s, p)))).join(""),
  };
}

export function isTemplate(x: unknown): x is string {
  return typeof x === "string" && x.includes("{{");
}

/** Longest text a verifier accepts (characters); longer input is refused, never truncated silently. */
export const MAX_TEXT_CHARS = 4_000_000;

/**
 * Renders a template that must give text. Numbers and booleans become their decimal text (a dataset's
 * `answer: 42`); objects, arrays and over-long text are refused with invalid_input.
 */
export function renderText(t: Template, sample: Sample, what: string): string {
  const v = t.render(sample);
  let s: string;
  if (typeof v === "string") s = v;
  else if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") s = String(v);
  else
    throw new RewardkitError(
      "invalid_input",
      `${what} ({{...}} = ${t.source}) must be text, got ${kindOf(v)}`,
    );
  if (s.length > MAX_TEXT_CHARS) {
    throw new RewardkitError(
      "invalid_input",
      `${what} is ${s.length} characters, over the limit of ${MAX_TEXT_CHARS}`,
    );
  }
  return s;
}

/** Renders a reference that may be one text or a list of acceptable texts. */
export function renderTextList(t: Template, sample: Sample, what: string): string[] {
  const v = t.render(sample);
  if (Array.isArray(v)) {
    return v.map((x, i) =>
      renderText({ source: `${t.source}[${i}]`, render: () => x }, sample, `${what}[${i}]`),
    );
  }
  return [renderText({ source: t.source, render: () => v }, sample, what)];
}

export function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}
