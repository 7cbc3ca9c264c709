/**
 * NeMo Gym's resource-server protocol: POST /verify with the dataset row, `responses_create_params` (the
 * request sent to the policy) and `response` (an OpenAI Responses API response). The completion is read
 * from `response.output[*]`: the `output_text` parts of message items, and function calls as tool calls;
 * the prompt from `responses_create_params.input`. The answer echoes the row with `reward`,
 * `mask_sample` (true when the result was abstain or error, so the trainer can drop it), `failure_kind`,
 * `failure_reason` and `reward_components` (component rewards by dotted path).
 */
import type { FastifyInstance } from "fastify";
import type { ChatMessage, Result, ToolCall } from "../../core/index.js";
import { componentEntries } from "../../rewards/index.js";
import { clientGone, type ServerContext } from "../context.js";
import { numericReward } from "./openrlhf.js";

interface OutputItem {
  type?: string;
  role?: string;
  content?: { type?: string; text?: string }[] | string;
  name?: string;
  arguments?: string;
  call_id?: string;
}

/** The assistant message a Responses API output amounts to. */
export function responseMessage(response: { output?: OutputItem[] } | undefined): ChatMessage {
  let text = "";
  const calls: ToolCall[] = [];
  for (const item of response?.output ?? []) {
    if (!item || typeof item !== "object") continue; // not an output item: nothing the policy said
    if (item.type === "message" || (item.type === undefined && item.role === "assistant")) {
      if (typeof item.content === "string") text += item.content;
      else if (Array.isArray(item.content))
        for (const part of item.content)
          if (part?.type === "output_text" && typeof part.text === "string") text += part.text;
    } else if (item.type === "function_call" && typeof item.name === "string") {
      calls.push({
        id: item.call_id,
        type: "function",
        function: { name: item.name, arguments: item.arguments ?? "{}" },
      });
    }
  }
  return calls.length
    ? { role: "assistant", content: text, tool_calls: calls }
    : { role: "assistant", content: text };
}

function promptOf(params: { input?: unknown } | undefined): unknown {
  const input = params?.input;
  if (typeof input === "string" || Array.isArray(input)) return input;
  return undefined;
}

function flatten(r: Result, ctx: ServerContext): Record<string, number> {
  return Object.fromEntries(componentEntries(r).map(([path, c]) => [path, numericReward(c, ctx)]));
}

export function registerNemoGym(app: FastifyInstance, ctx: ServerContext): void {
  const route = (url: string) =>
    app.post(
      url,
      {
        schema: {
          body: {
            type: "object",
            required: ["response"],
            properties: {
              responses_create_params: { type: "object" },
              response: {
                type: "object",
                properties: {
                  output: {
                    type: "array",
                    items: {
                      type: "object",
                      properties: {
                        content: {
                          anyOf: [
                            { type: "string" },
                            { type: "null" },
                            { type: "array", items: { type: "object" } },
                          ],
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
      async (req, reply) => {
        const row = req.body as Record<string, unknown> & {
          responses_create_params?: { input?: unknown };
          response: { output?: OutputItem[] };
        };
        const { response: _r, responses_create_params: _p, ...fields } = row;
        const prompt = promptOf(row.responses_create_params);
        const sample: Record<string, unknown> = { ...fields, completion: [responseMessage(row.response)] };
        if (prompt !== undefined && sample.prompt === undefined) sample.prompt = prompt;
        const { results } = await ctx.score([sample], { signal: clientGone(reply), client: req.ip });
        const r = results[0]!;
        return {
          ...row,
          reward: numericReward(r, ctx),
          mask_sample: r.status !== "ok",
          failure_kind:
            r.status === "ok" ? null : r.status === "abstain" ? "abstain" : (r.error?.kind ?? "internal"),
          failure_reason: r.status === "ok" ? null : (r.error?.message ?? r.feedback ?? null),
          reward_components: flatten(r, ctx),
        };
      },
    );
  route("/verify");
  // NeMo Gym's rollout collection posts a rollout's verify to this path: the same answer.
  route("/ng-rollout/:id/verify");
}
