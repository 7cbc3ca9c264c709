/**
 * OpenAI's graders API over rewardkit's grader import (src/spec/openai-graders.ts):
 *
 * POST /v1/graders/validate {"grader": {...}} -> {"grader": {...}} (the grader as given), or 400
 *   {"error": {"kind": "invalid_grader", "message", "issues": [{"path", "message"}]}} with every problem and
 *   its JSON path in the request body ("$.grader.graders.a.operation").
 * POST /v1/graders/run {"grader", "item", "model_sample"} -> {"reward", "metadata": {"name", "type",
 *   "errors", "execution_time", "scores", "token_usage", "sampled_model_name"}, "sub_rewards",
 *   "model_grader_token_usage_per_model", "result"}. An invalid grader is the same 400 as validate.
 *
 * A grader that cannot grade is never a silent 0: `reward` is then the server's --error-value (default 0)
 * and `metadata.errors` sets the flags of every grader that failed (from the results' details, else from
 * the error kind), with `result` (rewardkit's result tree: status, error kind and message, components).
 *
 * Graders are compiled once per distinct JSON (canonical, key order ignored) and kept in a bounded cache.
 * The judge endpoint of model graders is the server's (its environment: REWARDKIT_JUDGE_BASE_URL,
 * REWARDKIT_JUDGE_API_KEY): a request cannot point `judge.base_url`, `api_key_env` or `headers` elsewhere.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import {
  canonicalJson,
  type Result,
  type Sample,
  sampleProblem,
  TimeoutError,
  withWorkKey,
} from "../../core/index.js";
import {
  compileGrader,
  defaultRegistry,
  jsonPath,
  Reward,
  SpecError,
  type SpecIssue,
} from "../../spec/index.js";
import { OPENAI_FLAGS, type OpenAIFlag } from "../../verifiers/openai/errors.js";
import { pythonSyntaxError } from "../../verifiers/openai/python_grader.js";
import { withItem } from "../../verifiers/openai/template.js";
import { clientGone, type ServerContext } from "../context.js";
import { numericReward } from "./openrlhf.js";

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => x !== null && typeof x === "object" && !Array.isArray(x);

const CACHE_SIZE = 256;
/** Judge settings a request may not set: they decide where the server sends its API key. */
const SERVER_ONLY_JUDGE_KEYS = ["base_url", "api_key_env", "headers"];

type Compiled = { reward: Reward; grader: Obj; syntax?: Promise<SpecIssue[]> } | { issues: SpecIssue[] };

/** Compiled graders by canonical JSON (least recently used first out). */
export class GraderCache {
  private readonly map = new Map<string, Compiled>();
  /** How many graders were compiled (misses). */
  compiled = 0;

  /** `maxTimeoutMs`: the longest `timeout_ms` a request may give a grader (the server's request deadline). */
  constructor(
    private readonly size = CACHE_SIZE,
    private readonly maxTimeoutMs = Number.POSITIVE_INFINITY,
  ) {}

  get(grader: Obj): Compiled {
    const key = canonicalJson(grader);
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const made = compile(grader, this.maxTimeoutMs);
    this.compiled++;
    this.map.set(key, made);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
    return made;
  }
}

function compile(grader: Obj, maxTimeoutMs: number): Compiled {
  const own = serverOnlyIssues(grader, ["grader"], maxTimeoutMs);
  if (own.length) return { issues: own };
  try {
    const g = compileGrader({ grader }, defaultRegistry);
    return { reward: new Reward(g.spec, g.root), grader };
  } catch (e) {
    if (e instanceof SpecError) return { issues: e.issues };
    return { issues: [{ path: "$.grader", message: e instanceof Error ? e.message : String(e) }] };
  }
}

