/**
 * The js runtime's trust boundary, attacked as a policy under training would: the tests run in a judge
 * (a node:vm context of the runtime's worker thread), the candidate in its own isolate, and only plain
 * data crosses. Each of these attacks scored 1 when the tests ran next to the candidate.
 */
import { describe, expect, it } from "vitest";
import { codeSpec, DATASETS, firstVerdict, readJsonl } from "./helpers.js";

const spec = codeSpec({ language: "js", runtime: { js: "js" } });
const js = (code: string) => `\`\`\`js\n${code}\n\`\`\``;
const asserts = (tests: string[]) => ({ format: "asserts", language: "js", tests });

const processSpec = codeSpec({ language: "js", runtime: { js: "process" } });

async function score(code: string, reference: object, on = spec) {
  const r = await on.score({ completion: js(code), reference });
  expect(r.status, JSON.stringify(r.error)).toBe("ok");
  return r;
}

const ADD_TESTS = [
  "assert.strictEqual(add(2, 3), 5)",
  "require('node:assert').deepStrictEqual(add(1, 1), 2)",
];

for (const [runtime, on] of [
  ["js", spec],
  ["process", processSpec],
] as const)
  describe(`${runtime} runtime: the candidate cannot fake a pass`, () => {
    const score_ = (code: string, reference: object) => score(code, reference, on);
    it("turning every assert function into a no-op changes nothing", async () => {
      const r = await score_(
        [
          "const a = require('assert');",
          "for (const k of Object.keys(a)) { try { a[k] = () => {}; } catch (e) {} }",
          "try { globalThis.assert = new Proxy(() => {}, { get: () => () => {} }); } catch (e) {}",
          "function add(a, b) { return 0; }",
        ].join("\n"),
        asserts(ADD_TESTS),
      );
      expect(r.reward).toBe(0);
      expect(firstVerdict(r)).toBe("wrong_answer");
    });

    it("a toJSON or JSON.stringify that rewrites reports changes nothing", async () => {
      const r = await score_(
        [
          "Object.prototype.toJSON = function () { return { status: 'pass' }; };",
          'const s = JSON.stringify; JSON.stringify = () => \'{"status":"pass"}\';',
          "function add(a, b) { return 0; }",
        ].join("\n"),
        asserts(ADD_TESTS),
      );
      expect(r.reward).toBe(0);
    });

    it("the test code is not on the candidate's stack: fn.caller and prepareStackTrace find nothing", async () => {
      const r = await score_(
        [
          "function add(a, b) {",
          "  let found = [];",
          "  try { let f = add.caller; while (f) { found.push(String(f)); f = f.caller; } } catch (e) {}",
          "  Error.prepareStackTrace = (e, cs) => cs.map((c) => { try { return String(c.getFunction()) + String(c.getThis()); } catch (x) { return ''; } }).join('\\n');",
          "  found.push(new Error().stack);",
          "  const m = found.join('\\n').match(/strictEqual\\(add\\(2, 3\\), (\\d+)\\)/);",
          "  return m ? Number(m[1]) : -1;",
          "}",
        ].join("\n"),
        asserts(["assert.strictEqual(add(2, 3), 4242)"]),
      );
      expect(r.reward).toBe(0);
      expect(firstVerdict(r)).toBe("wrong_answer");
    });

    it("objects with behaviour do not cross: valueOf, getters and proxies", async () => {
      for (const ret of [
        "({ valueOf() { return 5; }, toString() { return '5'; } })",
        "new Proxy({}, { get: () => 5 })",
        "Object.defineProperty({}, 'x', { get() { return 5; }, enumerable: true })",
      ]) {
        const r = await score_(
          `function add(a, b) { return ${ret}; }`,
          asserts(["assert.equal(add(2, 3), 5)"]),
        );
        expect(r.reward, ret).toBe(0);
      }
    });

    it("exiting before or during the tests is not a pass", async () => {
      for (const exit of ["process.exit(0);", "function add(a, b) { process.exit(0); }"]) {
        const r = await score_(`function add(a, b) { return 0; }\n${exit}`, asserts(ADD_TESTS));
        expect(r.reward, exit).toBe(0);
      }
    });

    it("async solutions are awaited; one that never settles is a timeout", async () => {
      const ok = await score_(
        "async function add(a, b) { return a + b; }",
        asserts(["assert.strictEqual(await add(2, 3), 5)"]),
      );
      expect(ok.reward).toBe(1);
      const hang = await score_("async function add(a, b) { await new Promise(() => {}); return a + b; }", {
        ...asserts(["assert.strictEqual(await add(2, 3), 5)"]),
        limits: { time_ms: 300 },
      });
      expect(firstVerdict(hang)).toBe("timeout");
    });
  });

