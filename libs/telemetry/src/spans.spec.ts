import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { ROOT_CONTEXT, SpanStatusCode, trace } from "@opentelemetry/api";
import { withSpan } from "./spans.js";
import { startTestTracing, type TestTracing } from "./tracing.test-support.js";

describe("withSpan", () => {
  let tracing: TestTracing;

  beforeAll(() => {
    tracing = startTestTracing();
  });

  beforeEach(() => {
    tracing.exporter.reset();
  });

  afterAll(async () => {
    await tracing.stop();
  });

  it("runs the work in a child span of the given trace context, with the name and attributes, and returns its result", async () => {
    const root = trace.getTracer("spans-spec").startSpan("router.infer");

    const result = await withSpan("router.execute", { "modelrouter.model": "digits" }, trace.setSpan(ROOT_CONTEXT, root), async () => "outputs");
    root.end();

    const [child, parent] = tracing.exporter.getFinishedSpans();
    expect(result).toBe("outputs");
    expect(child).toMatchObject({ name: "router.execute", attributes: { "modelrouter.model": "digits" } });
    expect(child!.parentSpanContext?.spanId).toBe(parent!.spanContext().spanId);
    expect(child!.spanContext().traceId).toBe(parent!.spanContext().traceId);
    expect(child!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("gives the work the trace context with its span in it, for the calls the work makes", async () => {
    let inside: string | undefined;

    await withSpan("step", {}, ROOT_CONTEXT, async (span, traceContext) => {
      await Promise.resolve();
      inside = trace.getSpan(traceContext)?.spanContext().spanId;
      expect(inside).toBe(span.spanContext().spanId);
    });

    expect(inside).toBe(tracing.exporter.getFinishedSpans()[0]!.spanContext().spanId);
  });

  it("records the exception and an ERROR status when the work throws, ends the span and rethrows", async () => {
    const failure = new Error("model timed out");

    await expect(
      withSpan("executor.attempt", {}, ROOT_CONTEXT, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);

    const [span] = tracing.exporter.getFinishedSpans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: "model timed out" });
    expect(span!.events).toEqual([
      expect.objectContaining({
        name: "exception",
        attributes: expect.objectContaining({ "exception.message": "model timed out", "exception.type": "Error" }),
      }),
    ]);
  });

  it("records a thrown non-Error as its string", async () => {
    await expect(
      withSpan("step", {}, ROOT_CONTEXT, async () => {
        throw "plain string";
      }),
    ).rejects.toBe("plain string");

    expect(tracing.exporter.getFinishedSpans()[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: "plain string" });
  });
});
