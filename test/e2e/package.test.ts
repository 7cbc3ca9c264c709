/**
 * The package as a user gets it: `npm pack`, then `npm install ./rewardkit-x.tgz` into an empty project in
 * a temp dir outside the checkout (dependencies from the npm cache where it has them), and `npm install -g`
 * from the checkout into a temp prefix. Each checks what a user touches: the `rewardkit` bin, the library,
 * the schema through `exports`, and the code runtimes (isolated-vm, Pyodide with its judge and candidate
 * workers) running from node_modules. Also: SIGTERM to `npx rewardkit serve` stops the server.
 * Install time and tarball size are printed (figures, not assertions).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, type Run, runProcess } from "./run.js";

const NPM_ENV = { npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runProcess(cmd, args, { cwd, env: { ...NPM_ENV, ...env } });
}

// npm and npx from PATH; their `#!/usr/bin/env node` runs the node that scripts/node24.sh put first there.
const NPM = "npm";
const NPX = "npx";

const LIBRARY_CHECK = `
import { loadReward, isOk } from "rewardkit";
import schema from "rewardkit/schema.json" with { type: "json" };
const out = {};
out.schemaTitle = typeof schema.$schema;
const r = loadReward({ type: "code", runtime: { python: "python", js: "js" } });
const add = (lang, code) => ({
  completion: "\`\`\`" + lang + "\\n" + code + "\\n\`\`\`",
  reference: { format: "asserts", language: lang, tests: lang === "python" ? ["assert add(1, 2) == 3"] : ["if (add(1, 2) !== 3) throw new Error('no')"] },
});
const results = await r.scoreBatch([
  add("python", "def add(a, b):\\n    return a + b"),
  add("python", "def add(a, b):\\n    return a - b"),
  add("js", "function add(a, b) { return a + b; }"),
  add("js", "function add(a, b) { return a * b; }"),
]);
out.rewards = results.map((x) => (isOk(x) ? x.reward : x.status + ":" + JSON.stringify(x.error ?? x)));
console.log(JSON.stringify(out));
process.exit(0);
`;

function serveUntilListening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let log = "";
    const onData = (d: Buffer) => {
      log += d;
      const m = /serving \S+ at (http:\/\/[\d.:]+)/.exec(log);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("close", (code) => reject(new Error(`serve exited ${code} before listening:\n${log}`)));
  });
}

async function alive(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return r.ok;
  } catch {
    return false;
  }
}

describe("npm package", () => {
  let dir = "";
  let project = "";
  let tarball = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rk-pack-"));
    // dist/ is built by pretest; --ignore-scripts keeps pack from rebuilding it.
    const pack = await run(NPM, ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], ROOT);
    expect(pack.code, pack.stderr).toBe(0);
    const info = JSON.parse(pack.stdout)[0] as { filename: string; size: number; unpackedSize: number };
    tarball = join(dir, info.filename);
    console.log(
      `tarball ${info.filename}: ${(info.size / 1024).toFixed(0)} kB packed, ${(info.unpackedSize / 1024).toFixed(0)} kB unpacked`,
    );
    project = join(dir, "app");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "app", private: true, type: "module" }),
    );
    const t0 = performance.now();
    const install = await run(NPM, ["install", "--prefer-offline", tarball], project);
    console.log(
      `npm install of the tarball into an empty project: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(install.code, install.stderr).toBe(0);
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("ships what the runtimes load and nothing of the sources or tests", async () => {
    const pkg = join(project, "node_modules", "rewardkit");
    for (const f of ["bin/rewardkit.js", "dist/index.js", "dist/index.d.ts", "schema/spec.schema.json"]) {
      expect(existsSync(join(pkg, f)), f).toBe(true);
    }
    expect(existsSync(join(pkg, "src")), "src/").toBe(false);
    expect(existsSync(join(pkg, "test")), "test/").toBe(false);
  });

  it("provides the rewardkit bin", async () => {
    const bin = join(project, "node_modules", ".bin", "rewardkit");
    const v = await run(bin, ["--version"], project);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
    const example = join(project, "node_modules/rewardkit/fixtures/examples/think-answer.jsonl");
    const s = await run(bin, ["score", "--spec", "think-answer", "--input", example], project);
    expect(s.code, s.stderr).toBe(0);
    const rows = s.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { status: string; reward: number });
    expect(rows.length).toBeGreaterThan(2);
    expect(rows[0]).toMatchObject({ status: "ok", reward: 1 });
  }, 120_000);

  it("provides the library, the schema through exports, and the code runtimes from node_modules", async () => {
    const file = join(project, "check.mjs");
    writeFileSync(file, LIBRARY_CHECK);
    const r = await run(process.execPath, [file], project);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(out.schemaTitle).toBe("string");
    expect(out.rewards).toEqual([1, 0, 1, 0]);
  }, 300_000);

  it("SIGTERM to `npx rewardkit serve` stops the server", async () => {
    const child = spawn(NPX, ["rewardkit", "serve", "--spec", "think-answer", "--port", "0"], {
      cwd: project,
      env: { ...process.env, ...NPM_ENV },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = await serveUntilListening(child);
    const health = (await (await fetch(`${url}/health`)).json()) as { pid: number };
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGTERM");
    await exited;
    // The node process npx started must not outlive it: poll until the port stops answering.
    let up = true;
    for (let i = 0; i < 50 && up; i++) {
      up = await alive(url);
      if (up) await new Promise((r) => setTimeout(r, 200));
    }
    if (up) process.kill(health.pid, "SIGKILL"); // leave no orphan behind when the check fails
    expect(up, `${url} still answers 10 s after SIGTERM to npx`).toBe(false);
  }, 120_000);

  it("npm install -g from the checkout provides the bin", async () => {
    const prefix = join(dir, "global");
    const g = await run(NPM, ["install", "-g", "--prefer-offline", "--prefix", prefix, ROOT], dir);
    expect(g.code, g.stderr).toBe(0);
    const r = await run(join(prefix, "bin", "rewardkit"), ["validate", "think-answer"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/think_answer|weighted/);
  }, 300_000);
});
