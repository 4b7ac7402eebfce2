import type { Model } from "@modelrouter/contracts";
import { mapVersion, SYNC_TAGS, type MappingOptions } from "./map-version.js";
import type { MlflowClient } from "./mlflow-client.js";
import type { MlflowModelListing } from "./mlflow-json.js";
import { planSync, type SyncPlan, type SyncStep, type UpdatableField } from "./sync-plan.js";

/** Where the sync reads and writes modelrouter models: the RegistryService API (the CLI) or the store (the loop). */
export interface ModelCatalogue {
  /** Every registered version the sync may compare with (at least those labelled `synced-from: mlflow`). */
  listModels(): Promise<Model[]>;
  /** The latest version of a model, undefined when none is registered (for `modelrouter.like` tags). */
  getModel(name: string): Promise<Model | undefined>;
  registerModel(model: Model): Promise<void>;
  updateModel(model: Model, fields: readonly UpdatableField[]): Promise<void>;
  deregisterModel(name: string, version: string): Promise<void>;
}

/** What to sync and how. */
export interface SyncOptions extends MappingOptions {
  /** Deregister synced versions MLflow no longer lists. */
  readonly prune?: boolean;
  /** Plan only: change nothing. */
  readonly dryRun?: boolean;
}

/** One line of the report: what happened to one version. */
export interface SyncReportLine {
  readonly outcome: "created" | "updated" | "deregistered" | "unchanged" | "skipped" | "failed" | "planned";
  /** `name@version`: modelrouter's, or MLflow's for a skipped version. */
  readonly model: string;
  /** The planned step (`create`, `update`, ...) for a dry run; the change or the reason otherwise. */
  readonly detail: string;
}

/** The result of a sync. */
export interface SyncReport {
  readonly lines: readonly SyncReportLine[];
  readonly notes: readonly string[];
  readonly counts: Readonly<Record<SyncReportLine["outcome"], number>>;
}

/**
 * Syncs MLflow's registered models into the catalogue: reads every model and version ({@link MlflowClient}),
 * maps them ({@link mapVersion}), plans the changes against the synced versions ({@link planSync}) and, unless a
 * dry run, applies them one by one (a failed step is reported and the others still run). A second sync with
 * nothing changed in MLflow changes nothing.
 */
export async function syncFromMlflow(client: MlflowClient, catalogue: ModelCatalogue, options: SyncOptions = {}): Promise<SyncReport> {
  const listings = await client.listModels();
  const likeModels = await likeModelsOf(listings, catalogue);
  const mapped = listings.flatMap(({ model, versions }) => versions.map((version) => mapVersion(model, version, { ...options, likeModels })));
  const plan = planSync(mapped, await catalogue.listModels(), options.prune === true);
  const lines = options.dryRun === true ? plan.steps.map(plannedLine) : await apply(plan, catalogue);
  const counts = { created: 0, updated: 0, deregistered: 0, unchanged: 0, skipped: 0, failed: 0, planned: 0 };
  for (const line of lines) counts[line.outcome] += 1;
  return { lines, notes: plan.notes, counts };
}

/** The registered models the `modelrouter.like` tags name (at most 100 distinct names). */
async function likeModelsOf(listings: readonly MlflowModelListing[], catalogue: ModelCatalogue): Promise<Map<string, Model>> {
  const names = new Set<string>();
  for (const { model, versions } of listings) {
    for (const tag of [...(model.tags ?? []), ...versions.flatMap((v) => v.tags ?? [])]) {
      if (tag.key === SYNC_TAGS.like && tag.value !== undefined && names.size < 100) names.add(tag.value);
    }
  }
  const models = new Map<string, Model>();
  for (const name of names) {
    const model = await catalogue.getModel(name);
    if (model !== undefined) models.set(name, model);
  }
  return models;
}

async function apply(plan: SyncPlan, catalogue: ModelCatalogue): Promise<SyncReportLine[]> {
  const lines: SyncReportLine[] = [];
  for (const step of plan.steps) {
    try {
      lines.push(await applyStep(step, catalogue));
    } catch (error) {
      lines.push({ outcome: "failed", model: stepModel(step), detail: error instanceof Error ? error.message : String(error) });
    }
  }
  return lines;
}

async function applyStep(step: SyncStep, catalogue: ModelCatalogue): Promise<SyncReportLine> {
  switch (step.kind) {
    case "create":
      await catalogue.registerModel(step.model);
      return { outcome: "created", model: stepModel(step), detail: `endpoint ${endpointOf(step.model)}` };
    case "update":
      await catalogue.updateModel(step.model, step.fields);
      return { outcome: "updated", model: stepModel(step), detail: step.detail };
    case "deregister":
      await catalogue.deregisterModel(step.name, step.version);
      return { outcome: "deregistered", model: stepModel(step), detail: "no longer listed by MLflow" };
    case "unchanged":
      return { outcome: "unchanged", model: stepModel(step), detail: "" };
    case "skip":
      return { outcome: "skipped", model: step.source, detail: step.reason };
  }
}

function plannedLine(step: SyncStep): SyncReportLine {
  switch (step.kind) {
    case "create":
      return { outcome: "planned", model: stepModel(step), detail: `create, endpoint ${endpointOf(step.model)}` };
    case "update":
      return { outcome: "planned", model: stepModel(step), detail: `update ${step.detail}` };
    case "deregister":
      return { outcome: "planned", model: stepModel(step), detail: "deregister: no longer listed by MLflow" };
    case "unchanged":
      return { outcome: "unchanged", model: stepModel(step), detail: "" };
    case "skip":
      return { outcome: "skipped", model: step.source, detail: step.reason };
  }
}

function stepModel(step: SyncStep): string {
  if (step.kind === "create" || step.kind === "update") return `${step.model.name}@${step.model.version}`;
  if (step.kind === "skip") return step.source;
  return `${step.name}@${step.version}`;
}

function endpointOf(model: Model): string {
  const kind = model.backend?.kind;
  return kind?.case === "oip" || kind?.case === "openai" ? kind.value.endpoints.map((e) => e.url).join(", ") : "";
}

/** The report as text lines: one per version (`created digits@2  endpoint grpc://...`), the notes, then the counts. */
export function formatSyncReport(report: SyncReport): string[] {
  const out = report.lines.map((l) => `${l.outcome.padEnd(12)} ${l.model}${l.detail === "" ? "" : `  ${l.detail}`}`);
  for (const note of report.notes) out.push(`note         ${note}`);
  const counts = Object.entries(report.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  out.push(counts.length === 0 ? "nothing to sync: MLflow lists no model versions" : counts.join(", "));
  return out;
}


