/**
 * A human-readable tree of a result: each node's status, value, the weight its parent gave it and its
 * contribution to the total (where every node on the path is linear in it).
 */
import type { Result } from "../core/index.js";

/** A number for people: integers as they are, others to 4 decimals; "-" for none. */
export function formatValue(x: number | null | undefined): string {
  if (x === null || x === undefined) return "-";
  return Number.isInteger(x) ? String(x) : x.toFixed(4).replace(/0+$/, "");
}

export function explainResult(result: Result, rootName = "reward"): string {
  const lines: string[] = [];
  const walk = (name: string, r: Result, prefix: string, childPrefix: string, pathWeight: number | null) => {
    const value =
      r.status === "ok"
        ? formatValue(r.reward)
        : r.status === "error"
          ? `error(${r.error?.kind})`
          : "abstain";
    const contrib =
      pathWeight !== null && r.status === "ok" && r.reward !== null
        ? `  contributes ${formatValue(pathWeight * r.reward)}`
        : "";
    const weight = r.weight !== undefined ? `  weight ${formatValue(r.weight)}` : "";
    const note = r.error ? `  ${r.error.message}` : r.feedback ? `  ${oneLine(r.feedback)}` : "";
    lines.push(`${prefix}${name}: ${value}${weight}${contrib}${note}`);
    const kids = Object.entries(r.components ?? {});
    kids.forEach(([k, c], i) => {
      const last = i === kids.length - 1;
      const w = pathWeight !== null && c.weight !== undefined ? pathWeight * c.weight : null;
      walk(k, c, childPrefix + (last ? "└─ " : "├─ "), childPrefix + (last ? "   " : "│  "), w);
    });
  };
  walk(rootName, result, "", "", 1);
  return lines.join("\n");
}

/** Whitespace collapsed to single spaces, cut to `max` characters with an ellipsis. */
export function oneLine(s: string, max = 120): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Every component of a result, depth first, with its dotted path (`answer.exact`). */
export function componentEntries(r: Result, prefix = "", out: [string, Result][] = []): [string, Result][] {
  for (const [k, c] of Object.entries(r.components ?? {})) {
    const path = prefix ? `${prefix}.${k}` : k;
    out.push([path, c]);
    componentEntries(c, path, out);
  }
  return out;
}

/** Component rewards by dotted path (null where not ok), for tables, logs and compact answers. */
export function flattenComponents(r: Result): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [path, c] of componentEntries(r)) out[path] = c.status === "ok" ? c.reward : null;
  return out;
}
