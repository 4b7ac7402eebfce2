import { create, toJsonString } from "@bufbuild/protobuf";
import { PreprocessingSchema } from "@modelrouter/contracts";
import { kilobytes, markdownTable, percent } from "../zoo/report-tables.js";
import type { BuildEnvironment } from "../zoo/results.js";
import { environmentLine } from "../zoo/report-tables.js";
import type { FamilyResult } from "./family-result.js";

/** The other models of the same task, as "name: accuracy (F1)" comparison rows. */
function comparison(result: FamilyResult, all: readonly FamilyResult[]): string {
  const peers = all.filter((r) => r.spec.task === result.spec.task);
  if (peers.length < 2) return "";
  const rows = peers.map((r) => [
    r.spec.name === result.spec.name ? `**\`${r.spec.name}\`** (this model)` : `\`${r.spec.name}\``,
    percent(r.evaluation.metrics.accuracy),
    r.evaluation.metrics.macroF1.toFixed(3),
    r.parameters.toLocaleString("en-US"),
    kilobytes(r.sizeBytes),
    `${r.latency.p50Ms.toFixed(3)} ms`,
  ]);
  return `## Compared with the other ${result.spec.task} model${peers.length > 2 ? "s" : ""}

Same held-out set (\`${result.spec.evaluationSet}\`, ${result.evaluation.metrics.samples} samples), each model through its own preprocessing:

${markdownTable(["model", "accuracy", "macro-F1", "parameters", "size", "p50 latency"], rows)}
`;
}

function describeTraining(result: FamilyResult): string {
  const t = result.spec.training;
  const last = result.trained.epochs[result.trained.epochs.length - 1];
  return [
    `Trained from scratch in TypeScript (tools/model-zoo: plain typed-array layers, no ML package) on the ` +
      `${result.trained.trainSamples.toLocaleString("en-US")} training samples, each made by the executor's own preprocessing ` +
      `function from the payload: softmax cross-entropy, Adam (β1 0.9, β2 0.999, ε 1e-8), learning rate ${t.learningRate} ` +
      `multiplied by ${t.learningRateDecay} after each epoch, ${t.epochs} epochs, batches of ${t.batchSize}, He-normal ` +
      `initialisation (mulberry32 seed ${t.initSeed}), shuffles seeded ${t.shuffleSeed}.` +
      (t.standardise
        ? " Every input column was standardised with the training split's mean and standard deviation during training; that was then folded into the first layer, so the file takes the preprocessing's output as it is."
        : "") +
      (result.spec.output === "binary-logit"
        ? " Trained with two logits (benign, malignant); the exported model outputs their difference, one logit whose sigmoid is P(malignant)."
        : ""),
    `Final epoch: training loss ${last?.loss.toFixed(4) ?? "?"}, training accuracy ${percent(last?.accuracy ?? 0)}. ` +
      `Time: ${result.trained.seconds.toFixed(1)} s on the machine below. A rerun gives bit-identical weights (same seeds, same Node major version).`,
  ].join("\n\n");
}

/** The MODEL_CARD.md of a family model; `all` gives the comparison with models of the same task. */
export function renderFamilyCard(result: FamilyResult, all: readonly FamilyResult[], env: BuildEnvironment): string {
  const { spec, data, evaluation } = result;
  const m = evaluation.metrics;
  const perClass = m.confusion.map((row, c) => {
    const tp = row[c] ?? 0;
    const actual = row.reduce((a, b) => a + b, 0);
    const predicted = m.confusion.reduce((s, r) => s + (r[c] ?? 0), 0);
    return [data.classes[c] ?? String(c), String(actual), percent(actual === 0 ? 0 : tp / actual), percent(predicted === 0 ? 0 : tp / predicted)];
  });
  const correct = Math.round(m.accuracy * m.samples);
  const sizes = m.confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const majority = sizes.indexOf(Math.max(...sizes));
  const baseline = `Majority-class baseline (always "${data.classes[majority] ?? ""}"): ${percent((sizes[majority] ?? 0) / m.samples)}.`;
  const preprocessing = toJsonString(PreprocessingSchema, create(PreprocessingSchema, result.preprocessing));
  const output = spec.output === "binary-logit" ? "[1, 1], one logit (sigmoid: P(" + (data.classes[1] ?? "") + "))" : `[1, ${data.classes.length}], one logit per class`;
  return `# Model card: ${spec.name} (version 1)

${spec.description}.

| | |
| --- | --- |
| task | ${spec.task} (${data.classes.length} classes: ${data.classes.join(", ")}) |
| status | active |
| labels | ${Object.entries(spec.labels).map(([k, v]) => `${k}=${v}`).join(", ")} |
| file | \`${spec.name}/model.onnx\`, ${kilobytes(result.sizeBytes)} (${result.sizeBytes.toLocaleString("en-US")} bytes), ONNX opset 13, IR 7, float32 |
| sha256 | \`${result.sha256}\` |
| parameters | ${result.parameters.toLocaleString("en-US")} |
| held-out accuracy | **${percent(m.accuracy)}** (${correct}/${m.samples}) on \`${spec.evaluationSet}\`, macro-F1 ${m.macroF1.toFixed(3)} |
| p50 latency | ${result.latency.p50Ms.toFixed(3)} ms model only (p90 ${result.latency.p90Ms.toFixed(3)} ms, ${result.latency.runs} single-sample runs); preprocessing ${result.preprocessP50Ms.toFixed(3)} ms p50 |

## Intended use

${spec.intendedUse}

## Data and split

${data.description}

The held-out set ships as request payloads in \`libs/model-zoo/samples/eval/${spec.evaluationSet}.json.gz\` (read it with \`loadPayloadEvaluationSet("${spec.evaluationSet}")\`).

## Architecture and interface

${spec.architecture}.

Input \`input\` float32 [1, ${result.sampleShape.join(", ")}], made by the executor from the payload with this catalogue preprocessing:

\`\`\`json
${preprocessing}
\`\`\`

Output \`logits\` float32 ${output}.

## Training

${describeTraining(result)}

## Evaluation

Held-out set \`${spec.evaluationSet}\` (${m.samples} samples, never seen in training), each payload through the executor's preprocessing function and onnxruntime-node: accuracy **${percent(m.accuracy)}** (${correct} correct), macro-F1 **${m.macroF1.toFixed(3)}**. ${baseline} The ONNX outputs match the TypeScript forward pass within ${evaluation.maxLogitDifference.toExponential(1)}.

${markdownTable(["class", "samples", "recall", "precision"], perClass)}

Latency: median of ${result.latency.runs} single-sample onnxruntime-node runs after a warm-up (tensor creation to output), plus the median time of the preprocessing function per held-out payload, on ${environmentLine(env)}. The machine is shared, so read them as orders of magnitude.

${comparison(result, all)}
## Limits

${spec.limits.map((l) => `- ${l}`).join("\n")}

## How to rebuild

From the repository root:

\`\`\`sh
npm run train -w @modelrouter/model-zoo-builder -- --only ${spec.family}
\`\`\`

This retrains the ${spec.family} models with the seeds above and rewrites their files under \`libs/model-zoo/{models,catalogue/models,samples}\`; see tools/model-zoo/README.md.
`;
}
