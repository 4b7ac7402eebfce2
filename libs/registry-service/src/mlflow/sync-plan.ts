import { equals } from "@bufbuild/protobuf";
import { BackendSchema, ModelStatus, type Model } from "@modelrouter/contracts";
import { SYNCED_LABEL, type MappedVersion } from "./map-version.js";

/** One step of a sync, and each line of its report. */
export type SyncStep =
  | { readonly kind: "create"; readonly model: Model }
  | { readonly kind: "update"; readonly model: Model; readonly fields: readonly UpdatableField[]; readonly detail: string }
  | { readonly kind: "deregister"; readonly name: string; readonly version: string }
  | { readonly kind: "unchanged"; readonly name: string; readonly version: string }
  | { readonly kind: "skip"; readonly source: string; readonly reason: string };

/** The fields of a synced version the sync keeps in step with MLflow. */
export type UpdatableField = "labels" | "status" | "description";

/** What to do, in order: creations, updates, removals, then what stays and what is skipped. */
export interface SyncPlan {
  readonly steps: readonly SyncStep[];
  /** Notes on dropped tags and aliases, `name@version: note`. */
  readonly notes: readonly string[];
}

/**
 * Plans a sync (pure): every mapped version that the registry lacks is created; one that the sync registered
 * before ({@link SYNCED_LABEL}) and whose labels, status or description changed is updated; one registered by
 * other means, or whose backend changed (versions are immutable: give the change a new MLflow version), is
 * skipped with the reason. With `prune`, a synced version that MLflow no longer lists is deregistered; without,
 * it stays.
 */
export function planSync(mapped: readonly MappedVersion[], existing: readonly Model[], prune: boolean): SyncPlan {
  const byKey = new Map(existing.map((m) => [`${m.name}@${m.version}`, m]));
  const wanted = new Set<string>();
  const creates: SyncStep[] = [];
  const updates: SyncStep[] = [];
  const rest: SyncStep[] = [];
  const notes: string[] = [];
  for (const entry of mapped) {
    for (const note of entry.notes) notes.push(`${entry.source}: ${note}`);
    if (entry.model === undefined) {
      rest.push({ kind: "skip", source: entry.source, reason: entry.skipped ?? "not mapped" });
      continue;
    }
    const model = entry.model;
    const key = `${model.name}@${model.version}`;
    if (wanted.has(key)) {
      rest.push({ kind: "skip", source: entry.source, reason: `another MLflow model already maps to ${key}` });
      continue;
    }
    wanted.add(key);
    const current = byKey.get(key);
    if (current === undefined) {
      creates.push({ kind: "create", model });
    } else if (current.labels[SYNCED_LABEL.key] !== SYNCED_LABEL.value) {
      rest.push({ kind: "skip", source: entry.source, reason: `${key} is registered already, not by the MLflow sync: left as it is` });
    } else if (!sameBackend(current, model)) {
      rest.push({ kind: "skip", source: entry.source, reason: `${key} is registered with another backend; versions are immutable: register the change as a new MLflow version` });
    } else {
      const fields = changedFields(current, model);
      if (fields.length === 0) rest.push({ kind: "unchanged", name: model.name, version: model.version });
      else updates.push({ kind: "update", model, fields, detail: describeChange(current, model, fields) });
    }
  }
  const removals: SyncStep[] = [];
  if (prune) {
    for (const model of existing) {
      const key = `${model.name}@${model.version}`;
      if (model.labels[SYNCED_LABEL.key] === SYNCED_LABEL.value && !wanted.has(key) && !mapped.some((m) => m.model === undefined && sourceKey(m) === key)) {
        removals.push({ kind: "deregister", name: model.name, version: model.version });
      }
    }
  }
  return { steps: [...creates, ...updates, ...removals, ...rest], notes };
}

function sourceKey(entry: MappedVersion): string {
  return entry.source.toLowerCase().replace(/[_. ]/gu, "-");
}

function sameBackend(a: Model, b: Model): boolean {
  if (a.backend === undefined || b.backend === undefined) return a.backend === b.backend;
  return equals(BackendSchema, a.backend, b.backend);
}

function changedFields(current: Model, wanted: Model): UpdatableField[] {
  const fields: UpdatableField[] = [];
  if (!sameLabels(current.labels, wanted.labels)) fields.push("labels");
  if (current.status !== wanted.status) fields.push("status");
  if (current.description !== wanted.description) fields.push("description");
  return fields;
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

function describeChange(current: Model, wanted: Model, fields: readonly UpdatableField[]): string {
  const parts: string[] = [];
  if (fields.includes("labels")) {
    const added = Object.keys(wanted.labels).filter((k) => current.labels[k] !== wanted.labels[k]);
    const removed = Object.keys(current.labels).filter((k) => !(k in wanted.labels));
    parts.push(`labels${added.length > 0 ? ` +${added.join(",+")}` : ""}${removed.length > 0 ? ` -${removed.join(",-")}` : ""}`);
  }
  if (fields.includes("status")) parts.push(`status ${ModelStatus[current.status]} → ${ModelStatus[wanted.status]}`);
  if (fields.includes("description")) parts.push("description");
  return parts.join("; ");
}
