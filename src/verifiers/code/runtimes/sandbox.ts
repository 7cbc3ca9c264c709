/**
 * The OS sandbox of the process runtime. Every run gets its own process group and rlimits (CPU seconds,
 * address space, file size, processes, no core dumps) through `prlimit`; when running as root it also
 * gets a uid of its own (`setpriv`, no new privileges, killed with its parent; uids taken in rotation),
 * so the process limit counts only its processes and every process it left behind can be found and killed. It runs
 * inside bubblewrap (no network, read-only system, a private /tmp, its own pid namespace), or, only when
 * the spec asks for `"sandbox": "none"`, without it.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { RewardkitError } from "../../../core/index.js";
import type { Isolation } from "../types.js";
import { which } from "./languages.js";

/** "auto" and "bwrap": bubblewrap or refuse; "none": rlimits only; "rlimits": deprecated alias of "none". */
export type SandboxMode = "auto" | "bwrap" | "none" | "rlimits";

export const UNSANDBOXED: Isolation = "none (rlimits only)";

/**
 * The isolation a process run gets under `mode` on this machine. Without a working bwrap, a mode other
 * than "none" refuses (sandbox_error): an unsandboxed run must be asked for, never a silent downgrade.
 */
export function processIsolation(mode: SandboxMode): Isolation {
  if (mode === "none" || mode === "rlimits") return UNSANDBOXED;
  const f = sandboxFacts();
  if (f.bwrapWorks) return "bwrap";
  const why = f.bwrap
    ? `bubblewrap (${f.bwrap}) is broken here: ${f.bwrapError}`
    : "bubblewrap (bwrap) is missing";
  throw new RewardkitError(
    "sandbox_error",
    `the process runtime refuses to run without a sandbox: ${why}. Install it (apt-get install bubblewrap), or set "sandbox": "none" to accept running unsandboxed (rlimits only)`,
  );
}

export interface SandboxFacts {
  root: boolean;
  setpriv?: string;
  prlimit?: string;
  bwrap?: string;
  /** bwrap is installed and a trial run inside it worked. */
  bwrapWorks: boolean;
  bwrapError?: string;
}

const UID_BASE = Number(process.env.REWARDKIT_SANDBOX_UID_BASE) || 61000;
/** uids per rewardkit process: a block of the range is claimed by one process at a time. */
const BLOCK = 128;
const BLOCKS = 35;
let block: { base: number; exclusive: boolean } | undefined;
let nextUid = 0;

/**
 * Claims a block of uids for this process with a lock file (holding our pid) in a private directory, so
 * that several rewardkit processes on one machine never run programs as the same uid, and one's sweep
 * never kills another's programs. Without a free block, programs still get a uid of the range but no
 * process is killed by uid (only by process group).
 */
function claimBlock(): { base: number; exclusive: boolean } {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "rewardkit", "uid-blocks");
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (let i = 0; i < BLOCKS; i++) {
      const file = join(dir, `block-${i}.lock`);
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          writeFileSync(file, String(process.pid), { flag: "wx", mode: 0o600 });
          process.once("exit", () => {
            try {
              if (readFileSync(file, "utf8") === String(process.pid)) unlinkSync(file);
            } catch {}
          });
          return { base: UID_BASE + i * BLOCK, exclusive: true };
        } catch {
          // Taken: by a live process, or left by one that died (then free it and try once more).
          let owner = Number.NaN;
          try {
            owner = Number(readFileSync(file, "utf8"));
          } catch {}
          if (attempt > 0 || !Number.isInteger(owner) || alive(owner)) break;
          try {
            unlinkSync(file);
          } catch {}
        }
      }
    }
  } catch {}
  return { base: UID_BASE + Math.floor(Math.random() * BLOCKS) * BLOCK, exclusive: false };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A uid for the next sandboxed process, taken in rotation from this process's block: a killed run may
 * leave zombies for a while (until init reaps them), and they must not count against the process limit
 * of the runs that follow.
 */
export function runUid(): number {
  block ??= claimBlock();
  const u = block.base + nextUid;
  nextUid = (nextUid + 1) % BLOCK;
  return u;
}

