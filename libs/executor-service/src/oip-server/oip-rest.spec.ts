import { request as httpRequest, Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { loadDemoModels, modelZooDir } from "@modelrouter/model-zoo";
import { createLogger } from "@modelrouter/telemetry";
import { DEFAULT_MAX_MODEL_BYTES } from "../model-file.js";
import { startOipServing } from "./oip-component.js";
import { OipModelCatalogue } from "./oip-models.js";
import { type OipTestServer, digitTensor, float32Bytes, float32Values, startOipTestServer } from "./oip.test-support.js";

const image = Array.from(digitTensor("mnist-7-0.png"));
const argmax = (values: readonly number[]): number => values.indexOf(Math.max(...values));

/** The image as nested rows, [1][1][28][28], as a client with a multi-dimensional array sends it. */
const nested = [[Array.from({ length: 28 }, (_, row) => image.slice(row * 28, row * 28 + 28))]];

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Uint8Array;
  json(): Record<string, unknown>;
}

/** A REST response body up to `headerLength` bytes, as JSON. */
const jsonOf = (bytes: Uint8Array, headerLength = bytes.byteLength): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(bytes.subarray(0, headerLength))) as Record<string, unknown>;

/** A binary-extension body: the JSON header's bytes, then each tensor's bytes, byte by byte. */
const binaryBody = (header: unknown, ...tensors: Uint8Array[]): { body: Uint8Array; headerLength: number } => {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const body = new Uint8Array(json.byteLength + tensors.reduce((n, t) => n + t.byteLength, 0));
  let offset = 0;
  for (const part of [json, ...tensors]) {
    for (let i = 0; i < part.byteLength; i++) body[offset + i] = part[i] as number;
    offset += part.byteLength;
  }
  return { body, headerLength: json.byteLength };
};

