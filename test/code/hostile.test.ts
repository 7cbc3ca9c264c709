/**
 * Every program in fixtures/hostile/ gets its expected verdict, on every sandbox mode of the process
 * runtime that works here; afterwards no process of the sandbox is left and the host is untouched.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isOwnUid, processesOf, sandboxFacts } from "../../src/verifiers/code/runtimes/sandbox.js";
import { codeSpec, firstVerdict, REPO, sandboxModes } from "./helpers.js";

interface Fixture {
  name: string;
  language: string;
  runtime: "js" | "python" | "process";
  completion: string;
  reference: Record<string, unknown>;
  expect: string | string[];
  expect_by_isolation?: Record<string, string | string[]>;
}

const DIR = `${REPO}/fixtures/hostile`;
const fixtures: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")));
const CANARY = join(tmpdir(), `rewardkit-canary-${process.pid}`);
const PWNED = [`${REPO}/rk-pwned`, "/root/rk-pwned", "/etc/rk-pwned", "/usr/rk-pwned"];
const envBefore = { ...process.env };

/** Fixtures name host paths as $-{CANARY} and $-{REPO} (without the dash). */
function substitute(s: string): string {
  return s.replaceAll("$" + "{CANARY}", CANARY).replaceAll("$" + "{REPO}", REPO);
}

beforeAll(() => {
  process.env.REWARDKIT_CANARY = "canary-secret";
  writeFileSync(CANARY, "canary-secret");
  chmodSync(CANARY, 0o600);
});

afterAll(() => {
  rmSync(CANARY, { force: true });
  delete process.env.REWARDKIT_CANARY;
});

async function run(f: Fixture, sandbox: string) {
  const runtime = {
    python: f.runtime === "process" ? "process" : "python",
    js: f.runtime === "process" ? "process" : "js",
  };
  const spec = codeSpec({ runtime, sandbox, language: f.language });
  return spec.score({ completion: substitute(f.completion), reference: f.reference });
}

describe("hostile programs", () => {
  it("has at least 30 of them across the runtimes", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    expect(new Set(fixtures.map((f) => f.runtime))).toEqual(new Set(["js", "python", "process"]));
  });

  for (const runtime of ["js", "python"] as const) {
    it(`get their expected verdicts in the ${runtime} runtime`, async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const f of fixtures.filter((x) => x.runtime === runtime)) {
        const r = await run(f, "auto");
        expect(r.status, `${f.name}: ${JSON.stringify(r.error)}`).toBe("ok");
        const v = firstVerdict(r);
        const ok = Array.isArray(f.expect) ? f.expect.includes(v) : f.expect === v;
        got.push(`${f.name}: ${v}`);
        want.push(`${f.name}: ${ok ? v : JSON.stringify(f.expect)}`);
        expect(r.reward, f.name).toBe(v === "pass" ? 1 : 0);
      }
      expect(got).toEqual(want);
    });
  }

  for (const mode of sandboxModes()) {
    it(`get their expected verdicts in the process runtime (${mode})`, async () => {
      const isolation = mode === "bwrap" ? "bwrap" : "none (rlimits only)";
      const got: string[] = [];
      const want: string[] = [];
      for (const f of fixtures.filter((x) => x.runtime === "process")) {
        const r = await run(f, mode);
        expect(r.status, `${f.name}: ${JSON.stringify(r.error)}`).toBe("ok");
        expect(r.details?.isolation).toBe(isolation);
        const v = firstVerdict(r);
        const e = f.expect_by_isolation?.[isolation] ?? f.expect;
        const ok = Array.isArray(e) ? e.includes(v) : e === v;
        got.push(`${f.name}: ${v}`);
        want.push(`${f.name}: ${ok ? v : JSON.stringify(e)}`);
      }
      expect(got).toEqual(want);
    });
  }

  it("leaves no process behind and the host untouched", async () => {
    if (sandboxFacts().root && sandboxFacts().setpriv) {
      // Not one live process of this process's sandbox uids (zombies are dead, waiting for init to reap
      // them; other test files run their own programs under their own block of uids meanwhile).
      // A sweep may still be finishing on a loaded machine: give it a few seconds (a daemon that escaped
      // the sweep is still there after them).
      for (let i = 0; i < 50 && processesOf(isOwnUid).length > 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(processesOf(isOwnUid)).toEqual([]);
    }
    expect(readFileSync(CANARY, "utf8")).toBe("canary-secret");
    for (const p of PWNED) expect(existsSync(p), p).toBe(false);
    expect(({} as Record<string, unknown>).rkPolluted).toBeUndefined();
    const a: number[] = [];
    a.push(1);
    expect(a).toEqual([1]);
    const env = { ...process.env };
    delete env.REWARDKIT_CANARY;
    expect(env).toEqual(envBefore);
  });
});
