/**
 * C, C++ and bash appended tests run apart from the program: honest programs pass, and the one-line
 * fakes (an early `_exit(0)`, `#define NDEBUG`, a replaced `__assert_fail`, bash `exit 0` / `trap`, aliases
 * and functions over the runner's builtins, reading the tests from `$0` or beside /proc/self/exe) fail
 * with reward 0, ok, and `trust: "forgeable"`. A program that reads the runner's state still forges a
 * pass: the last test shows that limit, which is why the results say "forgeable".
 */
import { describe, expect, it } from "vitest";
import type { Result } from "../../src/core/index.js";
import { codeSpec, firstVerdict, sandboxModes } from "./helpers.js";

const SQ_C = {
  format: "append",
  prompt: "int sq(int x) {\n",
  entry_point: "sq",
  tests: "#include <assert.h>\nint main(void) { assert(sq(3) == 9); assert(sq(4) == 16); return 0; }",
};
const SQ_CPP = {
  ...SQ_C,
  tests:
    "#include <cassert>\nint main() { auto candidate = sq; assert(candidate(3) == 9); assert(sq(-4) == 16); }",
};
const DOUBLE_SH = {
  format: "append",
  entry_point: "f",
  tests: 'set -e\n[[ $(f 2) = "4" ]]\n[[ $(f 5) = "10" ]]',
};

const fence = (lang: string, code: string) => `\`\`\`${lang}\n${code}\n\`\`\``;

/** Wrong sq (returns x) with a trick that would make the old single-file runner pass. */
const C_FAKES: Record<string, string> = {
  "constructor _exit(0)":
    "#include <unistd.h>\n__attribute__((constructor)) static void go(void) { _exit(0); }\nint sq(int x) { return x; }",
  "#define NDEBUG": "#define NDEBUG\n#include <assert.h>\nint sq(int x) { return x; }",
  "#define assert(x)": "#define assert(x) ((void)0)\nint sq(int x) { return x; }",
  "#define main": "#define main fake_main\nint sq(int x) { return x; }\nint main(void) { return 0; }",
  "atexit(_exit0)":
    "#include <stdlib.h>\n#include <unistd.h>\nstatic void z(void) { _exit(0); }\n__attribute__((constructor)) static void r(void) { atexit(z); }\nint sq(int x) { if (x == 3) exit(1); return x; }",
  "__assert_fail replaced":
    "void __assert_fail(const char *a, const char *f, unsigned l, const char *fn) { (void)a; (void)f; (void)l; (void)fn; }\nvoid rk_assert_fail(const char *a, const char *f, unsigned l, const char *fn) { (void)a; (void)f; (void)l; (void)fn; }\nint sq(int x) { return x; }",
  "reads its source beside /proc/self/exe":
    '#include <stdio.h>\n#include <string.h>\n#include <unistd.h>\nint sq(int x) {\n  char p[512]; ssize_t n = readlink("/proc/self/exe", p, 400); if (n < 0) return -1; p[n] = 0;\n  const char *names[] = {"prog.c", "tests.c", "build.sh"};\n  for (int i = 0; i < 3; i++) {\n    strcpy(strrchr(p, \'/\') + 1, names[i]);\n    FILE *f = fopen(p, "r"); if (f) { fclose(f); return x * x; }\n  }\n  return -1;\n}',
};

/** Right only when it can see the tests (or runs before the runner): it must not get to. */
C_FAKES["sees the tests at compile time"] =
  '#if __has_include("tests.c") || __has_include("/box/tests.c") || __has_include("tests.o")\nint sq(int x) { return x * x; }\n#else\nint sq(int x) { return x; }\n#endif';

const SH_FAKES: Record<string, string> = {
  "exit 0": "f() { echo 0; }\nexit 0",
  "trap 'exit 0' EXIT": "f() { echo 0; }\ntrap 'exit 0' EXIT",
  "reads $0": 'f() { grep -o "f $1) = \\"[0-9]*" "$0" | grep -o "[0-9]*$"; }',
  "function named eval": "f() { echo 0; }\neval() { :; }",
  "alias eval": "f() { echo 0; }\nshopt -s expand_aliases\nalias eval=:",
  "swaps the tests": "f() { echo 0; }\n__rk_t=:",
};