describe("the executor's OIP REST API", () => {
  let server: OipTestServer;
  let small: OipTestServer;
  const call = async (base: string, path: string, init: RequestInit = {}): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, init);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, bytes, json: () => jsonOf(bytes) };
  };
  const get = (path: string): Promise<Answer> => call(server.restUrl, path);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
    call(server.restUrl, path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: body instanceof Uint8Array ? body : typeof body === "string" ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startOipTestServer();
    small = await startOipTestServer({ maxBodyBytes: 1024 });
  });
  afterAll(async () => {
    await small.close();
    await server.close();
  });

  describe("health and metadata", () => {
    it("GET /v2/health/live and /v2/health/ready answer 200 with live and ready true", async () => {
      const live = await get("/v2/health/live");
      expect([live.status, live.json()]).toEqual([200, { live: true }]);
      const ready = await get("/v2/health/ready");
      expect([ready.status, ready.json()]).toEqual([200, { ready: true }]);
    });

    it("GET /v2 answers the server metadata", async () => {
      const metadata = await get("/v2");
      expect(metadata.status).toBe(200);
      expect(metadata.json()).toEqual({ name: "modelrouter", version: expect.stringMatching(/^\d+\.\d+\.\d+/), extensions: ["binary_tensor_data"] });
    });

    it("GET /v2/models/{m} and /v2/models/{m}/versions/{v} answer the model metadata from its ONNX session", async () => {
      const expected = {
        name: "digits-general",
        versions: ["1"],
        platform: "onnxruntime_onnx",
        inputs: [{ name: "input", datatype: "FP32", shape: [1, 1, 28, 28] }],
        outputs: [{ name: "logits", datatype: "FP32", shape: [1, 10] }],
      };
      const latest = await get("/v2/models/digits-general");
      expect([latest.status, latest.json()]).toEqual([200, expected]);
      const versioned = await get("/v2/models/digits-general/versions/1");
      expect([versioned.status, versioned.json()]).toEqual([200, expected]);
    });

    it("GET /v2/models/{m}/ready and …/versions/{v}/ready answer 200 with the model's name and ready true", async () => {
      const ready = await get("/v2/models/digits-general/ready");
      expect([ready.status, ready.json()]).toEqual([200, { name: "digits-general", ready: true }]);
      const versioned = await get("/v2/models/digits-general/versions/1/ready");
      expect([versioned.status, versioned.json()]).toEqual([200, { name: "digits-general", ready: true }]);
    });

    it("answers 404 with an error for a model or version it does not serve", async () => {
      const model = await get("/v2/models/no-such-model");
      expect(model.status).toBe(404);
      expect(model.json()["error"]).toContain('model "no-such-model" is not served by this executor');
      const version = await get("/v2/models/digits-general/versions/9/ready");
      expect(version.status).toBe(404);
      expect(version.json()["error"]).toContain("its served versions: 1");
    });

    it("answers 404 for a path that is no OIP route and 405 (with Allow) for the wrong method", async () => {
      const unknown = await get("/v1/models/digits-general");
      expect(unknown.status).toBe(404);
      expect(unknown.json()["error"]).toContain("no OIP route /v1/models/digits-general");
      const wrong = await get("/v2/models/digits-general/infer");
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get("allow")).toBe("POST");
      expect(wrong.json()["error"]).toBe("GET is not allowed on /v2/models/digits-general/infer; use POST");
    });
  });

  describe("inference with JSON tensors", () => {
    it("answers a request shaped like the spec's example with the outputs in JSON data, echoing the id", async () => {
      const answer = await post("/v2/models/digits-general/infer", {
        id: "42",
        inputs: [{ name: "input", shape: [1, 1, 28, 28], datatype: "FP32", data: image }],
        outputs: [{ name: "logits" }],
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-type")).toBe("application/json");
      const body = answer.json();
      expect(body).toEqual({
        model_name: "digits-general",
        model_version: "1",
        id: "42",
        outputs: [{ name: "logits", datatype: "FP32", shape: [1, 10], data: expect.any(Array) }],
      });
      const [logits] = body["outputs"] as { data: number[] }[];
      expect(logits?.data).toHaveLength(10);
      expect(argmax(logits?.data ?? [])).toBe(7);
    });

    it("takes nested data as row-major, the same as flat data, on a versioned path", async () => {
      const flat = await post("/v2/models/digits-general/infer", { inputs: [{ name: "input", shape: [1, 1, 28, 28], datatype: "FP32", data: image }] });
      const rows = await post("/v2/models/digits-general/versions/1/infer", { inputs: [{ name: "input", shape: [1, 1, 28, 28], datatype: "FP32", data: nested }] });
      expect(rows.status).toBe(200);
      expect(rows.json()["outputs"]).toEqual(flat.json()["outputs"]);
      expect(rows.json()["id"]).toBe("");
    });
  });

  describe("inference with the binary tensor extension", () => {
    it("reads inputs from the bytes after the JSON header and returns a binary_data output after its own header", async () => {
      const { body, headerLength } = binaryBody(
        {
          model_name: "digits-general",
          inputs: [{ name: "input", shape: [1, 1, 28, 28], datatype: "FP32", parameters: { binary_data_size: 3136 } }],
          outputs: [{ name: "logits", parameters: { binary_data: true } }],
        },
        float32Bytes(image),
      );
      const answer = await post("/v2/models/digits-general/infer", body, {
        "content-type": "application/octet-stream",
        "inference-header-content-length": String(headerLength),
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-type")).toBe("application/octet-stream");
      const jsonLength = Number(answer.headers.get("inference-header-content-length"));
      expect(answer.bytes.byteLength).toBe(jsonLength + 40);
      expect(jsonOf(answer.bytes, jsonLength)).toEqual({
        model_name: "digits-general",
        model_version: "1",
        id: "",
        outputs: [{ name: "logits", datatype: "FP32", shape: [1, 10], parameters: { binary_data_size: 40 } }],
      });
      const json = await post("/v2/models/digits-general/infer", { inputs: [{ name: "input", shape: [1, 1, 28, 28], datatype: "FP32", data: image }] });
      const [expected] = json.json()["outputs"] as { data: number[] }[];
      expect(float32Values(answer.bytes.subarray(jsonLength))).toEqual(expected?.data);
    });

    it("returns every output as binary with binary_data_output, unless an output's binary_data says false", async () => {
      const input = { name: "input", shape: [1, 1, 28, 28], datatype: "FP32", data: image };
      const all = await post("/v2/models/digits-general/infer", { parameters: { binary_data_output: true }, inputs: [input] });
      expect(Number(all.headers.get("inference-header-content-length"))).toBe(all.bytes.byteLength - 40);
      const overridden = await post("/v2/models/digits-general/infer", {
        parameters: { binary_data_output: true },
        inputs: [input],
        outputs: [{ name: "logits", parameters: { binary_data: false } }],
      });
      expect(overridden.headers.get("inference-header-content-length")).toBeNull();
      expect((overridden.json()["outputs"] as { data: number[] }[])[0]?.data).toHaveLength(10);
    });
  });

  describe("errors", () => {
    const infer = "/v2/models/digits-general/infer";

    it("answers 404 for inference on a model it does not serve", async () => {
      const answer = await post("/v2/models/no-such-model/infer", { inputs: [{ name: "input", shape: [1], datatype: "FP32", data: [0] }] });
      expect(answer.status).toBe(404);
      expect(answer.json()["error"]).toContain("no-such-model");
    });

    it("answers 400 naming the datatype for one it does not take", async () => {
      const answer = await post(infer, { inputs: [{ name: "input", shape: [1], datatype: "BF16", data: [0] }] });
      expect(answer.status).toBe(400);
      expect(answer.json()["error"]).toContain('inputs[0].datatype: is "BF16", which this server does not take');
    });

    it("answers 400 naming the input and the shape it takes for a shape mismatch", async () => {
      const answer = await post(infer, { inputs: [{ name: "input", shape: [1, 784], datatype: "FP32", data: image }] });
      expect(answer.status).toBe(400);
      expect(answer.json()["error"]).toContain('inputs[0].shape: is [1, 784], but model digits-general@1 takes one input "input" of FP32 [1, 1, 28, 28]');
    });

    it("answers 400 for data that does not fill the shape or holds strings", async () => {
      const short = await post(infer, { inputs: [{ name: "input", shape: [1, 1, 28, 28], datatype: "FP32", data: image.slice(2) }] });
      expect(short.status).toBe(400);
      expect(short.json()["error"]).toContain("inputs[0].data: has 782 elements, but shape [1, 1, 28, 28] needs 784");
      const strings = await post(infer, { inputs: [{ name: "input", shape: [1], datatype: "FP32", data: ["0.5"] }] });
      expect(strings.json()["error"]).toContain("inputs[0].data: must hold only numbers or booleans");
    });

    it("answers 400 for a body that is not JSON, or has no inputs", async () => {
      const bad = await post(infer, "{ inputs: [");
      expect(bad.status).toBe(400);
      expect(bad.json()["error"]).toContain("body: is not valid JSON");
      const empty = await post(infer, {});
      expect(empty.status).toBe(400);
      expect(empty.json()["error"]).toContain("inputs: is required");
    });

    it("answers 400 when Inference-Header-Content-Length is larger than the body", async () => {
      const { body, headerLength } = binaryBody({ inputs: [{ name: "input", shape: [1, 1, 28, 28], datatype: "FP32", parameters: { binary_data_size: 3136 } }] }, float32Bytes(image));
      const answer = await post(infer, body, { "inference-header-content-length": String(body.byteLength + 1) });
      expect(answer.status).toBe(400);
      expect(answer.json()["error"]).toContain(`Inference-Header-Content-Length: is ${body.byteLength + 1}, but the body has only ${body.byteLength} bytes`);
      const short = await post(infer, body.subarray(0, body.byteLength - 4), { "inference-header-content-length": String(headerLength) });
      expect(short.status).toBe(400);
      expect(short.json()["error"]).toContain("inputs[0].parameters.binary_data_size: is 3136, but only 3132 bytes of binary data are left");
    });

    it("answers 413 for a body larger than its limit", async () => {
      const answer = await call(small.restUrl, infer, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ inputs: [{ name: "input", shape: [1, 1, 28, 28], datatype: "FP32", data: image }] }),
      });
      expect(answer.status).toBe(413);
      expect(answer.json()["error"]).toBe("the request body is larger than 1024 bytes, the most this executor accepts");
    });

    it("answers 413 for a chunked body that grows past its limit, without a Content-Length to warn it", async () => {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${small.restUrl}${infer}`, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        for (let i = 0; i < 3; i++) req.write("x".repeat(600));
        req.end();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual({ error: "the request body is larger than 1024 bytes, the most this executor accepts" });
    });
  });

  describe("readiness", () => {
    it("answers 503 with ready false for the server and its models until the executor's workers have started", async () => {
      const starting = startOipServing({
        pool: server.pool,
        files: { root: modelZooDir(), maxBytes: DEFAULT_MAX_MODEL_BYTES },
        ready: new Promise<void>(() => undefined),
        logger: createLogger({ service: "oip-test", write: () => undefined }),
        models: OipModelCatalogue.of(loadDemoModels()),
      });
      const http = await starting.serveHttp("127.0.0.1:0");
      try {
        const base = `http://127.0.0.1:${http.port}`;
        const ready = await call(base, "/v2/health/ready");
        expect([ready.status, ready.json()]).toEqual([503, { ready: false }]);
        const model = await call(base, "/v2/models/digits-general/ready");
        expect([model.status, model.json()]).toEqual([503, { name: "digits-general", ready: false }]);
        const live = await call(base, "/v2/health/live");
        expect([live.status, live.json()]).toEqual([200, { live: true }]);
      } finally {
        await starting.close();
      }
    });
  });

  describe("connections", () => {
    const getOn = (agent: Agent, path: string): Promise<{ status: number; reused: boolean }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(`${small.restUrl}${path}`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on("error", reject);
        req.end();
      });

    it("keeps a connection alive between requests, and on close ends idle connections and refuses new ones", async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        expect(await getOn(agent, "/v2/health/live")).toEqual({ status: 200, reused: false });
        expect(await getOn(agent, "/v2/health/ready")).toEqual({ status: 200, reused: true });
        await small.component.close();
        await expect(getOn(agent, "/v2/health/live")).rejects.toThrow(/ECONNREFUSED|socket hang up|ECONNRESET/);
        expect((await small.oip.serverReady({})).ready).toBe(false);
      } finally {
        agent.destroy();
      }
    });
  });
});
