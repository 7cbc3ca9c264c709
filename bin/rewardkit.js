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
await import("../dist/cli/main.js");
