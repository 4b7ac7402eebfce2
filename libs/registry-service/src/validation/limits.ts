import { MAX_MODEL_URI_LENGTH, MAX_REGRESSION_UNIT_LENGTH as MAX_UNIT_LENGTH } from "@modelrouter/syntax";

/**
 * What one registry resource may hold. The figures are far above what a real model card or routing policy
 * needs, and far below what would hurt: every resource travels whole in watch messages to every decision
 * engine (which accept at most 8 MiB per message, and any gRPC client 4 MiB by default) and is held in their
 * memory. Sizes are protobuf-encoded bytes of the resource without its output-only fields; lengths are
 * characters. Documented in docs/models.md ("Limits").
 */

/** The largest model version, protobuf-encoded: 64 KiB (a typical one is under 1 KiB). */
export const MAX_MODEL_BYTES = 64 * 1024;
/** The largest policy, protobuf-encoded: 256 KiB (a typical one is under 4 KiB). */
export const MAX_POLICY_BYTES = 256 * 1024;

/** The longest model or policy `description`. */
export const MAX_DESCRIPTION_LENGTH = 4096;
/** The longest model `task`. */
export const MAX_TASK_LENGTH = 256;
/** The longest `backend.onnx.uri` (the rule itself is `modelUriProblem` of @modelrouter/syntax). */
export const MAX_URI_LENGTH = MAX_MODEL_URI_LENGTH;
/** The longest `backend.onnx.input_name` and `output_name`. */
export const MAX_TENSOR_NAME_LENGTH = 256;
/** The most class labels of `postprocessing.classification.labels` (ImageNet has 1,000). */
export const MAX_CLASS_LABELS = 4096;
/** The longest class label. */
export const MAX_CLASS_LABEL_LENGTH = 256;
/**
 * The longest `postprocessing.regression.unit`. The bounds of text, tabular, audio and series pre-processing
 * are `@modelrouter/syntax`'s, shared with the executor.
 */
export const MAX_REGRESSION_UNIT_LENGTH = MAX_UNIT_LENGTH;
/** The longest `metrics.dataset`. */
export const MAX_DATASET_LENGTH = 256;
/** The most values of one label selector requirement (`match_expressions[i].values`). */
export const MAX_SELECTOR_VALUES = 64;
/** The longest `page_token` a list request may carry (the registry's own tokens are under 300). */
export const MAX_PAGE_TOKEN_LENGTH = 1024;

/**
 * How many problems of one list are reported item by item; the rest are counted in one more violation, so
 * that an error stays readable (and small enough for a gRPC trailer) whatever the request holds.
 */
export const MAX_REPORTED_PER_LIST = 10;
