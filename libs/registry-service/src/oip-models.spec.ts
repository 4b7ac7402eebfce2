import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { BackendSchema, type ImagePreprocessing, type Model, type OipBackend, OipBackendSchema } from "@modelrouter/contracts";
import { type EgressPolicy, parseEgressPolicy } from "@modelrouter/egress";
import { Code } from "@modelrouter/rpc-kit";
import {
  type Backend,
  type Registry,
  onnxOf,
  pgliteBackend,
  readStream,
  rpcErrorOf,
  uniqueName,
  validModel,
} from "./registry.test-support.js";

/** A valid image model served by OIP model servers, with the digits model's pre- and post-processing. */
function oipModel(oip: MessageInitShape<typeof OipBackendSchema>, name = uniqueName()): Model {
  const model = validModel({ name });
  const { preprocessing, postprocessing } = onnxOf(model);
  model.backend = create(BackendSchema, { kind: { case: "oip", value: create(OipBackendSchema, { preprocessing, postprocessing, ...oip }) } });
  return model;
}

const oipOf = (model: Model | undefined): OipBackend => {
  const kind = model?.backend?.kind;
  if (kind?.case !== "oip") throw new Error("not an oip model");
  return kind.value;
};

const SECRET = "tr1ton-s3cret-bearer-token";

const endpoints = [
  { url: "grpc://triton-0.models.svc:8001", credential: "env:TRITON_TOKEN" },
  { url: "https://digits.models.example.com/", credential: "file:/var/run/secrets/kserve/token" },
  { url: "http://10.0.3.7:8000" },
];

function policyOf(settings: Record<string, string>): EgressPolicy {
  const result = parseEgressPolicy(settings);
  if (result.policy === undefined) throw new Error(result.problems.join("; "));
  return result.policy;
}

