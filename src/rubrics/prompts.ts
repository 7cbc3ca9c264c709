/**
 * The judge prompts. Two output formats:
 *   json        criteria batched k per call, answered as {"verdicts": [{"id", "reason", "verdict"}]};
 *               the holistic (implicit) judgment as {"reason", "score"}; pairwise with "A" / "B" / "tie";
 *   prometheus  the Prometheus 2 templates (absolute: `Feedback: ... [RESULT] n` with n in 1..5;
 *               relative: `[RESULT] A|B`), one criterion per call.
 * Criteria are listed one JSON object per line, so ids and choices reach the model unambiguously.
 */
import type { JudgeMessage } from "./chat.js";
import { type Criterion, isPitfall } from "./model.js";

export interface Texts {
  prompt?: string;
  response: string;
  reference?: string;
  /** Pairwise mode: the response the candidate is compared with. */
  baseline?: string;
}

/** Which response is shown first in a pairwise prompt. */
export type Order = "candidate_first" | "baseline_first";

export const DEFAULT_SYSTEM =
  "You are a careful, impartial grader. You judge a response against criteria, each criterion on its own, " +
  "using only what the response actually says; length and style count only where a criterion asks for them. " +
  "Reply with exactly one JSON object and nothing else.";

export const PROMETHEUS_SYSTEM =
  "You are a fair judge assistant tasked with providing clear, objective feedback based on specific criteria, " +
  "ensuring each assessment reflects the absolute standards set for performance.";

const block = (tag: string, text: string) => `<${tag}>\n${text}\n</${tag}>`;

function context(t: Texts): string[] {
  const out: string[] = [];
  if (t.prompt !== undefined) out.push("## Task given to the model", block("task", t.prompt), "");
  if (t.reference !== undefined) {
    out.push(
      "## Reference answer (for you; the response need not match it word for word)",
      block("reference", t.reference),
      "",
    );
  }
  return out;
}

function responses(t: Texts, order?: Order): string[] {
  if (order === undefined) return ["## Response to grade", block("response", t.response), ""];
  const [a, b] = order === "candidate_first" ? [t.response, t.baseline!] : [t.baseline!, t.response];
  return ["## Response A", block("response_a", a), "", "## Response B", block("response_b", b), ""];
}

function criterionLine(c: Criterion, pairwise: boolean): string {
  const o: Record<string, unknown> = { id: c.id };
  if (pairwise) {
    if (isPitfall(c)) o.pitfall = true;
  } else o.kind = c.kind === "ordinal" ? "ordinal" : isPitfall(c) ? "pitfall" : "binary";
  o.criterion = c.text;
  if (c.kind === "ordinal" && !pairwise) o.choices = c.choices;
  return JSON.stringify(o);
}

/** Messages asking for verdicts on a batch of criteria (absolute, or pairwise in one order). */
export function batchMessages(
  criteria: readonly Criterion[],
  t: Texts,
  system: string,
  order?: Order,
): JudgeMessage[] {
  const pairwise = order !== undefined;
  const lines = [...context(t), ...responses(t, order), "## Criteria", "One JSON object per line."];
  if (pairwise) {
    lines.push(
      'For each criterion, "verdict" is "A" when Response A meets it better, "B" when Response B does, and "tie" when',
      'they meet it equally well (or neither does). A criterion marked "pitfall" describes a mistake: the better',
      "response is the one that avoids it better.",
    );
  } else {
    lines.push(
      '"kind" says what "verdict" must be:',
      "- binary: true when the response meets the criterion, false otherwise;",
      "- pitfall: the criterion describes a mistake; true when the response makes it, false otherwise;",
      '- ordinal: exactly one of the listed "choices" (copied verbatim; they run from lowest to highest).',
    );
  }
  lines.push(...criteria.map((c) => criterionLine(c, pairwise)), "");
  const v = pairwise ? '"A" | "B" | "tie"' : "<verdict>";
  lines.push(
    "## Reply format",
    `{"verdicts": [{"id": "<criterion id>", "reason": "<one or two sentences>", "verdict": ${v}}]}`,
    "with exactly one entry per criterion id above, in the same order. Reply with the JSON object only.",
  );
  return [
    { role: "system", content: system },
    { role: "user", content: lines.join("\n") },
  ];
}

function rubricList(criteria: readonly Criterion[]): string[] {
  return criteria.map((c) => {
    const tag = isPitfall(c) ? "pitfall: the response must NOT do this" : (c.category ?? "criterion");
    const choices = c.kind === "ordinal" ? ` (levels: ${c.choices!.join(" < ")})` : "";
    return `- [${tag}, weight ${Math.abs(c.weight)}] ${c.text}${choices}`;
  });
}

