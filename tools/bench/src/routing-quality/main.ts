import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, relative } from "node:path";
import { fromJson } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { ExperimentMetric, PolicySchema } from "@modelrouter/contracts";
import { loadDemoModels } from "@modelrouter/model-zoo";
import { type RunningSystem, repoRoot, startModelrouter } from "@modelrouter/testing";
import { replaceSection } from "../report/doc-sections.js";
import { describeMachine } from "../report/machine-info.js";
import {
  BANDIT_MODE,
  CONTEXTUAL_BANDIT_MODE,
  QUALITY_METADATA,
  QUALITY_MODELS,
  type QualityMode,
  RULE_BASED_MODE,
  singleModelMode,
} from "./quality-modes.js";
import { parseQualityOptions } from "./quality-options.js";
import { type OpeTrial, type QualityBenchResult, renderQualityMarkdown } from "./quality-report.js";
import { accuracyOf, modeFigures, oracleAccuracy, type ServedAnswer } from "./quality-scores.js";
import { replay } from "./replay.js";
import { createRandom } from "../loadgen/random.js";
import { buildWorkload, type WorkloadItem } from "./workload.js";

/**
 * The routing-quality benchmark: `node tools/bench/dist/routing-quality/main.js [options]` (see `--help`). A
 * co-located modelrouter serves the zoo's three digit models; a held-out mixed workload (MNIST digits and 8×8
 * scans, some scans tagged by metadata) is replayed through it under each routing mode — every single model, the
 * rule-based policy, a bandit without rules, a contextual bandit — the bandits after a learning stream with
 * feedback. Accuracy, PGR against the per-request oracle, cost and latency go to
 * `tools/bench/results/routing-quality.json` and the `bench:routing-quality` section of docs/benchmarks.md, with
 * off-policy evaluation trials: estimates of unapplied drafts on logged traffic against their true accuracy.
 */
const SCAN_SHARE = 0.35;
const TAGGED_SCAN_SHARE = 0.5;
const LEARNING_BLOCK = 250;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const LOGGING_POLICY = {
  name: "quality-logging",
  when: 'request.metadata["bench"] == "routing-quality"',
  defaultRoute: { targets: QUALITY_MODELS.map((m) => ({ model: { name: m.name }, weight: 1 })), strategy: "STRATEGY_WEIGHTED" },
};

