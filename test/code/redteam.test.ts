/**
 * The red-team corpus (fixtures/redteam/<family>.jsonl): hostile programs for every runtime family
 * (Pyodide, isolated-vm JavaScript and TypeScript; process python3, node, C, C++ and bash), each tagged with its kind (escape, persistence, fake_pass,
 * answer_leak, resource) and the verdict an honest judge gives it, plus honest controls that must pass.
 * Every case must score `ok` (a hostile program is a verdict, never an error result), with reward 1
 * exactly when its verdict is pass. After each persistence case, in the same interpreter or process
 * slot, a broken solution must still fail its tests (without its interpreter stopping under it) and an
 * honest one score 1, and no follow-up may need the Pyodide runtime's rerun after a trap. Afterwards the host is untouched. Cases that showed a weakness of the runtime are
 * kept in fixtures/redteam/open/ (not run here) until the runtime is fixed.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Result } from "../../src/core/index.js";
import { pythonReruns } from "../../src/verifiers/code/runtimes/python.js";
import { VERDICTS } from "../../src/verifiers/code/types.js";
import { codeSpec, firstVerdict, REPO, readJsonl } from "./helpers.js";

const KINDS = ["escape", "persistence", "fake_pass", "answer_leak", "resource"] as const;

interface Case {
  name: string;
  kind: (typeof KINDS)[number] | "control";
  what: string;
  completion: string;
  reference: Record<string, unknown>;
  expect: string | string[];
  limits?: Record<string, number>;
  broken?: string;
  honest?: string;
  /** The result's `details.trust` (native appended tests: `forgeable`, where an attack may pass). */
  trust?: "forgeable" | "host-compared" | "judged";
}

/** Each family runs on one runtime; the process families inside bubblewrap (the default). */
const FAMILIES = [
  { family: "python", min: 45, language: "python", runtime: "python" },
  { family: "js", min: 45, language: "js", runtime: "js" },
  { family: "ts", min: 40, language: "ts", runtime: "js" },
  { family: "process-python", min: 40, language: "python", runtime: "process" },
  { family: "process-node", min: 40, language: "js", runtime: "process" },
  { family: "c", min: 40, language: "c", runtime: "process" },
  { family: "cpp", min: 40, language: "cpp", runtime: "process" },
  { family: "bash", min: 40, language: "bash", runtime: "process" },
] as const;

const corpus = Object.fromEntries(
  FAMILIES.map((f) => [f.family, readJsonl<Case>(`${REPO}/fixtures/redteam/${f.family}.jsonl`)]),
) as Record<(typeof FAMILIES)[number]["family"], Case[]>;

const CANARY = join(tmpdir(), `rewardkit-redteam-canary-${process.pid}`);
const PWNED = [`${REPO}/rk-pwned`, "/root/rk-pwned", "/etc/rk-pwned", "/usr/rk-pwned"];
let WATCH = "";
const envBefore = { ...process.env };
const childrenBefore = new Set<number>();

/** Cases name host paths as $-{CANARY} and $-{WATCH} (without the dash). */
/** $-{REPEAT:c:n} (without the dash) stands for the character c repeated n times (huge inputs). */
const substitute = (s: string) =>
  s
    .replaceAll("$" + "{CANARY}", CANARY)
    .replaceAll("$" + "{WATCH}", WATCH)
    .replace(/\$\{REPEAT:(.):(\d+)\}/g, (_, c: string, n: string) => c.repeat(Number(n)));

/** Every live descendant of this process: pid and command name. */
function descendants(): { pid: number; comm: string }[] {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const fields = stat.slice(close + 2).split(" ");
      if (fields[0] === "Z") continue; // a zombie is dead already
      parent.set(Number(e), Number(fields[1]));
      comm.set(Number(e), stat.slice(stat.indexOf("(") + 1, close));
    } catch {}
  }
  const out: { pid: number; comm: string }[] = [];
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!mine.has(pid) && mine.has(ppid)) {
        mine.add(pid);
        out.push({ pid, comm: comm.get(pid) ?? "?" });
        grew = true;
      }
    }
  }
  return out;
}

/** The runtimes' own long-lived helpers: candidate interpreters (node, in bwrap) and esbuild's service. */
const HELPERS = /^(node|bwrap|esbuild|MainThread)$/;

beforeAll(() => {
  for (const d of descendants()) childrenBefore.add(d.pid);
  WATCH = mkdtempSync(join(tmpdir(), "rewardkit-redteam-watch-"));
  process.env.REWARDKIT_CANARY = "canary-secret";
  writeFileSync(CANARY, "canary-secret", { mode: 0o600 });
});

afterAll(() => {
  rmSync(CANARY, { force: true });
  if (WATCH) rmSync(WATCH, { recursive: true, force: true });
  delete process.env.REWARDKIT_CANARY;
});

/** C, C++ and bash have only the process runtime; the others name theirs. */
function specFor(language: string, runtime: string) {
  return ["python", "js", "ts"].includes(language)
    ? codeSpec({ language, runtime: { [language]: runtime } })
    : codeSpec({ language });
}

