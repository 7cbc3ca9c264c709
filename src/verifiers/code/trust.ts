/**
 * How far a code result can be trusted against the program it judges: `host-compared` when the host
 * compares what the program printed or returned (stdio and call tests); `judged` when assert-style tests
 * ran in a judge apart from the program, with plain data crossing (Python on both runtimes, JavaScript
 * and TypeScript on both runtimes: docs/code-trust.md); `forgeable` when the tests share the program's
 * process (C, C++ and bash appended tests), where a program that reads its own memory can forge the end
 * report.
 */
import type { Problem } from "./reference.js";
import type { RuntimeName } from "./types.js";

export type Trust = "forgeable" | "host-compared" | "judged";

export function isNative(language: string): boolean {
  return language === "c" || language === "cpp" || language === "bash";
}

export function trustOf(p: Pick<Problem, "format" | "language">, _runtime: RuntimeName): Trust {
  if (p.format === "stdio" || p.format === "call") return "host-compared";
  if (isNative(p.language)) return "forgeable";
  return "judged";
}