function serverOnlyIssues(
  g: unknown,
  path: (string | number)[],
  maxTimeoutMs: number,
  out: SpecIssue[] = [],
): SpecIssue[] {
  if (!isObj(g)) return out;
  // A grader's run is not interrupted by the request's deadline (a sandboxed run ends at its own), so a
  // request may not give one a longer deadline than the request itself has.
  if (typeof g.timeout_ms === "number" && g.timeout_ms > maxTimeoutMs) {
    out.push({
      path: jsonPath([...path, "timeout_ms"]),
      message: `${g.timeout_ms} ms is over this server's request deadline (${maxTimeoutMs} ms)`,
    });
  }
  if (isObj(g.judge)) {
    for (const k of SERVER_ONLY_JUDGE_KEYS) {
      if (g.judge[k] !== undefined) {
        out.push({
          path: jsonPath([...path, "judge", k]),
          message: `'judge.${k}' is set by the server (its environment), not by a request`,
        });
      }
    }
  }
  const subs = g.graders;
  const entries: [string | number, unknown][] = isObj(subs)
    ? Object.entries(subs)
    : Array.isArray(subs)
      ? subs.map((v, i) => [i, v])
      : [];
  for (const [k, v] of entries) serverOnlyIssues(v, [...path, "graders", k], maxTimeoutMs, out);
  return out;
}

/** The python graders' sources in a grader, with their paths in a request. */
function pythonSources(
  g: unknown,
  path: (string | number)[],
  out: [string, string][] = [],
): [string, string][] {
  if (!isObj(g)) return out;
  if (g.type === "python" && typeof g.source === "string")
    out.push([jsonPath([...path, "source"]), g.source]);
  const subs = g.graders;
  const entries: [string | number, unknown][] = isObj(subs)
    ? Object.entries(subs)
    : Array.isArray(subs)
      ? subs.map((v, i) => [i, v])
      : [];
  for (const [k, v] of entries) pythonSources(v, [...path, "graders", k], out);
  return out;
}

/** Syntax errors of the python graders (compiled in the sandbox, not run); none when it cannot start. */
async function syntaxIssues(grader: Obj): Promise<SpecIssue[]> {
  const out: SpecIssue[] = [];
  for (const [path, source] of pythonSources(grader, ["grader"])) {
    try {
      const e = await pythonSyntaxError(source);
      if (e) out.push({ path, message: e });
    } catch {
      // The sandbox could not run: the grader is not invalid for that; /run will report it.
    }
  }
  return out;
}

function invalid(reply: FastifyReply, issues: SpecIssue[]) {
  return reply.code(400).send({
    error: {
      kind: "invalid_grader",
      message: `invalid grader:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`,
      issues,
    },
  });
}

/** The rewardkit completion of an OpenAI model sample: text, chat messages, or an OpenAI sample object. */
export function completionOf(ms: unknown): Sample["completion"] | undefined {
  if (typeof ms === "string") return ms;
  if (Array.isArray(ms)) return ms as Sample["completion"];
  if (!isObj(ms)) return undefined;
  const choice = Array.isArray(ms.choices) ? (ms.choices[0] as Obj | undefined) : undefined;
  if (isObj(choice?.message)) return [{ role: "assistant", ...(choice.message as Obj) }];
  const text =
    typeof ms.output_text === "string"
      ? ms.output_text
      : ms.output_json !== undefined
        ? JSON.stringify(ms.output_json)
        : "";
  const tools = Array.isArray(ms.output_tools) && ms.output_tools.length ? ms.output_tools : undefined;
  return [{ role: "assistant", content: text, ...(tools ? { tool_calls: tools } : {}) }];
}

/**
 * Why a model_sample object cannot be read, or null. An object with none of the sample fields, or with
 * one of the wrong type, is a client mistake: read as an empty output it would be graded silently.
 */
export function modelSampleProblem(ms: unknown): string | null {
  if (!isObj(ms)) return null;
  const fields = ["output_text", "output_json", "output_tools", "choices"];
  if (!fields.some((f) => ms[f] !== undefined)) {
    return `an object needs one of ${fields.join(", ")} (found ${Object.keys(ms).join(", ") || "no fields"})`;
  }
  if (ms.output_text !== undefined && typeof ms.output_text !== "string")
    return "output_text must be a string";
  if (ms.output_tools !== undefined && !Array.isArray(ms.output_tools))
    return "output_tools must be an array";
  if (ms.choices !== undefined) {
    if (!Array.isArray(ms.choices)) return "choices must be an array";
    if (ms.choices.length && !isObj((ms.choices[0] as Obj | null)?.message))
      return "choices[0].message must be a chat message object";
  }
  return null;
}

