/**
 * The laws a reward tree declares. Verifier leaves (and any node with a `laws` field) state theirs;
 * built-in composites derive theirs from their children: a node keeps an invariance when every child
 * that can influence it does, and is sensitive to the final answer when a child whose drop lowers it
 * is. Shaping nodes declare monotonicity in length. See docs/lint.md.
 */
import type { Invariance, Laws, Result } from "../core/index.js";
import {
  AffineNode,
  CosineLengthNode,
  LengthBudgetNode,
  type LengthSource,
  OverlongNode,
  type RewardNode,
  VerifierNode,
  WeightedNode,
} from "../rewards/index.js";
import { type Located, walk } from "./spec-walk.js";

export const INVARIANCES: readonly Invariance[] = [
  "whitespace",
  "line_endings",
  "unicode",
  "latex_spacing",
  "answer_rewrites",
];

export interface NodeLaws {
  invariant: Set<Invariance>;
  sensitive: boolean;
}

function lengthInvariances(len: LengthSource): Invariance[] {
  if (len.template) return [...INVARIANCES];
  return len.unit === "words" ? ["whitespace", "line_endings", "unicode"] : [];
}

function intersect(sets: Set<Invariance>[]): Set<Invariance> {
  if (sets.length === 0) return new Set(INVARIANCES);
  return new Set([...sets[0]!].filter((x) => sets.every((s) => s.has(x))));
}

const NONE: NodeLaws = { invariant: new Set(), sensitive: false };

/** What a node keeps, from its own declaration or derived from its children. */
export function nodeLaws(n: RewardNode): NodeLaws {
  if (n.laws) return fromDeclared(n.laws);
  const kids = n.children.map(nodeLaws);
  const all = intersect(kids.map((k) => k.invariant));
  switch (n.type) {
    case "weighted": {
      const w = n instanceof WeightedNode ? n.weights : kids.map(() => 1);
      const influencing = kids.filter((_, i) => w[i] !== 0);
      return {
        invariant: intersect(influencing.map((k) => k.invariant)),
        sensitive: kids.some((k, i) => (w[i] ?? 0) > 0 && k.sensitive),
      };
    }
    case "min":
    case "product":
    case "sequence":
      return { invariant: all, sensitive: kids.some((k) => k.sensitive) };
    case "max":
      return { invariant: all, sensitive: kids.length > 0 && kids.every((k) => k.sensitive) };
    case "gate":
      return { invariant: all, sensitive: kids[1]?.sensitive ?? false };
    case "clip":
      return { invariant: all, sensitive: (kids[0]?.sensitive ?? false) && n.range[0] < n.range[1] };
    case "affine":
      return {
        invariant: all,
        sensitive: (kids[0]?.sensitive ?? false) && n instanceof AffineNode && n.scale > 0,
      };
    case "formula":
      return { invariant: all, sensitive: false };
    case "overlong":
      return n instanceof OverlongNode
        ? { invariant: new Set(lengthInvariances(n.len)), sensitive: false }
        : NONE;
    case "repetition":
      return { invariant: new Set(["whitespace", "line_endings", "unicode"]), sensitive: false };
    case "cosine_length":
      if (!(n instanceof CosineLengthNode)) return NONE;
      return {
        invariant: intersect([all, new Set(lengthInvariances(n.len))]),
        sensitive:
          (kids[0]?.sensitive ?? false) && Math.min(...n.values.correct) > Math.max(...n.values.wrong),
      };
    case "length_budget":
      if (!(n instanceof LengthBudgetNode)) return NONE;
      return {
        invariant: intersect([all, new Set(lengthInvariances(n.len))]),
        sensitive: kids[0]?.sensitive ?? false,
      };
    default:
      return NONE;
  }
}

function fromDeclared(l: Laws): NodeLaws {
  return { invariant: new Set(l.invariant ?? []), sensitive: Boolean(l.sensitive_to_answer) };
}

export interface FormatLeaf {
  /** Component names from the root to the leaf. */
  names: string[];
  tags: readonly string[];
  range: readonly [number, number];
}

