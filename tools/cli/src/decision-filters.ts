import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ListDecisionsRequestSchema, type ListDecisionsRequest } from "@modelrouter/contracts";
import { Code, isCode } from "@modelrouter/rpc-kit";
import { UsageError } from "./io.js";

/** The options of `decisions list` and `decisions tail` that filter decisions, as parseArgs returns them. */
export interface DecisionFilterOptions {
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly model?: string | undefined;
  readonly policy?: string | undefined;
  readonly rule?: string | undefined;
  readonly revision?: string | undefined;
  readonly tenant?: string | undefined;
  readonly outcome?: string | undefined;
  readonly fallback?: string | undefined;
}

/** The parseArgs declaration of {@link DecisionFilterOptions}. */
export const DECISION_FILTER_OPTIONS = {
  since: { type: "string" },
  until: { type: "string" },
  model: { type: "string" },
  policy: { type: "string" },
  rule: { type: "string" },
  revision: { type: "string" },
  tenant: { type: "string" },
  outcome: { type: "string" },
  fallback: { type: "string" },
} as const;

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The ListDecisions request of the filter options: `--since`/`--until` a duration before `nowMs` (`15m`, `2h`,
 * `7d`) or an ISO time, `--revision` a policy revision, `--outcome` `ok` or a gRPC code (name or number),
 * `--fallback` `yes` or `no`.
 *
 * @throws UsageError naming the option and what it expects.
 */
export function listDecisionsRequestOf(options: DecisionFilterOptions, nowMs: number): ListDecisionsRequest {
  const init: MessageInitShape<typeof ListDecisionsRequestSchema> = {
    model: options.model ?? "",
    policy: options.policy ?? "",
    rule: options.rule ?? "",
    tenant: options.tenant ?? "",
  };
  const request = create(ListDecisionsRequestSchema, init);
  if (options.since !== undefined) request.startTime = timestampFromMs(timeOption("--since", options.since, nowMs));
  if (options.until !== undefined) request.endTime = timestampFromMs(timeOption("--until", options.until, nowMs));
  if (options.revision !== undefined) {
    if (!/^[1-9][0-9]{0,18}$/.test(options.revision)) {
      throw new UsageError(`--revision ${options.revision}: expected a policy revision (see "policies history NAME")`);
    }
    request.policyRevision = BigInt(options.revision);
  }
  if (options.outcome !== undefined) request.code = outcomeCode(options.outcome);
  if (options.fallback !== undefined) {
    if (options.fallback !== "yes" && options.fallback !== "no") {
      throw new UsageError(`--fallback ${options.fallback}: expected yes (a fallback answered) or no`);
    }
    request.fallbackUsed = options.fallback === "yes";
  }
  return request;
}

function timeOption(option: string, text: string, nowMs: number): number {
  const duration = /^([0-9]+)([smhd])$/.exec(text);
  if (duration !== null) return nowMs - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const ms = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(`${option} ${text}: expected a duration before now (30s, 15m, 2h, 7d) or an ISO time (2026-01-31T12:00:00Z)`);
  }
  return ms;
}

function outcomeCode(text: string): number {
  if (text.toLowerCase() === "ok") return Code.OK;
  const upper = text.toUpperCase();
  if (upper in Code) return Code[upper as keyof typeof Code];
  const number = Number(text);
  if (Number.isInteger(number) && isCode(number)) return number;
  throw new UsageError(`--outcome ${text}: expected ok, or a gRPC code such as unavailable, deadline_exceeded or 14`);
}
