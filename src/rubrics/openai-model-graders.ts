/**
 * OpenAI's model graders, through the rubric judge's OpenAI-compatible chat completions client (chat.ts):
 *
 *   openai_score_model  the templated `input` messages go to `model`; the reply's `result`, a number in
 *                       `range` (default [0, 1]), is the reward. `pass_threshold` gives details.passed.
 *   openai_label_model  the reply's `result` is one of `labels`; the reward is 1 when it is one of
 *                       `passing_labels`, else 0.
 *
 * The endpoint is configured like the rubric judge: `judge.base_url` or $REWARDKIT_JUDGE_BASE_URL, the API
 * key from $REWARDKIT_JUDGE_API_KEY (or the variable named by `judge.api_key_env`), timeouts and retries
 * as there. `judge.model` overrides the grader's `model` (a local server rarely serves OpenAI's names).
 *
 * One instruction is added to the first system message (or as a first system message): reply with a JSON
 * object {"steps": [...], "result": ...}. A reply that does not parse, or whose result is out of range or
 * not a label, is sent back to the model with the problem (the client's correction retries); after the
 * retries it is judge_parse_error flagged model_grader_parse_error. HTTP failures are judge_error flagged
 * model_grader_server_error, a refusal model_grader_refusal_error, a timeout also unresponsive_reward_error.
 */
import {
  type JsonSchema,
  type Outcome,
  ok,
  RewardkitError,
  type Sample,
  type Verifier,
} from "../core/index.js";
import { extractJson } from "../verifiers/format/json-extract.js";
import { graderFail, graderOutcome, type OpenAIFlag } from "../verifiers/openai/errors.js";
import { compileGraderTemplate, type GraderTemplate } from "../verifiers/openai/template.js";
import { chatWithRetries, type JudgeMessage, type ParseOutcome, type TokenUsage } from "./chat.js";
import { JUDGE_SCHEMA, type JudgeConfig, resolveJudgeConfig } from "./judge.js";

const TEXT_PARTS = new Set(["input_text", "output_text", "text"]);

const MESSAGE_SCHEMA: JsonSchema = {
  type: "object",
  required: ["role", "content"],
  properties: {
    type: { const: "message" },
    role: { enum: ["system", "developer", "user", "assistant"] },
    content: {
      anyOf: [
        { type: "string" },
        {
          type: "array",
          items: {
            type: "object",
            required: ["type"],
            properties: { type: { type: "string" }, text: { type: "string" } },
          },
        },
      ],
    },
  },
  additionalProperties: false,
};

const judgeProps = JUDGE_SCHEMA.properties as Record<string, JsonSchema>;
const JUDGE_KEYS = [
  "base_url",
  "model",
  "api_key_env",
  "timeout_ms",
  "max_retries",
  "backoff_ms",
  "max_backoff_ms",
  "max_concurrency",
  "headers",
  "extra_body",
] as const;

/** rewardkit's extension of a model grader: where and how the judge endpoint is reached. */
export const GRADER_JUDGE_SCHEMA: JsonSchema = {
  type: "object",
  description:
    "rewardkit: the OpenAI-compatible endpoint (base_url, api_key_env, model override, timeout_ms, max_retries, ...).",
  properties: Object.fromEntries(JUDGE_KEYS.map((k) => [k, judgeProps[k]!])),
  additionalProperties: false,
};

const SAMPLING_SCHEMA: JsonSchema = {
  type: "object",
  description:
    "temperature, top_p, seed, max_completions_tokens, reasoning_effort; other keys are sent as they are.",
  properties: {
    temperature: { type: "number", minimum: 0, maximum: 2 },
    top_p: { type: "number", minimum: 0, maximum: 1 },
    seed: { type: ["integer", "null"] },
    max_completions_tokens: { type: "integer", minimum: 1 },
    reasoning_effort: { type: "string" },
  },
};

interface ModelConfig {
  model: string;
  input: { role: string; content: string | { type: string; text?: string }[] }[];
  sampling_params?: Record<string, unknown>;
  judge?: Record<string, unknown>;
}

interface CompiledMessage {
  role: JudgeMessage["role"];
  parts: (GraderTemplate | string)[];
}

interface CompiledModel {
  judge: JudgeConfig;
  messages: CompiledMessage[];
}

