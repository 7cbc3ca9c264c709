/**
 * A local stand-in for an LLM judge: a real HTTP server speaking the OpenAI chat completions protocol
 * (`POST /v1/chat/completions` -> `{"choices": [{"message": {"role": "assistant", "content"}}]}`), started
 * by the tests on a free port. Tests script its replies (malformed ones, slow ones, 429s, 5xx, refusals)
 * and read back every request it received.
 *
 * `ruleGrader` is its default behaviour: a deterministic judge that reads the prompt the way a model
 * would and answers in the requested format. A criterion quotes a phrase ('Paris'); the response meets it
 * when it contains the phrase (case-insensitive). Tests write their criteria that way, so the same tests
 * pass against a real model (see llm-judge.test.ts for pointing them at a real endpoint).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  seed?: number;
  max_tokens?: number;
  response_format?: unknown;
  [k: string]: unknown;
}

export interface Reply {
  status?: number;
  /** The assistant message content (null for none). */
  content?: string | null;
  refusal?: string;
  finishReason?: string;
  headers?: Record<string, string>;
  /** Answer only after this long (the client may give up first). */
  delayMs?: number;
  /** A raw response body instead of a chat completion. */
  rawBody?: string;
}

export type Handler = (
  body: ChatBody,
  index: number,
  headers: IncomingMessage["headers"],
) => Reply | Promise<Reply>;

export interface JudgeServer {
  baseUrl: string;
  requests: ChatBody[];
  headers: IncomingMessage["headers"][];
  /** The most requests that were in flight at once. */
  maxInFlight: number;
  handler: Handler;
  close(): Promise<void>;
}

