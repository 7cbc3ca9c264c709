// Preloaded into the server by bench/server-loop.js (`node --import`): the length of every turn of the
// event loop, in wall time and in the main thread's own CPU time, written at exit to
// REWARDKIT_TURNS_FILE as [start µs, end µs, cpu µs] (process.hrtime's clock, shared by the processes of
// one machine). CPU time per turn is what the server itself holds the loop for; wall time adds the time
// the machine's other work kept it off a core.
import { writeFileSync } from "node:fs";

const file = process.env.REWARDKIT_TURNS_FILE;
if (file) {
  const turns = [];
  let last = process.hrtime.bigint();
  let lastCpu = process.threadCpuUsage();
  const tick = () => {
    const now = process.hrtime.bigint();
    const cpu = process.threadCpuUsage();
    turns.push(
      Number(last / 1000n),
      Number(now / 1000n),
      cpu.user + cpu.system - lastCpu.user - lastCpu.system,
    );
    last = now;
    lastCpu = cpu;
    setImmediate(tick).unref();
  };
  setImmediate(tick).unref();
  process.on("exit", () => writeFileSync(file, JSON.stringify(turns)));
}
