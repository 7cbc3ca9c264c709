/**
 * Fast start: importing rewardkit to score loads neither the server stack nor the code runtimes, the
 * TypeScript transpiler or ajv, nor lint, the server's modules or the code verifier's runs; each loads
 * when first needed. Runs the built library in a fresh process (a test runner's process has loaded
 * everything already).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DIST = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const HEAVY = [
  "fastify",
  "prom-client",
  "ajv",
  "esbuild",
  "isolated-vm",
  "pyodide",
  "fast-check",
  "simple-statistics",
  "re2js",
];
/** Our modules that load at first use (paths in dist/). */
const LAZY = [
  "lint/",
  "server/",
  "verifiers/code/code-run.js",
  "verifiers/code/runtimes/",
  "eval/report-",
  "verifiers/math/check.js",
  "verifiers/math/parser.js",
  "verifiers/math/equivalence.js",
];
/** Light modules of those directories that the library exports at once. */
const EAGER = ["server/loopback.js", "server/protocols/openrlhf-text.js"];

/** The heavy packages and lazy modules loaded after running `body` (ESM) in a fresh process that imported rewardkit. */
function loadedAfter(body: string): { heavy: string[]; lazy: string[] } {
  const script = `
    import { createRequire, registerHooks } from "node:module";
    import { fileURLToPath } from "node:url";
    const urls = [];
    registerHooks({ load(url, ctx, next) { urls.push(url); return next(url, ctx); } });
    const rk = await import(${JSON.stringify(DIST)});
    ${body}
    const files = [
      ...Object.keys(createRequire(import.meta.url).cache),
      ...urls.filter((u) => u.startsWith("file:")).map((u) => fileURLToPath(u)),
    ];
    const dist = ${JSON.stringify(DIST.replace(/index\.js$/, ""))};
    const ours = files.filter((f) => f.startsWith(dist)).map((f) => f.slice(dist.length));
    const lazy = [...new Set(ours.filter((f) => ${JSON.stringify(LAZY)}.some((p) => f.startsWith(p)) && !${JSON.stringify(EAGER)}.includes(f)))].sort();
    const heavy = ${JSON.stringify(HEAVY)}.filter((p) => files.some((f) => f.includes("/node_modules/" + p + "/")));
    console.log(JSON.stringify({ heavy, lazy }));
  `;
  const out = execFileSync(process.execPath, ["--input-type", "module", "-e", script], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!);
}

