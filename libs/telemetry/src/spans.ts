import { SpanStatusCode, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";

const tracer = trace.getTracer("@modelrouter/telemetry");

/**
 * Runs `work` inside a span named `name` (an INTERNAL step such as `router.attempt`), a child of `parent` —
 * the trace context of the call the step belongs to — recording an exception and ERROR status if it throws.
 * `work` gets the span and the trace context with the span in it, for the calls it makes.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  parent: Context,
  work: (span: Span, traceContext: Context) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { attributes }, parent);
  try {
    return await work(span, trace.setSpan(parent, span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}
