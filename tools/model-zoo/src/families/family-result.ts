import type { MessageInitShape } from "@bufbuild/protobuf";
import type { PreprocessingSchema } from "@modelrouter/contracts";
import type { PayloadDataset } from "../data/payload.js";
import type { Latency } from "../eval/onnx-runner.js";
import type { FamilyEvaluation } from "./evaluate-family-model.js";
import type { FamilyModelSpec } from "./family-spec.js";
import type { TrainedFamilyModel } from "./train-family-model.js";

/** Everything built and measured about one family model. */
export interface FamilyResult {
  readonly spec: FamilyModelSpec;
  readonly data: PayloadDataset;
  /** The catalogue preprocessing the model was trained and evaluated with. */
  readonly preprocessing: MessageInitShape<typeof PreprocessingSchema>;
  /** One input's shape without the batch dimension. */
  readonly sampleShape: readonly number[];
  /** Lower-case hex SHA-256 of model.onnx. */
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly parameters: number;
  readonly trained: TrainedFamilyModel;
  readonly evaluation: FamilyEvaluation;
  /** onnxruntime-node single-sample latency (the model only). */
  readonly latency: Latency;
  /** Median time of the executor's preprocessing function per held-out payload, in milliseconds. */
  readonly preprocessP50Ms: number;
}
