/**
 * Behaviour of the code verifier on each runtime: formats, verdicts, reward modes, limits, state between
 * runs, and the difference between a program's failure (a verdict) and the sandbox's (an error).
 */
import { describe, expect, it } from "vitest";
import { codeSpec, firstVerdict, sandboxModes } from "./helpers.js";

const py = (code: string) => `\`\`\`python\n${code}\n\`\`\``;
const js = (code: string) => `\`\`\`js\n${code}\n\`\`\``;

describe.each([
  ["python", { python: "python" }],
  ["process", { python: "process" }],
])("Python on the %s runtime", (_, runtime) => {
  const spec = (extra: object = {}) => codeSpec({ runtime, ...extra });

  it("gives per-test verdicts with feedback", async () => {
    const completion = py(
      "def f(x):\n    if x == 2:\n        raise ValueError('two')\n    if x == 3:\n        while True: pass\n    return x * 10",
    );
    const reference = {
      format: "asserts",
      tests: [
        "assert f(1) == 10",
        "assert f(2) == 20",
        "assert f(3) == 30",
        "assert f(4) == 41, 'off'",
        "assert f(5) == 50",
      ],
      mode: "fraction",
      limits: { time_ms: 800 },
    };
    const r = await spec().score({ completion, reference });
    expect(r.status).toBe("ok");
    const tests = r.details!.tests as { verdict: string; message?: string }[];
    expect(tests.map((t) => t.verdict)).toEqual(["pass", "runtime_error", "timeout", "wrong_answer", "pass"]);
    expect(tests[1]!.message).toContain("ValueError");
    expect(tests[3]!.message).toContain("off");
    expect(r.reward).toBeCloseTo(0.4, 10);
  });

  it("binary mode stops at the first failure; first_failure counts the prefix", async () => {
    const completion = py("def f(x):\n    return 1");
    const tests = ["assert f(0) == 1", "assert f(1) == 2", "assert f(2) == 1"];
    const b = await spec().score({ completion, reference: { format: "asserts", tests } });
    expect(b.reward).toBe(0);
    expect((b.details!.tests as { verdict: string }[]).map((t) => t.verdict)).toEqual([
      "pass",
      "wrong_answer",
      "not_run",
    ]);
    const f = await spec({ mode: "first_failure" }).score({
      completion,
      reference: { format: "asserts", tests },
    });
    expect(f.reward).toBeCloseTo(1 / 3, 10);
    const w = await spec().score({
      completion,
      reference: { format: "asserts", tests, mode: "weighted", weights: [1, 1, 2] },
    });
    expect(w.reward).toBe(0.75);
  });

  it("compares call results in the host, so an always-equal object does not pass", async () => {
    const completion = py(
      "class Eq:\n    def __eq__(self, o):\n        return True\ndef f(a, b):\n    return Eq()",
    );
    const r = await spec().score({
      completion,
      reference: { format: "call", fn_name: "f", cases: [{ args: [1, 2], expected: 3 }] },
    });
    expect(firstVerdict(r)).toBe("wrong_answer");
    const ok = await spec().score({
      completion: py("def f(a, b):\n    return (a + b, [a, b])"),
      reference: { format: "call", fn_name: "f", cases: [{ args: [1, 2], expected: [3, [1, 2]] }] },
    });
    expect(ok.reward).toBe(1);
  });

  it("reports a syntax error as compile_error and a memory bomb as memory_limit", async () => {
    const c = await spec().score({
      completion: py("def f(:\n    pass"),
      reference: { format: "asserts", tests: ["f()"] },
    });
    expect(firstVerdict(c)).toBe("compile_error");
    const m = await spec().score({
      completion: py("def f():\n    return bytearray(10**9)"),
      reference: { format: "asserts", tests: ["f()"], limits: { memory_mb: 64 } },
    });
    expect(firstVerdict(m)).toBe("memory_limit");
  });

  it("runs stdio programs with the chosen comparator", async () => {
    const completion = py("import sys\nn = int(sys.stdin.readline())\nprint(n / 3)\nprint('Yes')");
    const cases = [{ input: "1\n", output: "0.333333\nYES\n" }];
    const lines = await spec().score({ completion, reference: { format: "stdio", cases } });
    expect(firstVerdict(lines)).toBe("wrong_answer");
    const loose = await spec().score({
      completion,
      reference: { format: "stdio", cases, compare: "numeric", ignore_case: true },
    });
    expect(loose.reward).toBe(1);
  });
});

