import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AnalyzerService } from "@modelrouter/contracts";
import { createConnectEdge, type ConnectEdge } from "./connect-edge.js";
import { scriptedAnalyzer } from "./kit.test-support.js";
import { serviceRegistration } from "./service-types.js";

describe("the Connect edge", () => {
  let edge: ConnectEdge;
  let base: string;

  beforeAll(async () => {
    edge = createConnectEdge({
      services: [serviceRegistration(AnalyzerService, scriptedAnalyzer({ contexts: [], aborted: [], unexpected: [] }))],
    });
    base = `http://127.0.0.1:${await edge.listen("127.0.0.1", 0)}`;
  });
  afterAll(() => edge.close());

  const post = (body: unknown, path = "/modelrouter.analyzer.v1.AnalyzerService/Analyze") =>
    fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-test": "curl" }, body: JSON.stringify(body) });

  it("answers a JSON request with the protobuf JSON of the response (what curl sees)", async () => {
    const response = await post({ payload: { text: "ok" }, metadata: { a: "1" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      profile: { mimeType: "text/plain", metadata: { a: "1", seenHeader: "curl", transport: "connect" } },
    });
  });

  it("answers an error with its Connect code, message and ErrorInfo/BadRequest details", async () => {
    const response = await post({ payload: { text: "invalid" } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; message: string; details: { type: string; debug?: unknown }[] };
    expect(body.code).toBe("invalid_argument");
    expect(body.message).toContain("payload.text: is too long");
    expect(body.details.map((d) => d.type)).toEqual(["google.rpc.ErrorInfo", "google.rpc.BadRequest"]);
  });

  it("rejects malformed JSON without reaching the handler", async () => {
    const response = await fetch(`${base}/modelrouter.analyzer.v1.AnalyzerService/Analyze`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{ not json",
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe("invalid_argument");
  });

  it("answers 404 with a hint for an unknown path", async () => {
    const response = await post({}, "/nope");
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toContain("/modelrouter.router.v1.RouterService/Infer");
  });
});
