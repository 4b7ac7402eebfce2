import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ExecutorService, type ExecuteRequest, type ExecuteResponse, type RegistryService, RouterService } from "@modelrouter/contracts";
import { loadDemoModels } from "@modelrouter/model-zoo";
import { Code, createDirectClient, type ServiceClient, type ServiceImpl } from "@modelrouter/rpc-kit";
import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { type InProcessServices, compiledPolicy, digitImage as image, digitSample as digit, modelTarget, startInProcessServices } from "./in-process-services.test-support.js";
import type { Router } from "./router-service.js";
import { compareAnswers } from "./shadow-comparison.js";
import { wholeAnswerExecutor } from "./whole-answer-executor.test-support.js";

/** `target` (digits-general) answers every request; `shadow` mirrors each one. */
function mirroringPolicy(shadow: string, target = "digits-general") {
  return compiledPolicy({ name: "mirror", defaultRoute: { targets: [modelTarget(target)], shadows: [{ model: { name: shadow } }] } });
}

/** Holds the executor's shadow calls until released: a shadow that has not finished, for as long as a test needs. */
class ShadowGate {
  #held: (() => void)[] = [];
  #closed = false;

  close(): void {
    this.#closed = true;
  }

  release(): void {
    this.#closed = false;
    for (const go of this.#held.splice(0)) go();
  }

  wrap(real: ServiceImpl<typeof ExecutorService>): ServiceImpl<typeof ExecutorService> {
    return wholeAnswerExecutor(async (request: ExecuteRequest, ctx): Promise<ExecuteResponse> => {
      if (request.shadow && this.#closed) await new Promise<void>((go) => this.#held.push(go));
      return real.execute(request, ctx);
    });
  }
}

describe("shadow traffic through the router, with a real analyzer, decision engine, executor and registry", () => {
  let services: InProcessServices;
  let registry: ServiceClient<typeof RegistryService>;
  let executorImpl: ServiceImpl<typeof ExecutorService>;
  const gate = new ShadowGate();
  const routers: Router[] = [];
  const spans = new InMemorySpanExporter();
  const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });

  beforeAll(async () => {
    tracing.register({ contextManager: null });
    services = await startInProcessServices();
    registry = services.registry;
    executorImpl = services.executorImpl;
  }, 60_000);

  afterAll(async () => {
    gate.release();
    await Promise.all(routers.map((r) => r.close()));
    await services?.close();
    await tracing.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  /** A router whose policy mirrors `target`'s requests to `shadow`, at most `maxInFlight` shadows at once. */
  function startRouter(shadow: string, maxInFlight = 8, target = "digits-general") {
    const router = services.router([mirroringPolicy(shadow, target)], {
      executorImpl: gate.wrap(executorImpl),
      shadows: { maxInFlight, maxDeadlineMs: 10_000 },
    });
    routers.push(router);
    return { router, client: createDirectClient(RouterService, router.impl, { defaultTimeoutMs: 10_000 }) };
  }

  const recorded = async (router: Router, requestId: string) => {
    await router.recorder.settled(requestId);
    return (await registry.getDecision({ requestId })).decision!;
  };

  it("answers from the primary, and records the shadow's answer compared with it", async () => {
    const { router, client } = startRouter("digits-lite");
    const answer = await client.infer({ requestId: "shadow-compare-1", payload: image });
    expect(answer.model?.name).toBe("digits-general");
    const record = await recorded(router, answer.requestId);
    expect(record.model?.name).toBe("digits-general");
    expect(record.shadows).toHaveLength(1);
    const [result] = record.shadows;
    const lite = await createDirectClient(ExecutorService, executorImpl, { defaultTimeoutMs: 10_000 }).execute({
      requestId: "direct-lite",
      payload: image,
      model: result!.model,
      backend: loadDemoModels().find((m) => m.name === "digits-lite")!.backend,
    });
    const expected = compareAnswers(answer.outputs, lite.outputs);
    expect(result).toMatchObject({
      model: { name: "digits-lite", version: "1" },
      code: Code.OK,
      topLabel: expected.topLabel,
      sameTopLabel: expected.sameTopLabel,
    });
    expect(result!.scoreDistance).toBeCloseTo(expected.scoreDistance!, 6);
    expect(result!.latencyMs).toBeGreaterThan(0);
    expect((await registry.listDecisions({ policy: "mirror" })).decisions.some((d) => d.shadows[0]?.model?.name === "digits-lite")).toBe(true);
  });

  it("traces each shadow in a router.shadow span of its own, linked to the request's trace, not inside it", async () => {
    const { router, client } = startRouter("digits-lite");
    const answer = await client.infer({ requestId: "shadow-traced-1", payload: image });
    await router.recorder.settled(answer.requestId);
    expect(answer.traceId).not.toBe("");
    const shadowSpans = spans
      .getFinishedSpans()
      .filter((s) => s.name === "router.shadow" && s.attributes["modelrouter.request_id"] === answer.requestId);
    expect(shadowSpans).toHaveLength(1);
    const [span] = shadowSpans;
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.spanContext().traceId).not.toBe(answer.traceId);
    expect(span!.links.map((l) => l.context.traceId)).toEqual([answer.traceId]);
    expect(span!.attributes["modelrouter.model"]).toBe("digits-lite");
    const children = spans.getFinishedSpans().filter((s) => s.parentSpanContext?.spanId === span!.spanContext().spanId);
    expect(children.length).toBeGreaterThan(0);
  });

  it("answers while its shadow has not finished, and records the shadow (and takes feedback) once it has", async () => {
    const { router, client } = startRouter("digits-lite");
    gate.close();
    const answer = await client.infer({ requestId: "shadow-held-1", payload: image });
    expect(answer.model?.name).toBe("digits-general");
    expect(router.shadows.inFlight()).toBe(1);
    let written = false;
    const feedback = client.submitFeedback({ requestId: answer.requestId, feedback: { case: "label", value: digit.label } });
    const settled = router.recorder.settled(answer.requestId).then(() => (written = true));
    await Promise.resolve();
    expect(written).toBe(false);
    gate.release();
    await settled;
    const record = await recorded(router, answer.requestId);
    expect(record.shadows[0]).toMatchObject({ model: { name: "digits-lite" }, code: Code.OK });
    // feedback sent while the shadow ran waited for the record, and found it
    expect((await feedback).model?.name).toBe("digits-general");
  });

  it("answers when the shadow fails, and records the shadow's error", async () => {
    const { router, client } = startRouter("digits-missing");
    const answer = await client.infer({ requestId: "shadow-fails-1", payload: image });
    expect(answer.model?.name).toBe("digits-general");
    const [result] = (await recorded(router, answer.requestId)).shadows;
    expect(result).toMatchObject({ model: { name: "digits-missing" }, code: Code.UNAVAILABLE, sameTopLabel: false });
    expect(result!.message).not.toBe("");
    expect(result!.scoreDistance).toBeUndefined();
  });

  it("records the shadow of a request whose primary failed, with nothing to compare it with", async () => {
    const { router, client } = startRouter("digits-lite", 8, "digits-missing");
    await expect(client.infer({ requestId: "primary-fails-1", payload: image })).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    const record = await recorded(router, "primary-fails-1");
    expect(record.code).toBe(Code.UNAVAILABLE);
    const [result] = record.shadows;
    expect(result).toMatchObject({ model: { name: "digits-lite" }, code: Code.OK, sameTopLabel: false });
    expect(result!.topLabel).not.toBe("");
    expect(result!.scoreDistance).toBeUndefined();
  });

  it("drops a shadow over the router's in-flight bound, records it as dropped, and still answers", async () => {
    const { router, client } = startRouter("digits-lite", 1);
    gate.close();
    const first = await client.infer({ requestId: "shadow-bound-1", payload: image });
    const second = await client.infer({ requestId: "shadow-bound-2", payload: image });
    expect([first.model?.name, second.model?.name]).toEqual(["digits-general", "digits-general"]);
    const dropped = (await recorded(router, second.requestId)).shadows[0];
    expect(dropped).toMatchObject({ model: { name: "digits-lite" }, code: Code.RESOURCE_EXHAUSTED });
    expect(dropped!.message).toMatch(/^dropped: /);
    gate.release();
    expect((await recorded(router, first.requestId)).shadows[0]).toMatchObject({ code: Code.OK });
  });
});
