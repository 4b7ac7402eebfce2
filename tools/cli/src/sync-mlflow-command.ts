import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { readCredential } from "@modelrouter/egress";
import { createMlflowClient, formatSyncReport, registryCatalogue, syncFromMlflow, type SyncOptions } from "@modelrouter/registry-service/mlflow";
import type { Model } from "@modelrouter/contracts";
import type { Connection } from "./connection.js";
import { UsageError, type Io } from "./io.js";

/** The usage line of `models sync-mlflow`. */
export const SYNC_MLFLOW_USAGE = `modelrouter models sync-mlflow --tracking-uri URL [--endpoint-template URL] [--like NAME[@V]]
        [--credential env:NAME|file:/path] [--prune] [--dry-run] [--json]
                                               register MLflow's model versions (OIP endpoints from the tag
                                               modelrouter.endpoint or the template, {name} and {version}
                                               filled in) and move labels and status with aliases and stages`;

/**
 * `models sync-mlflow`: reads every registered model and version of the MLflow tracking server
 * (`--tracking-uri`, else `$MLFLOW_TRACKING_URI`), with the bearer token of `--credential` (else
 * `$MODELROUTER_MLFLOW_CREDENTIAL`), and registers or updates them through the registry; `--dry-run` prints the
 * plan only, `--json` prints the report as JSON. Exit code 1 when a version failed to register or update.
 */
export async function syncMlflow(args: readonly string[], connection: Connection, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      "tracking-uri": { type: "string" },
      "endpoint-template": { type: "string" },
      like: { type: "string" },
      credential: { type: "string" },
      prune: { type: "boolean" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    },
  });
  const trackingUri = values["tracking-uri"] ?? env["MLFLOW_TRACKING_URI"];
  if (trackingUri === undefined || !/^https?:\/\//u.test(trackingUri)) {
    throw new UsageError(`models sync-mlflow: give --tracking-uri http(s)://host:port, the MLflow tracking server (got ${JSON.stringify(trackingUri ?? "")})`);
  }
  const credentialRef = values.credential ?? env["MODELROUTER_MLFLOW_CREDENTIAL"];
  const credential = credentialRef === undefined ? undefined : await readCredential(credentialRef, { env, readFile: (path) => readFile(path, "utf8") });
  const options: SyncOptions = {
    prune: values.prune === true,
    dryRun: values["dry-run"] === true,
    ...(values["endpoint-template"] === undefined ? {} : { endpointTemplate: values["endpoint-template"] }),
    ...(values.like === undefined ? {} : { like: await likeModel(values.like, connection) }),
  };
  const client = createMlflowClient({ trackingUri, ...(credential === undefined ? {} : { credential }) });
  const report = await syncFromMlflow(client, registryCatalogue(connection.registry), options);
  if (values.json === true) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatSyncReport(report)) io.out(line);
  return report.counts.failed === 0 ? 0 : 1;
}

async function likeModel(ref: string, connection: Connection): Promise<Model> {
  const at = ref.indexOf("@");
  const [name, version] = at < 0 ? [ref, ""] : [ref.slice(0, at), ref.slice(at + 1)];
  if (name === "") throw new UsageError(`--like ${ref}: expected a registered model, NAME or NAME@VERSION`);
  const { model } = await connection.registry.getModel({ name, version });
  if (model === undefined) throw new UsageError(`--like ${ref}: no such model`);
  return model;
}
