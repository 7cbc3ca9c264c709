/**
 * How far a code result can be trusted against the program it judges: `host-compared` when the host
 * compares the program's output (stdio); `forgeable` when C, C++ or bash tests share the program's
 * process (a program that reads its own memory can forge the runner's end report). Harnessed Python and
 * JavaScript results carry no trust field here.
 */
import type { Problem } from "./reference.js";

export type Trust = "forgeable" | "host-compared";

export function isNative(language: string): boolean {
  return language === "c" || language === "cpp" || language === "bash";
}

export function trustOf(p: Pick<Problem, "format" | "language">): Trust | undefined {
  if (p.format === "stdio") return "host-compared";
  if (isNative(p.language) && (p.format === "append" || p.format === "asserts")) return "forgeable";
  return undefined;
}
