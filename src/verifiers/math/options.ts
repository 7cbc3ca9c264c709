/**
 * The math check's options and their defaults, apart from the check itself: the verifier's config and
 * the library's start read them without loading the parser and the equivalence rules.
 */
import { DEFAULT_RULES, type Rule } from "./extract.js";
import { LIMITS } from "./limits.js";

export interface EquivOptions {
  /** Extra relative tolerance for numbers (null: none beyond the written precision of the gold). */
  relTol: number | null;
  /** Extra absolute tolerance for numbers. */
  absTol: number | null;
  /** "written": a decimal gold accepts values that round to it; "exact": decimals are exact values. */
  goldPrecision: "written" | "exact";
  /** How `50\%` relates to 0.5 and 50: either reading, only 50 ("strip"), or only 0.5 ("divide"). */
  percent: "either" | "strip" | "divide";
  /** "either": `30^\circ` equals 30 and pi/6; "strict": only pi/6 (and 30 degrees). */
  degrees: "either" | "strict";
  /** "convert": convert when both sides have units, ignore a unit on one side; "strict": units must match. */
  units: "convert" | "strict";
  /** Accept identities that hold where both sides are real (ln(x^2) = 2 ln x for x > 0). */
  partialDomain: boolean;
  /** "gold_inequality": a gold inequality accepts an interval, not the reverse; "both"; "never". */
  inequalityInterval: "gold_inequality" | "both" | "never";
  /** Compare bare comma lists in order (default: as sets of solutions). */
  orderedLists: boolean;
}

export const DEFAULT_EQUIV: EquivOptions = {
  relTol: null,
  absTol: null,
  goldPrecision: "written",
  percent: "either",
  degrees: "either",
  units: "convert",
  partialDomain: true,
  inequalityInterval: "gold_inequality",
  orderedLists: false,
};

export interface MathOptions extends EquivOptions {
  /** Extraction rules in priority order; `strict` (boxed only) overrides them. */
  rules: readonly Rule[];
  /** Only a \boxed{} answer counts (for RL). */
  strict: boolean;
  /** Read only the part after </think>. */
  think: boolean;
  /** "auto": a gold that is a single letter A-J is a multiple-choice answer. */
  multipleChoice: "auto" | "off";
  imaginaryUnit: boolean;
  eulerE: boolean;
  /** Read c, h, \hbar, k_B, N_A, G, ... (and e, when eulerE is off) as physical constants (constants.ts). */
  physicalConstants: boolean;
  /** Longest completion accepted (characters). */
  maxInputChars: number;
}

export const DEFAULT_OPTIONS: MathOptions = {
  ...DEFAULT_EQUIV,
  rules: DEFAULT_RULES,
  strict: false,
  think: true,
  multipleChoice: "auto",
  imaginaryUnit: true,
  eulerE: true,
  physicalConstants: false,
  maxInputChars: LIMITS.maxInputChars,
};
