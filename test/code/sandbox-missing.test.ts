/**
 * Without bubblewrap (REWARDKIT_BWRAP=none): the process runtime refuses (sandbox_error, never a 0)
 * unless the spec says "sandbox": "none", and then every surface says the run was unsandboxed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, startServe } from "../e2e/run.js";
import { codeSpec } from "./helpers.js";

process.env.REWARDKIT_BWRAP = "none";

const sample = {
  completion: "```python\nprint(input())\n```",
  reference: { format: "stdio", cases: [{ input: "hi", output: "hi" }] },
};
const tmp = mkdtempSync(join(tmpdir(), "rk-sandbox-missing-"));
const specFile = (extra: Record<string, unknown>) => {
  const f = join(tmp, `spec-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify({ type: "code", runtime: { python: "process" }, ...extra }));
  return f;
};

describe("process runtime without bubblewrap", () => {
  for (const sandbox of [undefined, "auto", "bwrap"]) {
    it(`refuses with sandbox_error, never 0 (sandbox: ${sandbox ?? "default"})`, async () => {
      const r = await codeSpec({ runtime: { python: "process" }, ...(sandbox ? { sandbox } : {}) }).score(
        sample,
      );
      expect(r.status).toBe("error");
      expect(r.reward).toBeNull();
      expect(r.error?.kind).toBe("sandbox_error");
      expect(r.error?.message).toMatch(/bubblewrap \(bwrap\) is missing/);
      expect(r.error?.message).toMatch(/apt-get install bubblewrap/);
      expect(r.error?.message).toMatch(/"sandbox": "none"/);
    });
  }

  it("refuses even a completion without code (a misconfigured machine is never a silent reward)", async () => {
    const r = await codeSpec({ runtime: { python: "process" } }).score({
      ...sample,
      completion: "```js\nno python\n```",
    });
    expect(r.error?.kind).toBe("sandbox_error");
  });

  it("still runs the in-process runtimes and says which isolation they got", async () => {
    const r = await codeSpec().score(sample);
    expect(r.reward).toBe(1);
    expect(r.details?.isolation).toBe("pyodide-wasm+node-permission"); // no bwrap here: Node's permission model only;
    const j = await codeSpec({ language: "js" }).score({
      ...sample,
      completion: "```js\nconsole.log(require('fs').readFileSync(0, 'utf8').trim())\n```",
    });
    expect(j.reward, JSON.stringify(j.error)).toBe(1);
    expect(j.details?.isolation).toBe("isolated-vm");
  });

  for (const sandbox of ["none", "rlimits"]) {
    it(`runs unsandboxed when the spec says "${sandbox}", and says so`, async () => {
      const r = await codeSpec({ runtime: { python: "process" }, sandbox }).score(sample);
      expect(r.reward).toBe(1);
      expect(r.details?.isolation).toBe("none (rlimits only)");
      const wrong = await codeSpec({ runtime: { python: "process" }, sandbox }).score({
        ...sample,
        completion: "```python\nprint('no')\n```",
      });
      expect(wrong.status).toBe("ok");
      expect(wrong.reward).toBe(0);
      expect(wrong.details?.isolation).toBe("none (rlimits only)");
    });
  }

  it("names a broken bwrap and what it said", async () => {
    const saved = process.env.REWARDKIT_BWRAP;
    process.env.REWARDKIT_BWRAP = "/nonexistent/bwrap";
    try {
      const r = await runCli(["score", "-s", specFile({})], JSON.stringify(sample));
      const row = JSON.parse(r.stdout.trim());
      expect(row.status).toBe("error");
      expect(row.error.kind).toBe("sandbox_error");
      expect(row.error.message).toMatch(/bubblewrap \(\/nonexistent\/bwrap\) is broken here: .*ENOENT/);
    } finally {
      process.env.REWARDKIT_BWRAP = saved;
    }
  });

  it("rewardkit score names the isolation and warns loudly about unsandboxed runs", async () => {
    const input = [sample, sample, { ...sample, completion: "```js\nno python\n```" }]
      .map((s) => JSON.stringify(s))
      .join("\n");
    const r = await runCli(["score", "-s", specFile({ sandbox: "none" })], input);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/code isolation: none \(rlimits only\) \(2\)/);
    expect(r.stderr).toMatch(/WARNING: 2 code result\(s\) ran .*NO SANDBOX/);
    const refused = await runCli(["score", "-s", specFile({})], JSON.stringify(sample));
    expect(refused.stderr).toMatch(/errors: sandbox_error 1/);
    expect(refused.stderr).not.toMatch(/code isolation/);
  });

  describe("GET /health", () => {
    const servers: { stop: () => Promise<void> }[] = [];
    afterAll(async () => {
      for (const s of servers) await s.stop();
    });

    it("warns when the spec asked for none and says the default would refuse", async () => {
      const none = await startServe(["--spec", specFile({ sandbox: "none" })]);
      servers.push(none);
      const h = (await (await fetch(`${none.url}/health`)).json()) as { code: Record<string, string> };
      expect(h.code.process).toMatch(/^WARNING: none \(rlimits only\).*unsandboxed/);
      expect(h.code.js).toBe("isolated-vm");
      const auto = await startServe(["--spec", specFile({ runtime: {} })]);
      servers.push(auto);
      const a = (await (await fetch(`${auto.url}/health`)).json()) as { code: Record<string, string> };
      expect(a.code).toEqual({
        python: "pyodide-wasm+node-permission",
        js: "isolated-vm",
        process: expect.stringMatching(/^refused \(sandbox_error\).*bubblewrap \(bwrap\) is missing/),
      });
    });
  });
});
