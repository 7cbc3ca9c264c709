/**
 * Duplicated or nested format tags and prose outside the tags: they must not raise the reward, and must
 * lower it when the spec checks that format (a format check that scored its maximum on the seed).
 */
import type { Result } from "../../core/index.js";
import { EPS } from "../compare.js";
import { textOf, withText } from "../sample-text.js";
import type { LintContext } from "../types.js";
import { injection } from "./common.js";

const PROSE = ["Sure! Here is my answer.", "Hope this helps.", "Let me know if you need anything else."];

const VARIANTS = [
  "answer block duplicated after it",
  "answer block duplicated before it",
  "think block duplicated",
  "answer block nested in another",
  "think block nested in another",
  "prose before the first tag",
  "prose between the blocks",
  "prose after the last block",
  "an unclosed answer tag at the end",
] as const;

function block(text: string, tag: string): { start: number; end: number; body: string } | null {
  const close = text.lastIndexOf(`</${tag}>`);
  if (close < 0) return null;
  const open = text.lastIndexOf(`<${tag}>`, close);
  if (open < 0) return null;
  return { start: open, end: close + tag.length + 3, body: text.slice(open + tag.length + 2, close) };
}

function at(r: Result, names: string[]): Result | undefined {
  let x: Result | undefined = r;
  for (const n of names) x = x?.components?.[n];
  return x;
}

function tagsOf(ctx: LintContext): readonly string[] {
  return ctx.laws.formats[0]?.tags ?? ["think", "answer"];
}

export const formatTags = injection<{ variant: number; prose: number }>({
  name: "format_tags",
  description:
    "Format tags duplicated or nested, prose added before, between or after the blocks, a stray tag: never higher, and lower when the spec checks that format.",
  seeds: (ctx) => {
    const tags = tagsOf(ctx);
    return ctx.okSeeds.filter((i) => tags.some((t) => textOf(ctx.samples[i]!).includes(`</${t}>`)));
  },
  noSeeds: "no seed sample uses the format's tags",
  params: (fc) =>
    fc.record({ variant: fc.nat({ max: VARIANTS.length - 1 }), prose: fc.nat({ max: PROSE.length - 1 }) }),
  make(ctx, seed, p, base) {
    const [think, answer] = [tagsOf(ctx)[0]!, tagsOf(ctx)[1] ?? tagsOf(ctx)[0]!];
    const s = ctx.samples[seed]!;
    const text = textOf(s);
    const a = block(text, answer);
    const t = block(text, think);
    const prose = PROSE[p.prose]!;
    const ins = (i: number, x: string) => text.slice(0, i) + x + text.slice(i);
    let hacked: string | null = null;
    switch (p.variant) {
      case 0:
        hacked = a && ins(a.end, text.slice(a.start, a.end));
        break;
      case 1:
        hacked = a && ins(a.start, text.slice(a.start, a.end));
        break;
      case 2:
        hacked = t && ins(t.end, text.slice(t.start, t.end));
        break;
      case 3:
        hacked =
          a &&
          `${text.slice(0, a.start)}<${answer}>${text.slice(a.start, a.end)}</${answer}>${text.slice(a.end)}`;
        break;
      case 4:
        hacked =
          t &&
          `${text.slice(0, t.start)}<${think}>${text.slice(t.start, t.end)}</${think}>${text.slice(t.end)}`;
        break;
      case 5: {
        const first = Math.min(...[t?.start, a?.start].filter((x): x is number => x !== undefined));
        hacked = Number.isFinite(first) ? ins(first, `${prose}\n`) : null;
        break;
      }
      case 6:
        hacked = t && a && t.end <= a.start ? ins(t.end, `\n${prose}\n`) : null;
        break;
      case 7:
        hacked = a ? ins(a.end, `\n${prose}`) : t ? ins(t.end, `\n${prose}`) : null;
        break;
      case 8:
        hacked = a ? `${text}\n<${answer}>` : null;
        break;
    }
    if (!hacked) return null;
    // Strictly lower when a format check on these tags scored its maximum on the seed and feeds the root.
    const strict = ctx.laws.formats.some((f) => {
      if (!f.tags.includes(answer) && !f.tags.includes(think)) return false;
      const r = at(base, f.names);
      return r?.status === "ok" && (r.reward as number) >= f.range[1] - EPS;
    });
    return {
      sample: withText(s, hacked),
      change: `${VARIANTS[p.variant]}${p.variant >= 5 && p.variant <= 7 ? ` ("${prose}")` : ""}`,
      strict,
    };
  },
});
