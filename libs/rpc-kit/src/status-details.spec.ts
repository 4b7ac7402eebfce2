import { describe, expect, it } from "@jest/globals";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { ErrorInfoSchema, RetryInfoSchema, type Status } from "@modelrouter/contracts";
import { Code } from "./code.js";
import { RpcError } from "./rpc-error.js";
import { RETRY_AFTER_MS_KEY, statusOf } from "./status-details.js";

const overloaded = (metadata: Record<string, string>): RpcError =>
  new RpcError({ code: Code.RESOURCE_EXHAUSTED, message: "the executor is overloaded", reason: "OVERLOADED", metadata });

const retryDelayOf = (status: Status) =>
  status.details.flatMap((any) => {
    const info = anyUnpack(any, RetryInfoSchema);
    return info === undefined ? [] : [{ seconds: info.retryDelay?.seconds, nanos: info.retryDelay?.nanos }];
  });

describe("the google.rpc.Status of an error", () => {
  it("carries a retry hint both in ErrorInfo's metadata and as the RetryInfo detail gRPC clients read", () => {
    const status = statusOf(overloaded({ [RETRY_AFTER_MS_KEY]: "1250", bound: "model" }));
    expect(retryDelayOf(status)).toEqual([{ seconds: 1n, nanos: 250_000_000 }]);
    const info = status.details.map((any) => anyUnpack(any, ErrorInfoSchema)).find((i) => i !== undefined);
    expect(info?.metadata).toEqual({ retryAfterMs: "1250", bound: "model" });
  });

  it("has no RetryInfo without a hint, or with one that is not a whole number of milliseconds", () => {
    for (const metadata of [{}, { [RETRY_AFTER_MS_KEY]: "soon" }, { [RETRY_AFTER_MS_KEY]: "-5" }, { [RETRY_AFTER_MS_KEY]: "1.5" }]) {
      expect(retryDelayOf(statusOf(overloaded(metadata)))).toEqual([]);
    }
  });
});