describe("RegisterModel with an oip backend (a remote Open Inference Protocol model server)", () => {
  let backend: Backend;
  let registry: Registry;

  beforeAll(async () => {
    backend = await pgliteBackend();
    registry = await backend.open();
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await backend?.stop();
  }, 60_000);

  const violationsOf = async (on: Registry, model: Model): Promise<{ field: string; description: string }[]> => {
    const error = await rpcErrorOf(on.client.registerModel({ model }));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    return error.violations.map(({ field, description }) => ({ field, description }));
  };

  it("stores the endpoints with their credential references, and every read returns the references, never a value", async () => {
    const model = oipModel({ endpoints, modelName: "digits_onnx", modelVersion: "3", inputName: "input", outputName: "probabilities" });
    const watch = readStream((signal) => registry.client.watchModels({ sinceRevision: 0n }, { signal, timeoutMs: 120_000 }));
    try {
      const registered = (await registry.client.registerModel({ model })).model!;
      expect(oipOf(registered).endpoints.map(({ url, credential }) => ({ url, credential }))).toEqual(
        endpoints.map(({ url, credential = "" }) => ({ url, credential })),
      );
      const got = (await registry.client.getModel({ name: model.name, version: "1" })).model;
      expect(got).toEqual(registered);
      const listed = (await registry.client.listModels({ pageSize: 1000 })).models.find((m) => m.name === model.name);
      expect(listed).toEqual(registered);
      const snapshot = await watch.next();
      const watched = snapshot.changes.find((change) => change.model?.name === model.name)?.model;
      expect(watched).toEqual(registered);
      expect(oipOf(watched).endpoints[0]?.credential).toBe("env:TRITON_TOKEN");
    } finally {
      await watch.close();
    }
  });

  it("refuses a credential given in clear, saying to reference it, without repeating it in the answer or a log line", async () => {
    const model = oipModel({ endpoints: [{ url: "https://models.example.com", credential: SECRET }] });
    const logsBefore = registry.logs.length;
    const error = await rpcErrorOf(registry.client.registerModel({ model }));
    expect(error.violations).toEqual([
      {
        field: "model.backend.oip.endpoints[0].credential",
        description: expect.stringContaining("store the secret in an environment variable of the process that reads it, or in a file it can read, and give env:NAME or file:/path"),
      },
    ]);
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(error.message).not.toContain(SECRET);
    expect(registry.logs.slice(logsBefore).join("\n")).not.toContain(SECRET);
  });

  it("refuses hostile endpoint URLs, each at its path, saying what is refused and how to allow it", async () => {
    const model = oipModel({
      endpoints: [
        { url: "http://127.0.0.1:8000" },
        { url: "http://169.254.169.254/latest/meta-data" },
        { url: "http://good.example.com@10.0.0.1" },
        { url: "grpc://[::ffff:127.0.0.1]:8001" },
        { url: "http://0x7f000001" },
        { url: "gopher://models.example.com:70" },
        { url: "grpc://metadata.google.internal:8001" },
        { url: "" },
      ],
    });
    expect(await violationsOf(registry, model)).toEqual([
      { field: "model.backend.oip.endpoints[0].url", description: expect.stringMatching(/^address 127.0.0.1 is loopback .* add 127.0.0.1\/32 to MODELROUTER_EGRESS_ALLOW$/) },
      { field: "model.backend.oip.endpoints[1].url", description: expect.stringContaining("cloud metadata service") },
      { field: "model.backend.oip.endpoints[2].url", description: expect.stringContaining("user information") },
      { field: "model.backend.oip.endpoints[3].url", description: expect.stringContaining("IPv4-mapped IPv6 form") },
      { field: "model.backend.oip.endpoints[4].url", description: expect.stringContaining("address 127.0.0.1 is loopback") },
      { field: "model.backend.oip.endpoints[5].url", description: expect.stringContaining('scheme "gopher", which an executor cannot call') },
      { field: "model.backend.oip.endpoints[6].url", description: expect.stringContaining("host metadata.google.internal is a cloud metadata service") },
      { field: "model.backend.oip.endpoints[7].url", description: expect.stringContaining("is required") },
    ]);
  });

  it("refuses invalid references, repeated and missing endpoints, bad names and bad processing, each at its path", async () => {
    const model = oipModel({
      endpoints: [
        { url: "https://a.example.com", credential: "env:lower_case" },
        { url: "HTTPS://A.example.com:443/", credential: "file:../token" },
      ],
      modelName: "../../v2/repository/index",
      modelVersion: "1?x",
      inputName: "i".repeat(257),
    });
    (oipOf(model).preprocessing!.kind.value as ImagePreprocessing).width = 0;
    expect((await violationsOf(registry, model)).map(({ field }) => field)).toEqual([
      "model.backend.oip.endpoints[0].credential",
      "model.backend.oip.endpoints[1].url",
      "model.backend.oip.endpoints[1].credential",
      "model.backend.oip.model_name",
      "model.backend.oip.model_version",
      "model.backend.oip.input_name",
      "model.backend.oip.preprocessing.image.width",
    ]);
    expect(await violationsOf(registry, oipModel({ endpoints: [] }))).toEqual([
      { field: "model.backend.oip.endpoints", description: expect.stringContaining("is empty: give the model server's URL") },
    ]);
    const many = Array.from({ length: 17 }, (_, i) => ({ url: `http://10.0.0.${i + 1}:8000` }));
    expect(await violationsOf(registry, oipModel({ endpoints: many }))).toEqual([
      { field: "model.backend.oip.endpoints", description: expect.stringContaining("has 17 endpoints; at most 16 are allowed") },
    ]);
  });

  it("checks URLs against the egress policy it is given: allowed loopback for a local test, refused schemes and hosts", async () => {
    const egress = policyOf({
      MODELROUTER_EGRESS_ALLOW: "127.0.0.1/32",
      MODELROUTER_EGRESS_SCHEMES: "https,grpcs,grpc",
      MODELROUTER_EGRESS_ONLY: "*.models.example.com,127.0.0.1/32",
    });
    const configured = await backend.openFresh({ service: { egress } });
    try {
      const registered = await configured.client.registerModel({ model: oipModel({ endpoints: [{ url: "grpc://127.0.0.1:8001" }] }) });
      expect(oipOf(registered.model).endpoints[0]?.url).toBe("grpc://127.0.0.1:8001");
      const model = oipModel({ endpoints: [{ url: "http://digits.models.example.com" }, { url: "https://10.9.9.9" }] });
      expect(await violationsOf(configured, model)).toEqual([
        { field: "model.backend.oip.endpoints[0].url", description: expect.stringContaining("refused by MODELROUTER_EGRESS_SCHEMES") },
        { field: "model.backend.oip.endpoints[1].url", description: expect.stringContaining("is not in MODELROUTER_EGRESS_ONLY") },
      ]);
    } finally {
      await configured.close();
    }
  }, 120_000);
});