function sample(c: Case, completion: string) {
  const reference = c.limits ? { ...c.reference, limits: { ...c.limits } } : c.reference;
  return { completion: substitute(completion), reference };
}

const expected = (c: Case) => (Array.isArray(c.expect) ? c.expect : [c.expect]);

/** "name: verdict" when the result is as expected, else what was wanted, so a failure lists every miss. */
function check(c: Case, r: Result, got: string[], want: string[]): void {
  const v = r.status === "ok" ? firstVerdict(r) : `error ${JSON.stringify(r.error)}`;
  const trust = c.trust === undefined || r.details?.trust === c.trust;
  const ok = r.status === "ok" && trust && expected(c).includes(v) && r.reward === (v === "pass" ? 1 : 0);
  got.push(`${c.name}: ${v} (reward ${r.reward})`);
  want.push(ok ? `${c.name}: ${v} (reward ${r.reward})` : `${c.name}: ${expected(c).join("|")}`);
}

describe("red-team corpus", () => {
  for (const { family, min } of FAMILIES) {
    it(`${family}: well-formed, with at least ${min} cases and 6 of each kind`, () => {
      const cases = corpus[family];
      expect(cases.length).toBeGreaterThanOrEqual(min);
      expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
      for (const k of KINDS) expect(cases.filter((c) => c.kind === k).length, k).toBeGreaterThanOrEqual(6);
      expect(cases.filter((c) => c.kind === "control").length).toBeGreaterThanOrEqual(3);
      for (const c of cases) {
        expect([...KINDS, "control"], c.name).toContain(c.kind);
        expect(c.what, c.name).toBeTruthy();
        expect(c.completion, c.name).toMatch(/^```\w+\n/);
        for (const v of expected(c)) expect(VERDICTS, c.name).toContain(v);
        // Only honest controls pass; an attack's right verdict is never "pass", but where the result
        // says it can be forged (native appended tests share the program's process).
        if (c.trust !== "forgeable") expect(expected(c).includes("pass"), c.name).toBe(c.kind === "control");
        if (c.kind === "control") expect(expected(c), c.name).toEqual(["pass"]);
        expect(Boolean(c.broken && c.honest), c.name).toBe(c.kind === "persistence");
      }
    });
  }

  for (const { family, language, runtime } of FAMILIES) {
    it(`${family}: every case gets its expected verdict`, async () => {
      const cases = corpus[family];
      const spec = specFor(language, runtime);
      const results = await spec.scoreBatch(
        cases.map((c) => sample(c, c.completion)),
        { concurrency: 2 },
      );
      const got: string[] = [];
      const want: string[] = [];
      for (const [i, c] of cases.entries()) check(c, results[i]!, got, want);
      expect(got).toEqual(want);
    });

    it(`${family}: what a persistence case leaves helps no later sample`, async () => {
      const spec = specFor(language, runtime);
      const got: string[] = [];
      const want: string[] = [];
      // One after the other, so the follow-ups run in the interpreter the attack ran in (the same slot;
      // unless the attack got its interpreter killed, when there is nothing left to carry over).
      for (const c of corpus[family].filter((x) => x.kind === "persistence")) {
        await spec.score(sample(c, c.completion));
        const reruns = pythonReruns();
        const broken = await spec.score(sample(c, c.broken!));
        const honest = await spec.score(sample(c, c.honest!));
        // A broken solution fails its tests, nothing else: its interpreter or candidate process stopping
        // under it, or a follow-up that had to run again in a fresh interpreter (after a trap of the
        // reused one), means something the attack left carried over.
        const stopped = /interpreter stopped/.test(broken.feedback ?? "")
          ? ", broken: interpreter stopped"
          : "";
        const rerun = pythonReruns() > reruns ? ", rerun after a trap" : "";
        // What went wrong travels with a miss: the feedback of the follow-up that was not as wanted.
        const why = (r: Result, want: number) =>
          r.status === "ok" && r.reward === want ? "" : ` (${r.feedback ?? JSON.stringify(r.error)})`;
        got.push(
          `${c.name}: broken ${broken.status} ${broken.reward}, honest ${honest.status} ${honest.reward}${stopped}${rerun}${why(broken, 0)}${why(honest, 1)}`,
        );
        want.push(`${c.name}: broken ok 0, honest ok 1`);
      }
      expect(got).toEqual(want);
    });
  }

  it("leaves the host untouched and no stray process behind", () => {
    expect(readFileSync(CANARY, "utf8")).toBe("canary-secret");
    expect(readdirSync(WATCH)).toEqual([]);
    for (const p of PWNED) expect(existsSync(p), p).toBe(false);
    expect(({} as Record<string, unknown>).rkTable).toBeUndefined();
    expect((globalThis as Record<string, unknown>).rkAdd).toBeUndefined();
    const env = { ...process.env };
    delete env.REWARDKIT_CANARY;
    expect(env).toEqual(envBefore);
    const stray = descendants().filter((d) => !childrenBefore.has(d.pid) && !HELPERS.test(d.comm));
    expect(stray).toEqual([]);
  });
});