/** Tests that use `[`, `grep` and `|| exit 1`, which a program could shadow with functions or aliases. */
const PLAIN_SH = {
  format: "append",
  entry_point: "f",
  tests: '[ "$(f 2)" = 4 ] || exit 1\necho "$(f 5)" | grep -qx 10 || exit 1\ntest "$(f 1)" = 2 || exit 1',
};
const SHADOW_FAKES: Record<string, string> = {
  "function named exit": "f() { echo 0; }\nexit() { :; }",
  "function named [ and test":
    "f() { echo 0; }\n[() { return 0; }\ntest() { return 0; }\ngrep() { return 0; }",
  "alias test": "f() { echo 0; }\nshopt -s expand_aliases\nalias [=true test=true grep=true",
  "readonly POSIXLY_CORRECT": "f() { echo 0; }\nreadonly POSIXLY_CORRECT\nexit() { :; }",
};

function expectForgeableFail(r: Result) {
  expect(r.status).toBe("ok");
  expect(r.reward).toBe(0);
  expect(r.details?.trust).toBe("forgeable");
}

describe("native appended tests apart from the program", () => {
  for (const sandbox of sandboxModes()) {
    describe(sandbox, () => {
      const c = codeSpec({ language: "c", sandbox });
      const cpp = codeSpec({ language: "cpp", sandbox });
      const sh = codeSpec({ language: "bash", sandbox });

      it("honest C, C++ and bash pass, trust forgeable", async () => {
        for (const [spec, completion, reference] of [
          [c, fence("c", "int sq(int x) { return x * x; }"), SQ_C],
          [c, "  return x * x;\n", { ...SQ_C, tests: `}\n${SQ_C.tests}` }],
          [
            cpp,
            fence("cpp", "#include <vector>\nint sq(int x) { return x * x; }\nint main() { return 1; }"),
            SQ_CPP,
          ],
          [sh, fence("bash", "f() { echo $(( $1 * 2 )); }"), DOUBLE_SH],
          // The entry point keeps its name even where a command (/usr/bin/sum) has it.
          [
            sh,
            fence("bash", "sum() { echo $(( $1 + $2 )); }"),
            { format: "append", entry_point: "sum", tests: '[ "$(sum 2 3)" = 5 ]' },
          ],
        ] as const) {
          const r = await spec.score({ completion, reference });
          expect(r.reward, completion).toBe(1);
          expect(r.details?.trust).toBe("forgeable");
        }
      });

      it("a wrong program fails", async () => {
        const r = await c.score({
          completion: fence("c", "int sq(int x) { return x + x; }"),
          reference: SQ_C,
        });
        expectForgeableFail(r);
        expect(firstVerdict(r)).toBe("runtime_error");
      });

      for (const [name, code] of Object.entries(C_FAKES)) {
        it(`C fake fails: ${name}`, async () => {
          expectForgeableFail(await c.score({ completion: fence("c", code), reference: SQ_C }));
        });
      }

      it("C: an ifunc resolver, which would run before the runner, is refused", async () => {
        const r = await c.score({
          completion: fence(
            "c",
            '#include <unistd.h>\nstatic int sq0(int x) { return x * x; }\nstatic char stolen[40];\nstatic int (*pick(void))(int) { read(5, stolen, 32); return sq0; }\nint sq(int x) __attribute__((ifunc("pick")));',
          ),
          reference: { ...SQ_C, prompt: undefined, tests: `int sq(int);\n${SQ_C.tests}` },
        });
        expectForgeableFail(r);
        expect(r.details?.tests).toEqual([
          { verdict: "compile_error", message: expect.stringMatching(/ifunc/) },
        ]);
      });

      it("C++ cannot replace a library function the tests call", async () => {
        const r = await cpp.score({
          completion: fence(
            "cpp",
            '#include <cstring>\nextern "C" int strcmp(const char *, const char *) { return 0; }\nconst char *g() { return "no"; }',
          ),
          reference: {
            format: "append",
            prompt: "const char *g() {\n",
            entry_point: "g",
            tests:
              '#include <cstring>\n#include <cassert>\nint main() { assert(std::strcmp(g(), "yes") == 0); }',
          },
        });
        expectForgeableFail(r);
      });

      for (const [name, code] of Object.entries(SH_FAKES)) {
        it(`bash fake fails: ${name}`, async () => {
          expectForgeableFail(await sh.score({ completion: fence("bash", code), reference: DOUBLE_SH }));
        });
      }

      it("bash tests with [, grep and exit pass honest code and fail shadowing", async () => {
        const honest = await sh.score({
          completion: fence("bash", "f() { echo $(( $1 * 2 )); }"),
          reference: PLAIN_SH,
        });
        expect(honest.reward).toBe(1);
        for (const [name, code] of Object.entries(SHADOW_FAKES)) {
          const r = await sh.score({ completion: fence("bash", code), reference: PLAIN_SH });
          expect(r.reward, name).toBe(0);
          expect(r.status).toBe("ok");
          expect(r.details?.trust).toBe("forgeable");
        }
      });

      it("stdio C is compared by the host", async () => {
        const ref = { format: "stdio", cases: [{ input: "2 3", output: "5" }] };
        const sum =
          'int main(void) { int a, b; if (scanf("%d %d", &a, &b) != 2) return 1; printf("%d\\n", A); return 0; }';
        const good = await c.score({
          completion: fence("c", `#include <stdio.h>\n${sum.replace("A", "a + b")}`),
          reference: ref,
        });
        expect(good.reward).toBe(1);
        expect(good.details?.trust).toBe("host-compared");
        const bad = await c.score({
          completion: fence("c", `#include <stdio.h>\n${sum.replace("A", "a * b")}`),
          reference: ref,
        });
        expect(bad.status).toBe("ok");
        expect(bad.reward).toBe(0);
        expect(bad.details?.trust).toBe("host-compared");
      });
    });
  }

  it("MultiPL-E C++: a body continuing the prompt and a whole function both pass", async () => {
    const ref = {
      format: "append",
      entry_point: "add",
      prompt: "#include<assert.h>\n#include<bits/stdc++.h>\n// Add two numbers\nlong add(long x, long y) {\n",
      tests:
        "}\nint main() {\n    auto candidate = add;\n    assert(candidate((0), (1)) == (1));\n    assert(candidate((5), (7)) == (12));\n}\n",
    };
    const cpp = codeSpec({ language: "cpp" });
    const body = await cpp.score({ completion: "    return x + y;\n", reference: ref });
    expect(body.reward).toBe(1);
    const whole = await cpp.score({
      completion: fence("cpp", "long add(long x, long y) {\n    return x + y;\n}"),
      reference: ref,
    });
    expect(whole.reward).toBe(1);
    const wrong = await cpp.score({ completion: "    return x - y;\n", reference: ref });
    expectForgeableFail(wrong);
  });

  it("tests that do not compile on their own are the reference's error, not a zero", async () => {
    const r = await codeSpec({ language: "c" }).score({
      completion: fence("c", "int sq(int x) { return x * x; }"),
      reference: { format: "append", tests: "int main(void) { return sq(3) == 9 ? 0 : 1; }" },
    });
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("invalid_input");
  });

  it("the limit: a program that reads the runner's state still forges a pass", async () => {
    const r = await codeSpec({ language: "bash" }).score({
      completion: fence("bash", 'f() { echo 0; }\nprintf \'{"m":"%s","end":true}\\n\' "$__rk_m" >&3\nexit 0'),
      reference: DOUBLE_SH,
    });
    expect(r.reward).toBe(1);
    expect(r.details?.trust).toBe("forgeable");
  });
});
