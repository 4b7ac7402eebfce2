import type { BenchResult } from "../run/bench-result.js";
import { SCENARIOS, scenarioSpec, type ScenarioId } from "../scenarios/scenario-spec.js";
import { FOREIGN_FLAG_PCT, bestModelServer, cellKey, median, type Aggregate, type Cell } from "./aggregate.js";
import { routerCpu } from "./router-cpu.js";
import type { TargetCheck } from "./targets.js";

const n0 = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "–" : Math.round(v).toLocaleString("en-US"));
const ms = (us: number | undefined): string => (us === undefined || !Number.isFinite(us) ? "–" : (us / 1000).toFixed(2));
const ratio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "–");
const signedMs = (us: number): string => (Number.isFinite(us) ? `${us >= 0 ? "+" : "−"}${(Math.abs(us) / 1000).toFixed(2)}` : "–");
const table = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

/** The load levels of the latency tables: c1, then each open-model rate. */
function loads(result: BenchResult): { readonly title: string; readonly cell: (id: ScenarioId, cells: Aggregate) => Cell | undefined }[] {
  return [
    { title: "c1 (1 in flight)", cell: (id, cells) => cells.get(cellKey(id, "c1")) },
    ...result.options.rates.map((rate) => ({ title: `${n0(rate)} req/s`, cell: (id: ScenarioId, cells: Aggregate) => cells.get(cellKey(id, "rate", rate)) })),
  ];
}

function latencyCell(cell: Cell | undefined): string {
  if (cell === undefined) return "–";
  if (cell.runs === 0) return "skipped";
  const l = cell.latencyUs;
  return l === undefined ? "–" : `${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.p999)}`;
}

function cpuList(cell: Cell | undefined, processes: readonly string[]): string {
  if (cell === undefined || cell.runs === 0) return "–";
  return processes.map((p) => `${p} ${n0(cell.cpuUsPerRequest[p])}`).join(", ");
}

function serverTotal(cell: Cell | undefined, processes: readonly string[]): number {
  if (cell === undefined) return Number.NaN;
  return processes.reduce((sum, p) => sum + (cell.cpuUsPerRequest[p] ?? 0), 0);
}

/**
 * Renders a result as the Markdown section of docs/benchmarks.md: machine, versions and command; the targets
 * with PASS/MISS; the router's own CPU per request (the headline figure); capacity, with modelrouter's as ratios to
 * the echo and to the best bare model server; latency at c1 and each rate; added latency over the matching baseline
 * and the best bare model server; tracing cost and spans per request; CPU µs per request per process; RSS per
 * process; and the quality of the runs
 * (foreign CPU, errors, the generator's schedule keeping). `plotPath` is the SVG's path relative to the doc.
 */
/** A relative change as "−12 %" or "+3 %". */
function signedPct(change: number): string {
  return `${change < 0 ? "−" : "+"}${Math.abs(change * 100).toFixed(0)} %`;
}

