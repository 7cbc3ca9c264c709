/**
 * Prometheus metrics (prom-client), one registry per server: requests and latency by route, results by
 * status and error kind, rewards by component, queue depth and worker-pool use.
 */
import { createRequire } from "node:module";
import type { Counter, Gauge, Histogram, Registry } from "prom-client";
import { nextSlice, peekSharedPool, type Result, sliceDue } from "../core/index.js";

// Loaded when a server starts, not when rewardkit is imported for scoring (fast start).
const require = createRequire(import.meta.url);

export class Metrics {
  readonly registry: Registry;
  private readonly requests: Counter<"route" | "code">;
  private readonly latency: Histogram<"route">;
  private readonly results: Counter<"status" | "kind">;
  private readonly reward: Histogram;
  private readonly componentSum: Gauge<"component">;
  private readonly componentCount: Counter<"component" | "status">;
  readonly queued: Gauge;
  readonly inflight: Gauge;

  constructor() {
    const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } =
      require("prom-client") as typeof import("prom-client");
    this.registry = new Registry();
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "rewardkit_process_" });
    this.requests = new Counter({
      name: "rewardkit_requests_total",
      help: "HTTP requests by route and status code.",
      labelNames: ["route", "code"],
      registers,
    });
    this.latency = new Histogram({
      name: "rewardkit_request_seconds",
      help: "HTTP request latency by route.",
      labelNames: ["route"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.results = new Counter({
      name: "rewardkit_results_total",
      help: "Scored samples by status and error kind.",
      labelNames: ["status", "kind"],
      registers,
    });
    this.reward = new Histogram({
      name: "rewardkit_reward",
      help: "Rewards of ok results.",
      buckets: [-1, -0.5, 0, 0.1, 0.25, 0.5, 0.75, 0.9, 1, 2],
      registers,
    });
    // A gauge, not a counter: rewards can be negative and a prom-client counter throws on a decrease.
    this.componentSum = new Gauge({
      name: "rewardkit_component_reward_sum",
      help: "Sum of each component's ok rewards (divide by the ok count for the mean).",
      labelNames: ["component"],
      registers,
    });
    this.componentCount = new Counter({
      name: "rewardkit_component_results_total",
      help: "Component results by status.",
      labelNames: ["component", "status"],
      registers,
    });
    this.queued = new Gauge({
      name: "rewardkit_queue_samples",
      help: "Samples admitted and not yet scored.",
      registers,
    });
    this.inflight = new Gauge({
      name: "rewardkit_inflight_requests",
      help: "Requests being scored.",
      registers,
    });
    new Gauge({
      name: "rewardkit_pool_threads_busy",
      help: "Worker-pool threads running a task.",
      registers,
      collect() {
        this.set(peekSharedPool()?.stats().running ?? 0);
      },
    });
    new Gauge({
      name: "rewardkit_pool_tasks_queued",
      help: "Worker-pool tasks waiting for a thread.",
      registers,
      collect() {
        this.set(peekSharedPool()?.stats().queued ?? 0);
      },
    });
    new Counter({
      name: "rewardkit_pool_tasks_killed_total",
      help: "Worker-pool tasks killed at their deadline.",
      registers,
      collect() {
        this.reset();
        this.inc(peekSharedPool()?.stats().killed ?? 0);
      },
    });
  }

  request(route: string, code: number, seconds: number): void {
    this.requests.inc({ route, code: String(code) });
    this.latency.observe({ route }, seconds);
  }

  /**
   * Counts a batch. Tallied locally first, so prom-client sees one call per label set, not per sample;
   * components are tallied in a tree keyed by name, so no path string is built per sample. Gives way to
   * the event loop between time slices (a batch can hold 65,536 results).
   */
  async observe(results: readonly Result[]): Promise<void> {
    const byStatus = new Map<string, { status: string; kind: string; n: number }>();
    const root: Tally = { path: "", children: new Map(), n: {}, sum: 0 };
    for (let i = 0; i < results.length; i++) {
      if ((i & 255) === 255 && sliceDue()) await nextSlice();
      const r = results[i]!;
      const kind = r.error?.kind ?? "";
      const k = `${r.status}\0${kind}`;
      const t = byStatus.get(k);
      if (t) t.n++;
      else byStatus.set(k, { status: r.status, kind, n: 1 });
      if (r.status === "ok") this.reward.observe(r.reward as number);
      tally(root, r);
    }
    for (const t of byStatus.values()) this.results.inc({ status: t.status, kind: t.kind }, t.n);
    const flush = (node: Tally) => {
      for (const c of node.children.values()) {
        for (const [status, n] of Object.entries(c.n))
          this.componentCount.inc({ component: c.path, status }, n);
        if (c.n.ok) this.componentSum.inc({ component: c.path }, c.sum);
        flush(c);
      }
    };
    flush(root);
  }
}

interface Tally {
  path: string;
  children: Map<string, Tally>;
  n: Record<string, number>;
  sum: number;
}

function tally(node: Tally, r: Result): void {
  const components = r.components;
  if (!components) return;
  for (const name in components) {
    // Per-segment components (name[i]) would make label values unbounded.
    if (name.includes("[")) continue;
    const c = components[name]!;
    let child = node.children.get(name);
    if (!child) {
      child = { path: node.path ? `${node.path}.${name}` : name, children: new Map(), n: {}, sum: 0 };
      node.children.set(name, child);
    }
    child.n[c.status] = (child.n[c.status] ?? 0) + 1;
    if (c.status === "ok") child.sum += c.reward as number;
    tally(child, c);
  }
}
