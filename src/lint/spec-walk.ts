/**
 * The spec JSON and the compiled tree side by side: each node's JSON path, its JSON and its compiled node,
 * and the spec transformations the structural laws need (permuted terms, a zero-weight term, a JSON
 * round trip with shuffled keys).
 */
import type { RewardNode } from "../rewards/index.js";
import { COMPOSITES } from "../spec/index.js";

export type Path = (string | number)[];
type Json = Record<string, unknown>;

export interface Located {
  path: Path;
  spec: Json;
  node: RewardNode;
  /** Component names from the root's children down to this node (empty for the root). */
  names: string[];
}

export function walk(spec: unknown, root: RewardNode): Located[] {
  const out: Located[] = [];
  const go = (s: unknown, n: RewardNode, path: Path, names: string[]) => {
    if (!s || typeof s !== "object" || Array.isArray(s)) return;
    const json = s as Json;
    out.push({ path, spec: json, node: n, names });
    const def = typeof json.type === "string" ? COMPOSITES[json.type] : undefined;
    if (!def) return;
    const refs = def.children(json);
    if (refs.length !== n.children.length) return;
    refs.forEach((r, i) => {
      const kid = n.children[i]!;
      go(r.spec, kid, [...path, ...r.path], [...names, kid.name]);
    });
  };
  go(spec, root, [], []);
  return out;
}

export function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

export function getAt(spec: unknown, path: Path): unknown {
  let x = spec;
  for (const k of path) x = (x as Record<string | number, unknown>)?.[k];
  return x;
}

/** A copy of the spec with the value at `path` replaced. */
export function setAt(spec: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const out = clone(spec);
  let x = out as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) x = x[k] as Record<string | number, unknown>;
  x[path[path.length - 1]!] = value;
  return out;
}

/** A sub-spec usable on its own: the node at `path` without the keys that only a parent allows. */
export function subSpec(spec: unknown, path: Path): Json {
  const { weight: _w, $schema: _s, ...rest } = clone(getAt(spec, path)) as Json;
  return rest;
}

const PERMUTABLE = new Set(["weighted", "min", "max", "product"]);

/** Paths of the nodes whose terms can be reordered (two terms or more). */
export function permutableNodes(spec: unknown, root: RewardNode): Path[] {
  return walk(spec, root)
    .filter(
      (l) => PERMUTABLE.has(String(l.spec.type)) && Array.isArray(l.spec.terms) && l.spec.terms.length > 1,
    )
    .map((l) => l.path);
}

/** Reorders the terms at each path by sorting on the given keys (one list of keys per path). */
export function permuteTerms(
  spec: unknown,
  paths: readonly Path[],
  keys: readonly (readonly number[])[],
): unknown {
  let out = clone(spec);
  paths.forEach((p, i) => {
    const node = getAt(out, p) as Json;
    const terms = node.terms as unknown[];
    const k = keys[i] ?? [];
    const order = terms.map((_, j) => j).sort((a, b) => (k[a] ?? 0) - (k[b] ?? 0) || a - b);
    out = setAt(
      out,
      [...p, "terms"],
      order.map((j) => terms[j]),
    );
  });
  return out;
}

export function weightedNodes(spec: unknown, root: RewardNode): Path[] {
  return walk(spec, root)
    .filter((l) => l.spec.type === "weighted" && Array.isArray(l.spec.terms))
    .map((l) => l.path);
}

export const ZERO_NAME = "lint_zero_weight";

/**
 * Adds a weight-0 term: a copy of an existing term (`copyOf` >= 0) or an unrelated length check, at
 * `position` in the terms of the weighted node at `path`; with no such node, the root is wrapped in one.
 */
export function addZeroWeight(spec: unknown, path: Path | null, copyOf: number, position: number): unknown {
  const extra = (terms: unknown[]): Json => {
    const src = copyOf >= 0 && terms.length ? (terms[copyOf % terms.length] as Json) : null;
    const base = src ? clone(src) : { type: "length", unit: "words", max: 1000 };
    return { ...base, name: ZERO_NAME, weight: 0 };
  };
  if (path === null) {
    const { $schema: _s, ...root } = clone(spec) as Json;
    return { type: "weighted", terms: [{ ...root, weight: 1 }, extra([root])] };
  }
  const node = getAt(spec, path) as Json;
  const terms = [...(node.terms as unknown[])];
  terms.splice(position % (terms.length + 1), 0, extra(terms));
  return setAt(spec, [...path, "terms"], terms);
}

/** The spec through JSON, its object keys reordered by `salt` (order must not matter). */
export function shuffledRoundTrip(spec: unknown, salt: number): unknown {
  const text = JSON.stringify(spec);
  let k = salt;
  const shuffle = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(shuffle);
    if (!x || typeof x !== "object") return x;
    const entries = Object.entries(x as Json);
    entries.sort(() => {
      k = (k * 1103515245 + 12345) & 0x7fffffff;
      return (k & 1) === 0 ? -1 : 1;
    });
    return Object.fromEntries(entries.map(([key, v]) => [key, shuffle(v)]));
  };
  return shuffle(JSON.parse(text));
}

/**
 * The tree as plain data (types, names, ranges), to compare two compilations of the same spec. Children
 * are sorted: those named by object keys (formula terms, rubric judges) follow the keys' order, which a
 * JSON object does not fix (arrays keep their order through a round trip).
 */
export function treeShape(n: RewardNode): unknown {
  const kids = n.children.map(treeShape).map((k) => JSON.stringify(k));
  return { type: n.type, name: n.name, range: [...n.range], children: kids.sort() };
}
