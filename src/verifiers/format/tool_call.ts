/**
 * tool_call: the completion makes OpenAI-style function calls whose names exist among the sample's tools
 * and whose arguments validate against that tool's parameter schema; with a reference, the calls must also
 * be the expected ones. The reward is graded by the worst error class among the calls:
 *   no_call = unparseable < unknown_function < invalid_arguments < wrong_call < correct.
 * Calls are read from the last assistant message's `tool_calls`, else from the text: `<tool_call>` blocks
 * (Hermes/Qwen), else a JSON object or array of calls.
 */
import type { ValidateFunction } from "ajv";
import {
  canonicalJson,
  compileTemplate,
  formatAjvErrors,
  kindOf,
  lastAssistantMessage,
  ok,
  RewardkitError,
  renderText,
  type Sample,
  type Template,
  type Verifier,
} from "../../core/index.js";
import { INPUT, template } from "../common.js";
import { extractJson } from "./json-extract.js";
import { SchemaCache } from "./schema-cache.js";

const CLASSES = [
  "no_call",
  "unparseable",
  "unknown_function",
  "invalid_arguments",
  "wrong_call",
  "correct",
] as const;
type Class = (typeof CLASSES)[number];
const DEFAULT_REWARDS: Record<Class, number> = {
  no_call: 0,
  unparseable: 0,
  unknown_function: 0.25,
  invalid_arguments: 0.5,
  wrong_call: 0.75,
  correct: 1,
};

interface Config {
  input?: string;
  tools?: unknown[] | string;
  reference?: unknown;
  rewards?: Partial<Record<Class, number>>;
  order?: "strict" | "any";
}

interface Compiled {
  input: Template;
  tools: (s: Sample) => unknown;
  reference: ((s: Sample) => unknown) | null;
  rewards: Record<Class, number>;
  anyOrder: boolean;
}

interface Call {
  name: string;
  args: unknown;
}

const cache = new SchemaCache();

const valueOrTemplate = (v: unknown): ((s: Sample) => unknown) => {
  if (typeof v === "string" && v.includes("{{")) {
    const t = compileTemplate(v);
    return (s) => t.render(s);
  }
  return () => v;
};

export const toolCall: Verifier<Config, Compiled> = {
  type: "tool_call",
  pure: true,
  description: "OpenAI-style function calls: known function, valid arguments, optionally the expected call.",
  range: (c) => {
    const r = { ...DEFAULT_REWARDS, ...c.rewards };
    const vs = Object.values(r);
    return [Math.min(...vs), Math.max(...vs)];
  },
  configSchema: {
    properties: {
      input: INPUT,
      tools: {
        type: ["array", "string"],
        default: "{{tools}}",
        description: "OpenAI tools array, or a template that gives one per sample.",
      },
      reference: { description: "The expected call(s), or a template such as {{reference}}. Optional." },
      rewards: {
        type: "object",
        properties: Object.fromEntries(CLASSES.map((k) => [k, { type: "number" }])),
        additionalProperties: false,
      },
      order: {
        enum: ["strict", "any"],
        default: "strict",
        description: "Whether expected calls must come in order.",
      },
    },
  },
  compile(c) {
    const rewards = { ...DEFAULT_REWARDS, ...c.rewards };
    for (let i = 1; i < CLASSES.length; i++) {
      if (rewards[CLASSES[i]!] < rewards[CLASSES[i - 1]!]) {
        throw new Error(`rewards must not decrease along ${CLASSES.join(" < ")}`);
      }
    }
    return {
      input: template(c.input, "{{completion}}"),
      tools: valueOrTemplate(c.tools ?? "{{tools}}"),
      reference: c.reference === undefined ? null : valueOrTemplate(c.reference),
      rewards,
      anyOrder: c.order === "any",
    };
  },
  verify(sample, c) {
    const tools = toolSchemas(c.tools(sample));
    const expected = c.reference ? expectedCalls(c.reference(sample)) : null;
    const got = readCalls(sample, c.input);
    const grade = (cls: Class, feedback: string) => ok(c.rewards[cls], { feedback, details: { class: cls } });
    if (got.kind !== "calls") return grade(got.kind, got.reason);
    for (const call of got.calls) {
      const validate = tools.get(call.name);
      if (!validate)
        return grade(
          "unknown_function",
          `no tool named '${call.name}' (tools: ${[...tools.keys()].join(", ")})`,
        );
      if (!validate(call.args)) {
        return grade("invalid_arguments", `arguments of '${call.name}': ${formatAjvErrors(validate.errors)}`);
      }
    }
    if (expected) {
      const why = compareCalls(got.calls, expected, c.anyOrder);
      if (why) return grade("wrong_call", why);
    }
    return grade("correct", `${got.calls.length} valid call(s)${expected ? " as expected" : ""}`);
  },
};

