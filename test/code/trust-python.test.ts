/**
 * The Python runtime's trust boundary, attacked as a policy under training would: the candidate runs in
 * its own process (Node permission model, bubblewrap where it works, memory restored per sample) and the
 * tests run in a judge it cannot reach. Every attack here scored 1 (or escaped) before the boundary.
 */
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codeSpec, firstVerdict, heRef, humaneval } from "./helpers.js";

const py = (code: string) => `\`\`\`python\n${code}\n\`\`\``;
const spec = codeSpec({ runtime: { python: "python" } });
const processSpec = codeSpec({ runtime: { python: "process" } });
const asserts = (tests: string[]) => ({ format: "asserts", tests });

async function score(code: string, reference: object, on = spec) {
  const r = await on.score({ completion: py(code), reference });
  expect(r.status, JSON.stringify(r.error)).toBe("ok");
  return r;
}

for (const [runtime, on] of [
  ["python", spec],
  ["process", processSpec],
] as const)
  describe(`${runtime} runtime: the candidate cannot fake a pass`, () => {
    const score_ = (code: string, reference: object) => score(code, reference, on);
    it("replacing exec, assert machinery or AssertionError in the candidate changes nothing", async () => {
      const r = await score_(
        [
          "import builtins",
          "builtins.exec = lambda *a, **k: None",
          "builtins.AssertionError = type('AssertionError', (Exception,), {})",
          "def add(a, b):",
          "    return 0",
        ].join("\n"),
        asserts(["assert add(2, 3) == 5", "assert add(1, 1) == 2"]),
      );
      expect(r.reward).toBe(0);
      expect(firstVerdict(r)).toBe("wrong_answer");
    });

    it("an always-equal object does not cross the boundary", async () => {
      const r = await score_(
        [
          "class Eq:",
          "    def __eq__(self, o): return True",
          "    def __ne__(self, o): return False",
          "    def __hash__(self): return 0",
          "def add(a, b):",
          "    return Eq()",
        ].join("\n"),
        asserts(["assert add(2, 3) == 5"]),
      );
      expect(r.reward).toBe(0);
      const tests = (r.details?.tests ?? []) as { message?: string }[];
      expect(String(tests[0]?.message)).toMatch(/not plain data/);
    });

    it("an int subclass with a patched __eq__ arrives as its plain value", async () => {
      const r = await score_(
        ["class I(int):", "    def __eq__(self, o): return True", "def add(a, b):", "    return I(0)"].join(
          "\n",
        ),
        asserts(["assert add(2, 3) == 5"]),
      );
      expect(r.reward).toBe(0);
    });

    it("the expected values are nowhere on the candidate's stack", async () => {
      // Walks every frame it can reach and returns the first large constant or local it finds.
      const r = await score_(
        [
          "import sys",
          "def find(x):",
          "    f = sys._getframe()",
          "    while f is not None:",
          "        for v in list(f.f_locals.values()) + list(f.f_code.co_consts) + list(f.f_globals.values()):",
          "            if type(v) is int and v > 1000000:",
          "                return v",
          "        f = f.f_back",
          "    return -1",
        ].join("\n"),
        asserts(["assert find(3) == 9876543"]),
      );
      expect(r.reward).toBe(0);
      expect(firstVerdict(r)).toBe("wrong_answer");
    });

    it("the program's own exception classes reach the tests as their nearest built-in base", async () => {
      // Honest Python: 'except ValueError' in a test catches a ValueError subclass the solution raises.
      const tests = asserts([
        "try:\n    f(1)\n    assert False\nexcept ValueError as e:\n    assert str(e) == 'bad' and type(e).__name__ == 'Bad'",
      ]);
      expect(
        (await score_("class Bad(ValueError): pass\ndef f(x):\n    raise Bad('bad')", tests)).reward,
      ).toBe(1);
      expect((await score_("class Bad(KeyError): pass\ndef f(x):\n    raise Bad('bad')", tests)).reward).toBe(
        0,
      );
      // Loop-steering and exit classes still do not cross as themselves, whatever they derive from.
      const r = await score_(
        "class Stop(StopIteration): pass\ndef f(x):\n    raise Stop()",
        asserts(["assert list(map(f, [1, 2])) == [5]"]),
      );
      expect(r.reward).toBe(0);
      expect(firstVerdict(r)).toBe("runtime_error");
    });

    it("arguments a function changes in place are changed in the test, as in plain Python", async () => {
      // Only plain data comes back, written into the test's own objects (nested containers keep their
      // identity); a wrong change still fails.
      const tests = asserts([
        "inner = [3, 1]\nd = {'a': inner, 'gone': 0}\ns = {1}\nf(d, s=s)\nassert inner == [1, 3] and d == {'a': [1, 3]} and s == {1, 2}",
      ]);
      const honest = "def f(d, s):\n    d['a'].sort()\n    del d['gone']\n    s.add(2)";
      expect((await score_(honest, tests)).reward).toBe(1);
      const r = await score_(honest.replace("d['a'].sort()", "d['a'].append(0)"), tests);
      expect(firstVerdict(r)).toBe("wrong_answer");
    });

    it("a top-level exit before the tests is not a pass", async () => {
      for (const exit of ["import sys; sys.exit(0)", "import os; os._exit(0)", "raise SystemExit(0)"]) {
        const r = await score_(`def add(a, b):\n    return 0\n${exit}`, asserts(["assert add(2, 3) == 5"]));
        expect(r.reward, exit).toBe(0);
      }
    });
  });

