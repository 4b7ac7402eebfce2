import { clone, create, fromJson, toBinary } from "@bufbuild/protobuf";
import { ModelSchema, ModelStatus, PolicySchema, RegisterModelRequestSchema, type Model, type Policy } from "@modelrouter/contracts";
import { loadDemoModels } from "@modelrouter/model-zoo";

const MIB = 1024 * 1024;

/** A copy of the zoo's digits-general under another name, with no labels (no selector picks it) and staged. */
export function stagedCopyOfDigitsGeneral(name: string): Model {
  const general = loadDemoModels().find((m) => m.name === "digits-general")!;
  const copy = clone(ModelSchema, general);
  copy.name = name;
  copy.labels = {};
  copy.status = ModelStatus.STAGING;
  return copy;
}

/**
 * A model with so many labels (each a legal Kubernetes label) that its `RegisterModelRequest` is just under
 * `limitBytes` (default 8 MiB, the largest message a service accepts), by less than what the registry adds when
 * it sends the model on (revision, timestamps, the change around it): ~100k labels.
 */
export function modelWithHugeLabels(name: string, limitBytes = 8 * MIB): { model: Model; labels: number; bytes: number } {
  const model = stagedCopyOfDigitsGeneral(name);
  const base = toBinary(RegisterModelRequestSchema, create(RegisterModelRequestSchema, { model })).length;
  const budget = limitBytes - 48 - base;
  const labels: Record<string, string> = {};
  let bytes = 0;
  let count = 0;
  for (;;) {
    const key = `hostile-label-${String(count).padStart(6, "0")}-${"k".repeat(20)}`;
    const value = `value-${String(count).padStart(6, "0")}-${"v".repeat(20)}`;
    // map entry: tag + length + (tag + length + key) + (tag + length + value)
    const entry = 1 + 1 + (2 + key.length) + (2 + value.length);
    if (bytes + entry + 1 > budget) break;
    labels[key] = value;
    bytes += entry + 1;
    count += 1;
  }
  model.labels = labels;
  const size = toBinary(RegisterModelRequestSchema, create(RegisterModelRequestSchema, { model })).length;
  return { model, labels: count, bytes: size };
}

/** The model URIs a careless or hostile user may register, and same-shaped URIs of files that do not exist. */
export const HOSTILE_MODEL_URIS = ["/dev/zero", "/etc/passwd", "file:///etc/shadow", "../../../../etc/passwd"] as const;
/** For each existing hostile URI, one that names no file: the two must get the same answer (no file-existence oracle). */
export const MISSING_TWINS: Readonly<Record<string, string>> = {
  "/etc/passwd": "/etc/hostile-no-such-file",
  "/dev/zero": "/dev/hostile-no-such-device",
  "file:///etc/shadow": "file:///etc/hostile-no-such-file",
  "../../../../etc/passwd": "../../../../etc/hostile-no-such-file",
};

/** A staged model whose ONNX backend points at `uri` (no checksum, so nothing stops a read but the executor). */
export function modelWithUri(name: string, uri: string): Model {
  const model = stagedCopyOfDigitsGeneral(name);
  if (model.backend?.kind.case !== "onnx") throw new Error("digits-general is expected to be an ONNX model");
  model.backend.kind.value.uri = uri;
  model.backend.kind.value.sha256 = "";
  return model;
}

/**
 * A policy routing by `request.metadata["uri_case"]` to each named model (version 1, no fallbacks), so that a
 * test can make the executor load any of them.
 */
export function policyRoutingByCase(name: string, models: readonly string[]): Policy {
  return fromJson(PolicySchema, {
    name,
    description: "hostile test: one rule per model, chosen by metadata",
    priority: 1,
    when: '"uri_case" in request.metadata',
    rules: models.map((model, i) => ({
      name: `case-${i}`,
      when: `request.metadata["uri_case"] == "${i}"`,
      route: { targets: [{ model: { name: model, version: "1" } }] },
    })),
  });
}

/** `[0, 1, …, n − 1]` as CEL. */
const range = (n: number): string => `[${Array.from({ length: n }, (_, i) => i).join(", ")}]`;

/**
 * 256 legal rules, each `[0..n−1].all(x, x in [0..n−1]) && …`: ~n²/2 list comparisons per rule. With n = 480
 * (issue 7's reproduction, ~29M comparisons per request) the text is over 1 MiB; with n = 90 (~1M comparisons)
 * it stays under any sensible size limit, so only a cost estimate can refuse it.
 */
export function costlyPolicy(name: string, n: number): Policy {
  const list = range(n);
  return fromJson(PolicySchema, {
    name,
    description: "hostile test: every rule legal, the whole too expensive to evaluate",
    priority: 1,
    when: 'input.modality == "image"',
    rules: Array.from({ length: 256 }, (_, i) => ({
      name: `costly-${i}`,
      when: `${list}.all(x, x in ${list}) && request.tenant == "costly-${i}"`,
      route: { targets: [{ model: { name: "digits-general" } }] },
    })),
  });
}

/**
 * A text payload whose `InferRequest` is 64 bytes under 8 MiB: accepted at an 8 MiB edge, and larger than 8 MiB
 * once an internal hop wraps it (the tunnel's method name, deadline and trace headers).
 */
export function justUnderLimitText(): string {
  // InferRequest = tag + length(4) of the payload, which is tag + length(4) of the text: 10 bytes around it.
  return "a".repeat(8 * MIB - 64 - 10);
}

/** A text payload of 8 MiB + 1 KiB: an Infer just over the 8 MiB message limit. */
export function justOverLimitText(): string {
  return "a".repeat(8 * MIB + 1024);
}
