import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createAnalyzerService, createLanguageDetector } from "@modelrouter/analyzer-service";
import { AnalyzerService } from "@modelrouter/contracts";
import { createDirectClient } from "@modelrouter/rpc-kit";
import { repoRoot } from "@modelrouter/testing";
import { replaceSection } from "../report/doc-sections.js";
import { describeMachine } from "../report/machine-info.js";
import { costCases } from "./analyzer-payloads.js";
import { type CaseCost, measureCase, renderCostMarkdown } from "./analyzer-cost-report.js";

/**
 * The analyzer cost scenario: `node tools/bench/dist/analyzer-cost/main.js [--calls N] [--write]`. Calls
 * `AnalyzerService/Analyze` in-process (the co-located topology's direct client: no encoding, no network) on a
 * typical payload of each modality, one call at a time, and reports the median and p90 microseconds per call.
 * `--write` puts the table in the `bench:analyzer` section of `docs/analyzer.md`.
 */
const args = process.argv.slice(2);
const callsAt = args.indexOf("--calls");
const calls = callsAt >= 0 ? Number(args[callsAt + 1]) : 2000;
if (!Number.isInteger(calls) || calls < 10) {
  process.stderr.write("--calls must be an integer of at least 10\n");
  process.exit(2);
}
const client = createDirectClient(AnalyzerService, createAnalyzerService({ languageDetector: await createLanguageDetector() }), {
  defaultTimeoutMs: 60_000,
});
const results: CaseCost[] = [];
for (const costCase of costCases(repoRoot)) {
  const result = await measureCase(costCase, calls, (payload) => client.analyze({ payload }));
  process.stderr.write(`  ${costCase.name}: median ${result.medianUs.toFixed(1)} µs, p90 ${result.p90Us.toFixed(1)} µs\n`);
  results.push(result);
}
const machine = describeMachine(repoRoot, undefined);
const markdown = renderCostMarkdown(results, calls, `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}`);
process.stdout.write(`${markdown}\n`);
if (args.includes("--write")) {
  const doc = join(repoRoot, "docs/analyzer.md");
  await writeFile(doc, replaceSection(await readFile(doc, "utf8"), "analyzer", markdown));
}
