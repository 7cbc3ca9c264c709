/**
 * OpenAI grader JSON (the Evals / reinforcement fine-tuning graders) as rewardkit specs. A grader becomes
 * a spec tree that runs through the normal loader, results and policies:
 *
 *   string_check     -> openai_string_check        text_similarity -> openai_text_similarity
 *   python           -> openai_python (Pyodide)     score_model     -> openai_score_model (LLM judge)
 *   label_model      -> openai_label_model          multi           -> formula (calculate_output over the
 *                                                                      sub-graders, by their names)
 *
 * Leaf graders keep their fields (input, reference, operation, evaluation_metric, source, model, range,
 * ...), so a problem the loader finds maps back to the grader's own JSON path; `name` (free text in OpenAI,
 * an identifier in rewardkit) becomes the description, and the component name is the sanitised name (at
 * the root) or the key in `graders` (in a multi). `multi` keeps the formula node's default policies: a
 * sub-grader that errors makes the whole grader an error, never a silent 0.
 */
import type { VerifierRegistry } from "../core/index.js";
import type { RewardNode } from "../rewards/index.js";
import { jsonPath, SpecError, type SpecIssue, suggest } from "./errors.js";
import { compileSpec } from "./loader.js";

/** OpenAI grader type -> rewardkit node type. */
export const GRADER_NODE_TYPES: Record<string, string> = {
  string_check: "openai_string_check",
  text_similarity: "openai_text_similarity",
  python: "openai_python",
  score_model: "openai_score_model",
  label_model: "openai_label_model",
  multi: "formula",
};

export const GRADER_TYPES = Object.keys(GRADER_NODE_TYPES);

const MULTI_KEYS = new Set(["type", "name", "graders", "calculate_output"]);
const VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_DEPTH = 16;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => x !== null && typeof x === "object" && !Array.isArray(x);

/**
 * The grader of a grader document: a grader object (its `type` is a grader type), or `{"grader": {...}}`
 * without a `type` of its own. Undefined for anything else (an ordinary rewardkit spec).
 */
export function graderOf(doc: unknown): Obj | undefined {
  if (!isObj(doc)) return undefined;
  if (typeof doc.type === "string") return GRADER_TYPES.includes(doc.type) ? doc : undefined;
  if (doc.type === undefined && isObj(doc.grader)) return doc.grader;
  return undefined;
}

/** Whether a spec document is an OpenAI grader (or wraps one as {"grader": ...}). */
export function isGraderDocument(doc: unknown): boolean {
  return graderOf(doc) !== undefined;
}

export interface TranslatedGrader {
  /** The rewardkit spec; meaningful only when `issues` is empty. */
  spec: Obj;
  issues: SpecIssue[];
  /** Maps a JSON path in `spec` to the path of the same thing in the grader. */
  graderPath(specPath: string): string;
}

/**
 * Translates a grader object into a spec. `base` is the grader's own JSON path in its document (e.g.
 * ["grader"] in a validate request), prefixed to every reported path.
 */
export function translateGrader(grader: unknown, base: (string | number)[] = []): TranslatedGrader {
  const issues: SpecIssue[] = [];
  const map: [string, string][] = [];
  const spec = node(grader, base, [], issues, map, 0, undefined) ?? {};
  map.sort((a, b) => b[0].length - a[0].length);
  return {
    spec,
    issues,
    graderPath(specPath: string): string {
      for (const [s, g] of map) {
        if (specPath === s) return g;
        if (specPath.startsWith(s) && (specPath[s.length] === "." || specPath[s.length] === "[")) {
          return g + specPath.slice(s.length);
        }
      }
      return specPath;
    },
  };
}