interface Errors {
  [flag: string]: boolean | string | null;
}

/** OpenAI's metadata.errors from a result tree: the flags of every node that failed. */
export function errorFlags(r: Result): Errors {
  const out: Errors = Object.fromEntries(OPENAI_FLAGS.map((f) => [f, false]));
  out.python_grader_server_error_type = null;
  out.python_grader_runtime_error_details = null;
  out.model_grader_server_error_details = null;
  const set = (flag: OpenAIFlag, node: Result) => {
    out[flag] = true;
    const msg = node.error?.message ?? node.feedback ?? null;
    if (flag === "python_grader_runtime_error") out.python_grader_runtime_error_details ??= msg;
    if (flag === "python_grader_server_error")
      out.python_grader_server_error_type ??= node.error?.kind ?? "unknown";
    if (flag.startsWith("model_grader_")) out.model_grader_server_error_details ??= msg;
  };
  const walk = (node: Result) => {
    const kids = Object.values(node.components ?? {});
    const flags = node.details?.openai_errors;
    if (node.status !== "ok" && Array.isArray(flags)) {
      for (const f of flags) if ((OPENAI_FLAGS as readonly string[]).includes(f)) set(f as OpenAIFlag, node);
    } else if (node.status !== "ok" && !kids.some((k) => k.status !== "ok")) {
      set(flagOfKind(node), node);
    }
    for (const k of kids) walk(k);
  };
  walk(r);
  return out;
}

function flagOfKind(r: Result): OpenAIFlag {
  switch (r.status === "abstain" ? "abstain" : r.error?.kind) {
    case "timeout":
      return "unresponsive_reward_error";
    case "invalid_input":
      return "invalid_variable_error";
    case "judge_error":
      return "model_grader_server_error";
    case "judge_parse_error":
      return "model_grader_parse_error";
    case "sandbox_error":
      return "python_grader_server_error";
    default:
      return "other_error";
  }
}

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

function add(a: Usage | undefined, b: Usage): Usage {
  return {
    prompt_tokens: (a?.prompt_tokens ?? 0) + b.prompt_tokens,
    completion_tokens: (a?.completion_tokens ?? 0) + b.completion_tokens,
    total_tokens: (a?.total_tokens ?? 0) + b.total_tokens,
  };
}

// Request bodies, shared by the routes and their OpenAPI description.
const VALIDATE_BODY = { type: "object", required: ["grader"], properties: { grader: { type: "object" } } };
const RUN_BODY = {
  type: "object",
  required: ["grader", "model_sample"],
  properties: {
    grader: { type: "object" },
    item: { type: "object" },
    model_sample: { anyOf: [{ type: "string" }, { type: "object" }, { type: "array" }] },
  },
};

