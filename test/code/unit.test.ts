import { describe, expect, it } from "vitest";
import {
  comparator,
  jsonDiff,
  normalizedLines,
  registerCodeChecker,
} from "../../src/verifiers/code/compare.js";
import { extractCode, fencedBlocks } from "../../src/verifiers/code/extract.js";
import { assemble, promptBefore } from "../../src/verifiers/code/program.js";
import { parseProblem } from "../../src/verifiers/code/reference.js";
import { rewardOf } from "../../src/verifiers/code/score.js";
import { codeSpec } from "./helpers.js";

const opts = { ignoreCase: false, tolerance: 1e-6 };

describe("code extraction", () => {
  it("takes the last block that defines the function, not a trailing usage block", () => {
    const text =
      "Here:\n```python\ndef f(x):\n    return 1\n```\nBetter:\n```python\ndef f(x):\n    return 2\n```\nUsage:\n```python\nprint(f(3))\n```";
    expect(extractCode(text, "python", "f")).toEqual({ code: "def f(x):\n    return 2", how: "block" });
  });

  it("joins all blocks of the language when none defines the function", () => {
    const text = "```py\nimport math\n```\ntext\n```python\nprint(math.pi)\n```";
    expect(extractCode(text, "python", "g")).toEqual({
      code: "import math\n\nprint(math.pi)",
      how: "blocks",
    });
  });

  it("prefers blocks of the language over others, falls back to untagged blocks", () => {
    expect(extractCode("```bash\npip install x\n```\n```js\nconst a = 1\n```", "js").code).toBe(
      "const a = 1",
    );
    expect(extractCode("```\nfunction g() {}\n```", "js", "g").code).toBe("function g() {}");
  });

  it("uses the whole text without fences, and finds no code when only other languages are fenced", () => {
    expect(extractCode("    return x + 1\n", "python", "f")).toEqual({
      code: "    return x + 1\n",
      how: "text",
    });
    expect(extractCode("Run:\n```bash\nls\n```", "python", "f").how).toBe("none");
  });

  it("keeps the body of a truncated, unclosed block", () => {
    expect(extractCode("Sure\n```python\ndef f():\n    return 1", "python", "f").code).toBe(
      "def f():\n    return 1",
    );
  });

  it("honours longer fences and tildes", () => {
    const b = fencedBlocks("````python\n```\ninner\n```\n````\n~~~js\nx\n~~~");
    expect(b).toEqual([
      { tag: "python", code: "```\ninner\n```" },
      { tag: "js", code: "x" },
    ]);
  });
});

describe("programs", () => {
  const prompt =
    'from typing import List\n\ndef helper(x):\n    return x\n\n\ndef f(a: List[int]) -> int:\n    """doc"""\n';
  it("continues the prompt with a bare body", () => {
    const p = parseProblem({ format: "humaneval", prompt, test: "", entry_point: "f" }, "python");
    expect(assemble(p, "    return 1\n")).toBe(`${prompt}    return 1\n`);
  });

  it("puts a whole function after the prompt's imports and helpers", () => {
    const p = parseProblem({ format: "humaneval", prompt, test: "", entry_point: "f" }, "python");
    expect(promptBefore(prompt, "python", "f")).toBe(
      "from typing import List\n\ndef helper(x):\n    return x\n\n",
    );
    const full = "def f(a):\n    return helper(2)\n";
    expect(assemble(p, full)).toBe(`from typing import List\n\ndef helper(x):\n    return x\n\n\n${full}`);
  });
});