/** The implicit aggregation: one holistic judgment over the whole rubric (json format). */
export function holisticMessages(
  criteria: readonly Criterion[],
  t: Texts,
  system: string,
  scale: readonly [number, number],
  order?: Order,
): JudgeMessage[] {
  const lines = [...context(t), ...responses(t, order), "## Rubric", ...rubricList(criteria), ""];
  if (order === undefined) {
    lines.push(
      `Rate the response as a whole against the rubric on an integer scale from ${scale[0]} (worst) to ${scale[1]} (best),`,
      "weighing each criterion by its weight; a pitfall that occurs counts against the response.",
      "",
      "## Reply format",
      `{"reason": "<a few sentences>", "score": <integer from ${scale[0]} to ${scale[1]}>}`,
    );
  } else {
    lines.push(
      "Which response satisfies the rubric better as a whole, weighing each criterion by its weight?",
      "",
      "## Reply format",
      '{"reason": "<a few sentences>", "winner": "A" | "B" | "tie"}',
    );
  }
  lines.push("Reply with the JSON object only.");
  return [
    { role: "system", content: system },
    { role: "user", content: lines.join("\n") },
  ];
}

const PROM_ABS_HEAD = `###Task Description:
An instruction (might include an Input inside it), a response to evaluate, a reference answer that gets a score of 5, and a score rubric representing a evaluation criteria are given.
1. Write a detailed feedback that assess the quality of the response strictly based on the given score rubric, not evaluating in general.
2. After writing a feedback, write a score that is an integer between 1 and {max}. You should refer to the score rubric.
3. The output format should look as follows: "Feedback: (write a feedback for criteria) [RESULT] (an integer number between 1 and {max})"
4. Please do not generate any other opening, closing, and explanations.`;

const PROM_REL_HEAD = `###Task Description:
An instruction (might include an Input inside it), a response to evaluate, and a score rubric representing a evaluation criteria are given.
1. Write a detailed feedback that assess the quality of two responses strictly based on the given score rubric, not evaluating in general.
2. After writing a feedback, choose a better response between Response A and Response B. You should refer to the score rubric.
3. The output format should look as follows: "Feedback: (write a feedback for criteria) [RESULT] (Either "A" or "B")"
4. Please do not generate any other opening, closing, and explanations.`;

/** Score descriptions of a criterion on the Prometheus scale: its choices for an ordinal one, else 1..5. */
export function prometheusLevels(c: Criterion): string[] {
  if (c.kind === "ordinal") return c.choices!;
  const what = isPitfall(c) ? "avoids this mistake" : "satisfies the criterion";
  return [
    `The response does not ${isPitfall(c) ? "avoid this mistake at all" : "satisfy the criterion at all"}.`,
    `The response barely ${what}.`,
    `The response partly ${what}.`,
    `The response mostly ${what}.`,
    `The response fully ${what}.`,
  ];
}

function prometheusRubric(title: string, levels: readonly string[]): string {
  return [`[${title}]`, ...levels.map((l, i) => `Score ${i + 1}: ${l}`)].join("\n");
}

/** Prometheus absolute or relative grading of one criterion, or of the whole rubric (criterion undefined). */
export function prometheusMessages(
  target: { criterion: Criterion } | { rubric: readonly Criterion[] },
  t: Texts,
  order?: Order,
): JudgeMessage[] {
  let title: string;
  let levels: string[];
  if ("criterion" in target) {
    const c = target.criterion;
    title = isPitfall(c) && c.kind !== "ordinal" ? `Does the response avoid this mistake: ${c.text}` : c.text;
    levels = prometheusLevels(c);
  } else {
    title = `How well does the response satisfy this rubric?\n${rubricList(target.rubric).join("\n")}`;
    levels = [
      "The response satisfies none of the important criteria, or makes serious mistakes.",
      "The response satisfies few of the criteria.",
      "The response satisfies about half of the criteria, weighed by importance.",
      "The response satisfies most of the criteria, with minor gaps.",
      "The response satisfies all the criteria and makes none of the mistakes.",
    ];
  }
  const parts: string[] = [];
  if (order === undefined) {
    parts.push(PROM_ABS_HEAD.replaceAll("{max}", String(levels.length)), "");
    parts.push("###The instruction to evaluate:", t.prompt ?? "(not given)", "");
    parts.push("###Response to evaluate:", t.response, "");
    if (t.reference !== undefined) parts.push("###Reference Answer (Score 5):", t.reference, "");
  } else {
    const [a, b] = order === "candidate_first" ? [t.response, t.baseline!] : [t.baseline!, t.response];
    parts.push(PROM_REL_HEAD, "", "###Instruction:", t.prompt ?? "(not given)", "");
    parts.push("###Response A:", a, "", "###Response B:", b, "");
    if (t.reference !== undefined) parts.push("###Reference Answer:", t.reference, "");
  }
  if (order === undefined) parts.push("###Score Rubrics:", prometheusRubric(title, levels), "");
  else parts.push("###Score Rubric:", `[${title}]`, "");
  parts.push("###Feedback: ");
  return [
    { role: "system", content: PROMETHEUS_SYSTEM },
    { role: "user", content: parts.join("\n") },
  ];
}

export function jsonCorrection(problem: string): string {
  return `Your reply could not be used: ${problem}. Reply again with only the JSON object in the required format.`;
}

export function prometheusCorrection(problem: string): string {
  return `Your reply could not be used: ${problem}. Reply again as "Feedback: (your feedback) [RESULT] (your result)".`;
}
