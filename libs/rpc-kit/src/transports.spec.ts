import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AnalyzerService } from "@modelrouter/contracts";
import { Code } from "./code.js";
import { isRpcError, type RpcError } from "./rpc-error.js";
import {
  topology as makeTopology,
  scriptedAnalyzer,
  type Observations,
  type Topology,
} from "./kit.test-support.js";

// gRPC carries a deadline as a relative timeout; the server rebuilds it from its own clock when the call
// arrives, so it lands later by the transit time (milliseconds here, more on a loaded machine). The checks
// below only need to tell a propagated deadline from the 5 s default.
const slack = 1000;

const text = (value: string) => ({ payload: { kind: { case: "text" as const, value } } });

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (isRpcError(error)) return error;
    throw new Error(`expected an RpcError, got ${String(error)}`);
  }
  throw new Error("expected the call to fail");
}

describe.each(["grpc", "tunnel", "direct"] as const)("a service called over the %s topology", (kind) => {
  const observations: Observations = { contexts: [], aborted: [], unexpected: [] };
  let topology: Topology<typeof AnalyzerService>;

  beforeAll(async () => {
    const impl = scriptedAnalyzer(observations, () => topology.client);
    const onUnexpected = (error: unknown) => observations.unexpected.push(error);
    topology = await makeTopology(kind, AnalyzerService, impl, onUnexpected);
  });
  afterAll(() => topology.close());

  it("returns the handler's response and passes request headers", async () => {
    const response = await topology.client.analyze({ ...text("ok"), metadata: { a: "1" } }, { headers: { "x-test": "hi" } });
    expect(response.profile?.metadata).toEqual({ a: "1", seenHeader: "hi", transport: kind });
  });

  it("turns a domain error into the status its reason maps to, with ErrorInfo and every field violation", async () => {
    const error = await rejection(topology.client.analyze(text("invalid")));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.reason).toBe("INVALID_FIELD");
    expect(error.domain).toBe("modelrouter.dev");
    expect(error.message).toContain("payload.text: is too long");
    expect(error.violations).toEqual([
      { field: "payload.text", description: "is too long: at most 10 characters" },
      { field: 'metadata["k"]', description: "must not be empty" },
    ]);
  });

  it("maps NOT_FOUND reasons with their metadata", async () => {
    const error = await rejection(topology.client.analyze(text("not-found")));
    expect(error.code).toBe(Code.NOT_FOUND);
    expect(error.reason).toBe("MODEL_NOT_FOUND");
    expect(error.metadata).toEqual({ model: "x" });
  });

  it.each(["throw-sync", "throw-async"])("survives a handler that does %s: INTERNAL without details, and the next call works", async (script) => {
    const before = observations.unexpected.length;
    const error = await rejection(topology.client.analyze(text(script)));
    expect(error.code).toBe(Code.INTERNAL);
    expect(error.message).toBe("internal error; the server logged the cause");
    expect(error.message).not.toContain("boom");
    expect(observations.unexpected.length).toBe(before + 1);
    await expect(topology.client.analyze(text("ok"))).resolves.toBeDefined();
  });

  it("gives the handler the caller's deadline", async () => {
    const deadline = Date.now() + 3000;
    await topology.client.analyze(text("ok"), { deadline });
    const seen = observations.contexts.at(-1)!.deadline;
    expect(seen).toBeLessThanOrEqual(deadline + slack);
    expect(seen).toBeGreaterThan(deadline - slack);
  });

  it("gives every call a deadline, even when the caller sets none", async () => {
    await topology.client.analyze(text("ok"));
    expect(Number.isFinite(observations.contexts.at(-1)!.deadline)).toBe(true);
  });

  it("propagates the deadline to a downstream call made with { parent: ctx }", async () => {
    const deadline = Date.now() + 2500;
    await topology.client.analyze(text("downstream:ok"), { deadline });
    const [outer, inner] = observations.contexts.slice(-2);
    expect(inner!.deadline).toBeLessThanOrEqual(outer!.deadline + slack);
    expect(inner!.deadline).toBeGreaterThan(deadline - slack);
  });

  it("leaves no listener on the caller's signal once a call is over", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 5; i++) await topology.client.analyze(text("downstream:ok"), { signal: controller.signal });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("treats a deadline too far away for a timer as no deadline, instead of expiring at once", async () => {
    const response = await topology.client.analyze(text("downstream:ok"), { timeoutMs: Number.POSITIVE_INFINITY });
    expect(response.profile?.mimeType).toBe("text/plain");
  });

  it("fails with DEADLINE_EXCEEDED when the handler is too slow, and the handler sees the abort", async () => {
    const before = observations.aborted.length;
    const error = await rejection(topology.client.analyze(text("hang"), { timeoutMs: 150 }));
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
    await waitUntil(() => observations.aborted.length > before);
  });

  it("fails with CANCELLED when the caller aborts, and the handler sees the abort", async () => {
    const before = observations.aborted.length;
    const controller = new AbortController();
    const call = topology.client.analyze(text("hang"), { signal: controller.signal, timeoutMs: 5000 });
    await waitUntil(() => observations.contexts.at(-1)?.method.endsWith("/Analyze") === true);
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(call);
    expect(error.code).toBe(Code.CANCELLED);
    await waitUntil(() => observations.aborted.length > before);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
