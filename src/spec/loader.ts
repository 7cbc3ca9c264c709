/**
 * Spec loader: validates a JSON reward spec node by node (ajv against each type's schema), compiles every
 * verifier's config once, and builds the reward tree. All problems are collected and reported together,
 * each with its JSON path, before any sample is scored.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import { newAjv, RewardkitError, type VerifierRegistry, verifierLaws, verifierRange } from "../core/index.js";
import type { Ast } from "../rewards/index.js";
import {
  formulaVariables,
  type Policies,
  parseFormula,
  type RewardNode,
  VerifierNode,
} from "../rewards/index.js";
import { type ChildRef, COMPOSITES } from "./composites.js";
import { jsonPath, SpecError, type SpecIssue, suggest } from "./errors.js";
import { allTypes, COMMON_KEYS, nodeSchema } from "./node-schema.js";

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_DEPTH = 64;

let ajv: ReturnType<typeof newAjv> | undefined;
/** JavaScript's RegExp for the patterns of node schemas: ours, short and linear; re2js need not load. */
const nativeRegExp = Object.assign((pattern: string, flags: string) => new RegExp(pattern, flags), {
  code: "new RegExp",
});
const validators = new WeakMap<VerifierRegistry, Map<string, ValidateFunction>>();

function validatorFor(type: string, registry: VerifierRegistry): ValidateFunction | undefined {
  let m = validators.get(registry);
  if (!m) {
    m = new Map();
    validators.set(registry, m);
  }
  let v = m.get(type);
  if (!v) {
    const schema = nodeSchema(type, registry);
    if (!schema) return undefined;
    // Each spec node is validated once: generating the validator fast matters, not its speed (ajv's
    // optimisation passes were a third of a one-row CLI run). The patterns of node schemas are ours.
    ajv ??= newAjv({ allErrors: true, code: { optimize: false, regExp: nativeRegExp } });
    v = ajv.compile(schema);
    m.set(type, v);
  }
  return v;
}

type Path = (string | number)[];

function ajvIssue(base: Path, e: ErrorObject, known: string[]): SpecIssue {
  const rel = e.instancePath
    .split("/")
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, "/").replace(/~0/g, "~")));
  const path = [...base, ...rel];
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const prop = String(p.additionalProperty);
      const s = rel.length === 0 ? suggest(prop, known) : undefined;
      return {
        path: jsonPath(path),
        message: `unknown property '${prop}'${s ? ` (did you mean '${s}'?)` : ""}`,
      };
    }
    case "required":
      return { path: jsonPath(path), message: `missing required property '${String(p.missingProperty)}'` };
    case "enum":
      return {
        path: jsonPath(path),
        message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "const":
      return { path: jsonPath(path), message: `must be ${JSON.stringify(p.allowedValue)}` };
    default:
      return { path: jsonPath(path), message: e.message ?? e.keyword };
  }
}

export interface CompileOptions {
  registry: VerifierRegistry;
  /**
   * The document already passed the schemas with this registry (a pool worker rebuilding the reward its
   * parent loaded): the schema check is skipped, and with it ajv's start-up (~75 ms of CPU per worker).
   * Everything else (names, formulas, verifier compilation) runs as always.
   */
  validated?: boolean;
}

export function compileSpec(spec: unknown, opts: CompileOptions): RewardNode {
  const issues: SpecIssue[] = [];
  const root = compileNode({ path: [], spec }, opts, issues, 0, true);
  if (issues.length || !root)
    throw new SpecError(issues.length ? issues : [{ path: "$", message: "empty spec" }]);
  return root;
}

