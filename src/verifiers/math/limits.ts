/**
 * Hard limits that keep every check bounded. Each one turns an input that could freeze a worker (a
 * power tower, a huge factorial, thousands of nested brackets) into either a refusal (invalid_input) or
 * a switch from exact to floating-point arithmetic, which is always bounded.
 */
export const LIMITS = {
  /** Longest answer text (gold or extracted prediction) the parser accepts, in characters. */
  maxAnswerChars: 5_000,
  /** Longest completion the extractor scans, in characters (the core caps all text at 4,000,000). */
  maxInputChars: 1_000_000,
  /** Deepest nesting of brackets, fractions, roots and powers. */
  maxDepth: 300,
  /** Most AST nodes in one parsed answer. */
  maxNodes: 5_000,
  /** Most items in one list, set, tuple or matrix. */
  maxItems: 500,
  /** Biggest numerator or denominator of an exact rational, in bits (about 6,000 decimal digits). */
  maxBits: 20_000,
  /** Most digits in one numeric literal. */
  maxDigits: 2_000,
  /** Largest n for which n! is computed exactly (beyond it, floating point: 171! is already Infinity). */
  maxFactorial: 1_500,
  /** Exact-arithmetic work per check, in operations on numbers over 256 bits (see setExactBudget). */
  exactBudget: 20_000,
  /** Most ± signs expanded into separate values (2^k values). */
  maxPlusMinus: 4,
} as const;
