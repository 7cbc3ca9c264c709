/**
 * Warnings: what lint cannot test by attacking but the user should know. `native_tests_forgeable`: a
 * code verifier whose seed samples run tests in the program's own process (C, C++ or bash appended
 * tests: every other kind runs in a judge or is compared by the host), where a program that reads its
 * memory (or its shell's variables) can forge a pass (docs/code-trust.md). Reported once per node,
 * with its JSON path and the seeds concerned.
 */
import type { Sample } from "../core/index.js";
import type { VerifierNode } from "../rewards/index.js";
import { jsonPath } from "../spec/index.js";
import { type CodeCompiled, pickRuntime } from "../verifiers/code/code.js";
import { parseProblem } from "../verifiers/code/reference.js";
import { trustOf } from "../verifiers/code/trust.js";
import type { LintContext } from "./types.js";

export interface LintWarning {
  check: string;
  /** JSON path of the node in the spec ("$" for the root). */
  path: string;
  message: string;
  /** Indices of the seed samples concerned. */
  samples: number[];
}

export function nativeForgeable(ctx: LintContext): LintWarning[] {
  const out: LintWarning[] = [];
  for (const at of ctx.laws.testSuites) {
    const config = (at.node as VerifierNode).config as CodeCompiled;
    const seeds: number[] = [];
    const languages = new Set<string>();
    for (const i of ctx.valid) {
      try {
        const p = parseProblem(config.reference.render(ctx.samples[i] as Sample), config.language);
        if (trustOf(p, pickRuntime(config, p.language)) === "forgeable") {
          seeds.push(i);
          languages.add(p.language);
        }
      } catch {}
    }
    if (!seeds.length) continue;
    out.push({
      check: "native_tests_forgeable",
      path: jsonPath(at.path),
      samples: seeds,
      message: `the code verifier runs ${[...languages].sort().join("/")} tests in the program's own process on ${seeds.length} seed sample${seeds.length === 1 ? "" : "s"}: a program that reads its memory can forge a pass (details.trust "forgeable"); prefer stdio tests, which the host compares`,
    });
  }
  return out;
}
