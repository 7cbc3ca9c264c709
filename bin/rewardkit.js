#!/usr/bin/env node
// The CLI runs in this process, so a signal sent to `rewardkit` reaches the server's own handlers.
// `npx rewardkit` and `npm run` start us through `sh -c`: npm forwards SIGTERM to that shell, which dies
// without passing it on (dash), and we would be left running with no parent. So when npm started us, the
// parent going away counts as SIGTERM (a clean stop: in-flight requests finish).
if (process.env.npm_command || process.env.npm_lifecycle_event) {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watch);
      process.kill(process.pid, "SIGTERM");
    }
  }, 250);
  watch.unref();
}
// The reward server holds a big batch (its samples, then its results) alive while it scores it: with
// V8's default young generation (semi-spaces of up to 64 MB on Node 24) each scavenge copied those
// survivors and held the event loop 10-40 ms. A small young generation keeps every pause short. V8 reads
// the size only at start, so `serve` starts itself again (same process: execve) with the flag, unless
// the size was given (or REWARDKIT_SEMI_SPACE_MB=0).
const semiMb = process.env.REWARDKIT_SEMI_SPACE_MB ?? "4";
if (!/^\d+$/.test(semiMb)) {
  process.stderr.write(
    `rewardkit: REWARDKIT_SEMI_SPACE_MB must be a whole number of MB (0: off), got '${semiMb}'\n`,
  );
  process.exit(2);
}
if (
  process.argv[2] === "serve" &&
  typeof process.execve === "function" &&
  semiMb !== "0" &&
  ![...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((a) =>
    a.startsWith("--max-semi-space-size"),
  )
) {
  process.execve(
    process.execPath,
    [process.execPath, ...process.execArgv, `--max-semi-space-size=${semiMb}`, ...process.argv.slice(1)],
    process.env,
  );
}
await import("../dist/cli/main.js");
