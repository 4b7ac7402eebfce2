import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import type { Model, RegistryService } from "@modelrouter/contracts";
import { Code, isRpcError, type ServiceClient } from "@modelrouter/rpc-kit";
import { SYNCED_LABEL } from "./map-version.js";
import type { ModelCatalogue } from "./sync-mlflow.js";

/** The registry's largest page of ListModels. */
const PAGE_SIZE = 500;

/**
 * The {@link ModelCatalogue} of a RegistryService client (gRPC for the CLI, a direct in-process client for the
 * registry's own sync loop): lists the versions labelled `synced-from: mlflow`, registers, updates labels,
 * status and description by field mask, deregisters. Registration validates every model as any other (egress
 * policy on endpoints included).
 */
export function registryCatalogue(registry: ServiceClient<typeof RegistryService>): ModelCatalogue {
  return {
    async listModels() {
      const models: Model[] = [];
      let pageToken = "";
      do {
        const page = await registry.listModels({ labels: { [SYNCED_LABEL.key]: SYNCED_LABEL.value }, pageSize: PAGE_SIZE, pageToken });
        models.push(...page.models);
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      return models;
    },
    async getModel(name) {
      try {
        return (await registry.getModel({ name, version: "" })).model;
      } catch (error) {
        if (isRpcError(error) && error.code === Code.NOT_FOUND) return undefined;
        throw error;
      }
    },
    async registerModel(model) {
      await registry.registerModel({ model });
    },
    async updateModel(model, fields) {
      await registry.updateModel({ model, updateMask: create(FieldMaskSchema, { paths: [...fields] }) });
    },
    async deregisterModel(name, version) {
      await registry.deregisterModel({ name, version });
    },
  };
}