describe("JavaScript and TypeScript in isolated-vm", () => {
  it("runs asserts, calls and appended tests with a faithful assert", async () => {
    const spec = codeSpec({ language: "js", mode: "fraction" });
    const completion = js("function f(a) { return a.map((x) => x * 2) }");
    const r = await spec.score({
      completion,
      reference: {
        format: "asserts",
        tests: [
          "const assert = require('node:assert'); assert.deepEqual(f([1, 2]), [2, 4])",
          "require('assert').deepStrictEqual(f([1]), ['2'])",
          "require('assert').deepEqual(f([1]), ['2'])",
          "require('assert').strictEqual(f([]).length, 1)",
        ],
      },
    });
    expect((r.details!.tests as { verdict: string }[]).map((t) => t.verdict)).toEqual([
      "pass",
      "wrong_answer",
      "pass",
      "wrong_answer",
    ]);
    const call = await spec.score({
      completion,
      reference: { format: "call", fn_name: "f", cases: [{ args: [[1.5]], expected: [3] }] },
    });
    expect(call.reward).toBe(1);
  });

  it("transpiles TypeScript and reports its syntax errors as compile_error", async () => {
    const spec = codeSpec({ language: "ts" });
    const good = "```ts\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n```";
    expect(
      (
        await spec.score({
          completion: good,
          reference: { format: "asserts", tests: ["if (add(1, 2) !== 3) throw new Error('x')"] },
        })
      ).reward,
    ).toBe(1);
    const bad = await spec.score({
      completion: "```ts\nfunction add(a: number, b: number {\n```",
      reference: { format: "asserts", tests: ["add(1, 2)"] },
    });
    expect(firstVerdict(bad)).toBe("compile_error");
  });

  it("does not keep globals between runs", async () => {
    const spec = codeSpec({ language: "js" });
    await spec.score({
      completion: js("globalThis.leak = 1; var counter = 5; function f() {}"),
      reference: { format: "asserts", tests: ["f()"] },
    });
    const r = await spec.score({
      completion: js("function f() { return [typeof leak, typeof counter] }"),
      reference: {
        format: "asserts",
        tests: ["require('assert').deepStrictEqual(f(), ['undefined', 'undefined'])"],
      },
    });
    expect(r.reward).toBe(1);
  });

  it("runs stdio programs with readline and process.stdin", async () => {
    const spec = codeSpec({ language: "js" });
    const completion = js(
      "let s = '';\nprocess.stdin.on('data', (d) => (s += d));\nprocess.stdin.on('end', () => console.log(s.trim().split(' ').map(Number).reduce((a, b) => a + b)));",
    );
    expect(
      (
        await spec.score({
          completion,
          reference: { format: "stdio", cases: [{ input: "1 2 3", output: "6" }] },
        })
      ).reward,
    ).toBe(1);
  });
});

describe("native programs on the process runtime", () => {
  for (const sandbox of sandboxModes()) {
    it(`C, C++ and bash under ${sandbox}`, async () => {
      const c = codeSpec({ language: "c", sandbox });
      const prog =
        '```c\n#include <stdio.h>\nint main(void) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 3; printf("%ld\\n", a * b); return 0; }\n```';
      const r = await c.score({
        completion: prog,
        reference: {
          format: "stdio",
          cases: [
            { input: "6 7", output: "42" },
            { input: "x", output: "" },
          ],
          mode: "fraction",
        },
      });
      expect(r.details?.isolation).toBe(sandbox === "bwrap" ? "bwrap" : "none (rlimits only)");
      expect((r.details!.tests as { verdict: string }[]).map((t) => t.verdict)).toEqual([
        "pass",
        "runtime_error",
      ]);
      const cpp = codeSpec({ language: "cpp", sandbox });
      const append = await cpp.score({
        completion: "```cpp\nint sq(int x) { return x * x; }\n```",
        reference: {
          format: "append",
          tests: "#include <cassert>\nint sq(int);\nint main() { assert(sq(3) == 9); assert(sq(4) == 17); }",
        },
      });
      expect(firstVerdict(append)).toBe("runtime_error");
      const two = await cpp.score({
        completion: "```cpp\nint sq(int x) { return x * x; }\n```",
        reference: {
          format: "append",
          tests: ["#include <cassert>", "int sq(int);", "int main() { assert(sq(3) == 9); }"],
        },
      });
      expect(two.reward).toBe(1);
      const bad = await cpp.score({
        completion: "```cpp\nint main( { }\n```",
        reference: { format: "stdio", cases: [{ input: "", output: "" }] },
      });
      expect(firstVerdict(bad)).toBe("compile_error");
      const sh = codeSpec({ language: "bash", sandbox });
      expect(
        (
          await sh.score({
            completion: "```bash\nread a b\necho $((a + b))\n```",
            reference: { format: "stdio", cases: [{ input: "2 3", output: "5" }] },
          })
        ).reward,
      ).toBe(1);
    });
  }
});

describe("errors are not zeros", () => {
  it("a language that needs the process runtime on another runtime is a config error", async () => {
    const r = await codeSpec({ runtime: { python: "python" } }).score({
      completion: "```c\nint main(){}\n```",
      reference: { language: "c", format: "asserts", tests: ["x"] },
    });
    expect(r.status).toBe("error");
  });

  it("an unknown comparator is rejected when the spec loads", () => {
    expect(() => codeSpec({ compare: "fuzzy" })).toThrow(/unknown comparator/);
  });
});