function compileModel(c: ModelConfig, instruction: string): CompiledModel {
  const j = c.judge ?? {};
  const sp = c.sampling_params ?? {};
  const raw: Record<string, unknown> = { ...j, model: j.model ?? c.model };
  const extra: Record<string, unknown> = { ...((j.extra_body as Record<string, unknown>) ?? {}) };
  for (const [k, v] of Object.entries(sp)) {
    if (k === "temperature") raw.temperature = v;
    else if (k === "seed") raw.seed = v;
    else if (k === "max_completions_tokens") raw.max_tokens = v;
    else extra[k] = v;
  }
  if (Object.keys(extra).length) raw.extra_body = extra;
  const r = resolveJudgeConfig(raw);
  if (!r.config) {
    throw new RewardkitError(
      "config_error",
      r.problems.map(([p, m]) => `${["judge", ...p].join(".")}: ${m}`).join("; "),
    );
  }
  const messages: CompiledMessage[] = c.input.map((m, i) => {
    const role = m.role === "developer" ? "system" : (m.role as JudgeMessage["role"]);
    if (typeof m.content === "string") return { role, parts: [compileGraderTemplate(m.content)] };
    return {
      role,
      parts: m.content.map((p, k) => {
        if (!TEXT_PARTS.has(p.type) || typeof p.text !== "string") {
          throw new RewardkitError(
            "config_error",
            `input[${i}].content[${k}]: only text parts are supported (got type '${p.type}')`,
          );
        }
        return compileGraderTemplate(p.text);
      }),
    };
  });
  if (messages.length === 0)
    throw new RewardkitError("config_error", "input: at least one message is needed");
  const sys = messages.find((m) => m.role === "system");
  if (sys) sys.parts.push(`\n\n${instruction}`);
  else messages.unshift({ role: "system", parts: [instruction] });
  return { judge: r.config, messages };
}

function render(c: CompiledModel, sample: Sample): JudgeMessage[] {
  return c.messages.map((m) => ({
    role: m.role,
    content: m.parts.map((p) => (typeof p === "string" ? p : p.renderText(sample))).join(""),
  }));
}

function flagsOf(e: RewardkitError): OpenAIFlag[] {
  if (e.kind === "judge_parse_error") return ["model_grader_parse_error"];
  if (e.kind === "timeout") return ["model_grader_server_error", "unresponsive_reward_error"];
  if (e.kind === "judge_error" && e.message.includes("refused")) return ["model_grader_refusal_error"];
  if (e.kind === "judge_error") return ["model_grader_server_error"];
  return ["other_error"];
}

/** Sends the messages; returns the parsed result, or an error outcome with flags. */
async function ask<T>(
  c: CompiledModel,
  sample: Sample,
  parse: (content: string) => ParseOutcome<T>,
  signal: AbortSignal,
): Promise<{ value: T; content: string; usage?: TokenUsage } | { failed: Outcome }> {
  let messages: JudgeMessage[];
  try {
    messages = render(c, sample);
  } catch (e) {
    return { failed: graderOutcome(e) };
  }
  try {
    const r = await chatWithRetries(c.judge.endpoint, messages, c.judge.sampling, parse, {
      signal,
      correction: (problem) =>
        `Your reply could not be used: ${problem}. Reply again with only the JSON object asked for.`,
    });
    return r.usage ? { value: r.value, content: r.content, usage: r.usage } : r;
  } catch (e) {
    if (!(e instanceof RewardkitError)) throw e;
    const flags = flagsOf(e);
    const details: Record<string, unknown> = { model: c.judge.endpoint.model };
    return { failed: graderFail(e.kind, flags, e.message, details) };
  }
}

/** The JSON object of a reply (its last one), or undefined. */
function replyObject(content: string): Record<string, unknown> | undefined {
  const x = extractJson(content, "last");
  return x.ok && x.value && typeof x.value === "object" && !Array.isArray(x.value)
    ? (x.value as Record<string, unknown>)
    : undefined;
}

export function parseScore(content: string, range: readonly [number, number]): ParseOutcome<number> {
  const obj = replyObject(content);
  let v: unknown = obj ? (obj.result ?? obj.score) : undefined;
  if (v === undefined && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(content)) v = Number(content);
  if (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) v = Number(v);
  if (typeof v !== "number" || !Number.isFinite(v)) {
    return { ok: false, problem: 'the reply has no numeric "result"' };
  }
  if (v < range[0] || v > range[1]) {
    return { ok: false, problem: `"result" ${v} is outside the range [${range[0]}, ${range[1]}]` };
  }
  return { ok: true, value: v };
}

