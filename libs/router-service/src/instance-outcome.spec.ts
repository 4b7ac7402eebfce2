import { describe, expect, it } from "@jest/globals";
import { ERROR_DOMAIN, ErrorReason } from "@modelrouter/errors";
import { Code, RpcError } from "@modelrouter/rpc-kit";
import { instanceOutcomeOf } from "./instance-outcome.js";

const transport = (code: Code) => new RpcError({ code, message: "from the transport" });
const answered = (code: Code, reason: string) => new RpcError({ code, message: "from the executor", domain: ERROR_DOMAIN, reason });

describe("what an attempt says about its instance", () => {
  it("counts only the absence of an answer against it: unavailable, or silent until the deadline", () => {
    expect(instanceOutcomeOf(transport(Code.UNAVAILABLE))).toBe("failed");
    expect(instanceOutcomeOf(transport(Code.DEADLINE_EXCEEDED))).toBe("failed");
  });

  it("takes any answer of the executor's as a sign of life, whatever it says of the request", () => {
    expect(instanceOutcomeOf(undefined)).toBe("answered");
    expect(instanceOutcomeOf(answered(Code.RESOURCE_EXHAUSTED, ErrorReason.OVERLOADED))).toBe("answered");
    expect(instanceOutcomeOf(answered(Code.UNAVAILABLE, ErrorReason.MODEL_UNAVAILABLE))).toBe("answered");
    expect(instanceOutcomeOf(answered(Code.INVALID_ARGUMENT, ErrorReason.INVALID_FIELD))).toBe("answered");
  });

  it("draws nothing from a cancellation or a transport's other errors", () => {
    expect(instanceOutcomeOf(transport(Code.CANCELLED))).toBe("neutral");
    expect(instanceOutcomeOf(transport(Code.RESOURCE_EXHAUSTED))).toBe("neutral");
    expect(instanceOutcomeOf(transport(Code.INTERNAL))).toBe("neutral");
  });
});