describe("comparators", () => {
  it("lines: trailing whitespace and final newlines do not matter, line count does", () => {
    const c = comparator("lines", opts)!;
    expect(c("1 2\n3\n", "1 2   \n3", "").pass).toBe(true);
    expect(c("1\n2\n", "1\n2\n\n\n", "").pass).toBe(true);
    expect(c("1\n2", "1 2", "")).toEqual({ pass: false, message: "line 1: expected '1', got '1 2'" });
    expect(c("a", "A", "").pass).toBe(false);
    expect(comparator("lines", { ...opts, ignoreCase: true })!("YES", "yes", "").pass).toBe(true);
  });

  it("exact compares bytes; tokens ignores layout; numeric allows a tolerance", () => {
    expect(comparator("exact", opts)!("1\n", "1", "").pass).toBe(false);
    expect(comparator("tokens", opts)!("1 2\n3", "1\n2 3\n", "").pass).toBe(true);
    const num = comparator("numeric", { ...opts, tolerance: 1e-6 })!;
    expect(num("0.3333333", "0.33333331", "").pass).toBe(true);
    expect(num("1.5 x", "1.5000001 x", "").pass).toBe(true);
    expect(num("1.5", "1.6", "").pass).toBe(false);
    expect(num("1 2", "1", "").pass).toBe(false);
  });

  it("accepts a registered custom checker", () => {
    registerCodeChecker("unit_any_permutation", (e, a) => ({
      pass: e.trim().split(/\s+/).sort().join(" ") === a.trim().split(/\s+/).sort().join(" "),
    }));
    expect(comparator("unit_any_permutation", opts)!("1 2 3", "3 1 2", "").pass).toBe(true);
    expect(() => registerCodeChecker("lines", () => ({ pass: true }))).toThrow();
  });

  it("normalizes CRLF", () => {
    expect(normalizedLines("a\r\nb\r\n")).toEqual(["a", "b"]);
  });

  it("compares call results as JSON with a tolerance", () => {
    expect(jsonDiff([1, [2, 3.0000000001]], [1, [2, 3]], 1e-9)).toBeNull();
    expect(jsonDiff({ a: [1] }, { a: [2] }, 1e-9)).toBe("$.a[0]");
    expect(jsonDiff({ a: 1 }, { a: 1, b: 2 }, 1e-9)).toBe("$");
    expect(jsonDiff("1", 1, 0)).toBe("$");
  });
});

describe("reward modes", () => {
  const v = ["pass", "wrong_answer", "pass", "pass"] as const;
  it("binary, fraction, first_failure, weighted", () => {
    expect(rewardOf("binary", [...v])).toBe(0);
    expect(rewardOf("binary", ["pass", "pass"])).toBe(1);
    expect(rewardOf("fraction", [...v])).toBe(0.75);
    expect(rewardOf("first_failure", [...v])).toBe(0.25);
    expect(rewardOf("weighted", [...v], [1, 5, 2, 2])).toBe(0.5);
    expect(rewardOf("fraction", ["pass", undefined])).toBe(0.5);
  });
});

describe("reference shapes", () => {
  it("parses every format and CodeContests-style io objects", () => {
    expect(parseProblem('{"format":"asserts","tests":["assert 1"]}', "python").tests).toEqual(["assert 1"]);
    const s = parseProblem(
      { format: "stdio", cases: [{ input: { stdin: "1" }, output: { stdout: "2" }, weight: 3 }] },
      "js",
    );
    expect(s.cases).toEqual([{ input: "1", output: "2" }]);
    expect(s.weights).toEqual([3]);
    expect(s.language).toBe("js");
    const c = parseProblem(
      { format: "call", fn_name: "f", cases: [{ args: [1], expected: 2 }], language: "typescript" },
      "python",
    );
    expect(c.language).toBe("ts");
    expect(parseProblem({ format: "append", tests: "test()" }, "js").tests).toEqual(["test()"]);
  });

  it.each([
    [{ format: "nope" }, "'format' must be one of"],
    [{ format: "humaneval", prompt: "x", test: "y" }, "'entry_point' is required"],
    [{ format: "asserts", tests: [] }, "'tests' must be"],
    [{ format: "stdio", cases: [{ input: 1 }] }, "cases[0].output"],
    [{ format: "call", fn_name: "f", cases: [{ args: 1 }] }, "cases[0] must be"],
    [{ format: "asserts", tests: ["x"], language: "cobol" }, "unknown language"],
    [{ format: "asserts", tests: ["x"], limits: { time_ms: -1 } }, "limits.time_ms"],
    ["not json", "must be an object"],
  ])("rejects %j", (ref, msg) => {
    expect(() => parseProblem(ref, "python")).toThrow(msg);
  });

  it("a bad reference is an invalid_input error, never a 0", async () => {
    const r = await codeSpec().score({
      completion: "```python\nx = 1\n```",
      reference: { format: "asserts" },
    });
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("invalid_input");
  });

  it("a completion without code gets the no-code reward", async () => {
    const r = await codeSpec({ no_code_reward: -0.5 }).score({
      completion: "I would use a shell:\n```bash\nls\n```",
      reference: { format: "asserts", tests: ["assert f()"] },
    });
    expect(r.status).toBe("ok");
    expect(r.reward).toBe(-0.5);
    expect(r.details?.no_code).toBe(true);
  });
});