function compileNode(
  ref: ChildRef,
  opts: CompileOptions,
  issues: SpecIssue[],
  depth: number,
  isRoot = false,
  nameHint?: string,
): RewardNode | undefined {
  const { path, spec } = ref;
  const at = jsonPath(path);
  if (depth > MAX_DEPTH) {
    issues.push({ path: at, message: `nested deeper than ${MAX_DEPTH} levels` });
    return undefined;
  }
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    issues.push({ path: at, message: "a reward node must be a JSON object with a 'type'" });
    return undefined;
  }
  const node = spec as Record<string, unknown>;
  if (typeof node.type !== "string") {
    issues.push({ path: at, message: "missing 'type' (a string naming a verifier or composition node)" });
    return undefined;
  }
  const type = node.type;
  const { registry } = opts;
  const skip =
    opts.validated === true && (COMPOSITES[type] !== undefined || registry.get(type) !== undefined);
  const validate = skip ? undefined : validatorFor(type, registry);
  if (!validate && !skip) {
    const s = suggest(type, allTypes(registry));
    issues.push({
      path: jsonPath([...path, "type"]),
      message: `unknown node type '${type}'${s ? ` (did you mean '${s}'?)` : ""}; known: ${allTypes(registry).join(", ")}`,
    });
    return undefined;
  }
  const before = issues.length;
  if (validate && !validate(node)) {
    const known = Object.keys((nodeSchema(type, registry) as { properties: object }).properties);
    for (const e of dedupe(validate.errors ?? [])) issues.push(ajvIssue(path, e, known));
  }
  if (node.weight !== undefined && !ref.weighted) {
    issues.push({
      path: jsonPath([...path, "weight"]),
      message: "'weight' only applies directly inside a weighted node's terms",
    });
  }
  if (node.$schema !== undefined && !isRoot) {
    issues.push({ path: jsonPath([...path, "$schema"]), message: "'$schema' belongs only at the root" });
  }
  if (ref.name && node.name !== undefined && node.name !== ref.name) {
    issues.push({
      path: jsonPath([...path, "name"]),
      message: `a formula term is named by its key ('${ref.name}')`,
    });
  }
  const name = ref.name ?? (typeof node.name === "string" ? node.name : (nameHint ?? type));

  const composite = COMPOSITES[type];
  if (composite) {
    for (const [rel, msg] of composite.check?.(node) ?? [])
      issues.push({ path: jsonPath([...path, ...rel]), message: msg });
    const refs = composite.children(node).map((c) => ({ ...c, path: [...path, ...c.path] }));
    const names = childNames(refs, issues);
    const kids = refs.map((c, i) => compileNode(c, opts, issues, depth + 1, false, names[i]));
    let ast: Ast | undefined;
    if (type === "formula" && typeof node.expr === "string") {
      try {
        ast = parseFormula(node.expr);
        const known = new Set(refs.map((r) => r.name!));
        for (const v of formulaVariables(ast)) {
          if (!known.has(v)) {
            issues.push({
              path: jsonPath([...path, "expr"]),
              message: `unknown variable '${v}' (terms: ${[...known].join(", ")})`,
            });
          }
        }
      } catch (e) {
        issues.push({ path: jsonPath([...path, "expr"]), message: (e as Error).message });
      }
    }
    if (issues.length > before) return undefined;
    const policies: Policies = {
      on_abstain: (node.on_abstain as Policies["on_abstain"]) ?? composite.defaults.on_abstain,
      on_error: (node.on_error as Policies["on_error"]) ?? composite.defaults.on_error,
    };
    try {
      return composite.build(node, name, kids as RewardNode[], policies, { ast });
    } catch (e) {
      issues.push({ path: at, message: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  }

  const verifier = registry.get(type)!;
  if (issues.length > before) return undefined;
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== "type" && !COMMON_KEYS.has(k)) config[k] = v;
  let compiled: unknown = config;
  try {
    if (verifier.compile) compiled = verifier.compile(config);
  } catch (e) {
    const msg = e instanceof RewardkitError || e instanceof Error ? e.message : String(e);
    issues.push({ path: at, message: msg });
    return undefined;
  }
  const timeout =
    typeof node.timeout_ms === "number" ? node.timeout_ms : (verifier.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return new VerifierNode(
    verifier,
    compiled,
    name,
    verifierRange(verifier, config),
    timeout,
    verifierLaws(verifier, config),
  );
}

/** Component names of sibling nodes: explicit names must be unique; default names get _2, _3, ... */
function childNames(refs: ChildRef[], issues: SpecIssue[]): string[] {
  const explicit = new Map<string, number>();
  const out: string[] = [];
  refs.forEach((r, i) => {
    const n = r.spec && typeof r.spec === "object" ? (r.spec as Record<string, unknown>).name : undefined;
    if (typeof n === "string") {
      if (explicit.has(n)) {
        issues.push({
          path: jsonPath([...r.path, "name"]),
          message: `duplicate component name '${n}' (also used by a sibling)`,
        });
      }
      explicit.set(n, i);
    }
  });
  const used = new Set(explicit.keys());
  for (const r of refs) {
    const s = r.spec && typeof r.spec === "object" ? (r.spec as Record<string, unknown>) : {};
    if (r.name) {
      out.push(r.name);
      continue;
    }
    if (typeof s.name === "string") {
      out.push(s.name);
      continue;
    }
    const base = typeof s.type === "string" ? s.type : "node";
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    out.push(name);
  }
  return out;
}

/** ajv reports an anyOf failure once per branch and once for the anyOf: keep the useful ones. */
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword === "if") continue;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(e);
    }
  }
  return out;
}
