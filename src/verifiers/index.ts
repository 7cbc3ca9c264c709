/** The built-in verifiers, registered into every registry the spec layer creates. */
import type { AnyVerifier } from "../core/index.js";
import { code } from "./code/code.js";
import { json } from "./format/json.js";
import { length } from "./format/length.js";
import { regex } from "./format/regex.js";
import { thinkAnswer } from "./format/think_answer.js";
import { toolCall } from "./format/tool_call.js";
import { math } from "./math/verifier.js";
import { openaiPython } from "./openai/python_grader.js";
import { openaiStringCheck } from "./openai/string_check.js";
import { openaiTextSimilarity } from "./openai/text_similarity.js";
import { arithmetic } from "./process/arithmetic.js";
import { stepReference } from "./process/step_reference.js";
import { contains } from "./text/contains.js";
import { exact } from "./text/exact.js";
import { multipleChoice } from "./text/multiple_choice.js";
import { tokenF1Verifier } from "./text/token_f1.js";

export const builtinVerifiers: AnyVerifier[] = [
  thinkAnswer,
  regex,
  json,
  toolCall,
  length,
  exact,
  contains,
  tokenF1Verifier,
  multipleChoice,
  code,
  math,
  arithmetic,
  stepReference,
  openaiStringCheck,
  openaiTextSimilarity,
  openaiPython,
];

export { extractJson } from "./format/json-extract.js";
export { extractChoice } from "./text/multiple_choice.js";
export { contains, exact, json, length, multipleChoice, regex, thinkAnswer, tokenF1Verifier, toolCall };
