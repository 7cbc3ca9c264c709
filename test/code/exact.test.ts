/**
 * Integers compare exactly (through bigint, never doubles); the tolerance applies only where either side
 * is a float. Real programs through the verifier, on every runtime that can run them here.
 */
import { describe, expect, it } from "vitest";
import { comparator, jsonDiff, parseExact } from "../../src/verifiers/code/compare.js";
import { codeSpec, firstVerdict, sandboxModes } from "./helpers.js";

const TWO_60 = "1152921504606846976";
/** A call reference as JSON text, so `expected` keeps every digit. */
const callText = (fn: string, expected: string, args = "[]") =>
  `{"format": "call", "fn_name": "${fn}", "cases": [{"args": ${args}, "expected": ${expected}}]}`;
const py = (s: string) => `\`\`\`python\n${s}\n\`\`\``;
const js = (s: string) => `\`\`\`js\n${s}\n\`\`\``;

const runtimes: { name: string; extra: Record<string, unknown> }[] = [
  { name: "in-process", extra: {} },
  ...sandboxModes().map((sandbox) => ({
    name: `process (${sandbox})`,
    extra: { sandbox, runtime: { python: "process", js: "process" } },
  })),
];

describe("exact integers in the host", () => {
  it("parseExact keeps integers as bigint and floats as numbers", () => {
    expect(parseExact(`[${TWO_60}1, 3, 3.0, 1e2, -0.5]`)).toEqual([BigInt(`${TWO_60}1`), 3n, 3, 100, -0.5]);
  });

  it("jsonDiff: integers exactly, a float on either side within the tolerance, bools are not numbers", () => {
    expect(jsonDiff(2n ** 60n, 2n ** 60n + 1n, 1e-6)).toBe("$");
    expect(jsonDiff(123456789n, 123456790n, 1e-6)).toBe("$");
    expect(jsonDiff(0.3, 0.1 + 0.2, 1e-6)).toBeNull();
    expect(jsonDiff(3n, 3.0000000001, 1e-6)).toBeNull();
    // An expected integer takes the tolerance as an absolute difference: float(a + b + 1) is not a + b.
    expect(jsonDiff(123456789n, 123456790, 1e-6)).toBe("$");
    expect(jsonDiff(1000000n, 1000000.5, 1e-6)).toBe("$");
    expect(jsonDiff(2n ** 60n + 1n, 2 ** 60, 1e-6)).toBe("$");
    expect(jsonDiff(2n ** 60n, 2 ** 60, 1e-6)).toBeNull();
    expect(jsonDiff(5n, Number.NaN, 1e-6)).toBe("$");
    expect(jsonDiff([1n, { a: 2n }], [1n, { a: 2n }], 0)).toBeNull();
    expect(jsonDiff(1n, true, 1e-6)).toBe("$");
    expect(jsonDiff(true, 1n, 1e-6)).toBe("$");
  });

  it("the numeric stdio comparator compares integer tokens exactly", () => {
    const num = comparator("numeric", { ignoreCase: false, tolerance: 1e-6 })!;
    expect(num("123456789", "123456790", "").pass).toBe(false);
    expect(num(TWO_60, `${TWO_60.slice(0, -1)}7`, "").pass).toBe(false);
    expect(num("+5", "5", "").pass).toBe(true);
    expect(num("3", "3.0000000001", "").pass).toBe(true);
    expect(num("123456789", "123456790.0", "").pass).toBe(false);
    expect(num("1000000", "1000000.5", "").pass).toBe(false);
    expect(num("1000000.0", "1000000.5", "").pass).toBe(true);
  });
});

