import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fromJson, type DescMessage, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { ModelSchema, PolicySchema, type Model, type Policy } from "@modelrouter/contracts";
import { parse } from "yaml";
import { catalogueDir } from "./paths.js";

/** Parses every `*.yaml` file of a catalogue folder as `schema`, in the order of the names (file name without `.yaml`). */
function loadFolder<Desc extends DescMessage>(folder: string, schema: Desc): MessageShape<Desc>[] {
  const dir = join(catalogueDir(), folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .sort((a, b) => a.slice(0, -5).localeCompare(b.slice(0, -5), "en"))
    .map((file) => {
      try {
        return fromJson(schema, parse(readFileSync(join(dir, file), "utf8")) as JsonValue);
      } catch (cause) {
        throw new Error(`model-zoo catalogue file ${folder}/${file} is not a valid ${schema.typeName}`, { cause });
      }
    });
}

/**
 * The zoo's models as `modelrouter.registry.v1.Model` messages, ready for `RegisterModel`: read from
 * `catalogue/models/*.yaml` at each call, ordered by name. Their ONNX URIs are relative to {@link modelZooDir}.
 */
export function loadDemoModels(): Model[] {
  return loadFolder("models", ModelSchema);
}

/** The demo policies (`catalogue/policies/*.yaml`) as `modelrouter.registry.v1.Policy` messages, for `ApplyPolicy`. */
export function loadDemoPolicies(): Policy[] {
  return loadFolder("policies", PolicySchema);
}