describe("start-up", () => {
  it("importing rewardkit loads none of the heavy packages and none of the lazy modules", () => {
    expect(loadedAfter("")).toEqual({ heavy: [], lazy: [] });
  });

  it("the library exports the same names as before lint and the server became lazy", () => {
    const out = execFileSync(
      process.execPath,
      [
        "--input-type",
        "module",
        "-e",
        `const rk = await import(${JSON.stringify(DIST)});
         console.log(JSON.stringify({ top: Object.keys(rk).sort(), lint: Object.keys(rk.lint).sort(),
           fns: Object.keys(rk).filter((k) => typeof rk[k] === "function").sort() }));`,
      ],
      { encoding: "utf8" },
    );
    const got = JSON.parse(out.trim());
    expect(got.top).toEqual([
      "AffineNode",
      "COMMON_KEYS",
      "COMPOSITES",
      "ClipNode",
      "CompositeNode",
      "CosineLengthNode",
      "DEFAULT_CATEGORY_WEIGHTS",
      "DEFAULT_MAX_LINE_BYTES",
      "DEFAULT_STRIP_TOKENS",
      "EvalInputError",
      "ExtremumNode",
      "FairQueue",
      "FormulaNode",
      "GRADER_NODE_TYPES",
      "GRADER_TYPES",
      "GROUP_OPTIONS_SCHEMA",
      "GateNode",
      "GroupOptionsError",
      "KeyedQueue",
      "LengthBudgetNode",
      "LlmJudge",
      "MAX_TEXT_CHARS",
      "NAME_PATTERN",
      "NEVER_ABORTED",
      "OverlongNode",
      "POLICY_SCHEMA",
      "PRESETS",
      "PerSegmentNode",
      "ProductNode",
      "RepetitionNode",
      "Reward",
      "RewardEnsembleNode",
      "RewardkitError",
      "RubricNode",
      "SEGMENT_KINDS",
      "SLICE_MS",
      "STEP_FORMATS",
      "SequenceNode",
      "SpecError",
      "TimeoutError",
      "VerifierNode",
      "VerifierRegistry",
      "WeightedNode",
      "WorkerPool",
      "abstain",
      "advantages",
      "aggregateRubric",
      "allTypes",
      "answerKey",
      "applyGroups",
      "blockLines",
      "buildServer",
      "builtinVerifiers",
      "canSkip",
      "canonicalJson",
      "checkGroupOptions",
      "checkMath",
      "checkOffsets",
      "clearJudgeCache",
      "closeSharedPool",
      "compareAnswers",
      "compileGrader",
      "compileGroupOptions",
      "compileSpec",
      "compileTemplate",
      "completionText",
      "componentEntries",
      "components",
      "configureSharedPool",
      "cosineLength",
      "countUnits",
      "createRegistry",
      "defaultRegistry",
      "effectiveRange",
      "evalMetrics",
      "evalReportText",
      "evaluate",
      "evaluateAll",
      "evaluateFormula",
      "exactEquivalence",
      "explainResult",
      "extractChoice",
      "extractJson",
      "fail",
      "finish",
      "flattenComponents",
      "forEachLimit",
      "formatAjvErrors",
      "formatValue",
      "formulaRange",
      "formulaVariables",
      "fromThrown",
      "graderOf",
      "groupComponentNames",
      "groupEquivalent",
      "groupKey",
      "hull",
      "isBlank",
      "isGraderDocument",
      "isLoopback",
      "isOk",
      "isTemplate",
      "jsonPath",
      "judgeCacheStats",
      "kimiLengthReward",
      "kindOf",
      "lastAssistantMessage",
      "lazyValidator",
      "lint",
      "lintSpec",
      "loadReward",
      "mapInSlices",
      "mathClasses",
      "mathEqual",
      "mean",
      "measureLength",
      "messageText",
      "newAjv",
      "nextSlice",
      "nodeSchema",
      "normalizeRubric",
      "normalizedEquivalence",
      "ok",
      "onAbort",
      "oneLine",
      "overlongPenalty",
      "parseBudget",
      "parseFormula",
      "passAtK",
      "peekSharedPool",
      "poolTask",
      "preferencePairs",
      "presetNames",
      "presetOf",
      "projectSpans",
      "propagated",
      "readLineBlocks",
      "readLines",
      "readSteps",
      "reduce",
      "registerEquivalence",
      "registerLintAttack",
      "registerLintLaw",
      "registerVerifier",
      "renderText",
      "renderTextList",
      "repetitionPenalty",
      "resolveChild",
      "resolveJudgeConfig",
      "resolveSpec",
      "resolveTaskModule",
      "responseMessage",
      "responseOf",
      "restartTaskClock",
      "rewardModelVerifier",
      "round3",
      "runTasksInline",
      "runWithDeadline",
      "sampleProblem",
      "scaleSpans",
      "scoreBatch",
      "scoreSample",
      "seededRandom",
      "segment",
      "setTaskClock",
      "shardPlan",
      "sharedAjv",
      "sharedPool",
      "sliceDue",
      "specDocumentSchema",
      "startCluster",
      "startServer",
      "std",
      "stepValues",
      "strictSchema",
      "stripTrailingTokens",
      "suggest",
      "tokenRewards",
      "translateGrader",
      "verifierLaws",
      "verifierRange",
      "vote",
      "withWorkKey",
      "workKey",
      "writeSteps",
    ]);
    expect(got.lint).toEqual([
      "BUILTIN_ATTACKS",
      "BUILTIN_LAWS",
      "DEFAULT_RUNS",
      "PASS",
      "VACUOUS",
      "changeAnswer",
      "formatReport",
      "injection",
      "judgesContent",
      "lintSpec",
      "locateAnswer",
      "parseMutations",
      "registerLintAttack",
      "registerLintLaw",
      "removal",
      "textOf",
      "violation",
      "withChangedAnswer",
      "withText",
    ]);
    for (const f of [
      "buildServer",
      "startServer",
      "startCluster",
      "lintSpec",
      "registerLintLaw",
      "registerLintAttack",
      "isLoopback",
      "responseMessage",
      "responseOf",
      "stripTrailingTokens",
    ])
      expect(got.fns).toContain(f);
  });

  it("lint's helpers load lint (not fast-check); a lint run loads fast-check", () => {
    const helpers = loadedAfter(
      `if (rk.lint.textOf({ completion: "x" }) !== "x") throw new Error("textOf");`,
    );
    expect(helpers.lazy).toContain("lint/index.js");
    expect(helpers.heavy).toEqual([]);
    const run = loadedAfter(`
      const r = await rk.lintSpec("think-answer", [{ completion: "<think>a</think><answer>4</answer>", reference: "4" }], { runs: 20, seed: 1 });
      if (typeof r.ok !== "boolean") throw new Error("no report");
    `);
    expect(run.heavy).toContain("fast-check");
    expect(run.lazy).toContain("lint/index.js");
    expect(run.lazy.filter((f) => f.startsWith("server/"))).toEqual([]);
  });

  it("the in-process math check loads the math parser at the first call, and gives the same answer", () => {
    const loaded = loadedAfter(`
      if (rk.mathEqual("\\\\frac{1}{2}", "0.5") !== true) throw new Error("mathEqual");
      if (rk.checkMath("so \\\\boxed{42}", "42").verdict !== "equal") throw new Error("checkMath");
      if (rk.groupEquivalent(["0.5", "1/2", "3"]).length !== 2) throw new Error("groupEquivalent");
    `);
    expect(loaded.lazy).toEqual(
      expect.arrayContaining([
        "verifiers/math/check.js",
        "verifiers/math/parser.js",
        "verifiers/math/equivalence.js",
      ]),
    );
  });

  it("loading a code spec loads neither its runs nor a runtime; a regex spec loads re2js", () => {
    const code = loadedAfter(`rk.loadReward({ type: "code" });`);
    expect(code.lazy).toEqual([]);
    expect(code.heavy).toEqual(["ajv"]);
    const regex = loadedAfter(`rk.loadReward({ type: "regex", pattern: "a+" });`);
    expect(regex.heavy.sort()).toEqual(["ajv", "re2js"]);
  });

  it("scoring a format spec loads ajv (spec validation) and nothing else heavy", async () => {
    const loaded = loadedAfter(`
      const r = rk.loadReward("think-answer");
      const res = await r.score({ completion: "<think>a</think><answer>4</answer>", reference: "4" });
      if (res.reward !== 1) throw new Error("unexpected reward " + res.reward);
    `);
    expect(loaded).toEqual({ heavy: ["ajv"], lazy: [] });
  });

  it("building a server loads fastify and prom-client", () => {
    const loaded = loadedAfter(`rk.buildServer(rk.loadReward("think-answer"));`);
    expect(loaded.heavy).toEqual(expect.arrayContaining(["fastify", "prom-client"]));
    expect(loaded.lazy).toEqual(expect.arrayContaining(["server/app.js", "server/index.js"]));
  });
});

describe("a library user's script", () => {
  it("exits by itself after scoring through the worker pool (idle workers do not hold the process)", () => {
    const script = `
      const rk = await import(${JSON.stringify(DIST)});
      const [r] = await rk.loadReward("math").scoreBatch([{ completion: "\\\\frac{84}{2}", reference: "42" }]);
      console.log(r.status, r.reward);
    `;
    // The timeout only turns a hang into a failure: the script normally ends in well under a second.
    const out = execFileSync(process.execPath, ["--input-type", "module", "-e", script], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(out.trim()).toBe("ok 1");
  });
});