export function renderMarkdown(result: BenchResult, cells: Aggregate, targets: readonly TargetCheck[], plotPath: string): string {
  const ids = SCENARIOS.map((s) => s.id).filter((id) => result.scenarios.some((s) => s.id === id));
  const info = (id: ScenarioId) => result.scenarios.find((s) => s.id === id)!;
  const label = (id: ScenarioId): string => scenarioSpec(id).label;
  const m = result.machine;
  const minutes = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 60_000;
  const out: string[] = [];

  out.push(`### Run of ${result.startedAt.slice(0, 10)}`);
  out.push("");
  out.push(
    `- **Machine:** ${m.cores} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}; Node ${m.node}; ` +
      Object.entries(m.packages).map(([name, version]) => `${name} ${version}`).join(", ") +
      `; ${m.h2load ?? "h2load not installed"}.`,
  );
  out.push(`- **Command:** \`${result.command}\` (${minutes.toFixed(0)} min, started ${result.startedAt}).`);
  const o = result.options;
  out.push(
    `- **Runs:** ${o.repeat} repetition(s), scenarios interleaved; tables show medians. Latency runs: ${o.warmupS} s warm-up + ${o.durationS} s; ` +
      `capacity: h2load ${o.h2load.map((s) => `-c ${s.connections} -m ${s.streams}`).join(" and ")}, ${o.capacityWarmupS} s warm-up + ${o.capacityDurationS} s each, the better kept; ` +
      `status check: Node client, ${o.verifyConcurrency} in flight for ${o.verifyDurationS} s.`,
  );
  out.push(
    `- **Messages:** request ${result.requestBytes} B; answers ` +
      ids.map((id) => `${id} ${info(id).responseBytes} B`).join(", ") +
      ".",
  );
  for (const note of result.notes) out.push(`- **Note:** ${note}`);
  out.push("");

  out.push("#### Targets (ratios against the baselines of the same run)");
  out.push("");
  out.push(
    table(
      ["target", "goal", "measured", "verdict"],
      targets.map((t) => [t.name, t.target, t.measured, t.pass === undefined ? "not measured" : t.pass ? "**PASS**" : "**MISS**"]),
    ),
  );
  out.push("");
  out.push("The 30-minute RSS flatness target is checked by the soak (below).");
  const metricsOn = cells.get(cellKey("colocated-metrics", "capacity"))?.throughput.median ?? Number.NaN;
  const metricsOff = cells.get(cellKey("colocated", "capacity"))?.throughput.median ?? Number.NaN;
  if (Number.isFinite(metricsOn / metricsOff)) {
    out.push(`Prometheus metrics on (scraped every second), for information: ${n0(metricsOn)} vs ${n0(metricsOff)} req/s co-located, ${signedPct(metricsOn / metricsOff - 1)}.`);
  }
  out.push("");

  const best = bestModelServer(cells);
  const cpu = routerCpu(result, cells);
  out.push("#### The router's own CPU per request (server CPU µs/request at capacity)");
  out.push("");
  out.push(
    `The best bare model server is the variant with the higher median capacity${best === undefined ? " (none measured in this run)" : `: ${label(best)}`}. ` +
      "Co-located, the router's own CPU is the process's CPU minus the best bare model server's (both decode, pre-process, run the model and answer); " +
      "with a remote executor, it is the router process alone.",
  );
  out.push("");
  out.push(
    table(
      ["what", "µs/request", "× the echo's"],
      [
        ["bare grpc-js echo", n0(cpu.echoUs), ratio(1)],
        [best === undefined ? "best bare model server" : `best bare model server (${label(best)})`, n0(cpu.modelServerUs), ratio(cpu.modelServerUs / cpu.echoUs)],
        ["modelrouter co-located, the process", n0(cpu.colocatedUs), ratio(cpu.colocatedUs / cpu.echoUs)],
        ["**the router's own, co-located** (process − best bare model server)", `**${n0(cpu.colocatedOwnUs)}**`, `**${ratio(cpu.colocatedOwnUs / cpu.echoUs)}**`],
        ["**the router's own, remote executor** (router process)", `**${n0(cpu.remoteRouterUs)}**`, `**${ratio(cpu.remoteRouterUs / cpu.echoUs)}**`],
        ["remote executor: the executor process", n0(cpu.remoteExecutorUs), ratio(cpu.remoteExecutorUs / cpu.echoUs)],
      ],
    ),
  );
  out.push("");

  out.push("#### Capacity (h2load, requests/s at saturation)");
  out.push("");
  const capOf = (id: ScenarioId | undefined): number => (id === undefined ? Number.NaN : (cells.get(cellKey(id, "capacity"))?.throughput.median ?? Number.NaN));
  out.push(
    table(
      [
        "scenario",
        "req/s median [min–max]",
        "× echo",
        "× best bare model server",
        "best h2load setting",
        `Node client, ${o.verifyConcurrency} in flight, req/s`,
        "server CPU µs/req at capacity",
        "errors",
      ],
      ids.map((id) => {
        const cap = cells.get(cellKey(id, "capacity"));
        const verify = cells.get(cellKey(id, "verify"));
        const errors = (cap?.errors ?? 0) + (verify?.errors ?? 0);
        const modelrouter = scenarioSpec(id).kind === "modelrouter";
        return [
          label(id),
          cap === undefined ? "not measured" : `${n0(cap.throughput.median)} [${n0(cap.throughput.min)}–${n0(cap.throughput.max)}]`,
          id === "echo" ? "–" : ratio(capOf(id) / capOf("echo")),
          modelrouter ? ratio(capOf(id) / capOf(best)) : "–",
          cap?.bestH2load ?? "–",
          n0(verify?.throughput.median),
          n0(serverTotal(cap, info(id).processes)),
          errors === 0 ? "0" : `**${errors}**`,
        ];
      }),
    ),
  );
  out.push("");

  const levels = loads(result);
  out.push("#### Latency, ms: p50 / p99 / p99.9");
  out.push("");
  out.push("c1 is a closed loop with one request in flight; the rates are open-model runs, latency counted from each request's intended send time.");
  out.push("");
  out.push(table(["scenario", ...levels.map((l) => l.title)], ids.map((id) => [label(id), ...levels.map((l) => latencyCell(l.cell(id, cells)))])));
  out.push("");
  const skipped = ids.flatMap((id) => levels.map((l) => ({ id, l, cell: l.cell(id, cells) }))).filter((x) => x.cell?.runs === 0 && x.cell.skipped !== undefined);
  for (const s of skipped) out.push(`- ${label(s.id)} at ${s.l.title}: skipped, ${s.cell!.skipped}.`);
  if (skipped.length > 0) out.push("");

  out.push("#### Added latency over the matching baseline, ms: p50 / p99");
  out.push("");
  out.push(
    "Each modelrouter scenario against the baseline of its shape (the echo, the bare front + 3 hops), and the co-located and " +
      "remote-executor ones also against the best bare model server: the latency a caller adds by calling the model through modelrouter.",
  );
  out.push("");
  const compared: [ScenarioId, ScenarioId][] = ids.flatMap((id): [ScenarioId, ScenarioId][] => {
    const spec = scenarioSpec(id);
    return [
      ...(spec.baseline !== undefined && ids.includes(spec.baseline) ? [[id, spec.baseline] as [ScenarioId, ScenarioId]] : []),
      ...(spec.comparedWithModelServer === true && best !== undefined ? [[id, best] as [ScenarioId, ScenarioId]] : []),
    ];
  });
  out.push(
    table(
      ["scenario", "baseline", ...levels.map((l) => l.title)],
      compared.map(([id, base]) => {
        return [
          label(id),
          label(base),
          ...levels.map((l) => {
            const a = l.cell(id, cells)?.latencyUs;
            const b = l.cell(base, cells)?.latencyUs;
            return a === undefined || b === undefined ? "–" : `${signedMs(a.p50 - b.p50)} / ${signedMs(a.p99 - b.p99)}`;
          }),
        ];
      }),
    ),
  );
  out.push("");

  const traced = ids.filter((id) => scenarioSpec(id).untraced !== undefined && ids.includes(scenarioSpec(id).untraced!));
  if (traced.length > 0) {
    out.push("#### Tracing at 100 % sampling (OTLP/HTTP export to a receiver in the benchmark process)");
    out.push("");
    out.push(
      table(
        ["topology", "capacity off → on, req/s", "cost", "c1 p50 off → on, ms", "spans per request (expected)", "hops lost"],
        traced.map((id) => {
          const off = scenarioSpec(id).untraced!;
          const capOn = cells.get(cellKey(id, "capacity"))?.throughput.median ?? Number.NaN;
          const capOff = cells.get(cellKey(off, "capacity"))?.throughput.median ?? Number.NaN;
          const spanCells = [...cells.values()].filter((c) => c.scenario === id && c.spansPerRequest !== undefined);
          const byPhase = spanCells.map((c) => `${c.phase === "rate" ? `${n0(c.rate)}/s` : c.phase} ${c.spansPerRequest!.toFixed(2)}`).join(", ");
          const lost = [...new Set(spanCells.flatMap((c) => (c.missingSpans ?? []).map((k) => `${k} (${c.phase === "rate" ? `${n0(c.rate)}/s` : c.phase})`)))];
          return [
            scenarioSpec(id).topology ?? id,
            `${n0(capOff)} → ${n0(capOn)}`,
            Number.isFinite(capOn / capOff) ? signedPct(capOn / capOff - 1) : "–",
            `${ms(cells.get(cellKey(off, "c1"))?.latencyUs?.p50)} → ${ms(cells.get(cellKey(id, "c1"))?.latencyUs?.p50)}`,
            `${byPhase} (${spanCells[0]?.expectedSpans ?? "–"})`,
            lost.length === 0 ? "none" : `**${lost.join("; ")}**`,
          ];
        }),
      ),
    );
    out.push("");
  }

  out.push("#### CPU per request, µs, by process");
  out.push("");
  out.push(
    "From `/proc/<pid>/stat` (utime + stime) over each measured window ÷ requests completed in it. `bench` is the orchestrator " +
      "(it hosts the OTLP receiver of the tracing scenarios); `loadgen` is the Node load generator's own count; h2load is C.",
  );
  out.push("");
  const cpuLoads = [
    { title: "capacity (h2load)", cell: (id: ScenarioId) => cells.get(cellKey(id, "capacity")), gen: "h2load" },
    { title: "c1", cell: (id: ScenarioId) => cells.get(cellKey(id, "c1")), gen: "loadgen" },
    ...o.rates.map((rate) => ({ title: `${n0(rate)} req/s`, cell: (id: ScenarioId) => cells.get(cellKey(id, "rate", rate)), gen: "loadgen" })),
  ];
  out.push(
    table(
      ["scenario", "load", "per server process", "servers total", "generator", "bench"],
      ids.flatMap((id) =>
        cpuLoads
          .filter((l) => (l.cell(id)?.runs ?? 0) > 0)
          .map((l) => {
            const cell = l.cell(id);
            return [label(id), l.title, cpuList(cell, info(id).processes), n0(serverTotal(cell, info(id).processes)), n0(cell?.cpuUsPerRequest[l.gen]), n0(cell?.cpuUsPerRequest["bench"])];
          }),
      ),
    ),
  );
  out.push("");

  out.push("#### Memory: RSS per process, MiB");
  out.push("");
  out.push(
    table(
      ["scenario", "process", "idle (after warm-up)", "highest under load", "at the end"],
      ids.flatMap((id) =>
        info(id).processes.map((p) => {
          const loaded = Math.max(0, ...[...cells.values()].filter((c) => c.scenario === id).map((c) => c.rssMaxMib[p] ?? 0));
          return [label(id), p, n0(info(id).idleRssMib[p]), n0(loaded), n0(info(id).finalRssMib[p])];
        }),
      ),
    ),
  );
  out.push("");

  out.push("#### Quality of the runs");
  out.push("");
  const runs = result.runs.filter((r) => r.skipped === undefined);
  const flagged = runs.filter((r) => (r.foreignPct ?? 0) > FOREIGN_FLAG_PCT);
  const foreign = runs.map((r) => r.foreignPct ?? 0).sort((a, b) => a - b);
  const errored = runs.filter((r) => (r.errors ?? 0) > 0);
  const notQuiet = runs.filter((r) => r.quiet === false);
  const dropped = runs.reduce((sum, r) => sum + (r.schedule?.dropped ?? 0), 0);
  const late = runs.reduce((sum, r) => sum + (r.schedule?.late ?? 0), 0);
  const openSent = runs.reduce((sum, r) => sum + (r.schedule === undefined ? 0 : (r.completed ?? 0)), 0);
  out.push(
    `- ${runs.length} measured runs. Foreign CPU (machine busy minus this benchmark's processes), % of one core: median ${n0(foreign[foreign.length >> 1])}, ` +
      `max ${n0(foreign.at(-1))}; ${flagged.length} run(s) above ${FOREIGN_FLAG_PCT} %` +
      (flagged.length === 0 ? "." : `: ${flagged.map((r) => `${r.scenario} ${r.phase}${r.rate === undefined ? "" : ` ${r.rate}/s`} #${r.repetition} (${n0(r.foreignPct)} %)`).join(", ")}.`),
  );
  out.push(`- ${notQuiet.length} run(s) started without a quiet machine after waiting ${o.quietMaxWaitS} s (quiet: below ${o.quietMaxBusyPct} % of one core busy).`);
  out.push(
    `- Runs with non-OK gRPC statuses: ${errored.length === 0 ? "none" : errored.map((r) => `${r.scenario} ${r.phase}${r.rate === undefined ? "" : ` ${r.rate}/s`} #${r.repetition}: ${JSON.stringify(r.statusCounts ?? { errors: r.errors })}`).join("; ")}.`,
  );
  out.push(
    `- Open model: ${n0(dropped)} sends dropped and ${n0(late)} of ${n0(openSent)} sent more than 1 ms after their intended time ` +
      `(the generator's own lag, which the latencies include by design); median p99 send lag per run: ${ms(median(runs.filter((r) => r.schedule !== undefined).map((r) => r.schedule!.sendLagP99Us)))} ms.`,
  );
  out.push("");
  out.push(`![p50, p99 and p99.9 latency against offered load, per scenario](${plotPath})`);
  out.push("");
  return out.join("\n");
}
