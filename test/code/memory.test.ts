/**
 * memory_mb holds in the process runtime for memory outside the interpreter's heap too: node Buffers
 * (malloc'd, not V8 heap), Python bytearrays, C malloc. Over the limit is memory_limit, never a pass.
 */
import { describe, expect, it } from "vitest";
import { codeSpec, firstVerdict, sandboxModes } from "./helpers.js";

const stdio = { format: "stdio", cases: [{ input: "", output: "done" }] };
const block = (lang: string, src: string) => `\`\`\`${lang}\n${src}\n\`\`\``;
const C_ALLOC = (mib: number) =>
  `#include <stdlib.h>\n#include <string.h>\n#include <stdio.h>\nint main(void) { size_t n = (size_t)${mib} << 20; char *p = malloc(n); if (!p) { fprintf(stderr, "Cannot allocate memory\\n"); return 1; } memset(p, 1, n); puts("done"); return 0; }`;

for (const sandbox of sandboxModes()) {
  describe(`memory_mb 256 on the process runtime (${sandbox})`, () => {
    const spec = (language: string) =>
      codeSpec({
        language,
        sandbox,
        memory_mb: 256,
        // Memory, not time, is under test: a heap bomb takes seconds on a loaded machine.
        time_ms: 60_000,
        budget_base_ms: 120_000,
        runtime: { python: "process", js: "process" },
      });

    it("stops 1.5 GiB of node Buffers (stdio, call and asserts tests)", async () => {
      const s = spec("js");
      const big = "const a = []; for (let i = 0; i < 24; i++) a.push(Buffer.alloc(64 << 20, 1));";
      const r1 = await s.score({ completion: block("js", `${big}\nconsole.log('done')`), reference: stdio });
      expect(r1.status).toBe("ok");
      expect(firstVerdict(r1)).toBe("memory_limit");
      const r2 = await s.score({
        completion: block("js", `function f() { ${big} return a.length }`),
        reference: { format: "call", fn_name: "f", cases: [{ args: [], expected: 24 }] },
      });
      expect(firstVerdict(r2)).toBe("memory_limit");
      const r3 = await s.score({
        completion: block(
          "js",
          "function f() { const a = []; for (let i = 0; i < 24; i++) a.push(new Uint8Array(64 << 20).fill(1)); return a.length }",
        ),
        reference: { format: "asserts", tests: ["if (f() !== 24) throw new Error('no')"] },
      });
      expect(firstVerdict(r3)).toBe("memory_limit");
      for (const r of [r1, r2, r3]) expect(r.reward).toBe(0);
    });

    it("stops a node heap bomb and Buffers that squeeze the heap", async () => {
      const s = spec("js");
      const bomb = await s.score({
        completion: block("js", "const a = []; for (;;) a.push({ x: a.length, s: 's' + a.length });"),
        reference: stdio,
      });
      expect(firstVerdict(bomb)).toBe("memory_limit");
      const mix = await s.score({
        completion: block(
          "js",
          "const o = []; for (let i = 0; i < 2e6; i++) o.push({ i }); const a = []; for (let i = 0; i < 40; i++) a.push(Buffer.alloc(16 << 20, 1)); console.log('done')",
        ),
        reference: stdio,
      });
      expect(firstVerdict(mix)).toBe("memory_limit");
    });

    it("lets node use WebAssembly memory within the limit, not beyond it", async () => {
      const s = spec("js");
      const grow = (pages: number) =>
        s.score({
          completion: block(
            "js",
            `const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 }); m.grow(${pages}); new Uint8Array(m.buffer).fill(1); console.log('done')`,
          ),
          reference: stdio,
        });
      const within = await grow(1600); // 100 MiB
      expect(within.reward, JSON.stringify(within.details?.tests)).toBe(1);
      expect(firstVerdict(await grow(24000))).toBe("memory_limit"); // 1.5 GiB
    });

    it("lets node programs within the limit pass (160 MiB of Buffers plus a heap)", async () => {
      const s = spec("js");
      const r = await s.score({
        completion: block(
          "js",
          "const o = []; for (let i = 0; i < 1e6; i++) o.push({ i }); const a = []; for (let i = 0; i < 10; i++) a.push(Buffer.alloc(16 << 20, 1)); console.log('done')",
        ),
        reference: stdio,
      });
      expect(r.reward, JSON.stringify(r.details?.tests)).toBe(1);
      const c = await s.score({
        completion: block(
          "js",
          "function f() { const a = []; for (let i = 0; i < 12; i++) a.push(Buffer.alloc(16 << 20, 1)); return a.length }",
        ),
        reference: { format: "call", fn_name: "f", cases: [{ args: [], expected: 12 }] },
      });
      expect(c.reward, JSON.stringify(c.details?.tests)).toBe(1);
    });

    it("holds for python3 and C the same way", async () => {
      const py = spec("python");
      const over = await py.score({
        completion: block("python", "x = bytearray(1536 << 20)\nprint('done')"),
        reference: stdio,
      });
      expect(firstVerdict(over)).toBe("memory_limit");
      const within = await py.score({
        completion: block("python", "x = bytearray(150 << 20)\nprint('done')"),
        reference: stdio,
      });
      expect(within.reward).toBe(1);
      const c = spec("c");
      expect(firstVerdict(await c.score({ completion: block("c", C_ALLOC(1536)), reference: stdio }))).toBe(
        "memory_limit",
      );
      expect((await c.score({ completion: block("c", C_ALLOC(150)), reference: stdio })).reward).toBe(1);
    });
  });
}
