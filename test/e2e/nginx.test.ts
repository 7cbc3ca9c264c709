/**
 * Scale-out end to end: two real `rewardkit serve` replicas behind a real nginx running the shipped
 * deploy/nginx/rewardkit.conf (upstream servers and listen address replaced by loopback ones), in a temp
 * dir with every nginx path (pid, logs, temp files) inside it, as the current user.
 *
 * nginx comes from Debian (`apt-get install -y nginx`, done by .ci/run). Without it the suite is skipped
 * with a message, except under CI (process.env.CI), where it fails.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startServe } from "./run.js";

function findNginx(): string | null {
  const dirs = [
    ...(process.env.PATH ?? "").split(":"),
    "/usr/sbin",
    "/usr/local/sbin",
    "/sbin",
    "/usr/local/nginx/sbin",
  ];
  for (const d of dirs) {
    if (d && existsSync(join(d, "nginx"))) return join(d, "nginx");
  }
  return null;
}

const NGINX = findNginx();
const MISSING = "nginx is not installed (apt-get install -y nginx)";

/** The R1-style reward plus a weight-0 component named after the replica: shows who scored a sample. */
function replicaSpec(tag: string) {
  return {
    type: "weighted",
    normalize: true,
    terms: [
      { type: "think_answer", name: "format", weight: 0.2 },
      { type: "exact", name: "answer", weight: 0.8, input: "{{completion|tag:answer}}", ignore_case: true },
      { type: "think_answer", name: tag, weight: 0 },
    ],
  };
}

type Result = {
  status: string;
  reward: number | null;
  components: Record<string, { details?: { answer?: string } }>;
};

const replicaOf = (r: Result) => Object.keys(r.components).filter((k) => k.startsWith("replica_"));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The shipped config with its upstream servers replaced by `backends` and its listen by `listen`. */
function adaptConfig(conf: string, backends: string[], listen: string): string {
  const up = /(upstream\s+rewardkit\s*\{)([\s\S]*?\n)(\})/.exec(conf);
  if (!up) throw new Error("deploy/nginx/rewardkit.conf has no 'upstream rewardkit { ... }' block");
  let first = true;
  const body = up[2]!.replace(
    /^([ \t]*)server\s+\S+([^;\n]*);[ \t]*\n/gm,
    (_m, indent: string, params: string) => {
      if (!first) return "";
      first = false;
      return backends.map((b) => `${indent}server ${b}${params};\n`).join("");
    },
  );
  if (first) throw new Error("the upstream block has no server lines");
  let listens = 0;
  const out = conf
    .replace(up[0], `${up[1]}${body}${up[3]}`)
    .replace(/^([ \t]*)listen\s+[^;\n]+;/gm, (_m, indent) => {
      listens++;
      return `${indent}listen ${listen};`;
    });
  if (listens !== 1) throw new Error(`expected one listen directive, found ${listens}`);
  return out;
}

