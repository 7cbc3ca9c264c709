/**
 * Mutations declared in JSON (`--mutations file.json`): a regex replaced in the completion, and what the
 * replacement must do to the reward.
 *
 *   [{"name": "drop_box", "find": "\\\\boxed\\{([^{}]*)\\}", "replace": "$1", "expect": "not_higher"}]
 *
 * `expect`: "lower" (strictly lower than the seed, on seeds in the top half of the range), "not_higher"
 * or "equal" (on every seed with an ok result). `flags` (default "g") are RegExp flags. fast-check
 * chooses which occurrence to replace (or all of them) and shrinks to the first.
 */
import { brief, notHigher, sameOutcome, strictlyLower } from "./compare.js";
import { textOf, withText } from "./sample-text.js";
import { type LintCheck, PASS, VACUOUS, violation } from "./types.js";

export interface JsonMutation {
  name: string;
  find: string;
  replace: string;
  expect: "lower" | "not_higher" | "equal";
  flags?: string;
  description?: string;
}

/** Checks a list of declared mutations; throws an Error naming the first problem. */
export function parseMutations(x: unknown): JsonMutation[] {
  if (!Array.isArray(x)) throw new Error("mutations must be a JSON array of {name, find, replace, expect}");
  return x.map((m, i) => {
    const where = `mutations[${i}]`;
    if (!m || typeof m !== "object") throw new Error(`${where} must be an object`);
    const o = m as Record<string, unknown>;
    for (const k of ["name", "find", "replace"])
      if (typeof o[k] !== "string") throw new Error(`${where}.${k} must be a string`);
    if (!/^[A-Za-z0-9_.-]+$/.test(o.name as string))
      throw new Error(`${where}.name must be letters, digits, _ . -`);
    if (!["lower", "not_higher", "equal"].includes(o.expect as string))
      throw new Error(`${where}.expect must be "lower", "not_higher" or "equal"`);
    if (o.flags !== undefined && (typeof o.flags !== "string" || !/^[gimsuy]*$/.test(o.flags)))
      throw new Error(`${where}.flags must be RegExp flags`);
    try {
      new RegExp(o.find as string, (o.flags as string | undefined) ?? "g");
    } catch (e) {
      throw new Error(`${where}.find is not a valid regular expression: ${(e as Error).message}`);
    }
    const unknown = Object.keys(o).filter(
      (k) => !["name", "find", "replace", "expect", "flags", "description"].includes(k),
    );
    if (unknown.length) throw new Error(`${where}: unknown key '${unknown[0]}'`);
    return o as unknown as JsonMutation;
  });
}

/** "$1", "$&", "$$" in a replacement, as String.prototype.replace reads them. */
function expand(replace: string, match: string, groups: string[]): string {
  return replace.replace(/\$(\$|&|\d{1,2})/g, (_, g: string) =>
    g === "$" ? "$" : g === "&" ? match : (groups[Number(g) - 1] ?? ""),
  );
}

export function mutationCheck(m: JsonMutation): LintCheck<{ all: boolean; which: number }> {
  const flags = m.flags ?? "g";
  const re = () => new RegExp(m.find, flags.includes("g") ? flags : `${flags}g`);
  return {
    name: `mutation.${m.name}`,
    kind: "mutation",
    description: m.description ?? `/${m.find}/ -> ${JSON.stringify(m.replace)}`,
    requirement:
      m.expect === "lower"
        ? "mutated < original"
        : m.expect === "equal"
          ? "same result"
          : "mutated <= original",
    applies: () => true,
    seeds: (ctx) =>
      (m.expect === "lower" ? ctx.high : ctx.okSeeds).filter((i) => re().test(textOf(ctx.samples[i]!))),
    noSeeds: "no seed sample matches the pattern",
    params: (fc) => fc.record({ all: fc.boolean(), which: fc.nat({ max: 50 }) }),
    async run(ctx, seed, p) {
      const s = ctx.samples[seed]!;
      const text = textOf(s);
      const count = [...text.matchAll(re())].length;
      if (count === 0) return VACUOUS;
      const target = p.which % count;
      let k = 0;
      const out = text.replace(re(), (match: string, ...rest: unknown[]) => {
        const i = k++;
        if (!p.all && i !== target) return match;
        const groups = rest.slice(
          0,
          rest.findIndex((x) => typeof x === "number"),
        ) as string[];
        return expand(m.replace, match, groups);
      });
      if (out === text) return VACUOUS;
      const mutated = withText(s, out);
      const r = await ctx.score(mutated);
      const base = ctx.base[seed]!;
      const holds =
        m.expect === "lower"
          ? strictlyLower(r, base)
          : m.expect === "equal"
            ? sameOutcome(base, r)
            : notHigher(r, base, ctx.range[0]);
      if (holds) return PASS;
      return violation(
        `${m.name}: ${p.all ? "every occurrence" : `occurrence ${target}`} of /${m.find}/ replaced by ${JSON.stringify(m.replace)}`,
        mutated,
        [
          { label: "original", result: brief(base) },
          { label: "mutated", result: brief(r) },
        ],
        `expected ${m.expect.replace("_", " ")}`,
      );
    },
  };
}