function toolSchemas(raw: unknown): Map<string, ValidateFunction> {
  let tools = raw;
  if (typeof tools === "string") {
    try {
      tools = JSON.parse(tools);
    } catch {
      throw new RewardkitError("invalid_input", "tools is a string that is not JSON");
    }
  }
  if (!Array.isArray(tools))
    throw new RewardkitError("invalid_input", `tools must be an array, got ${kindOf(tools)}`);
  const out = new Map<string, ValidateFunction>();
  tools.forEach((t, i) => {
    const fn = (t?.type === "function" && t.function ? t.function : t) as {
      name?: unknown;
      parameters?: unknown;
    };
    if (!fn || typeof fn.name !== "string")
      throw new RewardkitError("invalid_input", `tools[${i}] has no function name`);
    out.set(fn.name, cache.get(fn.parameters ?? { type: "object" }, `parameters of tool '${fn.name}'`));
  });
  return out;
}

type Read = { kind: "calls"; calls: Call[] } | { kind: "no_call" | "unparseable"; reason: string };

function readCalls(sample: Sample, input: Template): Read {
  const msg = lastAssistantMessage(sample);
  if (msg?.tool_calls?.length) return normalizeCalls(msg.tool_calls);
  const text = renderText(input, sample, "input");
  const blocks = [...text.matchAll(/<tool_call>([\s\S]*?)<\/tool_call>/g)].map((m) => m[1]!);
  if (blocks.length) {
    const calls: unknown[] = [];
    for (const b of blocks) {
      try {
        calls.push(JSON.parse(b.trim()));
      } catch (e) {
        return { kind: "unparseable", reason: `a <tool_call> block is not JSON: ${(e as Error).message}` };
      }
    }
    return normalizeCalls(calls);
  }
  if (text.includes("<tool_call>")) return { kind: "unparseable", reason: "an unclosed <tool_call> block" };
  if (!/[{[]/.test(text)) return { kind: "no_call", reason: "the completion makes no tool call" };
  const j = extractJson(text, "fenced");
  if (!j.ok) return { kind: "unparseable", reason: j.reason };
  return normalizeCalls(Array.isArray(j.value) ? j.value : [j.value]);
}

function asCall(x: unknown): Call | string {
  if (x === null || typeof x !== "object") return `a call must be an object, got ${kindOf(x)}`;
  const o = x as Record<string, unknown>;
  const f = (o.function && typeof o.function === "object" ? o.function : o) as Record<string, unknown>;
  if (typeof f.name !== "string" || f.name === "") return "a call has no function name";
  let args = f.arguments ?? f.parameters ?? {};
  if (typeof args === "string") {
    try {
      args = JSON.parse(args);
    } catch (e) {
      return `the arguments of '${f.name}' are not JSON: ${(e as Error).message}`;
    }
  }
  return { name: f.name, args };
}

function normalizeCalls(xs: unknown[]): Read {
  if (xs.length === 0) return { kind: "no_call", reason: "an empty list of calls" };
  const calls: Call[] = [];
  for (const x of xs) {
    const c = asCall(x);
    if (typeof c === "string") return { kind: "unparseable", reason: c };
    calls.push(c);
  }
  return { kind: "calls", calls };
}

function expectedCalls(raw: unknown): Call[] {
  let v = raw;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      throw new RewardkitError("invalid_input", "the reference call is a string that is not JSON");
    }
  }
  const r = normalizeCalls(Array.isArray(v) ? v : [v]);
  if (r.kind !== "calls")
    throw new RewardkitError("invalid_input", `the reference call is not usable: ${r.reason}`);
  return r.calls;
}

function compareCalls(got: Call[], want: Call[], anyOrder: boolean): string | null {
  if (got.length !== want.length) return `expected ${want.length} call(s), got ${got.length}`;
  const key = (c: Call) => `${c.name}(${canonicalJson(c.args)})`;
  const g = got.map(key);
  const w = want.map(key);
  if (anyOrder) {
    g.sort();
    w.sort();
  }
  const i = g.findIndex((k, j) => k !== w[j]);
  return i < 0 ? null : `call ${i + 1} is ${g[i]}, expected ${w[i]}`;
}
