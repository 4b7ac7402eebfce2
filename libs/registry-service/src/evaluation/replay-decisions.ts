import { create } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type DecisionRecord, type InputProfile, type RequestContext, RequestContextSchema } from "@modelrouter/contracts";
import {
  type ChoiceMethod,
  type CompiledPolicy,
  type LoggedOutcome,
  type ModelCatalogue,
  actionKey,
  choiceDistribution,
  stableUnit,
} from "@modelrouter/policy";
import type { UsableDecision } from "./logged-decisions.js";

/** The outcomes of a replay, and how many decisions each {@link ChoiceMethod} gave the probabilities of. */
export interface Replay {
  readonly outcomes: LoggedOutcome[];
  readonly methods: Readonly<Record<ChoiceMethod, number>>;
  /** True when `mustStop` ended the replay before every decision was replayed. */
  readonly stopped: boolean;
}

const CHUNK = 500;

/**
 * Replays logged decisions through one compiled policy, evaluated alone (as the only policy) against `catalogue`:
 * for each, what the policies saw is rebuilt (`input` = the record's input, `request` = its request facts and
 * tenant, `now` = its time) and the policy's probability of every model version is found by `choiceDistribution`
 * (seeded by the request id, so a replay is reproducible). Yields to the event loop every 500 decisions and stops
 * early when `mustStop()`.
 */
export async function replayDecisions(
  policy: CompiledPolicy,
  catalogue: ModelCatalogue,
  decisions: readonly UsableDecision[],
  mustStop: () => boolean,
): Promise<Replay> {
  const outcomes: LoggedOutcome[] = [];
  const methods: Record<ChoiceMethod, number> = { undecided: 0, deterministic: 0, exact: 0, sampled: 0 };
  const policies = [policy];
  for (let start = 0; start < decisions.length; start += CHUNK) {
    if (start > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (mustStop()) return { outcomes, methods, stopped: true };
    }
    for (const { record, reward } of decisions.slice(start, start + CHUNK)) {
      const found = choiceDistribution(
        {
          policies,
          catalogue,
          profile: record.input as InputProfile,
          context: contextOf(record),
          now: record.time === undefined ? 0 : timestampMs(record.time),
        },
        Math.floor(stableUnit(record.requestId) * 0x1_0000_0000),
      );
      methods[found.method]++;
      outcomes.push({
        action: actionKey(record.model?.name ?? "", record.model?.version ?? ""),
        propensity: record.propensity,
        reward,
        policy: found.probabilities,
      });
    }
  }
  return { outcomes, methods, stopped: false };
}

/** `request` in the policy language, as the router saw it: the logged request facts and the tenant. */
function contextOf(record: DecisionRecord): RequestContext {
  const facts = record.request;
  return create(RequestContextSchema, {
    requestId: record.requestId,
    tenant: record.tenant,
    metadata: facts?.metadata ?? {},
    tier: facts?.tier ?? "",
    userId: facts?.userId ?? "",
    ...(facts?.timeout === undefined ? {} : { timeout: facts.timeout }),
  });
}
