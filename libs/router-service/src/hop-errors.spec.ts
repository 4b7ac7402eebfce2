import { describe, expect, it } from "@jest/globals";
import { ERROR_DOMAIN, ErrorReason } from "@modelrouter/errors";
import { Code, RpcError } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { hopError } from "./hop-errors.js";

const logger = createLogger({ service: "spec", level: "error", write: () => undefined });

describe("what a client learns of a failed call to one of the router's services", () => {
  it("passes modelrouter's own errors through as they are", () => {
    const own = new RpcError({ code: Code.NOT_FOUND, message: "no such model", reason: ErrorReason.MODEL_NOT_FOUND, domain: ERROR_DOMAIN });
    expect(hopError("executor", own, logger)).toBe(own);
  });

  it("reports a service refusing the router's internal credential as the deployment's mistake (INTERNAL), not the client's", () => {
    const refused = new RpcError({ code: Code.UNAUTHENTICATED, message: "the service credential is unknown", reason: ErrorReason.UNAUTHENTICATED, domain: ERROR_DOMAIN });
    const seen = hopError("decision engine", refused, logger);
    expect(seen.code).toBe(Code.INTERNAL);
    expect(seen.message).toContain("MODELROUTER_INTERNAL_TOKEN");
  });

  it("keeps the code of a model server refusing the executor's endpoint credential, with a plain message naming the hop", () => {
    const modelServer = new RpcError({ code: Code.UNAUTHENTICATED, message: "OpenAI endpoint http://10.0.0.5:8000/v1: HTTP 401: \"Incorrect API key\"" });
    const seen = hopError("executor", modelServer, logger);
    expect(seen.code).toBe(Code.UNAUTHENTICATED);
    expect(seen.message).not.toContain("10.0.0.5");
    expect(seen.message).not.toContain("MODELROUTER_INTERNAL_TOKEN");
  });
});
