import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, relative } from "node:path";
import type { BenchResult } from "../run/bench-result.js";
import { aggregate } from "./aggregate.js";
import { replaceSection } from "./doc-sections.js";
import { renderLatencyPlot } from "./latency-plot.js";
import { renderMarkdown } from "./render-markdown.js";
import { checkTargets, type TargetCheck } from "./targets.js";

/** Where to write a result. */
export interface ReportPaths {
  readonly jsonPath: string;
  /** The Markdown document whose `bench:full` section is replaced; undefined: none. */
  readonly docsPath?: string;
  readonly svgPath: string;
}

/** Writes the JSON result, the SVG plot and the report section of the docs; returns the target checks. */
export async function writeReport(result: BenchResult, paths: ReportPaths): Promise<TargetCheck[]> {
  const cells = aggregate(result);
  const targets = checkTargets(result, cells);
  await mkdir(dirname(paths.jsonPath), { recursive: true });
  await writeFile(paths.jsonPath, `${JSON.stringify({ ...result, targets }, null, 2)}\n`);
  await mkdir(dirname(paths.svgPath), { recursive: true });
  await writeFile(paths.svgPath, renderLatencyPlot(result, cells));
  if (paths.docsPath !== undefined) {
    const plot = relative(dirname(paths.docsPath), paths.svgPath);
    const existing = await readFile(paths.docsPath, "utf8").catch(() => "# Benchmarks\n");
    await writeFile(paths.docsPath, replaceSection(existing, "full", renderMarkdown(result, cells, targets, plot)));
  }
  return targets;
}
