/**
 * length: the input's length in characters, words or lines lies within [min, max]. With `ramp`, the
 * reward falls linearly from 1 at the bound to 0 at `ramp` units beyond it instead of dropping at once.
 */
import { type Invariance, ok, renderText, type Template, type Verifier } from "../../core/index.js";
import { INPUT, template } from "../common.js";

type Unit = "chars" | "words" | "lines";

interface Config {
  input?: string;
  unit?: Unit;
  min?: number;
  max?: number;
  ramp?: number;
}

interface Compiled {
  input: Template;
  unit: Unit;
  min: number;
  max: number;
  ramp: number;
}

export function measure(text: string, unit: Unit): number {
  if (unit === "chars") {
    // Code points, not UTF-16 units: subtract the low halves of surrogate pairs.
    let n = text.length;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (
        c >= 0xdc00 &&
        c <= 0xdfff &&
        i > 0 &&
        text.charCodeAt(i - 1) >= 0xd800 &&
        text.charCodeAt(i - 1) <= 0xdbff
      )
        n--;
    }
    return n;
  }
  if (unit === "lines") return text === "" ? 0 : text.split(/\r\n|\r|\n/).length;
  const words = text.trim().split(/\s+/);
  return words[0] === "" ? 0 : words.length;
}

export const length: Verifier<Config, Compiled> = {
  type: "length",
  pure: true,
  description: "Length in characters, words or lines within bounds, optionally with a linear ramp.",
  laws: (c) => {
    const unit = c.unit ?? "chars";
    // Words are counted the same whatever the spacing, line endings or normalisation form; lines whatever
    // the line endings (but spaces make an empty text one line).
    const invariant: Invariance[] =
      unit === "words"
        ? ["whitespace", "line_endings", "unicode"]
        : unit === "lines"
          ? ["line_endings", "unicode"]
          : [];
    const noMin = !c.min;
    const noMax = c.max === undefined;
    const monotone = noMin && !noMax ? "nonincreasing" : noMax && !noMin ? "nondecreasing" : undefined;
    return monotone ? { invariant, monotone_in_length: monotone } : { invariant };
  },
  configSchema: {
    properties: {
      input: INPUT,
      unit: { enum: ["chars", "words", "lines"], default: "chars" },
      min: { type: "integer", minimum: 0 },
      max: { type: "integer", minimum: 0 },
      ramp: {
        type: "number",
        minimum: 0,
        default: 0,
        description: "Units over which the reward falls to 0.",
      },
    },
  },
  compile(c) {
    if (c.min === undefined && c.max === undefined) throw new Error("length needs 'min', 'max' or both");
    const min = c.min ?? 0;
    const max = c.max ?? Number.POSITIVE_INFINITY;
    if (min > max) throw new Error(`min (${min}) is greater than max (${max})`);
    return {
      input: template(c.input, "{{completion}}"),
      unit: c.unit ?? "chars",
      min,
      max,
      ramp: c.ramp ?? 0,
    };
  },
  verify(sample, c) {
    const n = measure(renderText(c.input, sample, "input"), c.unit);
    const out = n < c.min ? c.min - n : n > c.max ? n - c.max : 0;
    const reward = out === 0 ? 1 : c.ramp > 0 ? Math.max(0, 1 - out / c.ramp) : 0;
    const bounds = `[${c.min}, ${c.max === Number.POSITIVE_INFINITY ? "∞" : c.max}]`;
    return ok(reward, { feedback: `${n} ${c.unit}, bounds ${bounds}`, details: { length: n } });
  },
};
