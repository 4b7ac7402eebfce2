import { relative } from "node:path";
import { repoRoot } from "@modelrouter/testing";
import { parseBenchOptions } from "./cli-options.js";
import { writeReport } from "./report/write-report.js";
import { runFullBenchmark } from "./run/full-benchmark.js";
import { runSoak } from "./soak/run-soak.js";

/**
 * The benchmark command: `node tools/bench/dist/main.js [options]` (see `--help`). The full benchmark by
 * default; `--soak MINUTES` for the soak instead.
 */
const log = (line: string): void => void process.stderr.write(`${line}\n`);

let options;
try {
  options = parseBenchOptions(process.argv.slice(2), repoRoot);
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
const command = ["node", relative(repoRoot, process.argv[1] ?? "tools/bench/dist/main.js"), ...process.argv.slice(2)].join(" ");
if (options.soakMinutes !== undefined) {
  await runSoak(options, { repoRoot, command, log });
} else {
  const result = await runFullBenchmark(options, { repoRoot, command, log });
  const targets = await writeReport(result, options);
  for (const t of targets) log(`  ${t.pass === undefined ? "n/a " : t.pass ? "PASS" : "MISS"}  ${t.name}: ${t.measured} (goal ${t.target})`);
  log(`result: ${options.jsonPath}${options.docsPath === undefined ? "" : `, report: ${options.docsPath}`}, plot: ${options.svgPath}`);
}
process.exit(0);
