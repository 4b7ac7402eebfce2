import { parseArgs } from "node:util";
import {
  DeregisterModelResponseSchema,
  GetModelResponseSchema,
  ListModelStatsResponseSchema,
  Modality,
  ModelSchema,
  ModelStatus,
  type Model,
} from "@modelrouter/contracts";
import { isRpcError, Code } from "@modelrouter/rpc-kit";
import type { Command } from "./commands.js";
import type { Connection } from "./connection.js";
import { enumName, parseEnumOption } from "./enum-option.js";
import { UsageError, type Io } from "./io.js";
import { readManifests } from "./manifests.js";
import { printError, printMessage } from "./output.js";
import { formatTable } from "./table.js";
import { modelStatsRequestOf, modelStatsTable } from "./model-stats-table.js";
import { SYNC_MLFLOW_USAGE, syncMlflow } from "./sync-mlflow-command.js";

/**
 * Registers each model version; one that is already registered is reported and skipped, so that applying the
 * same manifests twice is safe. Returns how many failed.
 */
export async function registerModels(models: readonly Model[], connection: Connection, io: Io): Promise<number> {
  let failed = 0;
  for (const model of models) {
    try {
      const { model: stored } = await connection.registry.registerModel({ model });
      io.err(`registered model ${stored?.name}@${stored?.version} (revision ${stored?.revision})`);
    } catch (error) {
      if (isRpcError(error) && error.code === Code.ALREADY_EXISTS) {
        io.err(`model ${model.name}@${model.version} is already registered`);
        continue;
      }
      failed += 1;
      io.err(`model ${model.name}@${model.version}:`);
      printError(io, error);
    }
  }
  return failed;
}

/** The registry's largest page (it sends at most this many versions per call whatever is asked). */
const MAX_PAGE_SIZE = 500;

export const modelsCommand: Command = {
  usage: `modelrouter models register -f FILE|DIR...     register model versions from YAML/JSON manifests
modelrouter models list [--name N] [--task T] [--label k=v]... [--status S] [--modality M]
                                               a table of versions and their status: a STAGING version serves
                                               only policies that name its exact version, a RETIRED one none
modelrouter models get NAME [--version V]
modelrouter models stats [NAME] [--window 5m] [--output table|json]
                                               live figures of each version over the window (1m to 24h,
                                               default 5m) from every router: requests, error rate, latency
                                               percentiles, and accuracy and mean reward from feedback
modelrouter models deregister NAME [--version V]
${SYNC_MLFLOW_USAGE}`,

  async run(args, connection, io) {
    const [action, ...rest] = args;
    if (action === "sync-mlflow") return syncMlflow(rest, connection, io);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        file: { type: "string", short: "f", multiple: true },
        name: { type: "string" },
        task: { type: "string" },
        label: { type: "string", multiple: true },
        status: { type: "string" },
        modality: { type: "string" },
        version: { type: "string" },
        "page-size": { type: "string" },
        window: { type: "string" },
        output: { type: "string" },
      },
    });
    switch (action) {
      case "register": {
        if (values.file === undefined) throw new UsageError("models register: give at least one -f FILE or DIR");
        return (await registerModels(readManifests(ModelSchema, values.file), connection, io)) === 0 ? 0 : 1;
      }
      case "list": {
        const labels: Record<string, string> = {};
        for (const pair of values.label ?? []) {
          const at = pair.indexOf("=");
          if (at < 1) throw new UsageError(`--label ${pair}: expected key=value`);
          labels[pair.slice(0, at)] = pair.slice(at + 1);
        }
        const pageSize = Number(values["page-size"] ?? 100);
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
          throw new UsageError(`--page-size ${String(values["page-size"])}: expected a count of 1 to ${MAX_PAGE_SIZE}`);
        }
        const filter = {
          name: values.name ?? "",
          task: values.task ?? "",
          labels,
          status: values.status === undefined ? ModelStatus.UNSPECIFIED : parseEnumOption(ModelStatus, "MODEL_STATUS_", "--status", values.status),
          modality: values.modality === undefined ? Modality.UNSPECIFIED : parseEnumOption(Modality, "MODALITY_", "--modality", values.modality),
        };
        const models: Model[] = [];
        let pageToken = "";
        do {
          const page = await connection.registry.listModels({ ...filter, pageSize, pageToken });
          models.push(...page.models);
          pageToken = page.nextPageToken;
        } while (pageToken !== "");
        if (models.length === 0) io.err("no model versions match");
        else for (const line of modelTable(models)) io.out(line);
        return 0;
      }
      case "get": {
        const name = positionals[0];
        if (name === undefined) throw new UsageError("models get: give the model's NAME");
        printMessage(io, GetModelResponseSchema, await connection.registry.getModel({ name, version: values.version ?? "" }));
        return 0;
      }
      case "stats": {
        const output = values.output ?? "table";
        if (output !== "table" && output !== "json") throw new UsageError(`--output ${output}: expected table (the default) or json`);
        const response = await connection.registry.listModelStats(modelStatsRequestOf(positionals[0], values.window));
        if (output === "json") printMessage(io, ListModelStatsResponseSchema, response);
        else if (response.stats.length === 0) io.err("no figures in the window: no router reported attempts and no decision has feedback");
        else for (const line of modelStatsTable(response.stats)) io.out(line);
        return 0;
      }
      case "deregister": {
        const name = positionals[0];
        if (name === undefined) throw new UsageError("models deregister: give the model's NAME");
        printMessage(io, DeregisterModelResponseSchema, await connection.registry.deregisterModel({ name, version: values.version ?? "" }));
        return 0;
      }
      default:
        throw new UsageError(`models: unknown action "${action ?? ""}"`);
    }
  },
};

/** The first of a backend's endpoints, with how many more there are. */
function endpointsCell(endpoints: readonly { url: string }[]): string {
  const [first] = endpoints;
  if (first === undefined) return "";
  return endpoints.length === 1 ? first.url : `${first.url}(+${endpoints.length - 1})`;
}

/**
 * How a model version runs, in one cell without spaces: `onnx:FILE`, `oip:URL` (the first endpoint, and how many
 * more: `(+2)`) or `openai:MODEL_NAME@URL`. Credentials are references and never shown.
 */
export function backendCell(model: Model): string {
  const kind = model.backend?.kind;
  switch (kind?.case) {
    case "onnx":
      return `onnx:${kind.value.uri}`;
    case "oip":
      return `oip:${endpointsCell(kind.value.endpoints)}`;
    case "openai":
      return `openai:${kind.value.modelName}@${endpointsCell(kind.value.endpoints)}`;
    default:
      return "";
  }
}

/**
 * The rows of `models list`: name, version, status (a STAGING version serves only when a policy names it
 * exactly), modality, task, backend (see {@link backendCell}), tenant (empty: shared by every tenant) and labels
 * (sorted by key).
 */
export function modelTable(models: readonly Model[]): string[] {
  return formatTable(
    ["NAME", "VERSION", "STATUS", "MODALITY", "TASK", "BACKEND", "TENANT", "LABELS"],
    models.map((m) => [
      m.name,
      m.version,
      enumName(ModelStatus, m.status),
      enumName(Modality, m.modality).toLowerCase(),
      m.task,
      backendCell(m),
      m.tenant,
      Object.entries(m.labels)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    ]),
  );
}
