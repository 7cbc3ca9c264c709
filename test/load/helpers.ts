/**
 * Helpers of the load and fault suite (`npm run test:load`): the real `rewardkit serve` binary on a free
 * port, probes of /health latency, RSS of the server process, raw HTTP clients that can stall or hang up.
 * Sizes scale with LOAD_SCALE (small by default so CI runs the suite in a minute or two; big: the
 * figures of docs/server.md).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { availableParallelism, loadavg } from "node:os";

export { startServe } from "../e2e/run.js";

export const BIG = process.env.LOAD_SCALE === "big";

/** `small` by default, `big` with LOAD_SCALE=big, or the number in env[name] when set. */
export function size(name: string, small: number, big: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : BIG ? big : small;
}

/**
 * A latency bound scaled by how oversubscribed the machine is: on a machine running k times more
 * runnable threads than it has cores, a process gets about 1/k of a core, and every latency stretches so.
 */
export function scaledBound(ms: number): number {
  const k = Math.max(1, loadavg()[0]! / availableParallelism());
  return Math.round(ms * k);
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Resident set size of a process, in MB (Linux). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** CPU time (user + system) a process has used, in ms (Linux). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const PROBE = `
const [url, every] = process.argv.slice(1);
const lat = [];
let stop = false;
let first = true;
process.on("message", () => { stop = true; });
(async () => {
  while (!stop) {
    const t = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (!res.ok) { process.send({ error: url + ": " + res.status }); process.exit(1); }
    const ms = performance.now() - t;
    // The first request is the probe's own start (fetch loads undici and connects: 30-50 ms here), not
    // the server's latency: it only says the probe is ready.
    if (first) { first = false; process.send({ ready: true }); }
    else lat.push(ms);
    await new Promise((r) => setTimeout(r, Number(every)));
  }
  process.send({ lat }, () => process.exit(0));
})().catch((e) => process.send({ error: String(e) }, () => process.exit(1)));
`;

/**
 * Polls `url` every `everyMs` from a separate process (so the test's own work, such as encoding a big
 * body, does not delay the probes) until stopped; resolves with the latencies (ms). `ready` resolves once
 * the first probe was answered (starting a process takes a while on a loaded machine).
 */
export function probe(url: string, everyMs = 10): { ready: Promise<void>; stop: () => Promise<number[]> } {
  const child = spawn(process.execPath, ["-e", PROBE, url, String(everyMs)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let isReady: () => void = () => {};
  const ready = new Promise<void>((r) => {
    isReady = r;
  });
  const out = new Promise<number[]>((resolve, reject) => {
    child.on("message", (m: { lat?: number[]; error?: string; ready?: boolean }) => {
      if (m.ready) isReady();
      else if (m.lat) resolve(m.lat);
      else reject(new Error(m.error));
    });
    child.on("exit", (code) => reject(new Error(`probe exited with ${code}`)));
  });
  return {
    ready,
    stop: () => {
      child.send("stop");
      return out;
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** POSTs JSON; resolves with status, headers and the body text. */
export async function postJson(url: string, body: unknown): Promise<Answer> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

/**
 * Starts a POST whose body is written by `write` (which may stall), and returns the request so the
 * caller can hang up; `answer` resolves with the response, or with status 0 when the connection closed
 * without one.
 */
export function rawPost(
  url: string,
  type: string,
  write: (req: import("node:http").ClientRequest) => void,
): { req: import("node:http").ClientRequest; answer: Promise<Answer> } {
  const req = request(url, { method: "POST", headers: { "content-type": type } });
  const answer = new Promise<Answer>((resolve) => {
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      const end = () => resolve({ status: res.statusCode!, headers: res.headers, body });
      res.on("end", end);
      res.on("error", end);
      res.on("aborted", end);
    });
    req.on("error", () => {
      if (!answered) resolve({ status: 0, headers: {}, body: "" });
    });
    req.on("close", () => {
      if (!answered) resolve({ status: 0, headers: {}, body: "" });
    });
  });
  write(req);
  return { req, answer };
}

export interface Health {
  queued: number;
  admission: {
    queued_samples: number;
    queued_seconds: number;
    cost_ms_per_sample: number;
    scored: number;
    refused: number;
  };
  code_slots: { size: number; busy: number; waiting: number };
}

export async function health(url: string): Promise<Health> {
  return (await (await fetch(`${url}/health`)).json()) as Health;
}

/** Polls until `cond` holds (resolves with the time it took, ms) or `ms` pass (rejects). */
export async function waitFor(
  what: string,
  cond: () => Promise<boolean>,
  ms: number,
  everyMs = 20,
): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    if (await cond()) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

/** Cheap format samples (think-answer preset): each scores in microseconds. */
export function formatSamples(n: number): { completion: string; reference: string }[] {
  return Array.from({ length: n }, (_, i) => ({
    completion: `<think>we add ${i} and ${i % 7}</think>\n<answer>${(i * 3) % 11}</answer>`,
    reference: String(i % 11),
  }));
}

/** Math samples (math preset) over a few answer forms, equivalent and not. */
export function mathSamples(n: number): { completion: string; reference: string }[] {
  const golds = ["\\frac{1}{2}", "3\\sqrt{2}", "x^2+2x+1", "(1, 2)", "[0, 1)", "42", "\\pi/4", "2.5"];
  const preds = ["0.5", "\\sqrt{18}", "(x+1)^2", "(2, 1)", "[0,1)", "42.0", "\\frac{\\pi}{4}", "7/2"];
  return Array.from({ length: n }, (_, i) => ({
    completion: `Working through it. So the answer is $\\boxed{${preds[i % preds.length]}}$.`,
    reference: golds[(i + (i % 3 === 0 ? 1 : 0)) % golds.length]!,
  }));
}
