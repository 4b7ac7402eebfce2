import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { evaluatePolicies } from "@modelrouter/policy";
import { repoRoot } from "@modelrouter/testing";
import { replaceSection } from "../report/doc-sections.js";
import { describeMachine } from "../report/machine-info.js";
import { type TimingSummary, medianOfRepetitions, summarise, timeInBlocks } from "./block-timing.js";
import { type DecidingPosition, EXPECTED_TARGET, benchmarkInput } from "./evaluator-fixture.js";
import { type VariantResult, renderEvaluatorMarkdown } from "./evaluator-report.js";

/**
 * The pure policy evaluator benchmark: `node tools/bench/dist/policy-evaluator/main.js [--blocks N] [--write]`.
 * Decides one premium image request with a 20-rule policy (CEL conditions; the deciding rule first, then last)
 * whose route is a selector over 20 models with `STRATEGY_BEST` by accuracy and 2 constraints, on this thread,
 * without the explanation (as the router's Infer asks) and with it (as Explain asks):
 * a warm-up, then N (default 1000) blocks of 100 decisions, 5 repetitions. Prints JSON on stderr and a markdown table on
 * stdout; `--write` puts the table in the `bench:policy-evaluator` section of `docs/benchmarks.md`.
 */
const args = process.argv.slice(2);
const blocksAt = args.indexOf("--blocks");
const blocks = blocksAt >= 0 ? Number(args[blocksAt + 1]) : 1000;
if (!Number.isInteger(blocks) || blocks < 100) {
  process.stderr.write("--blocks must be an integer of at least 100 (p99 needs at least 100 samples)\n");
  process.exit(2);
}
const blockSize = 100;
const repetitionCount = 5;

const modes = [
  { explain: false, label: "decision only (Infer)" },
  { explain: true, label: "explained (Explain)" },
] as const;
const results: VariantResult[] = [];
for (const { explain, label } of modes) {
  for (const position of ["first", "last"] as const satisfies readonly DecidingPosition[]) {
    const input = benchmarkInput(position, explain);
    const decide = (): string => evaluatePolicies(input).target.name;
    if (decide() !== EXPECTED_TARGET) throw new Error(`variant ${position} chose ${decide()}, not ${EXPECTED_TARGET}`);
    const repetitions: TimingSummary[] = [];
    for (let r = 0; r < repetitionCount; r++) {
      const timing = timeInBlocks(decide, { warmupCalls: 20_000, blocks, blockSize });
      repetitions.push(summarise(timing));
    }
    results.push({ variant: `rule ${position}, ${label}`, median: medianOfRepetitions(repetitions), repetitions });
  }
}

const machine = describeMachine(repoRoot, undefined);
const command = `node tools/bench/dist/policy-evaluator/main.js${blocksAt >= 0 ? ` --blocks ${blocks}` : ""}`;
const markdown = renderEvaluatorMarkdown(results, {
  command,
  machine: `${machine.cpuModel}, ${machine.cores} cores (shared), Node ${machine.node}`,
  date: new Date().toISOString().slice(0, 10),
  blocks,
  blockSize,
  repetitions: repetitionCount,
});
process.stderr.write(`${JSON.stringify({ blocks, blockSize, repetitions: repetitionCount, results }, null, 2)}\n`);
process.stdout.write(`${markdown}\n`);
if (args.includes("--write")) {
  const doc = join(repoRoot, "docs/benchmarks.md");
  await writeFile(doc, replaceSection(await readFile(doc, "utf8"), "policy-evaluator", markdown));
}
