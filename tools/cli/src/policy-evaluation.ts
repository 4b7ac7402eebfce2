import { statSync } from "node:fs";
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  EvaluatePolicyRequestSchema,
  EvaluatePolicyResponseSchema,
  ExperimentMetric,
  PolicyEstimateSchema,
  PolicySchema,
  type EvaluatePolicyRequest,
  type PolicyEstimate,
} from "@modelrouter/contracts";
import type { Connection } from "./connection.js";
import { UsageError, type Io } from "./io.js";
import { readManifests } from "./manifests.js";
import { printMessage } from "./output.js";
import { formatTable } from "./table.js";

/** The usage of `policies evaluate`, for the policies command's help. */
export const POLICY_EVALUATION_USAGE = `modelrouter policies evaluate -f DRAFT.yaml [--since 24h] [--metric accuracy|reward]
                              [--max-decisions N] [--json]
                                               estimate an unsaved policy's accuracy (or mean reward) on
                                               the logged, labelled traffic before applying it`;

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_WINDOW_MS = 30 * UNIT_MS["d"]!;

/** The options of `policies evaluate`, as parsed. */
export interface EvaluationOptions {
  readonly file?: string | undefined;
  readonly since?: string | undefined;
  readonly metric?: string | undefined;
  readonly "max-decisions"?: string | undefined;
}

/**
 * The EvaluatePolicy request of `policies evaluate`: the one policy in `-f FILE` (YAML or JSON, read as `policies
 * apply -f` reads it), `--since` a duration up to 30 days (`90m`, `24h`, `7d`; unset: the registry's 24 hours),
 * `--metric accuracy|reward` and `--max-decisions N`.
 *
 * @throws UsageError naming the option and the fix.
 */
export function evaluationRequestOf(options: EvaluationOptions): EvaluatePolicyRequest {
  const request = create(EvaluatePolicyRequestSchema, { policy: onePolicy(options.file) });
  if (options.since !== undefined) {
    const match = /^([0-9]{1,6})([smhd])$/.exec(options.since);
    const ms = match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2]!]!;
    if (!(ms > 0 && ms <= MAX_WINDOW_MS)) {
      throw new UsageError(`--since ${options.since}: expected how far back to read, from 1s to 30d, such as 90m, 24h or 7d`);
    }
    request.window = durationFromMs(ms);
  }
  if (options.metric !== undefined) {
    const metric = { accuracy: ExperimentMetric.ACCURACY, reward: ExperimentMetric.REWARD }[options.metric.toLowerCase()];
    if (metric === undefined) throw new UsageError(`--metric ${options.metric}: expected accuracy (label feedback, the default) or reward`);
    request.metric = metric;
  }
  const max = options["max-decisions"];
  if (max !== undefined) {
    if (!/^[0-9]{1,6}$/.test(max) || Number(max) < 1) throw new UsageError(`--max-decisions ${max}: expected a number of decisions from 1 to 100000`);
    request.maxDecisions = Number(max);
  }
  return request;
}

function onePolicy(file: string | undefined): EvaluatePolicyRequest["policy"] {
  if (file === undefined) throw new UsageError("policies evaluate: give the draft policy with -f FILE (YAML or JSON)");
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) throw new UsageError(`-f ${file}: no such file; give the YAML or JSON file of the policy to evaluate`);
  let policies;
  try {
    policies = readManifests(PolicySchema, [file]);
  } catch (error) {
    throw error instanceof UsageError ? new UsageError(`-f ${error.message}`) : error;
  }
  if (policies.length !== 1) throw new UsageError(`-f ${file}: holds ${policies.length} policies; give a file with exactly the one to evaluate`);
  return policies[0];
}

/**
 * The estimate as a table (the self-normalised estimate and its 95 % interval, the effective sample size, the
 * decisions read and matched, the logged mean, the doubly robust and IPS estimates; accuracy in percent, a reward
 * to three decimals), then its notes.
 */
export function estimateLines(estimate: PolicyEstimate): string[] {
  const figure = (value: number): string =>
    estimate.metric === ExperimentMetric.REWARD ? value.toFixed(3) : `${(100 * value).toFixed(1)}%`;
  const none = estimate.matched === 0n;
  const lines = formatTable(
    ["ESTIMATE", "95% INTERVAL", "ESS", "DECISIONS", "MATCHED", "LOGGED", "DOUBLY ROBUST", "IPS"],
    [
      [
        none ? "-" : figure(estimate.snips),
        none ? "-" : `${figure(estimate.lower)} .. ${figure(estimate.upper)}`,
        estimate.effectiveSampleSize.toFixed(1),
        estimate.decisions.toString(),
        estimate.matched.toString(),
        estimate.decisions === 0n ? "-" : figure(estimate.logged),
        estimate.decisions === 0n ? "-" : figure(estimate.doublyRobust),
        estimate.decisions === 0n ? "-" : figure(estimate.ips),
      ],
    ],
  );
  return [...lines, ...estimate.notes.map((note) => `note: ${note}`)];
}

/** Runs `policies evaluate` with its arguments (after the action); returns the exit code. */
export async function runPolicyEvaluation(args: readonly string[], connection: Connection, io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      file: { type: "string", short: "f" },
      since: { type: "string" },
      metric: { type: "string" },
      "max-decisions": { type: "string" },
      json: { type: "boolean" },
    },
  });
  const response = await connection.registry.evaluatePolicy(evaluationRequestOf(values));
  if (values.json === true) printMessage(io, EvaluatePolicyResponseSchema, response);
  else for (const line of estimateLines(response.estimate ?? create(PolicyEstimateSchema))) io.out(line);
  return 0;
}
