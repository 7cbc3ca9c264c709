/**
 * A candidate of the process runtime: the program's interpreter in the sandbox, serving the judge's
 * calls (bridge/plain-py.ts) on file descriptor 3 while its stdout and stderr are captured, bounded.
 * Speaks the same request/reply protocol as the Pyodide candidate (python-candidate-host.ts), so the
 * python runtime's judge drives either. One process per sample; a request past its deadline, or output
 * past the limit, kills the process group.
 */
import type { ChildProcess } from "node:child_process";
import { jsonLines } from "./line-reader.js";
import type { CandidateOutcome, CandidateReply } from "./python-candidate-host.js";

const MAX_LINE = 80 << 20;

export class ProcCandidate {
  private out: Buffer[] = [];
  private err: Buffer[] = [];
  private bytes = 0;
  private over = false;
  private nextId = 1;
  private waiting: ((r: CandidateReply | Error) => void) | null = null;
  private exitInfo = "";
  dead = false;
  grown = 0;
  /** Resolves once the process has exited and its leftovers are swept. */
  readonly closed: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    private readonly outputBytes: number,
    cleanup: () => Promise<void>,
    /** Whether an exit (code, signal, the end of stderr) means the program ran out of memory. */
    private readonly outOfMemory: (
      code: number | null,
      signal: string | null,
      stderr: string,
    ) => boolean = () => false,
  ) {
    const take = (list: Buffer[]) => (d: Buffer) => {
      this.bytes += d.length;
      if (this.bytes > this.outputBytes) {
        this.over = true;
        this.kill();
        return;
      }
      list.push(d);
    };
    child.stdout!.on("data", take(this.out));
    child.stderr!.on("data", take(this.err));
    child.stdin!.on("error", () => {});
    const fd3 = child.stdio[3] as unknown as NodeJS.ReadWriteStream;
    fd3.on("error", () => {});
    fd3.setEncoding("utf8");
    fd3.on("data", (d: string) => this.read(d));
    (child.stdio[4] as NodeJS.ReadableStream).resume();
    this.closed = new Promise<void>((resolve) => {
      child.on("close", (code, sig) => {
        this.dead = true;
        const tail = Buffer.concat(this.err).toString("utf8").slice(-4000);
        this.exitInfo = this.outOfMemory(code, sig, tail)
          ? "memory limit exceeded"
          : sig
            ? `killed by ${sig}`
            : `exit code ${code}`;
        const w = this.waiting;
        this.waiting = null;
        w?.(new Error(`the program ended (${this.exitInfo})`));
        void cleanup().then(resolve, resolve);
      });
    });
    child.on("error", (e) => {
      this.dead = true;
      this.waiting?.(e);
      this.waiting = null;
    });
  }

  private readonly read = jsonLines<CandidateReply>(
    MAX_LINE,
    (r) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(r);
    },
    () => this.kill(),
  );

  private drain(): { out: string; err: string; over: boolean } {
    const o = {
      out: Buffer.concat(this.out).toString("utf8"),
      err: Buffer.concat(this.err).toString("utf8"),
    };
    this.out = [];
    this.err = [];
    return { ...o, over: this.over };
  }

  request(req: Record<string, unknown>, timeoutMs: number): Promise<CandidateOutcome> {
    const t0 = performance.now();
    if (this.dead) {
      return Promise.resolve(
        this.over
          ? { kind: "reply", reply: { ...this.drain(), text: "" }, ms: 0 }
          : { kind: "crashed", message: `the program ended (${this.exitInfo})`, ms: 0 },
      );
    }
    const id = this.nextId++;
    return new Promise<CandidateOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        this.kill();
        resolve({ kind: "killed", ms: performance.now() - t0 });
      }, timeoutMs);
      this.waiting = (r) => {
        clearTimeout(timer);
        const ms = performance.now() - t0;
        const io = this.drain();
        if (io.over) resolve({ kind: "reply", reply: { ...io, text: "" }, ms });
        else if (r instanceof Error)
          resolve({ kind: "crashed", message: `${r.message}${io.err ? `: ${io.err.slice(-500)}` : ""}`, ms });
        else if (r.id !== id) resolve({ kind: "crashed", message: "the program answered out of turn", ms });
        else resolve({ kind: "reply", reply: { ...r, ...io }, ms });
      };
      (this.child.stdio[3] as NodeJS.WritableStream).write(`${JSON.stringify({ ...req, id })}\n`);
    });
  }

  /** Whether the program printed past its limit (known for sure once `closed` resolved). */
  get overflowed(): boolean {
    return this.over;
  }

  kill(): void {
    if (this.dead) return;
    this.dead = true;
    try {
      if (this.child.pid) process.kill(-this.child.pid, "SIGKILL");
    } catch {}
  }
}