for (const rt of runtimes) {
  describe(`call tests on real programs: ${rt.name}`, () => {
    const score = (language: string, completion: string, reference: unknown) =>
      codeSpec({ language, ...rt.extra }).score({ completion, reference });

    it("2**60 + 1 is not 2**60, and 2**60 + 1 is itself (Python)", async () => {
      const r = await score("python", py("def f():\n    return 2**60 + 1"), callText("f", TWO_60));
      expect(r.status).toBe("ok");
      expect(firstVerdict(r)).toBe("wrong_answer");
      expect(r.reward).toBe(0);
      const same = await score(
        "python",
        py("def f():\n    return 2**60 + 1"),
        callText("f", `${TWO_60.slice(0, -1)}7`),
      );
      expect(same.reward).toBe(1);
    });

    it("a + b + 1 is not 123456789; an object reference compares exactly too", async () => {
      const text = await score(
        "python",
        py("def f(a, b):\n    return a + b + 1"),
        callText("f", "123456789", "[123456000, 789]"),
      );
      expect(firstVerdict(text)).toBe("wrong_answer");
      const obj = await score("python", py("def f(a, b):\n    return a + b + 1"), {
        format: "call",
        fn_name: "f",
        cases: [{ args: [123456000, 789], expected: 123456789 }],
      });
      expect(firstVerdict(obj)).toBe("wrong_answer");
    });

    it("an object reference with an integer past 2^53 is refused (it may be rounded); a bigint is exact", async () => {
      const rounded = await score("python", py("def f():\n    return 2**60"), {
        format: "call",
        fn_name: "f",
        cases: [{ args: [], expected: 2 ** 60 }],
      });
      expect(rounded.status).toBe("error");
      expect(rounded.error?.kind).toBe("invalid_input");
      expect(rounded.error?.message).toMatch(/cases\[0\]\.expected is an integer past 2\^53/);
      const arg = await score("python", py("def f(x):\n    return x"), {
        format: "call",
        fn_name: "f",
        cases: [{ args: [[1, 2 ** 60]], expected: 1 }],
      });
      expect(arg.error?.message).toMatch(/cases\[0\]\.args\[0\]\[1\]/);
      const big = (completion: string) =>
        score("python", py(completion), {
          format: "call",
          fn_name: "f",
          cases: [{ args: [2n ** 60n + 1n], expected: 2n ** 60n + 1n }],
        });
      expect(firstVerdict(await big("def f(x):\n    return 2**60"))).toBe("wrong_answer");
      expect((await big("def f(x):\n    return x")).reward).toBe(1);
    });

    it("arguments past 2^53 reach the program with every digit (Python int, JS bigint)", async () => {
      const ref = callText("f", `${TWO_60.slice(0, -1)}7`, `[${TWO_60.slice(0, -1)}7]`);
      expect((await score("python", py("def f(x):\n    return x"), ref)).reward).toBe(1);
      expect((await score("python", py("def f(x):\n    return x - 1 + 1"), ref)).reward).toBe(1);
      expect(
        (await score("js", js("function f(x) { return typeof x === 'bigint' ? x : -1 }"), ref)).reward,
      ).toBe(1);
      const off = await score("python", py("def f(x):\n    return 2**60"), ref);
      expect(firstVerdict(off)).toBe("wrong_answer");
    });

    it("floats keep the tolerance: 0.1 + 0.2 is 0.3, 3.0 is 3", async () => {
      expect((await score("python", py("def f():\n    return 0.1 + 0.2"), callText("f", "0.3"))).reward).toBe(
        1,
      );
      expect((await score("python", py("def f():\n    return 3.0"), callText("f", "3"))).reward).toBe(1);
      expect((await score("python", py("def f():\n    return 3"), callText("f", "3.0"))).reward).toBe(1);
    });

    it("a bool is not an int (either way)", async () => {
      expect(firstVerdict(await score("python", py("def f():\n    return True"), callText("f", "1")))).toBe(
        "wrong_answer",
      );
      expect(firstVerdict(await score("python", py("def f():\n    return 1"), callText("f", "true")))).toBe(
        "wrong_answer",
      );
    });

    it("a JS bigint result arrives as its exact digits", async () => {
      const off = await score("js", js("function f() { return 2n ** 60n + 1n }"), callText("f", TWO_60));
      expect(firstVerdict(off)).toBe("wrong_answer");
      const ok = await score(
        "js",
        js("function f() { return [2n ** 60n + 1n] }"),
        callText("f", `[${TWO_60.slice(0, -1)}7]`),
      );
      expect(ok.reward).toBe(1);
      const str = await score("js", js(`function f() { return "${TWO_60}" }`), callText("f", TWO_60));
      expect(firstVerdict(str)).toBe("wrong_answer");
    });
  });
}