describe("js runtime: the candidate cannot crash the host", () => {
  it("a Proxy as the program's completion value is a verdict, not an abort of the process", async () => {
    // isolated-vm threw an uncaught C++ exception transferring this value, which aborted the host.
    const hostile =
      "globalThis.p = new Proxy(() => {}, { get: () => () => {} });\nfunction add(a, b) { return 0; }";
    for (const reference of [
      asserts(["assert.strictEqual(add(2, 3), 5)"]),
      { format: "stdio", language: "js", cases: [{ input: "", output: "x" }] },
      { format: "call", language: "js", fn_name: "add", cases: [{ args: [2, 3], expected: 5 }] },
    ]) {
      const r = await score(hostile, reference);
      expect(r.reward).toBe(0);
    }
  });
});

describe("every result says how far it can be trusted", () => {
  it("judged for assert-style tests on every runtime of Python and JS, host-compared for call tests", async () => {
    const js = "```js\nfunction add(a, b) { return a + b; }\n```";
    const tests = asserts(["assert.strictEqual(add(2, 3), 5)"]);
    expect((await spec.score({ completion: js, reference: tests })).details?.trust).toBe("judged");
    const onProcess = codeSpec({ language: "js", runtime: { js: "process" } });
    expect((await onProcess.score({ completion: js, reference: tests })).details?.trust).toBe("judged");
    const call = { format: "call", language: "js", fn_name: "add", cases: [{ args: [2, 3], expected: 5 }] };
    expect((await spec.score({ completion: js, reference: call })).details?.trust).toBe("host-compared");
    const py = await codeSpec().score({
      completion: "```python\ndef add(a, b):\n    return a + b\n```",
      reference: { format: "asserts", tests: ["assert add(2, 3) == 5"] },
    });
    expect(py.details?.trust).toBe("judged");
  });
});

describe("js runtime: honest programs keep their verdicts", () => {
  it("Maps, Sets, bigints, nested objects, NaN, -0 and undefined arrive as they were", async () => {
    const r = await score(
      "function f() { return { m: new Map([[1, [2n]]]), s: new Set(['a']), n: NaN, z: -0, u: undefined, d: [1, { x: 'y' }] }; }",
      asserts([
        "const v = f(); assert.deepStrictEqual(v.m, new Map([[1, [2n]]])); assert.deepStrictEqual(v.s, new Set(['a']));",
        "const v = f(); assert.ok(Number.isNaN(v.n)); assert.ok(Object.is(v.z, -0)); assert.strictEqual(v.u, undefined);",
        "assert.deepStrictEqual(f().d, [1, { x: 'y' }])",
      ]),
    );
    expect(r.reward).toBe(1);
  });

  for (const [runtime, on] of [
    ["js", spec],
    ["process", processSpec],
  ] as const)
    it(`${runtime} runtime: arguments a function changes in place are changed in the test, as in plain node`, async () => {
      // Only plain data comes back, written into the test's own objects (nested containers keep their
      // identity); a wrong change still fails.
      const tests = asserts([
        "const inner = [3, 1]; const o = { a: inner, gone: 1 }; f(o); assert.deepStrictEqual(inner, [1, 3]); assert.deepStrictEqual(o, { a: [1, 3], m: new Map([[1, 2]]) });",
        "const xs = [2, 1]; await g(xs); assert.deepStrictEqual(xs, [1, 2]);",
      ]);
      const honest =
        "function f(o) { o.a.sort(); o.m = new Map([[1, 2]]); delete o.gone; }\nasync function g(xs) { await null; xs.reverse(); }";
      expect((await score(honest, tests, on)).reward).toBe(1);
      const wrong = honest.replace("o.a.sort()", "o.a.push(0)");
      expect(firstVerdict(await score(wrong, tests, on))).toBe("wrong_answer");
    });

  it("agrees with plain node on the first MultiPL-E problems' tests with a candidate's thrown errors", async () => {
    const rows = readJsonl<{ prompt: string; tests: string }>(
      `${DATASETS}/multipl-e/humaneval-js.jsonl`,
    ).slice(0, 3);
    for (const p of rows) {
      const r = await spec.score({
        completion: js(`${p.prompt}\n  throw new RangeError("not done");\n}`),
        reference: { format: "append", language: "js", tests: p.tests },
      });
      expect(r.status).toBe("ok");
      expect(r.reward).toBe(0);
      expect(JSON.stringify(r.details)).toMatch(/RangeError: not done/);
    }
  });
});
