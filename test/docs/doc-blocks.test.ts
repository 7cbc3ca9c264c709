/**
 * Every fenced block of README.md and docs/*.md runs, so a broken example fails CI:
 * - ts/js: all blocks are type-checked together by tsc (strict), then each runs with node against the
 *   built package (node_modules/rewardkit in a temp project is this checkout; `npm test` builds dist/ first);
 * - bash/sh: run by bash with cwd in a temp copy of fixtures/examples and `rewardkit` (also through npx)
 *   on PATH; a block marked `server` starts its first line in the background on a free port, waits until
 *   it listens, runs the rest, then stops the server;
 * - json: parsed; a spec (a `type` naming a node or a grader, or {"grader": ...}) must load, or must be
 *   refused when the block is marked `invalid`; jsonl: every line parsed;
 * - text: output shown for reading, not run.
 * A block that cannot run here (a trainer needing torch, docker, kubectl) says `no-run` after its language;
 * those are counted, and any other language must say it.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allTypes, defaultRegistry, GRADER_TYPES, loadReward, newAjv } from "../../src/index.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const FILES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

interface Block {
  file: string;
  line: number;
  lang: string;
  flags: string[];
  code: string;
}

function blocks(file: string): Block[] {
  const out: Block[] = [];
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  let open: Block | undefined;
  let indent = "";
  const body: string[] = [];
  lines.forEach((l, i) => {
    // Fences may be indented (inside list items): the block's lines lose that indentation.
    const m = /^( *)```(.*)$/.exec(l);
    if (!m || (open && m[1] !== indent)) {
      if (open) body.push(l.startsWith(indent) ? l.slice(indent.length) : l);
      return;
    }
    if (open) {
      open.code = body.join("\n");
      out.push(open);
      open = undefined;
      body.length = 0;
      return;
    }
    indent = m[1]!;
    const [lang = "", ...flags] = m[2]!.trim().split(/\s+/);
    open = { file, line: i + 1, lang, flags, code: "" };
  });
  if (open) throw new Error(`${file}:${open.line}: a fenced block is never closed`);
  return out;
}

const ALL = FILES.flatMap(blocks);
const where = (b: Block) => `${b.file}:${b.line}`;
const kind = (b: Block) =>
  b.flags.includes("no-run")
    ? "no-run"
    : b.lang === "" || b.lang === "text"
      ? "text"
      : b.lang === "sh" || b.lang === "bash"
        ? "bash"
        : b.lang === "ts" || b.lang === "js" || b.lang === "typescript" || b.lang === "javascript"
          ? "ts"
          : b.lang;

const executed: Record<string, number> = {};
const count = (k: string) => {
  executed[k] = (executed[k] ?? 0) + 1;
};

let work = "";
let env: NodeJS.ProcessEnv = {};

function run(cmd: string, args: string[], timeoutMs = 120_000) {
  const r = spawnSync(cmd, args, { cwd: work, env, encoding: "utf8", timeout: timeoutMs });
  return { code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}`, error: r.error };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "rk-docs-"));
  cpSync(join(ROOT, "fixtures/examples"), work, { recursive: true });
  // Blocks written from the repository's root name fixtures/... paths: those resolve in the copy too.
  for (const dir of ["fixtures/examples", "fixtures/eval"])
    cpSync(join(ROOT, dir), join(work, dir), { recursive: true });
  mkdirSync(join(work, "node_modules/.bin"), { recursive: true });
  symlinkSync(ROOT, join(work, "node_modules/rewardkit"), "dir");
  symlinkSync(join(ROOT, "bin/rewardkit.js"), join(work, "node_modules/.bin/rewardkit"));
  writeFileSync(join(work, "package.json"), JSON.stringify({ name: "docs", private: true, type: "module" }));
  env = {
    ...process.env,
    PATH: [join(work, "node_modules/.bin"), dirname(process.execPath), process.env.PATH].join(delimiter),
    NO_COLOR: "1",
    npm_config_update_notifier: "false",
  };
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  const total = Object.values(executed).reduce((a, b) => a + b, 0);
  console.log(`doc blocks: ${ALL.length} found; executed ${JSON.stringify(executed)} (${total} in all)`);
});

describe("doc blocks", () => {
  it("every block has a language this test can run, or says no-run", () => {
    const unknown = ALL.filter((b) => !["no-run", "text", "bash", "ts", "json", "jsonl"].includes(kind(b)));
    expect(unknown.map((b) => `${where(b)}: \`\`\`${b.lang} (mark it no-run, or make it runnable)`)).toEqual(
      [],
    );
    for (const b of ALL) if (kind(b) === "no-run" || kind(b) === "text") count(kind(b));
  });

  it("relative links point at files that exist", () => {
    const broken: string[] = [];
    for (const file of FILES) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const m of text.matchAll(/\]\(([^)\s#]+)(#[^)\s]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const path = join(ROOT, dirname(file), target);
        try {
          readdirSync(dirname(path)).includes(path.split("/").at(-1)!) || broken.push(`${file}: ${target}`);
        } catch {
          broken.push(`${file}: ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  const schema = JSON.parse(readFileSync(join(ROOT, "schema/spec.schema.json"), "utf8"));
  const validateSchema = newAjv({ strict: true }).compile(schema);
  const specTypes = new Set([...allTypes(defaultRegistry), ...GRADER_TYPES]);
  for (const b of ALL.filter((x) => kind(x) === "json" || kind(x) === "jsonl")) {
    it(`${where(b)} ${b.lang}`, () => {
      if (kind(b) === "jsonl") {
        for (const l of b.code.split("\n").filter((x) => x.trim()))
          expect(() => JSON.parse(l), l).not.toThrow();
        count("jsonl");
        return;
      }
      const doc = JSON.parse(b.code);
      const isSpec =
        doc !== null &&
        typeof doc === "object" &&
        ((typeof doc.type === "string" && specTypes.has(doc.type)) || (doc.type === undefined && doc.grader));
      if (isSpec) {
        process.env.REWARDKIT_JUDGE_BASE_URL ??= "http://127.0.0.1:9/v1";
        const bySchema = validateSchema(doc);
        if (b.flags.includes("invalid")) {
          expect(() => loadReward(doc as object)).toThrow();
          expect(bySchema).toBe(false);
        } else {
          loadReward(doc as object);
          expect(bySchema, JSON.stringify(validateSchema.errors)).toBe(true);
        }
        count("json spec");
      } else count("json");
    });
  }

  const tsBlocks = ALL.filter((x) => kind(x) === "ts");
  it("ts/js blocks type-check (strict)", () => {
    const dir = join(work, "blocks");
    mkdirSync(dir, { recursive: true });
    tsBlocks.forEach((b, i) => {
      writeFileSync(join(dir, `b${i}.mts`), `// ${where(b)}\n${b.code}\nexport {};\n`);
    });
    const compilerOptions = {
      strict: true,
      noEmit: true,
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2023",
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      typeRoots: [join(ROOT, "node_modules/@types")],
      types: ["node"],
    };
    writeFileSync(join(work, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["blocks"] }));
    const r = run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."]);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  }, 120_000);

  tsBlocks.forEach((b, i) => {
    it(`${where(b)} ${b.lang} runs`, () => {
      const r = run(process.execPath, [join(work, "blocks", `b${i}.mts`)]);
      expect(r.code, r.out).toBe(0);
      count("ts");
    }, 120_000);
  });

  for (const b of ALL.filter((x) => kind(x) === "bash")) {
    it(`${where(b)} bash${b.flags.length ? ` ${b.flags.join(" ")}` : ""} runs`, async () => {
      if (!b.flags.includes("server")) {
        expect(b.code, "a block that starts a server must say `server`").not.toMatch(/rewardkit serve/);
        const r = run("bash", ["-eo", "pipefail", "-c", b.code]);
        expect(r.code, r.out).toBe(0);
        count("bash");
        return;
      }
      const [first, ...rest] = b.code.split("\n");
      const port = /--port (\d+)/.exec(first!)?.[1];
      const server = spawn("bash", ["-c", `exec ${first!.replace(/--port \d+/, "--port 0")}`], {
        cwd: work,
        env,
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let log = "";
          const on = (d: Buffer) => {
            log += d;
            const m = /serving \S+ at (http:\/\/[\d.]+:\d+)/.exec(log);
            if (m) resolve(m[1]!);
          };
          server.stdout.on("data", on);
          server.stderr.on("data", on);
          server.on("exit", (c) => reject(new Error(`server exited ${c}: ${log}`)));
        });
        const actual = url.split(":").at(-1)!;
        const script = rest.join("\n").replaceAll(`:${port}`, `:${actual}`);
        const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
          const c = spawn("bash", ["-eo", "pipefail", "-c", script], { cwd: work, env });
          let out = "";
          c.stdout.on("data", (d) => {
            out += d;
          });
          c.stderr.on("data", (d) => {
            out += d;
          });
          c.on("close", (code) => resolve({ code, out }));
        });
        expect(r.code, r.out).toBe(0);
        expect(r.out.trim().length, "the commands printed nothing").toBeGreaterThan(0);
        count("bash server");
      } finally {
        server.kill("SIGTERM");
      }
    }, 120_000);
  }
});