export async function startJudgeServer(
  handler: Handler = (b) => ({ content: ruleGrader(b) }),
): Promise<JudgeServer> {
  let inFlight = 0;
  const state: JudgeServer = {
    baseUrl: "",
    requests: [],
    headers: [],
    maxInFlight: 0,
    handler,
    close: async () => {},
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
        return;
      }
      let body: ChatBody;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400, { "content-type": "application/json" }).end('{"error":{"message":"bad json"}}');
        return;
      }
      const index = state.requests.length;
      state.requests.push(body);
      state.headers.push(req.headers);
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      let closed = false;
      res.on("close", () => {
        closed = true;
      });
      try {
        const r = await state.handler(body, index, req.headers);
        if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
        if (closed) return;
        const status = r.status ?? 200;
        const headers = { "content-type": "application/json", ...(r.headers ?? {}) };
        if (r.rawBody !== undefined) {
          res.writeHead(status, headers).end(r.rawBody);
          return;
        }
        if (status !== 200) {
          res
            .writeHead(status, headers)
            .end(JSON.stringify({ error: { message: `scripted ${status}`, type: "server_error" } }));
          return;
        }
        const message: Record<string, unknown> = { role: "assistant", content: r.content ?? null };
        if (r.refusal !== undefined) message.refusal = r.refusal;
        res.writeHead(200, headers).end(
          JSON.stringify({
            id: `chatcmpl-${index}`,
            object: "chat.completion",
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [{ index: 0, message, finish_reason: r.finishReason ?? "stop" }],
            usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
          }),
        );
      } finally {
        inFlight--;
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}/v1`;
  state.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return state;
}

// --- the rule-based judge ---------------------------------------------------------------------------

/** The first user message: the prompt as built by the judge (later ones are corrections). */
export const userPrompt = (b: ChatBody): string => b.messages.find((m) => m.role === "user")?.content ?? "";

const between = (s: string, open: string, close: string): string | undefined => {
  const i = s.indexOf(open);
  if (i < 0) return undefined;
  const j = s.indexOf(close, i + open.length);
  return j < 0 ? undefined : s.slice(i + open.length, j);
};

/** The criteria listed in a json-format prompt. */
export function criteriaOf(
  prompt: string,
): { id: string; kind?: string; pitfall?: boolean; criterion: string; choices?: string[] }[] {
  return prompt
    .split("\n")
    .filter((l) => l.startsWith('{"id":'))
    .map((l) => JSON.parse(l));
}

/** Whether `text` contains the criterion's quoted phrase (a criterion without one is never met). */
export function satisfies(criterion: string, text: string): boolean {
  const m = /'([^']+)'/.exec(criterion);
  return m ? text.toLowerCase().includes(m[1]!.toLowerCase()) : false;
}

/** A deterministic judge that answers any prompt rewardkit builds, in its format. */
export function ruleGrader(b: ChatBody): string {
  const p = userPrompt(b);
  if (p.startsWith("###Task Description:")) return prometheusGrader(p);
  const single = between(p, "<response>\n", "\n</response>");
  const a = between(p, "<response_a>\n", "\n</response_a>");
  const bb = between(p, "<response_b>\n", "\n</response_b>");
  if (p.includes("## Rubric")) {
    const rubric = p
      .split("\n")
      .filter((l) => l.startsWith("- ["))
      .map((l) => ({ pitfall: l.includes("[pitfall"), text: l }));
    const frac = (t: string) => {
      const good = rubric.filter((r) => satisfies(r.text, t) !== r.pitfall).length;
      return rubric.length ? good / rubric.length : 0;
    };
    if (single !== undefined) {
      const m = /integer scale from (-?\d+) \(worst\) to (-?\d+)/.exec(p)!;
      const lo = Number(m[1]);
      const hi = Number(m[2]);
      return JSON.stringify({
        reason: "rule grader: share of the rubric satisfied",
        score: Math.round(lo + frac(single) * (hi - lo)),
      });
    }
    const fa = frac(a!);
    const fb = frac(bb!);
    return JSON.stringify({ reason: "rule grader", winner: fa > fb ? "A" : fb > fa ? "B" : "tie" });
  }
  const verdicts = criteriaOf(p).map((c) => {
    if (single !== undefined) {
      const hit = satisfies(c.criterion, single);
      const verdict = c.kind === "ordinal" ? c.choices![hit ? c.choices!.length - 1 : 0] : hit;
      return { id: c.id, reason: hit ? "the phrase occurs" : "the phrase does not occur", verdict };
    }
    const ga = satisfies(c.criterion, a!) !== (c.pitfall === true);
    const gb = satisfies(c.criterion, bb!) !== (c.pitfall === true);
    return { id: c.id, reason: "rule grader", verdict: ga === gb ? "tie" : ga ? "A" : "B" };
  });
  return JSON.stringify({ verdicts });
}

function prometheusGrader(p: string): string {
  const rubricText = between(p, "Rubrics:\n[", "]\nScore 1") ?? between(p, "Rubric:\n[", "]\n") ?? "";
  const avoid = rubricText.startsWith("Does the response avoid this mistake:");
  const lines = rubricText.split("\n").filter((l) => l.startsWith("- ["));
  // A whole rubric (the implicit aggregation): the share of its lines satisfied; else the one criterion.
  const good = (t: string): number =>
    lines.length
      ? lines.filter((l) => satisfies(l, t) !== l.includes("[pitfall")).length / lines.length
      : satisfies(rubricText, t) !== avoid
        ? 1
        : 0;
  if (p.includes("###Response A:")) {
    const a = between(p, "###Response A:\n", "\n\n###")!;
    const b = between(p, "###Response B:\n", "\n\n###")!;
    // Prometheus has no tie: like a real judge, it falls back to the first position.
    return `Feedback: rule grader compared the two responses. [RESULT] ${good(a) >= good(b) ? "A" : "B"}`;
  }
  const response = between(p, "###Response to evaluate:\n", "\n\n###")!;
  const levels = (p.match(/^Score \d+: /gm) ?? []).length;
  const n = 1 + Math.round(good(response) * (levels - 1));
  return `Feedback: The response ${n === levels ? "meets" : "does not fully meet"} the rubric. [RESULT] ${n}`;
}
