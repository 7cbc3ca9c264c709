/**
 * The Python client as a user gets it: `pip install ./clients/python` into a fresh venv, then its own tests
 * (clients/python/tests, python3's unittest against real `rewardkit serve` processes they start) run with
 * that venv's python and import the installed package (rk_support refuses the source folder).
 * python3 missing is a failure, not a skip.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./run.js";

interface Ran {
  code: number | null;
  output: string;
  spawnError?: Error;
}

function run(cmd: string, args: string[], cwd = ROOT): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      // The tests start servers with this node (the one running vitest) and must not inherit a token.
      env: { ...process.env, REWARDKIT_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("error", (e) => resolve({ code: null, output, spawnError: e }));
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("Python client package (clients/python)", () => {
  let dir = "";
  let python = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-pyclient-"));
    const venv = await run("python3", ["-m", "venv", join(dir, "venv")]);
    if (venv.spawnError) throw new Error(`python3 could not be started (${venv.spawnError.message})`);
    if (venv.code !== 0) {
      throw new Error(`python3 -m venv failed (on Debian: apt-get install python3-venv):\n${venv.output}`);
    }
    python = join(dir, "venv", "bin", "python");
    // --no-index: the in-tree build backend needs nothing from a package index.
    const pip = await run(python, ["-m", "pip", "install", "--no-index", join(ROOT, "clients/python")], dir);
    expect(pip.code, pip.output).toBe(0);
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs as a typed, dependency-free package", async () => {
    const show = await run(python, ["-m", "pip", "show", "-f", "rewardkit-client"], dir);
    expect(show.code, show.output).toBe(0);
    expect(show.output).toMatch(/^Requires:\s*$/m);
    expect(show.output).toMatch(/rewardkit_client\/py\.typed/);
    const where = await run(python, ["-c", "import rewardkit_client as m; print(m.__file__)"], dir);
    expect(where.code, where.output).toBe(0);
    expect(where.output).toContain(join(dir, "venv"));
    expect(existsSync(join(where.output.trim(), "..", "py.typed"))).toBe(true);
  });

  it("passes its unittest suite against the installed package", async () => {
    const r = await run(python, ["-m", "unittest", "discover", "-s", "clients/python/tests", "-v"]);
    expect(r.code, r.output).toBe(0);
    const ran = /^Ran (\d+) tests? in/m.exec(r.output);
    expect(ran, r.output).not.toBeNull();
    expect(Number(ran![1])).toBeGreaterThan(0);
    expect(r.output).toMatch(/^OK\b/m);
  }, 300_000);
});