async function waitFor<T>(
  what: string,
  f: () => Promise<T | undefined>,
  isDead: () => string | null,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const dead = isDead();
    if (dead) throw new Error(dead);
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

if (!NGINX && process.env.CI) {
  describe("nginx in front of two rewardkit replicas", () => {
    it("runs nginx, which CI must install", () => {
      throw new Error(`${MISSING}: .ci/run must install it`);
    });
  });
} else {
  if (!NGINX) console.warn(`skipping test/e2e/nginx.test.ts: ${MISSING}`);

  describe.skipIf(!NGINX)("nginx in front of two rewardkit replicas", () => {
    let dir = "";
    let base = "";
    let nginx: ChildProcess | undefined;
    let nginxExit: string | null = null;
    const backends: { url: string; stop: () => Promise<void>; stopped: boolean }[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "rk-nginx-"));
      const specs = ["replica_a", "replica_b"].map((tag) => {
        const p = join(dir, `${tag}.json`);
        writeFileSync(p, JSON.stringify(replicaSpec(tag)));
        return p;
      });
      for (const s of await Promise.all(specs.map((p) => startServe(["--spec", p])))) {
        backends.push({ url: s.url, stop: s.stop, stopped: false });
      }
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      const shipped = readFileSync(join(ROOT, "deploy/nginx/rewardkit.conf"), "utf8");
      const hostPorts = backends.map((b) => new URL(b.url).host);
      writeFileSync(join(dir, "rewardkit.conf"), adaptConfig(shipped, hostPorts, `127.0.0.1:${port}`));
      const asRoot = process.getuid?.() === 0;
      writeFileSync(
        join(dir, "nginx.conf"),
        [
          // As root, nginx would switch its workers to 'nobody', who cannot write in this temp dir.
          asRoot ? `user ${userInfo().username};` : "",
          "worker_processes 2;",
          "daemon off;",
          `pid ${dir}/nginx.pid;`,
          `error_log ${dir}/error.log warn;`,
          "events { worker_connections 256; }",
          "http {",
          "  log_format upstreams '$request_method $uri $status $upstream_addr';",
          `  access_log ${dir}/access.log upstreams;`,
          `  client_body_temp_path ${dir}/client_body;`,
          `  proxy_temp_path ${dir}/proxy;`,
          `  fastcgi_temp_path ${dir}/fastcgi;`,
          `  uwsgi_temp_path ${dir}/uwsgi;`,
          `  scgi_temp_path ${dir}/scgi;`,
          `  include ${dir}/rewardkit.conf;`,
          "}",
          "",
        ].join("\n"),
      );
      let out = "";
      nginx = spawn(NGINX!, ["-p", `${dir}/`, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      nginx.stdout!.on("data", (d) => {
        out += d;
      });
      nginx.stderr!.on("data", (d) => {
        out += d;
      });
      nginx.on("exit", (code, signal) => {
        const log = existsSync(join(dir, "error.log")) ? readFileSync(join(dir, "error.log"), "utf8") : "";
        nginxExit = `nginx exited (${code ?? signal}):\n${out}\n${log}`;
      });
      await waitFor(
        "nginx to answer /health",
        async () => ((await fetch(`${base}/health`)).status === 200 ? true : undefined),
        () => nginxExit,
      );
    });

    afterAll(async () => {
      if (nginx && nginxExit === null) {
        const exited = new Promise((r) => nginx!.once("exit", r));
        nginx.kill("SIGTERM");
        await exited;
      }
      await Promise.all(backends.filter((b) => !b.stopped).map((b) => b.stop()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function post(path: string, body: unknown) {
      const res = await fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { raw: text.slice(0, 200) };
      }
      return { status: res.status, body: parsed };
    }

    function upstreamsInLog(path: string): string[] {
      return readFileSync(join(dir, "access.log"), "utf8")
        .split("\n")
        .filter((l) => l.startsWith(`POST ${path} 200 `))
        .map((l) => l.split(" ")[3]!);
    }

    it("answers /health from a replica", async () => {
      const res = await fetch(`${base}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ok" });
    });

    it("returns a batch sharded into concurrent requests whole and in order, scored by both replicas", async () => {
      const n = 48;
      const shards = 8;
      const samples = Array.from({ length: n }, (_, i) => ({
        completion: `<think>sample ${i}</think><answer>${i}</answer>`,
        reference: i % 3 === 0 ? "wrong" : String(i),
      }));
      const size = Math.ceil(n / shards);
      const answers = await Promise.all(
        Array.from({ length: shards }, (_, s) =>
          post("/v1/score", { samples: samples.slice(s * size, (s + 1) * size) }),
        ),
      );
      const results: Result[] = [];
      for (const a of answers) {
        expect(a.status).toBe(200);
        results.push(...(a.body.results as Result[]));
      }
      expect(results).toHaveLength(n);
      results.forEach((r, i) => {
        expect(r.status).toBe("ok");
        expect(r.reward).toBeCloseTo(i % 3 === 0 ? 0.2 : 1, 9);
        expect(r.components.format!.details!.answer).toBe(String(i)); // it is sample i's result
        expect(replicaOf(r)).toHaveLength(1);
      });
      // Within a request one replica scored every sample; across requests, both replicas did.
      for (let s = 0; s < shards; s++) {
        expect(new Set(results.slice(s * size, (s + 1) * size).flatMap(replicaOf)).size).toBe(1);
      }
      expect(new Set(results.flatMap(replicaOf))).toEqual(new Set(["replica_a", "replica_b"]));
      // nginx's own log agrees: the score requests went to both backends.
      const upstreams = await waitFor(
        "the access log",
        async () => {
          const u = upstreamsInLog("/v1/score");
          return u.length >= shards ? u : undefined;
        },
        () => null,
      );
      expect(new Set(upstreams)).toEqual(new Set(backends.map((b) => new URL(b.url).host)));
    });

    it("passes OpenRLHF's /get_reward, one shard per listed URL", async () => {
      const prompt = "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n";
      const answers = await Promise.all(
        [
          ["4", "5"],
          ["4", "4"],
        ].map((given) =>
          post("/get_reward", {
            query: given.map((g) => `${prompt}<think>2+2</think><answer>${g}</answer><|im_end|>`),
            prompts: [prompt, prompt],
            labels: ["4", "4"],
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(answers.flatMap((a) => a.body.rewards as number[])).toEqual(
        [1, 0.2, 1, 1].map((x) => expect.closeTo(x, 9)),
      );
    });

    it("accepts a body far over nginx's 1 MB default (client_max_body_size)", async () => {
      const big = "x".repeat(3_000_000);
      const { status, body } = await post("/v1/score", {
        samples: [{ completion: `<think>${big}</think><answer>7</answer>`, reference: "7" }],
      });
      expect(status).toBe(200);
      expect((body.results as Result[])[0]!.reward).toBe(1);
    });

    it("keeps serving when a replica goes down (proxy_next_upstream)", async () => {
      const b = backends[1]!;
      await b.stop();
      b.stopped = true;
      const answers = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          post("/v1/score", {
            samples: [{ completion: `<think>t</think><answer>${i}</answer>`, reference: String(i) }],
          }),
        ),
      );
      for (const a of answers) {
        expect(a.status).toBe(200);
        const [r] = a.body.results as Result[];
        expect(r!.reward).toBe(1);
        expect(replicaOf(r!)).toEqual(["replica_a"]);
      }
    });
  });
}
