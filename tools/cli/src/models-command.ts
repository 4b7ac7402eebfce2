import { parseArgs } from "node:util";
import {
  DeregisterModelResponseSchema,
  GetModelResponseSchema,
  ModelSchema,
  type Model,
} from "@modelrouter/contracts";
import { isRpcError, Code } from "@modelrouter/rpc-kit";
import type { Command } from "./commands.js";
import type { Connection } from "./connection.js";
import { UsageError, type Io } from "./io.js";
import { readManifests } from "./manifests.js";
import { printError, printMessage } from "./output.js";

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

export const modelsCommand: Command = {
  usage: `modelrouter models register -f FILE|DIR...     register model versions from YAML/JSON manifests
modelrouter models list [--name N] [--task T] [--label k=v]...
modelrouter models get NAME [--version V]
modelrouter models deregister NAME [--version V]`,

  async run(args, connection, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        file: { type: "string", short: "f", multiple: true },
        name: { type: "string" },
        task: { type: "string" },
        label: { type: "string", multiple: true },
        version: { type: "string" },
        "page-size": { type: "string" },
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
          const [k, v] = pair.split("=", 2);
          if (k === undefined || v === undefined) throw new UsageError(`--label ${pair}: expected key=value`);
          labels[k] = v;
        }
        let pageToken = "";
        do {
          const page = await connection.registry.listModels({
            name: values.name ?? "",
            task: values.task ?? "",
            labels,
            pageSize: Number(values["page-size"] ?? 100),
            pageToken,
          });
          for (const m of page.models) {
            io.out(`${m.name}@${m.version}\t${m.task}\t${Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(",")}`);
          }
          pageToken = page.nextPageToken;
        } while (pageToken !== "");
        return 0;
      }
      case "get": {
        const name = positionals[0];
        if (name === undefined) throw new UsageError("models get: give the model's NAME");
        printMessage(io, GetModelResponseSchema, await connection.registry.getModel({ name, version: values.version ?? "" }));
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
