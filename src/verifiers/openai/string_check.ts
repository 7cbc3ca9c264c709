/**
 * openai_string_check: OpenAI's `string_check` grader. Compares the rendered `input` with the rendered
 * `reference`: `eq` (equal), `ne` (not equal), `like` (the input contains the reference) and `ilike` (the
 * same, ignoring case). The reward is 1 or 0. Templates are OpenAI's (`{{sample.output_text}}`,
 * `{{item.x}}`): see template.ts.
 *
 * One deliberate difference: for `like` and `ilike` an empty reference (which every text contains) is an
 * invalid_input error flagged `invalid_variable_error`, not a free 1.
 */
import { ok, type Verifier } from "../../core/index.js";
import { graderFail, graderOutcome } from "./errors.js";
import { compileGraderTemplate, type GraderTemplate } from "./template.js";

interface Config {
  input: string;
  reference: string;
  operation: "eq" | "ne" | "like" | "ilike";
}

interface Compiled {
  input: GraderTemplate;
  reference: GraderTemplate;
  operation: Config["operation"];
}

export const OPENAI_TEMPLATE = (what: string) => ({
  type: "string",
  description: `${what}: an OpenAI grader template ({{sample.output_text}}, {{item.field}}, ...).`,
});

export const openaiStringCheck: Verifier<Config, Compiled> = {
  type: "openai_string_check",
  pure: true,
  description: "OpenAI string_check grader: eq, ne, like (contains) or ilike (contains, any case); 1 or 0.",
  configSchema: {
    required: ["input", "reference", "operation"],
    properties: {
      input: OPENAI_TEMPLATE("The text to check"),
      reference: OPENAI_TEMPLATE("The text to compare with"),
      operation: { enum: ["eq", "ne", "like", "ilike"] },
    },
  },
  compile: (c) => ({
    input: compileGraderTemplate(c.input),
    reference: compileGraderTemplate(c.reference),
    operation: c.operation,
  }),
  verify(sample, c) {
    let input: string;
    let reference: string;
    try {
      input = c.input.renderText(sample);
      reference = c.reference.renderText(sample);
    } catch (e) {
      return graderOutcome(e);
    }
    let pass: boolean;
    switch (c.operation) {
      case "eq":
        pass = input === reference;
        break;
      case "ne":
        pass = input !== reference;
        break;
      default: {
        if (reference === "") {
          return graderFail(
            "invalid_input",
            "invalid_variable_error",
            `string_check ${c.operation}: the reference ${c.reference.source} is empty (every text contains it)`,
          );
        }
        pass =
          c.operation === "like"
            ? input.includes(reference)
            : input.toLowerCase().includes(reference.toLowerCase());
      }
    }
    return ok(pass ? 1 : 0, {
      feedback: `${c.operation}: ${pass ? "passed" : "failed"}`,
    });
  },
};
