import { DATASET_NAMES, type BuildEnvironment, type ModelResult } from "./results.js";

/** A percentage with one decimal, for example "97.3 %". */
export const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;

/** A byte count in KB (1 KB = 1,024 bytes) with one decimal. */
export const kilobytes = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

/** A Markdown table from a header row and body rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** One row per model: held-out accuracy, macro-F1, size, parameters, p50 latency and build time. */
export function resultsTable(results: readonly ModelResult[]): string {
  return markdownTable(
    ["model", "held-out set", "accuracy", "macro-F1", "size", "parameters", "p50 latency", "build time"],
    results.map((r) => {
      const primary = r.evaluations[r.spec.dataset];
      return [
        `\`${r.spec.name}\``,
        DATASET_NAMES[r.spec.dataset],
        percent(primary.metrics.accuracy),
        primary.metrics.macroF1.toFixed(3),
        kilobytes(r.sizeBytes),
        r.parameters.toLocaleString("en-US"),
        `${r.latency.p50Ms.toFixed(3)} ms`,
        `${r.make.seconds.toFixed(1)} s`,
      ];
    }),
  );
}

/**
 * The routing-gain table: every model on both held-out sets, each through its own preprocessing (the 8×8
 * scans are upscaled bilinearly to 28×28 for the MNIST models; MNIST digits are area-averaged to 8×8 for the
 * specialist).
 */
export function routingGainTable(results: readonly ModelResult[]): string {
  return markdownTable(
    ["model", `on ${DATASET_NAMES.lowres} (8×8 scans)`, `on ${DATASET_NAMES.mnist} (28×28)`],
    results.map((r) => [
      `\`${r.spec.name}\``,
      `${percent(r.evaluations.lowres.metrics.accuracy)} (F1 ${r.evaluations.lowres.metrics.macroF1.toFixed(3)})`,
      `${percent(r.evaluations.mnist.metrics.accuracy)} (F1 ${r.evaluations.mnist.metrics.macroF1.toFixed(3)})`,
    ]),
  );
}

/** One sentence naming the machine and runtimes. */
export function environmentLine(env: BuildEnvironment): string {
  return `${env.cpu}, ${env.cores} cores (shared with other work), ${env.platform}, Node ${env.node}, onnxruntime-node ${env.onnxruntime}, 1 intra-op thread`;
}
