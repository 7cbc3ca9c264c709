/** Worker-pool task: the whole math check, run where a deadline can kill it. */
import { type CheckResult, checkMath, type MathOptions } from "./check.js";

export interface MathTaskArg {
  completion: string;
  golds: string[];
  options: Partial<MathOptions>;
}

export function checkMathTask(arg: MathTaskArg): CheckResult {
  return checkMath(arg.completion, arg.golds, arg.options);
}