export function registerOpenAIGraders(app: FastifyInstance, ctx: ServerContext): void {
  const cache = new GraderCache(CACHE_SIZE, ctx.requestTimeoutMs);

  app.post(
    "/v1/graders/validate",
    {
      schema: {
        body: VALIDATE_BODY,
      },
    },
    async (req, reply) => {
      const { grader } = req.body as { grader: Obj };
      const c = cache.get(grader);
      if ("issues" in c) return invalid(reply, c.issues);
      c.syntax ??= syntaxIssues(grader);
      const syntax = await c.syntax;
      if (syntax.length) return invalid(reply, syntax);
      return { grader };
    },
  );

  app.post(
    "/v1/graders/run",
    {
      schema: {
        body: RUN_BODY,
      },
    },
    async (req, reply) => {
      const body = req.body as { grader: Obj; item?: Obj; model_sample: unknown };
      const c = cache.get(body.grader);
      if ("issues" in c) return invalid(reply, c.issues);
      const msProblem = modelSampleProblem(body.model_sample);
      if (msProblem) {
        return reply
          .code(400)
          .send({ error: { kind: "invalid_input", message: `model_sample: ${msProblem}` } });
      }
      const item = body.item ?? {};
      const sample = withItem({ ...item, completion: completionOf(body.model_sample)! } as Sample, item);
      const problem = sampleProblem(sample);
      if (problem) {
        return reply.code(400).send({
          error: { kind: "invalid_input", message: `model_sample: ${problem.replace("'completion'", "it")}` },
        });
      }
      const release = ctx.admission.enter(1, req.ip);
      const ac = new AbortController();
      const gone = clientGone(reply);
      const onGone = () => ac.abort(new TimeoutError(0, "the client went away; request"));
      gone.addEventListener("abort", onGone, { once: true });
      const timer = setTimeout(
        () => ac.abort(new TimeoutError(ctx.requestTimeoutMs, "request")),
        ctx.requestTimeoutMs,
      );
      let result: Result;
      try {
        result = await withWorkKey(ctx.newKey(), () => c.reward.score(sample, { signal: ac.signal }));
      } finally {
        clearTimeout(timer);
        gone.removeEventListener("abort", onGone);
        release();
      }
      return runResponse(c.grader, c.reward, result, ctx);
    },
  );
}

/** The run response in OpenAI's shape, plus `result` (rewardkit's result tree). */
export function runResponse(
  grader: Obj,
  reward: Reward,
  result: Result,
  ctx: Pick<ServerContext, "abstainValue" | "errorValue">,
) {
  const scores: Record<string, number | null> = {};
  const perModel: Record<string, Usage> = {};
  let usage: Usage | undefined;
  let model: string | null = null;
  const walk = (r: Result, path: string) => {
    const u = r.details?.token_usage as Usage | undefined;
    const m = r.details?.model;
    if (typeof m === "string") {
      model ??= m;
      if (u) perModel[m] = add(perModel[m], u);
    }
    if (u) usage = add(usage, u);
    for (const [k, c] of Object.entries(r.components ?? {})) {
      const p = path ? `${path}.${k}` : k;
      scores[p] = c.status === "ok" ? (c.reward as number) : null;
      walk(c, p);
    }
  };
  walk(result, "");
  const sub: Record<string, number> = {};
  if (reward.root.type === "formula") {
    for (const [k, c] of Object.entries(result.components ?? {})) sub[k] = numericReward(c, ctx);
  }
  return {
    reward: numericReward(result, ctx),
    metadata: {
      name: typeof grader.name === "string" ? grader.name : reward.root.name,
      type: grader.type,
      errors: errorFlags(result),
      execution_time: result.ms / 1000,
      scores,
      token_usage: usage ?? null,
      sampled_model_name: model,
    },
    sub_rewards: sub,
    model_grader_token_usage_per_model: perModel,
    result,
  };
}

/** The OpenAPI paths of these endpoints (for src/server/openapi.ts: `...OPENAI_GRADERS_OPENAPI_PATHS`). */
export const OPENAI_GRADERS_OPENAPI_PATHS = {
  "/v1/graders/validate": {
    post: {
      summary:
        "Validate an OpenAI grader (string_check, text_similarity, python, score_model, label_model, multi).",
      requestBody: {
        content: {
          "application/json": {
            schema: VALIDATE_BODY,
          },
        },
      },
      responses: {
        "200": { description: "The grader, as given" },
        "400": { description: "{error: {kind: invalid_grader, message, issues: [{path, message}]}}" },
      },
    },
  },
  "/v1/graders/run": {
    post: {
      summary: "Run an OpenAI grader on one item and model sample (OpenAI's run response shape).",
      requestBody: {
        content: {
          "application/json": {
            schema: RUN_BODY,
          },
        },
      },
      responses: {
        "200": {
          description:
            "{reward, metadata: {name, type, errors, execution_time, scores, token_usage, sampled_model_name}, sub_rewards, model_grader_token_usage_per_model, result}",
        },
        "400": { description: "An invalid grader or model sample" },
      },
    },
  },
};