async function waitForPolicies(system: RunningSystem, names: readonly string[]): Promise<void> {
  const probe = buildWorkload({ seed: 0, learning: 0, evaluation: 1, scanShare: 0, taggedScanShare: 0 }).evaluation[0]!;
  const end = Date.now() + 30_000;
  for (const policy of names) {
    for (;;) {
      const explained = await system.router
        .explain({ request: { payload: { kind: { case: "image", value: { data: probe.png } } }, metadata: QUALITY_METADATA, policy } })
        .catch(() => undefined);
      if (explained?.decision?.policy === policy) break;
      if (Date.now() > end) throw new Error(`policy ${policy} never reached the decision engine`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function blocks(answers: readonly ServedAnswer[], size: number): number[] {
  const curve: number[] = [];
  for (let from = 0; from < answers.length; from += size) curve.push(accuracyOf(answers.slice(from, from + size)));
  return curve;
}

let options;
try {
  options = parseQualityOptions(process.argv.slice(2), repoRoot);
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
const command = ["node", relative(repoRoot, process.argv[1] ?? "tools/bench/dist/routing-quality/main.js"), ...process.argv.slice(2)].join(" ");
const startedAt = new Date().toISOString();
const workload = buildWorkload({
  seed: options.seed,
  learning: options.learning,
  evaluation: options.evaluation,
  scanShare: SCAN_SHARE,
  taggedScanShare: TAGGED_SCAN_SHARE,
});
let system: RunningSystem | undefined;
let failed = false;
try {
  log("  starting a co-located modelrouter…");
  system = await startModelrouter("co-located", { OTEL_SDK_DISABLED: "true" });
  const zoo = loadDemoModels();
  for (const { name } of QUALITY_MODELS) await system.registry.registerModel({ model: zoo.find((m) => m.name === name)! });
  const singles = QUALITY_MODELS.map((m) => singleModelMode(m.name));
  const modes: QualityMode[] = [...singles, RULE_BASED_MODE, BANDIT_MODE, CONTEXTUAL_BANDIT_MODE];
  for (const mode of modes) await system.registry.applyPolicy({ policy: fromJson(PolicySchema, mode.policy) });
  await system.registry.applyPolicy({ policy: fromJson(PolicySchema, LOGGING_POLICY) });
  await waitForPolicies(system, [...modes.map((m) => m.policy["name"] as string), LOGGING_POLICY.name]);

  const answers = new Map<string, ServedAnswer[]>();
  const learningCurves: Record<string, number[]> = {};
  for (const mode of modes) {
    const policy = mode.policy["name"] as string;
    if (mode.learns && options.learning > 0) {
      log(`  ${mode.name}: learning from ${options.learning} labelled requests…`);
      const learned = await replay(system.router, workload.learning, { policy, concurrency: options.concurrency, feedback: true });
      learningCurves[mode.name] = blocks(learned, LEARNING_BLOCK);
    }
    log(`  ${mode.name}: ${options.evaluation} held-out requests…`);
    answers.set(mode.name, await replay(system.router, workload.evaluation, { policy, concurrency: options.concurrency, feedback: mode.learns }));
  }

  const singleAnswers = singles.map((m) => answers.get(m.name)!);
  const singleAccuracies = singles.map((m, i) => ({ model: m.name.replace("single: ", ""), accuracy: accuracyOf(singleAnswers[i]!) }));
  const bestSingle = singleAccuracies.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  const oracle = oracleAccuracy(singleAnswers);
  const costOf = (model: string): number => QUALITY_MODELS.find((m) => m.name === model)?.costUs ?? Number.NaN;

  // Every model's known answer to every held-out image, for the off-policy trials' truth.
  const correctByModel = new Map<string, Map<string, boolean>>();
  QUALITY_MODELS.forEach((m, i) => {
    const known = new Map<string, boolean>();
    workload.evaluation.forEach((item, j) => known.set(item.id, singleAnswers[i]![j]!.correct));
    correctByModel.set(m.name, known);
  });
  const drafts = [
    { name: "rule-based policy", policy: RULE_BASED_MODE.policy, choose: (item: WorkloadItem) => (item.kind === "scan" ? "digits-lowres-specialist" : "digits-general") },
    { name: "digits-general alone", policy: singleModelMode("digits-general").policy, choose: () => "digits-general" },
  ];
  const opeTrials: OpeTrial[] = [];
  const random = createRandom(options.seed + 7919);
  for (let trial = 0; trial < options.opeTrials; trial++) {
    log(`  off-policy trial ${trial + 1}/${options.opeTrials}: ${options.opeRequests} requests logged by a uniform split…`);
    const items = Array.from({ length: options.opeRequests }, () => workload.evaluation[Math.floor(random() * workload.evaluation.length)]!);
    await replay(system.router, items, { policy: LOGGING_POLICY.name, concurrency: options.concurrency, feedback: true });
    for (const draft of drafts) {
      const { estimate } = await system.registry.evaluatePolicy(
        {
          policy: fromJson(PolicySchema, { ...draft.policy, name: "draft" }),
          window: durationFromMs(3_600_000),
          metric: ExperimentMetric.ACCURACY,
          maxDecisions: options.opeRequests,
        },
        { timeoutMs: 60_000 },
      );
      const truth = items.filter((item) => correctByModel.get(draft.choose(item))?.get(item.id) === true).length / items.length;
      opeTrials.push({
        draft: draft.name,
        estimate: estimate?.snips ?? Number.NaN,
        lower: estimate?.lower ?? Number.NaN,
        upper: estimate?.upper ?? Number.NaN,
        effectiveSampleSize: estimate?.effectiveSampleSize ?? Number.NaN,
        truth,
      });
    }
  }

  const result: QualityBenchResult = {
    startedAt,
    command,
    machine: describeMachine(repoRoot, undefined),
    seed: options.seed,
    learning: options.learning,
    evaluation: options.evaluation,
    scanShare: workload.evaluation.filter((item) => item.kind === "scan").length / workload.evaluation.length,
    oracleAccuracy: oracle,
    bestSingle,
    modes: modes.map((m) => ({ name: m.name, ...modeFigures(answers.get(m.name)!, { bestSingle: bestSingle.accuracy, oracle }, costOf) })),
    learningCurves,
    learningBlock: LEARNING_BLOCK,
    opeTrials,
  };
  await mkdir(dirname(options.jsonPath), { recursive: true });
  await writeFile(options.jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = renderQualityMarkdown(result);
  log(`\n${markdown}`);
  if (options.docsPath !== undefined) {
    await writeFile(options.docsPath, replaceSection(await readFile(options.docsPath, "utf8"), "routing-quality", markdown));
  }
} catch (error) {
  failed = true;
  log(`routing-quality benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await system?.stop();
}
process.exit(failed ? 1 : 0);
