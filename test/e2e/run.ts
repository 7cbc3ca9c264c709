/** Helpers that run the real `rewardkit` binary (built into dist/ by `npm test`'s pretest). */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = `${ROOT}bin/rewardkit.js`;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], stdin?: string): Promise<Run> {
  return runProcess(process.execPath, [BIN, ...args], { env: { NO_COLOR: "1" }, stdin });
}

/** Runs a command to its end and collects its output (env is added to this process's environment). */
export function runProcess(
  cmd: string,
  args: string[],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string | undefined } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd ?? ROOT, env: { ...process.env, ...o.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(o.stdin ?? "");
  });
}

export function jsonl(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** Starts `rewardkit serve` on a free port; resolves with its base URL once it listens. */
export function startServe(
  args: string[],
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--log-level", "info", ...args], {
      cwd: ROOT,
    });
    let out = "";
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening at (http:\/\/[^\s"]+)/i.exec(out);
      if (m) {
        // Keep draining the server's logs, or a full pipe would block it.
        child.stdout.off("data", onData);
        child.stdout.on("data", () => {});
        const stop = () =>
          new Promise<void>((res) => {
            child.once("close", () => res());
            child.kill("SIGTERM");
          });
        resolve({ url: m[1]!, child, stop });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("close", (code) => reject(new Error(`server exited with ${code} before listening:\n${out}`)));
  });
}
