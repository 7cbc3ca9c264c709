/**
 * The `rubric` composition node: its programmatic judges are child nodes the loader compiles like any
 * other; the rubric model, the LLM judge and the node itself live in src/rubrics.
 */
import {
  buildRubricNode,
  checkRubricNode,
  RUBRIC_DEFAULT_POLICIES,
  RUBRIC_DESCRIPTION,
  RUBRIC_PROPERTIES,
  rubricChildren,
} from "../rubrics/index.js";
import type { CompositeDef } from "./def-helpers.js";

export const RUBRIC_DEF: CompositeDef = {
  description: RUBRIC_DESCRIPTION,
  schema: { required: ["criteria"], properties: RUBRIC_PROPERTIES },
  defaults: RUBRIC_DEFAULT_POLICIES,
  children: rubricChildren,
  check: checkRubricNode,
  build: (n, name, kids, p) => buildRubricNode(n, name, kids, p),
};
