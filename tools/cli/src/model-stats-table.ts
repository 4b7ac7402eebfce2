import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { ListModelStatsRequestSchema, type ListModelStatsRequest, type ModelStats } from "@modelrouter/contracts";
import { UsageError } from "./io.js";
import { formatTable } from "./table.js";

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * The ListModelStats request of `models stats [NAME] [--window W]`: `W` a duration such as `5m`, `90s` or `2h`
 * (the registry accepts 1 minute to 24 hours; unset, it reads 5 minutes).
 *
 * @throws UsageError naming `--window` when it is not a duration.
 */
export function modelStatsRequestOf(name: string | undefined, window: string | undefined): ListModelStatsRequest {
  const request = create(ListModelStatsRequestSchema, { model: name ?? "" });
  if (window !== undefined) {
    const match = /^([0-9]{1,6})([smh])$/.exec(window);
    if (match === null) throw new UsageError(`--window ${window}: expected a duration from 1m to 24h, such as 90s, 5m or 2h`);
    request.window = durationFromMs(Number(match[1]) * UNIT_MS[match[2]!]!);
  }
  return request;
}

/**
 * The rows of `models stats`: one per model version (MODEL is `name@version`), then one per executor instance
 * under it when it ran on more than one, with requests, error rate and latency percentiles in the window, and
 * accuracy and mean reward from feedback with how many decisions they rest on, and for a version that served
 * as a shadow the share of its answers with the primary's top label, of how many ("-" when none).
 */
export function modelStatsTable(stats: readonly ModelStats[]): string[] {
  const rows: string[][] = [];
  for (const s of stats) {
    rows.push([
      `${s.model?.name}@${s.model?.version}`,
      String(s.requests),
      s.requests === 0n ? "" : percent(s.errorRate),
      ...[s.p50LatencyMs, s.p95LatencyMs, s.p99LatencyMs].map((ms) => (s.requests === 0n ? "" : milliseconds(ms))),
      s.labelled === 0n ? "" : `${percent(s.accuracy)} (${s.labelled})`,
      s.rewarded === 0n ? "" : `${s.meanReward.toFixed(3)} (${s.rewarded})`,
      s.shadowed === 0n ? "" : `${percent(s.shadowAgreement)} (${s.shadowed})`,
    ]);
    if (s.instances.length < 2) continue;
    for (const i of s.instances) {
      rows.push([
        `  ${i.instance === "" ? "(in-process)" : i.instance}`,
        String(i.requests),
        i.requests === 0n ? "" : percent(i.errorRate),
        ...[i.p50LatencyMs, i.p95LatencyMs, i.p99LatencyMs].map((ms) => (i.requests === 0n ? "" : milliseconds(ms))),
        "",
        "",
        "",
      ]);
    }
  }
  return formatTable(["MODEL", "REQUESTS", "ERROR RATE", "P50", "P95", "P99", "ACCURACY (labelled)", "MEAN REWARD", "SHADOW AGREEMENT"], rows);
}

function percent(ratio: number): string {
  return `${(100 * ratio).toFixed(1)}%`;
}

function milliseconds(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)}ms` : ms < 1000 ? `${ms.toFixed(1)}ms` : `${(ms / 1000).toFixed(2)}s`;
}
