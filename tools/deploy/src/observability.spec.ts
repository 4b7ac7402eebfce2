import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createExecutorMetrics, createRouterStateMetrics, createRoutingMetrics, createServiceMetrics } from "@modelrouter/metrics";
import { parse } from "yaml";
import { repositoryRoot } from "./repository-root.test-support.js";

const dir = join(repositoryRoot, "tools", "deploy", "observability");

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly datasource?: { uid: string };
  readonly targets?: { refId: string; expr: string }[];
}
interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { severity: string };
  readonly annotations: { summary: string; description: string };
}

/** The series names a Prometheus scrape of the services shows: each metric, and a histogram's `_bucket`, `_count` and `_sum`. */
async function exportedSeries(): Promise<Set<string>> {
  const metrics = createServiceMetrics({ service: "router" });
  createRoutingMetrics(metrics.registry);
  createRouterStateMetrics(metrics.registry, { admission: () => ({ limit: 1, inFlight: 0 }), decisionLog: () => ({ recorded: 0, dropped: 0, failed: 0 }) });
  createExecutorMetrics(metrics.registry, () => ({ workers: 1, readyWorkers: 1, queued: 0, maxQueued: 1, workerRestarts: 0, models: [] }));
  const names = new Set<string>(["up"]);
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === "histogram") for (const suffix of ["_bucket", "_count", "_sum"]) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

/** The series a PromQL expression selects: identifiers followed by a selector or a range, minus functions, keywords and label names. */
function seriesIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\$[a-zA-Z_]+/g, "");
  const withoutLabelLists = withoutStrings.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  const withoutMatchers = withoutLabelLists.replace(/\{[^}]*\}/g, "{}");
  const functions = new Set(["sum", "rate", "max", "min", "avg", "count", "histogram_quantile", "clamp_min", "irate", "increase", "le"]);
  return [...withoutMatchers.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
    .map((m) => m[1] as string)
    .filter((name) => !functions.has(name) && !/^\d/.test(name));
}

describe("the Grafana dashboard", () => {
  const dashboard = JSON.parse(readFileSync(join(dir, "grafana-dashboard.json"), "utf8")) as {
    uid: string;
    title: string;
    panels: Panel[];
    templating: { list: { name: string; type: string }[] };
  };
  const graphs = dashboard.panels.filter((p) => p.type !== "row");

  it("is one dashboard with unique panel ids on a 24-column grid without overlaps, each graph on the chosen Prometheus", () => {
    expect(dashboard.uid).toBe("modelrouter-overview");
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: "datasource", type: "datasource" }));
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`)).toBe(false);
          cells.add(`${i},${j}`);
        }
      }
    }
    for (const panel of graphs) {
      expect(panel.datasource?.uid).toBe("${datasource}");
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
  });

  it("shows traffic by model and policy, latency percentiles, fallbacks, errors and executor saturation", () => {
    const exprs = graphs.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join("\n");
    for (const needed of ["modelrouter_routing_decisions_total", "histogram_quantile(0.99", "modelrouter_routing_fallbacks_total", 'rpc_grpc_status_code!="OK"', 'service="executor"']) {
      expect(exprs).toContain(needed);
    }
  });

  it("queries only series the services export, with balanced brackets", async () => {
    const exported = await exportedSeries();
    for (const panel of graphs) {
      for (const { expr } of panel.targets ?? []) {
        expect({ panel: panel.title, unknown: seriesIn(expr).filter((name) => !exported.has(name)) }).toEqual({ panel: panel.title, unknown: [] });
        for (const [open, close] of [["(", ")"], ["{", "}"], ["[", "]"]] as const) expect(expr.split(open).length).toBe(expr.split(close).length);
      }
    }
  });
});

describe("the Prometheus alerting rules", () => {
  const rules = (parse(readFileSync(join(dir, "prometheus-rules.yaml"), "utf8")) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

  it("name each alert once, with a duration, a severity, a summary and a description", () => {
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(["warning", "critical"]).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(0);
      expect(rule.annotations.description.length).toBeGreaterThan(0);
    }
  });

  it("cover a target down, failing and slow inference, shedding, fallbacks and saturated executors, on exported series", async () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(
      ["ModelrouterEventLoopLag", "ModelrouterExecutorSaturated", "ModelrouterFallbacksHigh", "ModelrouterHighErrorRatio", "ModelrouterShedding", "ModelrouterSlowInference", "ModelrouterTargetDown"].sort(),
    );
    const exported = await exportedSeries();
    for (const rule of rules) expect({ alert: rule.alert, unknown: seriesIn(rule.expr).filter((name) => !exported.has(name)) }).toEqual({ alert: rule.alert, unknown: [] });
  });
});
