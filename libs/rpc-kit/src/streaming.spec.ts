import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { RegistryService, WatchModelsResponseSchema, type WatchModelsResponse } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { Code } from "./code.js";
import { isRpcError } from "./rpc-error.js";
import { topology as makeTopology, withUnimplemented, type Topology } from "./kit.test-support.js";

describe.each(["grpc", "tunnel", "direct"] as const)("a server-streaming call over the %s topology", (kind) => {
  const stopped: bigint[] = [];
  let topology: Topology<typeof RegistryService>;

  beforeAll(async () => {
    const impl = withUnimplemented(RegistryService, {
      async *watchModels(request, ctx) {
        // since_revision picks the script: 1 = three messages, 2 = two then an error, 3 = endless until cancelled.
        const mode = request.sinceRevision;
        try {
          for (let revision = 1n; !ctx.signal.aborted; revision++) {
            if (mode === 2n && revision === 3n) {
              throw new DomainError(ErrorReason.SERVICE_NOT_READY, "the store went away");
            }
            if (mode === 1n && revision === 4n) return;
            yield create(WatchModelsResponseSchema, { revision });
            if (mode === 3n) await new Promise((resolve) => setTimeout(resolve, 5));
          }
        } finally {
          stopped.push(mode);
        }
      },
    });
    topology = await makeTopology(kind, RegistryService, impl);
  });
  afterAll(() => topology.close());

  it("delivers every message in order, then ends", async () => {
    const seen: bigint[] = [];
    for await (const message of topology.client.watchModels({ sinceRevision: 1n })) seen.push(message.revision);
    expect(seen).toEqual([1n, 2n, 3n]);
  });

  it("delivers the messages sent before a failure, then throws the mapped error", async () => {
    const seen: WatchModelsResponse[] = [];
    let failure: unknown;
    try {
      for await (const message of topology.client.watchModels({ sinceRevision: 2n })) seen.push(message);
    } catch (error) {
      failure = error;
    }
    expect(seen.map((m) => m.revision)).toEqual([1n, 2n]);
    expect(isRpcError(failure) && failure.code).toBe(Code.UNAVAILABLE);
    expect(isRpcError(failure) && failure.reason).toBe("SERVICE_NOT_READY");
  });

  it("stops the server-side producer when the client stops reading", async () => {
    let count = 0;
    for await (const _message of topology.client.watchModels({ sinceRevision: 3n }, { timeoutMs: 10_000 })) {
      if (++count === 3) break;
    }
    const end = Date.now() + 3000;
    while (!stopped.includes(3n) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stopped).toContain(3n);
  });
});
