/**
 * Lint warns where a code verifier's seeds run forgeable native tests (C, C++, bash appended tests in the
 * program's process), naming the node's JSON path and the seeds; stdio and Python seeds give no warning.
 */
import { afterAll, describe, expect, it } from "vitest";
import { closeSharedPool, lintSpec } from "../../src/index.js";
import { formatReport } from "../../src/lint/index.js";

afterAll(async () => {
  await closeSharedPool();
});

const C_APPEND = {
  id: "c",
  completion: "```c\nint sq(int x) { return x * x; }\n```",
  reference: {
    language: "c",
    format: "append",
    prompt: "int sq(int x) {\n",
    entry_point: "sq",
    tests: "#include <assert.h>\nint main(void) { assert(sq(3) == 9); return 0; }",
  },
};
const BASH_APPEND = {
  id: "sh",
  completion: "```bash\nf() { echo $(( $1 * 2 )); }\n```",
  reference: { language: "bash", format: "append", tests: "[[ $(f 2) = 4 ]]" },
};
const C_STDIO = {
  id: "stdio",
  completion:
    '```c\n#include <stdio.h>\nint main(void) { int a; scanf("%d", &a); printf("%d\\n", a * a); }\n```',
  reference: { language: "c", format: "stdio", cases: [{ input: "3", output: "9" }] },
};
const PY = {
  id: "py",
  completion: "```python\ndef sq(x):\n    return x * x\n```",
  reference: { format: "asserts", tests: ["assert sq(3) == 9"] },
};
const opts = { runs: 4, seed: 1, only: ["totality"] };

describe("lint warning native_tests_forgeable", () => {
  it("names the code node and the seeds with native appended tests", async () => {
    const spec = {
      type: "weighted",
      terms: [
        { type: "length", unit: "words", max: 1000, weight: 0.1 },
        { type: "code", weight: 0.9 },
      ],
    };
    const r = await lintSpec(spec, [PY, C_APPEND, C_STDIO, BASH_APPEND], opts);
    expect(r.warnings).toHaveLength(1);
    const w = r.warnings[0]!;
    expect(w.check).toBe("native_tests_forgeable");
    expect(w.path).toBe("$.terms[1]");
    expect(w.samples).toEqual([1, 3]);
    expect(w.message).toMatch(/bash\/c tests in the program's own process.*forge a pass/);
    expect(formatReport(r)).toContain("warn  native_tests_forgeable at $.terms[1]");
    // The samples did score: the warning is about trust, not a failure.
    expect(r.samples.top).toBe(4);
  });

  it("stays silent for JavaScript assert-style tests on either runtime (both run them in a judge)", async () => {
    const JS = {
      id: "js",
      completion: "```js\nfunction sq(x) { return x * x; }\n```",
      reference: { language: "js", format: "asserts", tests: ["assert.strictEqual(sq(3), 9)"] },
    };
    for (const runtime of [{ js: "process" }, { js: "js" }]) {
      const r = await lintSpec({ type: "code", runtime }, [JS, PY], opts);
      expect(r.warnings).toEqual([]);
    }
  });

  it("stays silent for stdio and Python tests", async () => {
    const r = await lintSpec({ type: "code" }, [PY, C_STDIO], opts);
    expect(r.warnings).toEqual([]);
    expect(formatReport(r)).not.toContain("warnings");
  });
});
