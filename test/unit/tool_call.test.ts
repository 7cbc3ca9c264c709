import { describe, expect, it } from "vitest";
import { loadReward } from "../../src/index.js";
import { score } from "../helpers.js";

const tools = [
  {
    type: "function",
    function: {
      name: "get_weather",
      parameters: {
        type: "object",
        required: ["city"],
        properties: { city: { type: "string" }, unit: { enum: ["c", "f"] } },
        additionalProperties: false,
      },
    },
  },
  { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } },
];

const call = (name: string, args: unknown) => ({
  role: "assistant",
  content: null,
  tool_calls: [
    {
      id: "c1",
      type: "function",
      function: { name, arguments: typeof args === "string" ? args : JSON.stringify(args) },
    },
  ],
});

async function grade(completion: unknown, extra: Record<string, unknown> = {}, spec: object = {}) {
  const r = await score(
    { type: "tool_call", ...spec },
    { completion: completion as string, tools, ...extra },
  );
  return { reward: r.reward, cls: r.details?.class, r };
}

describe("tool_call", () => {
  it("grades by error class: unparseable < unknown function < bad arguments < correct", async () => {
    expect((await grade([call("get_weather", { city: "Paris" })])).cls).toBe("correct");
    expect((await grade([call("get_weather", { city: 3 })])).cls).toBe("invalid_arguments");
    expect((await grade([call("get_weather", { town: "Paris" })])).cls).toBe("invalid_arguments");
    expect((await grade([call("get_wether", { city: "Paris" })])).cls).toBe("unknown_function");
    expect((await grade([call("get_weather", "{city: Paris")])).cls).toBe("unparseable");
    const rewards = await Promise.all(
      [
        call("get_weather", "{"),
        call("nope", {}),
        call("get_weather", {}),
        call("get_weather", { city: "x" }),
      ].map(async (m) => (await grade([m])).reward as number),
    );
    expect(rewards).toEqual([...rewards].sort((a, b) => a - b));
    expect(new Set(rewards).size).toBe(4);
  });

  it("reads Hermes-style <tool_call> blocks and bare JSON from text", async () => {
    expect((await grade('<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>')).cls).toBe(
      "correct",
    );
    expect((await grade('{"name": "get_weather", "arguments": {"city": "Oslo"}}')).cls).toBe("correct");
    expect((await grade("<tool_call>{not json}</tool_call>")).cls).toBe("unparseable");
    expect((await grade("I cannot call tools.")).cls).toBe("no_call");
  });

  it("the worst call decides when there are several", async () => {
    const text =
      '<tool_call>{"name":"get_time","arguments":{}}</tool_call><tool_call>{"name":"x","arguments":{}}</tool_call>';
    expect((await grade(text)).cls).toBe("unknown_function");
  });

  it("compares with the expected call when a reference is given", async () => {
    const spec = { reference: "{{reference}}" };
    const ref = { name: "get_weather", arguments: { unit: "c", city: "Paris" } };
    expect(
      (await grade([call("get_weather", { city: "Paris", unit: "c" })], { reference: ref }, spec)).cls,
    ).toBe("correct");
    expect(
      (await grade([call("get_weather", { city: "Lyon", unit: "c" })], { reference: ref }, spec)).cls,
    ).toBe("wrong_call");
  });

  it("is an input error when the sample's tools are unusable", async () => {
    const r = await score({ type: "tool_call" }, { completion: "{}", tools: "nope" });
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("invalid_input");
  });

  it("refuses rewards that do not grow with the class", () => {
    expect(() => loadReward({ type: "tool_call", rewards: { unknown_function: 0.9 } })).toThrow(
      /must not decrease/,
    );
  });
});
