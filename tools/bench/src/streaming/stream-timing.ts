import { median } from "../report/aggregate.js";

/** The timings of one request: to the first piece of the answer, and to its end, in microseconds. */
export interface RequestTiming {
  readonly firstUs: number;
  readonly totalUs: number;
}

/** One scenario's repetitions: each repetition's median time to first delta and to the end. */
export interface ScenarioTimings {
  readonly firstUs: readonly number[];
  readonly totalUs: readonly number[];
}

/** The median of each repetition's timings (the time to first piece, the total). */
export function repetitionMedians(requests: readonly RequestTiming[]): { readonly firstUs: number; readonly totalUs: number } {
  return { firstUs: median(requests.map((r) => r.firstUs)), totalUs: median(requests.map((r) => r.totalUs)) };
}

/** What the streaming benchmark reports for one pair of scenarios (direct to the server and through modelrouter). */
export interface OverheadRow {
  readonly label: string;
  readonly directFirstUs: number;
  readonly routerFirstUs: number;
  readonly directTotalUs: number;
  readonly routerTotalUs: number;
}

/** The row of a pair: the medians over repetitions of each repetition's median. */
export function overheadRow(label: string, direct: ScenarioTimings, router: ScenarioTimings): OverheadRow {
  return {
    label,
    directFirstUs: median(direct.firstUs),
    routerFirstUs: median(router.firstUs),
    directTotalUs: median(direct.totalUs),
    routerTotalUs: median(router.totalUs),
  };
}

/** The markdown table of the rows: medians in ms, what modelrouter adds, and the ratio. */
export function renderOverheadTable(rows: readonly OverheadRow[]): string {
  const ms = (us: number): string => (us / 1000).toFixed(2);
  const lines = [
    "| call | first piece, direct | first piece, modelrouter | added | whole answer, direct | whole answer, modelrouter | added | ratio |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.label} | ${ms(r.directFirstUs)} ms | ${ms(r.routerFirstUs)} ms | ${ms(r.routerFirstUs - r.directFirstUs)} ms | ${ms(r.directTotalUs)} ms | ${ms(r.routerTotalUs)} ms | ${ms(r.routerTotalUs - r.directTotalUs)} ms | ${(r.routerTotalUs / r.directTotalUs).toFixed(2)}× |`,
    );
  }
  return lines.join("\n");
}