describe("python runtime: the candidate cannot leave its box", () => {
  it("os.system and subprocess are refused, and nothing is written on the host", async () => {
    const target = join(tmpdir(), `rk-escape-${process.pid}`);
    rmSync(target, { force: true });
    const r = await score(
      [
        "import os",
        `os.system("id > ${target}")`,
        "import subprocess",
        `subprocess.run(["sh", "-c", "id > ${target}"])`,
        "def f():",
        "    return 1",
      ].join("\n"),
      asserts(["assert f() == 1"]),
    );
    expect(r.reward).toBe(0);
    expect(existsSync(target)).toBe(false);
  });

  it("reaching the FFI runs no JavaScript: no value comes back and no host file is written", async () => {
    const target = join(tmpdir(), `rk-ffi-${process.pid}`);
    rmSync(target, { force: true });
    const js = `require('fs').writeFileSync('${target}', '1'); 42`;
    for (const attempt of [
      `import importlib\nc = importlib.import_module('ctypes')\ndef f():\n    return c.CDLL(None).emscripten_run_script_int(b"${js}")`,
      `import js\ndef f():\n    return js.eval("${js}")`,
      `import pyodide_js\ndef f():\n    return pyodide_js.runPython("42")`,
      `from pyodide.code import run_js\ndef f():\n    return run_js("${js}")`,
    ]) {
      const r = await score(attempt, asserts(["assert f() == 42"]));
      expect(r.reward, attempt).toBe(0);
      expect(existsSync(target), attempt).toBe(false);
    }
  });

  it("reads no host file", async () => {
    const r = await score(
      "def f():\n    return open('/etc/hostname').read() + open('/proc/self/environ').read()",
      asserts(["assert len(f()) > 0"]),
    );
    expect(r.reward).toBe(0);
  });
});

describe("python runtime: nothing survives a sample", () => {
  it("one poisoning sample cannot make later broken HumanEval solutions pass", async () => {
    const poison = [
      "import sys, builtins, os",
      // Reach the server through the frames and rewrite it to answer with the canonical solutions' values.
      "f = sys._getframe()",
      "while f is not None:",
      "    for v in list(f.f_globals.values()):",
      "        if isinstance(v, type) and v.__name__.startswith('_Rk'):",
      "            v.call = lambda self, name, payload: '{\"value\": true}'",
      "            v.load = lambda self, code: {'status': 'pass', 'names': []}",
      "    f = f.f_back",
      "os.makedirs('/tmp/evil', exist_ok=True)",
      "open('/tmp/evil/json.py', 'w').write('dumps = lambda *a, **k: \"{}\"')",
      "sys.path.insert(0, '/tmp/evil')",
      "builtins.len = lambda x: 0",
      "builtins.isinstance = lambda a, b: True",
      "def f():",
      "    return 1",
    ].join("\n");
    await spec.score({ completion: py(poison), reference: asserts(["assert f() == 1"]) });
    const tasks = humaneval.slice(0, 40);
    const broken = await spec.scoreBatch(
      tasks.map((p) => ({ completion: "    return None\n", reference: heRef(p) })),
      { concurrency: 8 },
    );
    expect(
      tasks.filter((_, i) => broken[i]!.status !== "ok" || broken[i]!.reward !== 0).map((p) => p.task_id),
    ).toEqual([]);
    const good = await spec.scoreBatch(
      tasks.map((p) => ({ completion: p.canonical_solution, reference: heRef(p) })),
      { concurrency: 8 },
    );
    expect(good.filter((r) => r.reward !== 1).length).toBe(0);
  });

  it("files, the working directory and modules are back to their start state", async () => {
    await score(
      "import os, json\nos.chdir('/tmp')\nopen('/tmp/x', 'w').write('1')\njson.marker = 1\ndef f():\n    return 1",
      asserts(["assert f() == 1"]),
    );
    const r = await score(
      "import os, json\ndef f():\n    return [os.getcwd(), os.listdir('/tmp'), hasattr(json, 'marker')]",
      asserts(["assert f() == ['/home/pyodide', [], False]"]),
    );
    expect(r.reward).toBe(1);
  });
});