function node(
  g: unknown,
  gPath: (string | number)[],
  sPath: (string | number)[],
  issues: SpecIssue[],
  map: [string, string][],
  depth: number,
  key: string | undefined,
): Obj | undefined {
  const at = jsonPath(gPath);
  map.push([jsonPath(sPath), at]);
  if (depth > MAX_DEPTH) {
    issues.push({ path: at, message: `graders nested deeper than ${MAX_DEPTH} levels` });
    return undefined;
  }
  if (!isObj(g)) {
    issues.push({ path: at, message: "a grader must be a JSON object with a 'type'" });
    return undefined;
  }
  const type = g.type;
  if (typeof type !== "string" || !GRADER_TYPES.includes(type)) {
    const s = typeof type === "string" ? suggest(type, GRADER_TYPES) : undefined;
    issues.push({
      path: jsonPath([...gPath, "type"]),
      message:
        type === undefined
          ? `missing 'type' (one of ${GRADER_TYPES.join(", ")})`
          : `unknown grader type ${JSON.stringify(type)}${s ? ` (did you mean '${s}'?)` : ""}; known: ${GRADER_TYPES.join(", ")}`,
    });
    return undefined;
  }
  if (g.name === undefined) issues.push({ path: at, message: "missing required property 'name'" });
  else if (typeof g.name !== "string")
    issues.push({ path: jsonPath([...gPath, "name"]), message: "must be string" });
  const name = typeof g.name === "string" ? g.name : type;
  const out: Obj = { type: GRADER_NODE_TYPES[type]! };
  if (key === undefined) out.name = componentName(name, type);
  out.description = typeof g.description === "string" ? g.description : `OpenAI ${type} grader '${name}'`;

  if (type !== "multi") {
    for (const [k, v] of Object.entries(g))
      if (k !== "type" && k !== "name" && k !== "description") out[k] = v;
    return out;
  }

  for (const k of Object.keys(g)) {
    if (!MULTI_KEYS.has(k)) {
      const s = suggest(k, MULTI_KEYS);
      issues.push({ path: at, message: `unknown property '${k}'${s ? ` (did you mean '${s}'?)` : ""}` });
    }
  }
  map.push([jsonPath([...sPath, "expr"]), jsonPath([...gPath, "calculate_output"])]);
  map.push([jsonPath([...sPath, "terms"]), jsonPath([...gPath, "graders"])]);
  if (typeof g.calculate_output !== "string" || g.calculate_output.trim() === "") {
    issues.push({
      path: g.calculate_output === undefined ? at : jsonPath([...gPath, "calculate_output"]),
      message:
        g.calculate_output === undefined
          ? "missing required property 'calculate_output'"
          : "must be a non-empty formula string",
    });
  } else out.expr = g.calculate_output;
  const entries: [string, unknown, (string | number)[]][] = [];
  if (isObj(g.graders)) {
    for (const [k, v] of Object.entries(g.graders)) entries.push([k, v, [...gPath, "graders", k]]);
  } else if (Array.isArray(g.graders)) {
    g.graders.forEach((v, i) => {
      const n = isObj(v) && typeof v.name === "string" ? v.name : `grader_${i + 1}`;
      entries.push([n, v, [...gPath, "graders", i]]);
    });
  } else {
    issues.push({
      path: g.graders === undefined ? at : jsonPath([...gPath, "graders"]),
      message:
        g.graders === undefined
          ? "missing required property 'graders'"
          : "must be an object of named graders (or an array of graders)",
    });
  }
  if ((isObj(g.graders) || Array.isArray(g.graders)) && entries.length === 0) {
    issues.push({ path: jsonPath([...gPath, "graders"]), message: "needs at least one grader" });
  }
  const terms: Obj = {};
  for (const [k, v, p] of entries) {
    if (!VAR.test(k)) {
      issues.push({
        path: jsonPath(p),
        message: `the name '${k}' cannot be a variable of calculate_output (letters, digits and _, not first a digit)`,
      });
      continue;
    }
    if (Object.hasOwn(terms, k)) {
      issues.push({ path: jsonPath(p), message: `duplicate grader name '${k}'` });
      continue;
    }
    const sub = node(v, p, [...sPath, "terms", k], issues, map, depth + 1, k);
    if (sub) terms[k] = sub;
  }
  out.terms = terms;
  return out;
}

/** A component name (rewardkit's identifier pattern) for a grader named in free text. */
function componentName(name: string, type: string): string {
  const s = name.trim().replace(/[^A-Za-z0-9_-]+/g, "_");
  if (s === "" || s === "_") return type;
  return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
}

export interface CompiledGrader {
  grader: Obj;
  spec: Obj;
  root: RewardNode;
}

/**
 * Translates and compiles a grader document (a grader, or {"grader": ...}). Throws SpecError listing every
 * problem with its JSON path in the document (not in the translated spec).
 */
export function compileGrader(doc: unknown, registry: VerifierRegistry): CompiledGrader {
  const grader = graderOf(doc);
  if (!grader) {
    throw new SpecError([
      { path: "$", message: `not an OpenAI grader (type one of ${GRADER_TYPES.join(", ")})` },
    ]);
  }
  const base = grader === doc ? [] : ["grader"];
  const t = translateGrader(grader, base);
  if (t.issues.length) throw new SpecError(t.issues);
  try {
    return { grader, spec: t.spec, root: compileSpec(t.spec, { registry }) };
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    throw new SpecError(
      e.issues.map((i) => ({
        path: t.graderPath(i.path),
        message: i.message.replace(/\(terms: /, "(graders: "),
      })),
    );
  }
}
