import { SpanStatusCode, trace, type Attributes, type Span } from "@opentelemetry/api";

const tracer = trace.getTracer("@modelrouter/telemetry");

/**
 * Runs `work` inside a child span of the active span named `name` (an INTERNAL step such as
 * `router.execute`), recording an exception and ERROR status if it throws.
 */
export async function withSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The active span, or undefined outside any span. */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}