/** True when the processes of a run's uid may be killed after it (the uid is this process's alone). */
export function ownsUids(): boolean {
  block ??= claimBlock();
  return block.exclusive;
}

/** True for the uids the sandbox runs programs as (any process's block). */
export function isSandboxUid(uid: number): boolean {
  return uid >= UID_BASE && uid < UID_BASE + BLOCK * BLOCKS;
}

/** True for the uids of this process's block. */
export function isOwnUid(uid: number): boolean {
  block ??= claimBlock();
  return uid >= block.base && uid < block.base + BLOCK;
}

let facts: SandboxFacts | undefined;

export function sandboxFacts(): SandboxFacts {
  if (facts) return facts;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const f: SandboxFacts = { root, bwrapWorks: false };
  const setpriv = root ? which("setpriv") : undefined;
  if (setpriv) f.setpriv = setpriv;
  const prlimit = which("prlimit");
  if (prlimit) f.prlimit = prlimit;
  // REWARDKIT_BWRAP overrides where bwrap is looked for ("" or "none" turns it off).
  const override = process.env.REWARDKIT_BWRAP;
  const bwrap =
    override === undefined ? which("bwrap") : override && override !== "none" ? override : undefined;
  if (bwrap) {
    f.bwrap = bwrap;
    const r = spawnSync(
      bwrap,
      [...bwrapArgs({ dir: "/usr", writableDir: false, tmpBytes: 1 << 20 }), "/usr/bin/true"].filter(Boolean),
      {
        timeout: 10_000,
        env: {},
        stdio: ["ignore", "ignore", "pipe"],
        ...(root && setpriv ? { uid: UID_BASE, gid: UID_BASE } : {}),
      },
    );
    f.bwrapWorks = r.status === 0;
    if (!f.bwrapWorks)
      f.bwrapError = (r.stderr?.toString() || r.error?.message || `exit ${r.status}`).trim().slice(0, 300);
  }
  facts = f;
  return f;
}

/** bubblewrap arguments (before the command): the work dir is mounted at /box. */
export function bwrapArgs(o: { dir: string; writableDir: boolean; tmpBytes: number }): string[] {
  return [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/bin",
    "/bin",
    "--symlink",
    "usr/sbin",
    "/sbin",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--ro-bind-try",
    "/etc/alternatives",
    "/etc/alternatives",
    "--ro-bind-try",
    "/etc/ld.so.cache",
    "/etc/ld.so.cache",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--size",
    String(o.tmpBytes),
    "--tmpfs",
    "/tmp",
    o.writableDir ? "--bind" : "--ro-bind",
    o.dir,
    "/box",
    "--chdir",
    o.writableDir ? "/box" : "/tmp",
    "--hostname",
    "sandbox",
    "--",
  ];
}

/**
 * Pids of the live (not zombie) processes whose uid passes `match`, read from /proc; empty when /proc is
 * not readable. Zombies are dead already: only their parent (or init) can remove them.
 */
export function processesOf(match: number | ((uid: number) => boolean)): number[] {
  const test = typeof match === "number" ? (u: number) => u === match : match;
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    try {
      if (test(statSync(`/proc/${e}`).uid) && processState(Number(e)) !== "Z") out.push(Number(e));
    } catch {}
  }
  return out;
}

/**
 * Kills every process of `uid` (only ever called for the sandbox uids, as root) and waits, up to a
 * couple of seconds, until they are gone: zombies still count against the next run's process limit.
 */
export async function killUid(uid: number): Promise<number> {
  let n = 0;
  for (let round = 0; round < 60; round++) {
    const pids = processesOf(uid);
    if (pids.length === 0) return n;
    for (const p of pids) {
      try {
        process.kill(p, "SIGKILL");
        n++;
      } catch {}
    }
    await new Promise((r) => setTimeout(r, round < 10 ? 5 : 20));
  }
  return n;
}

/** The state letter of a process (Z for a zombie), or undefined when it is gone. */
export function processState(pid: number): string | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    return s.slice(s.lastIndexOf(")") + 2, s.lastIndexOf(")") + 3);
  } catch {
    return undefined;
  }
}
