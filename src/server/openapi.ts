/** The OpenAPI 3.1 description of the server (GET /openapi.json). */
import { GROUP_OPTIONS_SCHEMA } from "../spec/index.js";
import type { ServerContext } from "./context.js";
import { EVAL_BODY } from "./eval-route.js";
import { OPENAI_GRADERS_OPENAPI_PATHS } from "./protocols/openai-graders.js";

const ERROR = {
  type: "object",
  properties: {
    error: { type: "object", properties: { kind: { type: "string" }, message: { type: "string" } } },
  },
};
const RESULT = {
  type: "object",
  required: ["status", "reward", "ms"],
  properties: {
    status: { enum: ["ok", "abstain", "error"] },
    reward: { type: ["number", "null"] },
    error: { type: "object", properties: { kind: { type: "string" }, message: { type: "string" } } },
    components: { type: "object", additionalProperties: { $ref: "#/components/schemas/Result" } },
    spans: { type: "array", items: { type: "object" } },
    feedback: { type: "string" },
    details: { type: "object" },
    ms: { type: "number" },
  },
};
const SAMPLE = {
  type: "object",
  required: ["completion"],
  properties: {
    id: { type: ["string", "number"] },
    prompt: {},
    completion: { oneOf: [{ type: "string" }, { type: "array", items: { type: "object" } }] },
    reference: {},
    token_offsets: { type: "array", items: { type: "array", items: { type: "integer" } } },
  },
  additionalProperties: true,
};

const errors = {
  "400": {
    description: "Malformed JSON, nesting deeper than --max-depth, or a wrong shape",
    content: { "application/json": { schema: ERROR } },
  },
  "401": { description: "Missing or wrong bearer token" },
  "408": { description: "Body not received within --body-timeout; the connection is closed" },
  "413": { description: "Body, batch or NDJSON line too large" },
  "429": { description: "Queue full; see Retry-After" },
  "503": { description: "Shutting down; see Retry-After" },
};

const json = (schema: object) => ({ content: { "application/json": { schema } } });

export function openApiDocument(ctx: ServerContext) {
  const verify = {
    post: {
      summary: "NeMo Gym verify: the row, responses_create_params and an OpenAI Responses API response.",
      requestBody: json({ type: "object", required: ["response"], additionalProperties: true }),
      responses: {
        "200": {
          description: "The row with reward, mask_sample, failure_kind, failure_reason, reward_components",
          ...json({ type: "object" }),
        },
        ...errors,
      },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "rewardkit reward server",
      version: "1",
      description: `Scores with the spec '${ctx.reward.root.name}' (${ctx.reward.root.type}). Every result is ok, abstain or error: never a silent 0.`,
    },
    components: {
      schemas: { Result: RESULT, Sample: SAMPLE, Group: GROUP_OPTIONS_SCHEMA },
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    security: [{ bearer: [] }],
    paths: {
      "/v1/score": {
        post: {
          summary: "Score a batch; results in order.",
          requestBody: json({
            type: "object",
            required: ["samples"],
            properties: {
              samples: {
                type: "array",
                maxItems: ctx.maxBatch,
                items: { $ref: "#/components/schemas/Sample" },
              },
              group: { $ref: "#/components/schemas/Group" },
              placement: { enum: ["span_end", "uniform"] },
              components: { enum: ["tree", "flat", "none"], default: "tree" },
            },
          }),
          responses: {
            "200": {
              description: "Results",
              ...json({
                type: "object",
                properties: {
                  results: { type: "array", items: { $ref: "#/components/schemas/Result" } },
                  groups: { type: "array" },
                },
              }),
            },
            ...errors,
          },
        },
      },
      "/v1/eval": {
        post: {
          summary:
            "Evaluate the served spec against labelled rows (binary, graded or preference; docs/eval.md).",
          requestBody: json(EVAL_BODY),
          responses: { "200": { description: "The eval report", ...json({ type: "object" }) }, ...errors },
        },
      },
      "/v1/score/stream": {
        post: {
          summary: "NDJSON in (a sample per line), NDJSON out ({index, result} per line, as they finish).",
          requestBody: {
            content: { "application/x-ndjson": { schema: { $ref: "#/components/schemas/Sample" } } },
          },
          responses: { "200": { description: "Results as NDJSON" }, ...errors },
        },
      },
      "/get_reward": {
        post: {
          summary: "OpenRLHF remote reward model protocol.",
          requestBody: json({
            type: "object",
            required: ["query"],
            properties: {
              query: { type: "array", items: { type: "string" } },
              prompts: { type: "array", items: { type: "string" } },
              labels: { type: "array" },
            },
          }),
          responses: {
            "200": {
              description: "Rewards",
              ...json({
                type: "object",
                properties: {
                  rewards: { type: "array", items: { type: "number" } },
                  scores: { type: "array" },
                  extra_logs: { type: "object" },
                },
              }),
            },
            ...errors,
          },
        },
      },
      "/verify": verify,
      "/ng-rollout/{id}/verify": {
        post: {
          ...verify.post,
          summary: "NeMo Gym verify at a rollout's path: answered like /verify.",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        },
      },
      ...OPENAI_GRADERS_OPENAPI_PATHS,
      "/health": {
        get: {
          summary:
            "Liveness and readiness; with a code verifier in the spec, `code` says what isolation each runtime gets here.",
          security: [],
          responses: { "200": { description: "ok" } },
        },
      },
      "/metrics": {
        get: { summary: "Prometheus metrics.", responses: { "200": { description: "text/plain" } } },
      },
    },
  };
}