export interface MonotoneTarget {
  at: Located;
  /** The direction the reward must move as the text gets longer, given the node's result (null: none). */
  direction(r: Result): "nonincreasing" | "nondecreasing" | null;
  /** Two results are comparable when the node's correctness input agrees. */
  comparable(a: Result, b: Result): boolean;
}

export interface TreeLaws {
  invariant: Invariance[];
  sensitive: boolean;
  /** Format checks whose drop lowers the root. */
  formats: FormatLeaf[];
  monotone: MonotoneTarget[];
  /** Leaves declaring symmetry (checked on the leaf itself). */
  symmetric: Located[];
  /** Component paths of the leaves that declare themselves asymmetric. */
  asymmetric: string[];
  /** Whether the tree runs programs (code attacks apply, answer attacks do not). */
  runsCode: boolean;
  /** Rubrics with shared criteria and an explicit aggregation: monotone in the criteria met. */
  rubrics: Located[];
  /** Code verifiers: monotone in the tests passed. */
  testSuites: Located[];
}

const RAISING = new Set(["weighted", "min", "product", "gate", "sequence", "clip", "affine"]);

function childResult(r: Result, name: string): Result | undefined {
  return r.components?.[name];
}

function sameCorrectness(n: RewardNode) {
  return (a: Result, b: Result) => {
    const c = n.children[0];
    if (!c) return true;
    const x = childResult(a, c.name);
    const y = childResult(b, c.name);
    return x?.status === y?.status && x?.reward === y?.reward;
  };
}

export function treeLaws(spec: unknown, root: RewardNode): TreeLaws {
  const located = walk(spec, root);
  const own = nodeLaws(root);
  const formats: FormatLeaf[] = [];
  const raise = (n: RewardNode, names: string[]) => {
    const tags = n.laws?.format_tags;
    if (tags?.length) formats.push({ names, tags, range: n.range });
    if (!RAISING.has(n.type)) return;
    if (n.type === "affine" && !(n instanceof AffineNode && n.scale > 0)) return;
    n.children.forEach((c, i) => {
      if (n instanceof WeightedNode && !((n.weights[i] ?? 0) > 0)) return;
      raise(c, [...names, c.name]);
    });
  };
  raise(root, []);

  const monotone: MonotoneTarget[] = [];
  for (const at of located) {
    const n = at.node;
    const declared = n.laws?.monotone_in_length;
    if (declared) monotone.push({ at, direction: () => declared, comparable: () => true });
    else if (n instanceof OverlongNode && !n.len.template)
      monotone.push({ at, direction: () => "nonincreasing", comparable: () => true });
    else if (n instanceof LengthBudgetNode && n.mode === "max" && !n.len.template)
      monotone.push({ at, direction: () => "nonincreasing", comparable: sameCorrectness(n) });
    else if (n instanceof CosineLengthNode && !n.len.template) {
      const c = n.children[0]!;
      const v = n.values;
      monotone.push({
        at,
        direction: (r) => {
          const x = childResult(r, c.name);
          if (x?.status !== "ok") return null;
          const correct = (x.reward as number) >= n.threshold;
          // Correct: from correct[1] at length 0 down to correct[0]; wrong: from wrong[0] to wrong[1].
          const [a, b] = correct ? [v.correct[1], v.correct[0]] : [v.wrong[0], v.wrong[1]];
          return b <= a ? "nonincreasing" : "nondecreasing";
        },
        comparable: sameCorrectness(n),
      });
    }
  }
  return {
    invariant: INVARIANCES.filter((x) => own.invariant.has(x)),
    sensitive: own.sensitive,
    formats,
    monotone,
    symmetric: located.filter((l) => l.node.laws?.symmetric),
    asymmetric: located.filter((l) => l.node.laws?.asymmetric).map((l) => l.names.join(".") || l.node.name),
    runsCode: located.some((l) => l.node.laws?.runs_programs),
    rubrics: located.filter(
      (l) =>
        l.node.type === "rubric" &&
        Array.isArray(l.spec.criteria) &&
        l.spec.aggregation !== "implicit" &&
        l.spec.pairwise === undefined,
    ),
    testSuites: located.filter((l) => l.node instanceof VerifierNode && l.node.verifier.type === "code"),
  };
}
