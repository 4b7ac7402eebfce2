import type { BenchResult } from "../run/bench-result.js";
import { SCENARIOS } from "../scenarios/scenario-spec.js";
import { cellKey, type Aggregate } from "./aggregate.js";
import { renderLineChart, type LinePanel, type Series } from "./svg-chart.js";

/** A colour per scenario, stable across reports. */
const COLORS: Readonly<Record<string, string>> = {
  echo: "#7f7f7f",
  fanout3: "#8c564b",
  "model-main": "#2ca02c",
  "model-pool": "#bcbd22",
  colocated: "#1f77b4",
  "colocated-traced": "#17becf",
  "remote-executor": "#9467bd",
  distributed: "#d62728",
  "distributed-traced": "#ff7f0e",
};

/**
 * The latency plot of a result: p50 and p99 (log scale, ms) against the offered open-model rate, one line
 * per scenario, as an SVG document. Rates a scenario could not sustain (skipped) are simply absent.
 */
export function renderLatencyPlot(result: Pick<BenchResult, "scenarios" | "options" | "machine" | "startedAt">, cells: Aggregate): string {
  const ids = SCENARIOS.map((s) => s.id).filter((id) => result.scenarios.some((s) => s.id === id));
  const panel = (key: "p50" | "p99" | "p999", title: string): LinePanel => ({
    title,
    xLabel: "offered load, req/s (open model)",
    yLabel: "latency, ms (log)",
    yLog: true,
    series: ids.map(
      (id): Series => ({
        label: SCENARIOS.find((s) => s.id === id)?.label ?? id,
        color: COLORS[id] ?? "#000",
        dashed: id.endsWith("-traced"),
        points: result.options.rates.map((rate) => ({ x: rate, y: (cells.get(cellKey(id, "rate", rate))?.latencyUs?.[key] ?? Number.NaN) / 1000 })),
      }),
    ),
  });
  return renderLineChart([panel("p50", "p50"), panel("p99", "p99"), panel("p999", "p99.9")], {
    panelWidth: 330,
    panelHeight: 300,
    title: "modelrouter vs baselines: latency from the intended send time",
    caption: `${result.machine.cores} × ${result.machine.cpuModel}, Node ${result.machine.node}, ${result.startedAt.slice(0, 10)}; medians of ${result.options.repeat} run(s)`,
  });
}
