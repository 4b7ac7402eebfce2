/** What one overload run measured (one admission mode). */
export interface OverloadFigures {
  /** `MODELROUTER_ADMISSION`: "off" or "adaptive". */
  readonly mode: string;
  /** Capacity C, OK answers/s in a closed loop. */
  readonly capacity: number;
  /** Requests/s offered (2·C). */
  readonly offered: number;
  readonly durationS: number;
  /** OK answers/s under overload, as a share of C. */
  readonly goodputShare: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Latency of RESOURCE_EXHAUSTED/UNAVAILABLE answers, ms (NaN when there were none). */
  readonly rejectionP50Ms: number;
  readonly rejectionP99Ms: number;
  /** p99 of other failures (e.g. DEADLINE_EXCEEDED), ms. */
  readonly otherErrorP99Ms: number;
  /** OK p99 at 0.5·C, ms. */
  readonly baselineP99Ms: number;
  /** OK p99 at 2·C, ms. */
  readonly acceptedP99Ms: number;
  /** RSS of every process after the baseline and after the overload, MiB. */
  readonly rssBeforeMib: number;
  readonly rssAfterMib: number;
  /** Every process still running after the overload. */
  readonly alive: boolean;
  /** Requests the generator could not even send in time. */
  readonly dropped: number;
}

/** One OVL-1 criterion. */
export interface OverloadCheck {
  readonly name: string;
  readonly pass: boolean;
  readonly measured: string;
  readonly target: string;
}

/** The only failures allowed under overload: refusals. */
const REFUSAL_CODES = new Set(["OK", "RESOURCE_EXHAUSTED", "UNAVAILABLE"]);

/** The OVL-1 criteria of reliability.md: no crash, goodput ≥ 0.8·C, refusals ≤ 10 ms, accepted p99 ≤ 2× baseline, RSS ≤ 1.5×. */
export function overloadChecks(f: OverloadFigures): OverloadCheck[] {
  const others = Object.entries(f.statusCounts).filter(([name]) => !REFUSAL_CODES.has(name));
  return [
    { name: "every process alive", pass: f.alive, measured: String(f.alive), target: "true" },
    { name: "goodput", pass: f.goodputShare >= 0.8, measured: `${f.goodputShare.toFixed(2)}·C`, target: "≥ 0.8·C" },
    {
      name: "refusal p99",
      pass: !(f.rejectionP99Ms > 10),
      measured: Number.isNaN(f.rejectionP99Ms) ? "no refusals" : `${f.rejectionP99Ms.toFixed(1)} ms`,
      target: "≤ 10 ms",
    },
    {
      name: "other failures",
      pass: others.length === 0,
      measured: others.length === 0 ? "none" : others.map(([name, n]) => `${name} ${n}`).join(", "),
      target: "only RESOURCE_EXHAUSTED/UNAVAILABLE",
    },
    {
      name: "accepted p99",
      pass: f.acceptedP99Ms <= 2 * f.baselineP99Ms,
      measured: `${f.acceptedP99Ms.toFixed(1)} ms (${(f.acceptedP99Ms / f.baselineP99Ms).toFixed(1)}× baseline)`,
      target: "≤ 2× baseline",
    },
    {
      name: "RSS",
      pass: f.rssAfterMib <= 1.5 * f.rssBeforeMib,
      measured: `${(f.rssAfterMib / f.rssBeforeMib).toFixed(2)}×`,
      target: "≤ 1.5×",
    },
  ];
}
