import { create } from "@bufbuild/protobuf";
import { Modality, type Tensor, TensorProfileSchema } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { checkTensor } from "@modelrouter/syntax";
import { ANALYZER_LIMITS } from "../limits.js";
import { type ProfileParts, TENSOR_MIME_TYPE, clampSize } from "../profile-parts.js";

const PATH = "payload.tensor";
const LIMITS = { maxRank: ANALYZER_LIMITS.maxTensorRank, maxElements: ANALYZER_LIMITS.maxTensorElements };

/**
 * Profiles `payload.tensor`: its data type, shape and element count, sized as its dense bytes (elements ×
 * element size). The tensor is checked by `checkTensor`, the rules every service shares, with the analyzer's
 * limits of {@link ANALYZER_LIMITS.maxTensorRank} dimensions and {@link ANALYZER_LIMITS.maxTensorElements}
 * elements; each problem is a violation under `payload.tensor`, for example `payload.tensor.shape[1]`.
 */
export function profileTensor(tensor: Tensor, violations: Violations): ProfileParts | undefined {
  const checked = checkTensor(tensor, PATH, violations, LIMITS);
  if (checked === undefined) return undefined;
  const profile = create(TensorProfileSchema, { dataType: tensor.dataType, shape: [...tensor.shape], elementCount: checked.count });
  return { modality: Modality.TENSOR, mimeType: TENSOR_MIME_TYPE, sizeBytes: clampSize(checked.count * checked.element.bytes), tensor: profile, warnings: [] };
}