export function parseLabel(content: string, labels: readonly string[]): ParseOutcome<string> {
  const obj = replyObject(content);
  let v: unknown = obj ? obj.result : undefined;
  if (v === undefined) v = content.trim().replace(/^["'`]+|["'`.]+$/g, "");
  if (typeof v === "string") {
    if (labels.includes(v)) return { ok: true, value: v };
    const folded = labels.filter((l) => l.toLowerCase() === v.toString().trim().toLowerCase());
    if (folded.length === 1) return { ok: true, value: folded[0]! };
  }
  return {
    ok: false,
    problem: `"result" must be exactly one of ${labels.map((l) => JSON.stringify(l)).join(", ")}`,
  };
}

interface ScoreConfig extends ModelConfig {
  range?: [number, number];
  pass_threshold?: number;
}

interface ScoreCompiled extends CompiledModel {
  range: readonly [number, number];
  passThreshold?: number;
}

const MODEL_PROPS = {
  model: { type: "string", minLength: 1, description: "The grading model (judge.model overrides it)." },
  input: { type: "array", minItems: 1, items: MESSAGE_SCHEMA, description: "Templated chat messages." },
  sampling_params: SAMPLING_SCHEMA,
  judge: GRADER_JUDGE_SCHEMA,
};

export const openaiScoreModel: Verifier<ScoreConfig, ScoreCompiled> = {
  type: "openai_score_model",
  description: "OpenAI score_model grader: a model scores the templated messages within `range`.",
  timeoutMs: 600_000,
  range: (c) => c.range ?? [0, 1],
  configSchema: {
    required: ["model", "input"],
    properties: {
      ...MODEL_PROPS,
      range: { type: "array", items: { type: "number" }, minItems: 2, maxItems: 2, default: [0, 1] },
      pass_threshold: { type: "number", description: "Reported as details.passed; the reward is the score." },
    },
  },
  compile(c) {
    const range = c.range ?? [0, 1];
    if (!(range[0] < range[1]))
      throw new RewardkitError("config_error", "range: the lower bound must be below the upper");
    const instruction =
      'Reply with a JSON object and nothing else: {"steps": [{"description": "...", "conclusion": "..."}], ' +
      `"result": <score>}, where "result" is a number from ${range[0]} to ${range[1]}.`;
    const out: ScoreCompiled = { ...compileModel(c, instruction), range };
    if (c.pass_threshold !== undefined) out.passThreshold = c.pass_threshold;
    return out;
  },
  async verify(sample, c, ctx) {
    const r = await ask(c, sample, (x) => parseScore(x, c.range), ctx.signal);
    if ("failed" in r) return r.failed;
    const details: Record<string, unknown> = { model: c.judge.endpoint.model, reply: r.content };
    if (r.usage) details.token_usage = r.usage;
    if (c.passThreshold !== undefined) details.passed = r.value >= c.passThreshold;
    return ok(r.value, { details });
  },
};

interface LabelConfig extends ModelConfig {
  labels: string[];
  passing_labels: string[];
}

interface LabelCompiled extends CompiledModel {
  labels: string[];
  passing: Set<string>;
}

export const openaiLabelModel: Verifier<LabelConfig, LabelCompiled> = {
  type: "openai_label_model",
  description: "OpenAI label_model grader: a model picks one of `labels`; 1 when it is a passing label.",
  timeoutMs: 600_000,
  configSchema: {
    required: ["model", "input", "labels", "passing_labels"],
    properties: {
      ...MODEL_PROPS,
      labels: { type: "array", minItems: 1, uniqueItems: true, items: { type: "string", minLength: 1 } },
      passing_labels: { type: "array", minItems: 1, uniqueItems: true, items: { type: "string" } },
    },
  },
  compile(c) {
    const unknown = c.passing_labels.filter((l) => !c.labels.includes(l));
    if (unknown.length) {
      throw new RewardkitError(
        "config_error",
        `passing_labels: ${unknown.map((l) => JSON.stringify(l)).join(", ")} not among the labels`,
      );
    }
    const instruction =
      'Reply with a JSON object and nothing else: {"steps": [{"description": "...", "conclusion": "..."}], ' +
      `"result": <label>}, where "result" is exactly one of ${c.labels.map((l) => JSON.stringify(l)).join(", ")}.`;
    return { ...compileModel(c, instruction), labels: c.labels, passing: new Set(c.passing_labels) };
  },
  async verify(sample, c, ctx) {
    const r = await ask(c, sample, (x) => parseLabel(x, c.labels), ctx.signal);
    if ("failed" in r) return r.failed;
    const passed = c.passing.has(r.value);
    const details: Record<string, unknown> = { model: c.judge.endpoint.model, label: r.value, passed };
    if (r.usage) details.token_usage = r.usage;
    return ok(passed ? 1 : 0, { details, feedback: `label '${r.value}'` });
  },
};

export const openaiModelGraders = [openaiScoreModel, openaiLabelModel];
