/**
 * The deploy files as written: the Kubernetes manifests parse, the spec in the ConfigMap loads, every flag
 * the Deployment passes is one `rewardkit serve` knows, and the server started with exactly those
 * arguments (port 0 instead of 8000, the ConfigMap's spec in a temp file) answers the probes' /health
 * without a token while /metrics needs the bearer token the PodMonitor sends from the same Secret. No
 * annotation scrapes the token-protected /metrics. The Dockerfile copies only files that exist and that
 * .dockerignore leaves in. (No cluster and no docker here: this is what can be checked without them.)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { loadReward } from "../../src/index.js";
import { BIN, ROOT, runCli } from "./run.js";

type Doc = {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: any;
  data?: any;
};
const docs = (file: string) => yaml.loadAll(readFileSync(join(ROOT, file), "utf8")) as Doc[];
const app = docs("deploy/kubernetes/rewardkit.yaml");
const monitoring = docs("deploy/kubernetes/monitoring.yaml");
const deployment = app.find((d) => d.kind === "Deployment")!;
const container = deployment.spec.template.spec.containers[0];
const configMap = app.find((d) => d.kind === "ConfigMap")!;

let server: ChildProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), "rk-deploy-"));
afterAll(() => {
  server?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

describe("deploy/kubernetes", () => {
  it("has a ConfigMap spec that loads, and serve flags the CLI knows", async () => {
    expect(() => loadReward(JSON.parse(configMap.data["spec.json"]))).not.toThrow();
    const help = (await runCli(["serve", "--help"])).stdout;
    const flags = (container.args as string[]).filter((a) => a.startsWith("--"));
    expect(flags.length).toBeGreaterThan(3);
    for (const f of flags) expect(help, `${f} is not a serve option`).toContain(f);
  });

  it("scrapes /metrics with the token the server is given, and nothing scrapes it without", () => {
    const annotations = deployment.spec.template.metadata.annotations ?? {};
    expect(Object.keys(annotations).filter((k) => k.startsWith("prometheus.io/"))).toEqual([]);
    const tokenEnv = container.env.find((e: { name: string }) => e.name === "REWARDKIT_TOKEN");
    const endpoint = monitoring.find((d) => d.kind === "PodMonitor")!.spec.podMetricsEndpoints[0];
    expect(endpoint.path).toBe("/metrics");
    expect(endpoint.port).toBe(container.ports[0].name);
    expect(endpoint.authorization.type).toBe("Bearer");
    expect(endpoint.authorization.credentials).toEqual(tokenEnv.valueFrom.secretKeyRef);
  });

  it("serves with the Deployment's arguments: /health open to probes, /metrics only with the token", async () => {
    const spec = join(dir, "spec.json");
    writeFileSync(spec, configMap.data["spec.json"]);
    const args = (container.args as string[]).map((a) => (a === "/etc/rewardkit/spec.json" ? spec : a));
    const port = args.indexOf("--port");
    args[port + 1] = "0";
    const host = args.indexOf("--host");
    args[host + 1] = "127.0.0.1"; // same code path; this test binds loopback only
    server = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, REWARDKIT_TOKEN: "t0ken-from-the-secret" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let log = "";
      const on = (d: Buffer) => {
        log += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (m) resolve(m[1]!);
      };
      server!.stdout!.on("data", on);
      server!.stderr!.on("data", on);
      server!.on("exit", (c) => reject(new Error(`serve exited ${c}: ${log}`)));
    });
    expect(container.readinessProbe.httpGet.path).toBe("/health");
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const scraped = await fetch(`${url}/metrics`, {
      headers: { authorization: "Bearer t0ken-from-the-secret" },
    });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^# HELP /m);
  }, 60_000);
});

describe("deploy/Dockerfile", () => {
  it("copies files that exist and that .dockerignore does not exclude", () => {
    const dockerfile = readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8");
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#") && !l.startsWith("!"));
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(/\s+/),
    );
    expect(sources.length).toBeGreaterThan(3);
    for (const s of sources) {
      expect(existsSync(join(ROOT, s)), s).toBe(true);
      expect(
        ignored.filter((i) => s === i || s.startsWith(`${i.replace(/\/$/, "")}/`)),
        s,
      ).toEqual([]);
    }
    expect(dockerfile).toMatch(/FROM node:24/);
    expect(dockerfile).toMatch(/python3/);
    expect(dockerfile).toMatch(/bubblewrap/);
  });
});
